// The public voting page's API: public images, votes and flags from anonymous sessions (rate limited), the
// contributors' leaderboard. Nothing here names a path, a person or an image that is not public.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "base/clock.h"
#include "base/ids.h"
#include "server/request_parsing.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

constexpr const char* kVoterCookie = "triage_voter";
constexpr int64_t kVoterCookieAge_s = 365 * 86400;

bool IsVoterToken(const std::string& token) {
  return token.size() >= 16 && token.size() <= 64 &&
         std::all_of(token.begin(), token.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Who votes: the logged-in user when there is one (never with --no-auth, where everyone is "local"), else the
// anonymous session of the voter cookie, which is set here when missing. The page's list of images sets it too, so
// that votes sent at once (a double click) carry the same cookie instead of each being given a new one.
// A signed-in visitor votes as their user and must send the session's CSRF token with a vote (another site's page
// could otherwise vote and flag in their name); `csrf` is that token, "" for an anonymous voter.
struct Voter {
  std::string id;
  std::string csrf;
};

Voter VoterOf(ServerState& state, Call& call) {
  if (!state.options.no_auth) {
    auto who = state.auth->Authenticate(CookieValue(call.request(), kSessionCookie), base::UnixNow());
    if (who.ok()) return {"user:" + who->user, who->csrf_token};
  }
  std::string token = CookieValue(call.request(), kVoterCookie);
  if (!IsVoterToken(token)) {
    token = base::RandomId();
    call.response().set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                                                         kVoterCookie, token, kVoterCookieAge_s));
  }
  return {"session:" + token, ""};
}

// 0 when the voter and the address may cast one more vote now (counted), else the seconds to wait.
int64_t TakeVoteSlot(ServerState& state, const std::string& voter, const std::string& address) {
  const int64_t now = base::UnixNow();
  if (int64_t wait = state.vote_session_limiter.TryBegin(voter, now); wait > 0) return wait;
  if (int64_t wait = state.vote_address_limiter.TryBegin(address, now); wait > 0) {
    state.vote_session_limiter.Abandon(voter);
    return wait;
  }
  state.vote_session_limiter.Fail(voter, now);  // every vote counts against the limit
  state.vote_address_limiter.Fail(address, now);
  return 0;
}

// kNotFound unless item `id` is public: private and unknown items are indistinguishable from outside.
base::Status RequirePublic(ServerState& state, int64_t id) {
  auto is_public = state.ctx.proposal_store.IsPublic(id);
  if (!is_public.ok()) return is_public.status();
  if (!*is_public) return base::Status::NotFound(fmt::format("no public image {}", id));
  return base::Status::Ok();
}

// The voter's own vote on item `id`, as the page marks it: "up", "down" or null.
json MineView(ServerState& state, int64_t id, const std::string& voter) {
  auto mine = state.ctx.proposal_store.VoteOf(id, voter);
  if (!mine.ok() || *mine == 0) return nullptr;
  return *mine > 0 ? "up" : "down";
}

// The voter's own flag on item `id`, as the page shows it after a reload: {reason, details}, or null when none.
json MyFlagView(ServerState& state, int64_t id, const std::string& voter) {
  auto flag = state.ctx.proposal_store.FlagOf(id, voter);
  if (!flag.ok() || !flag->has_value()) return nullptr;
  return {{"reason", (*flag)->reason}, {"details", (*flag)->details}};
}

base::Status Vote(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  const json& b = *body;
  auto item_id = IdField(b, "item_id");
  if (!item_id.ok()) return item_id.status();
  auto voted = OptionalString(b, "vote", "");
  if (!voted.ok()) return voted.status();
  auto reason = OptionalString(b, "reason", "other");
  if (!reason.ok()) return reason.status();
  auto details = OptionalString(b, "details", "");
  if (!details.ok()) return details.status();
  const std::string vote = *voted;
  if (vote != "up" && vote != "down" && vote != "flag" && vote != "none") {
    return base::Status::InvalidArgument("vote: must be up, down, flag, or none (takes back your up or down vote)");
  }
  const int64_t id = *item_id;
  TRIAGE_RETURN_IF_ERROR(RequirePublic(state, id));
  const Voter who = VoterOf(state, call);
  if (!who.csrf.empty() && !SameToken(call.request().get_header_value(kCsrfHeader), who.csrf)) {
    call.Reply({{"error", "csrf_failed"},
                {"message",
                 "a signed-in vote needs the session's CSRF token in the X-CSRF-Token header (the voting "
                 "page sends it: reload it)"}},
               403);
    return base::Status::Ok();
  }
  const std::string& voter = who.id;
  const std::string address = call.request().remote_addr;
  if (int64_t wait = TakeVoteSlot(state, voter, address); wait > 0) {
    call.response().set_header("Retry-After", std::to_string(wait));
    call.Reply({{"error", "rate_limited"}, {"message", fmt::format("too many votes; try again in {} s", wait)}}, 429);
    return base::Status::Ok();
  }
  const int64_t now = base::UnixNow();
  if (vote == "flag") {
    if (details->size() > 500) return base::Status::InvalidArgument("details: at most 500 bytes");
    TRIAGE_RETURN_IF_ERROR(state.ctx.proposal_store.AddFlag({id, voter, address, *reason, *details, now}));
  } else if (vote == "none") {  // the pressed button pressed again: the voter's up or down vote is taken back
    TRIAGE_RETURN_IF_ERROR(state.ctx.proposal_store.WithdrawVote(id, voter));
  } else {
    TRIAGE_RETURN_IF_ERROR(state.ctx.proposal_store.CastVote({id, voter, address, vote == "up" ? 1 : -1, now}));
  }
  json reply = VotesView(state, id);
  reply["item_id"] = id;
  reply["mine"] = MineView(state, id, voter);
  reply["my_flag"] = MyFlagView(state, id, voter);
  call.Reply(reply);
  return base::Status::Ok();
}

base::Status PublicImages(ServerState& state, Call& call) {
  auto after = call.IntQuery("after", 0, 0, INT64_MAX);
  if (!after.ok()) return after.status();
  auto limit = call.IntQuery("limit", 50, 1, 200);
  if (!limit.ok()) return limit.status();
  auto ids = state.ctx.proposal_store.PublicItems(*after, static_cast<int>(*limit));
  if (!ids.ok()) return ids.status();
  const Voter who = VoterOf(state, call);
  const std::string& voter = who.id;
  json images = json::array();
  for (int64_t id : *ids) {
    auto item = state.ctx.catalog.GetItem(id);
    if (!item.ok()) continue;
    json view = VotesView(state, id);
    view["id"] = id;
    view["mine"] = MineView(state, id, voter);
    view["my_flag"] = MyFlagView(state, id, voter);
    view["width"] = item->info.width;
    view["height"] = item->info.height;
    view["thumbnail"] = fmt::format("/api/public/images/{}/thumbnail", id);
    images.push_back(std::move(view));
  }
  // The page sends a signed-in visitor's votes with the session's CSRF token.
  call.Reply({{"images", images}, {"csrf_token", who.csrf.empty() ? json(nullptr) : json(who.csrf)}});
  return base::Status::Ok();
}

base::Status PublicThumbnail(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  TRIAGE_RETURN_IF_ERROR(RequirePublic(state, *id));
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  // The voting page shows no path, file name or person: a file gone or damaged is said without naming it (the
  // decoder's and the file system's messages name both).
  base::Status sent = SendThumbnail(state, call, *item);
  if (sent.ok()) return sent;
  if (sent.code() == base::Code::kNotFound) {
    return base::Status::NotFound(fmt::format("image {} is not available", *id));
  }
  return base::Status::Corrupt(fmt::format("image {} cannot be shown", *id));
}

base::Status Leaderboard(ServerState& state, Call& call) {
  auto days = call.IntQuery("days", 30, 1, 366);
  if (!days.ok()) return days.status();
  const int64_t since = base::UnixNow() - *days * 86400;
  auto board = state.ctx.proposal_store.Leaderboard(since, 20);
  if (!board.ok()) return board.status();
  json list = json::array();
  for (const auto& c : *board) {
    const bool user = c.voter.rfind("user:", 0) == 0;
    list.push_back({{"name", user ? c.voter.substr(5) : std::string("anonymous")}, {"votes", c.votes}});
  }
  call.Reply({{"since", since}, {"contributors", list}});
  return base::Status::Ok();
}

}  // namespace

json VotesView(ServerState& state, int64_t item_id) {
  auto tally = state.ctx.proposal_store.TallyOf(item_id);
  auto score = state.ctx.proposals.CommunityScore(item_id);
  if (!tally.ok() || !score.ok()) return nullptr;
  return {{"up", tally->up}, {"down", tally->down}, {"flags", tally->flags}, {"score", *score}};
}

void AddVoteRoutes(ApiRouter& router, ServerState& state) {
  router.Add(
      Method::kPost, "/api/votes", Permission::kPublic, [&state](Call& c) { return Vote(state, c); }, 16 << 10);
  router.Add(Method::kGet, "/api/votes/leaderboard", Permission::kPublic,
             [&state](Call& c) { return Leaderboard(state, c); });
  router.Add(Method::kGet, "/api/public/images", Permission::kPublic,
             [&state](Call& c) { return PublicImages(state, c); });
  router.Add(Method::kGet, "/api/public/images/{id}/thumbnail", Permission::kPublic,
             [&state](Call& c) { return PublicThumbnail(state, c); });
}

}  // namespace triage::server
