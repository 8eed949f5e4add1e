// Proposals: the queue with both images and their votes, one proposal, decisions, batch, manual proposals, runs.
#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "review/proposal_json.h"
#include "server/request_parsing.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

// An item as the proposals page shows it (null when there is none), with its votes and community score.
json SideView(ServerState& state, int64_t item_id) {
  if (item_id == 0) return nullptr;
  auto item = state.ctx.catalog.GetItem(item_id);
  if (!item.ok()) return nullptr;
  json view = ItemView(*item);
  view["votes"] = VotesView(state, item_id);
  return view;
}

json ProposalView(ServerState& state, const catalog::ProposalRecord& p) {
  json j = review::ProposalJson(p);
  j["current_item"] = SideView(state, p.current_item_id);
  j["proposed_item"] = SideView(state, p.proposed_item_id);
  return j;
}

base::Result<std::optional<std::string>> Choice(const Call& call, const std::string& name,
                                                const std::vector<std::string>& allowed) {
  const std::string value = call.Query(name);
  if (value.empty()) return std::optional<std::string>();
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    return base::Status::InvalidArgument(
        fmt::format("query parameter {}: must be one of {}", name, fmt::join(allowed, ", ")));
  }
  return std::optional<std::string>(value);
}

// Orders the queue: date (newest first), score (proposed image's, best first) or person (of the slot, A-Z).
void SortQueue(std::vector<json>& list, const std::string& sort) {
  auto score = [](const json& p) {
    return p["proposed"].is_object() && p["proposed"]["score"].is_number() ? p["proposed"]["score"].get<double>()
                                                                           : -1.0;
  };
  // A slot without a person (a photo kept in photos/: its person is null) sorts after every named one.
  auto person = [](const json& p) {
    const json* item = p.contains("current_item") && p["current_item"].is_object() ? &p["current_item"] : nullptr;
    const bool named = item && item->contains("person") && (*item)["person"].is_string() &&
                       !(*item)["person"].get<std::string>().empty();
    return std::pair<bool, std::string>(!named, named ? (*item)["person"].get<std::string>() : std::string());
  };
  std::stable_sort(list.begin(), list.end(), [&](const json& a, const json& b) {
    if (sort == "score") return score(a) > score(b);
    if (sort == "person") return person(a) < person(b);
    return a["proposed_at"].get<int64_t>() > b["proposed_at"].get<int64_t>();
  });
}

base::Status List(ServerState& state, Call& call) {
  auto status = Choice(call, "status", review::ProposalStatuses());
  if (!status.ok()) return status.status();
  auto reason = Choice(call, "reason", catalog::ProposalReasons());
  if (!reason.ok()) return reason.status();
  auto sort = Choice(call, "sort", {"date", "score", "person"});
  if (!sort.ok()) return sort.status();
  auto limit = call.IntQuery("limit", 200, 1, 1000);
  if (!limit.ok()) return limit.status();
  catalog::ProposalFilter f;
  f.status = *status;
  f.reason = *reason;
  f.limit = static_cast<int>(*limit);
  auto proposals = state.ctx.proposals.List(f);
  if (!proposals.ok()) return proposals.status();
  std::vector<json> list;
  for (const auto& p : *proposals) list.push_back(ProposalView(state, p));
  SortQueue(list, sort->value_or("date"));
  call.Reply({{"proposals", list}, {"sort", sort->value_or("date")}});
  return base::Status::Ok();
}

base::Status Show(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto p = state.ctx.proposals.Get(*id);
  if (!p.ok()) return p.status();
  call.Reply(ProposalView(state, *p));
  return base::Status::Ok();
}

base::Result<std::string> Notes(const json& body) {
  if (!body.contains("notes") || body["notes"].is_null()) return std::string();
  if (!body["notes"].is_string()) return base::Status::InvalidArgument("notes: must be a string");
  return body["notes"].get<std::string>();
}

base::Status Decide(ServerState& state, Call& call, const std::string& verb) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = DecisionBody(call);
  if (!body.ok()) return body.status();
  auto notes = Notes(*body);
  if (!notes.ok()) return notes.status();
  review::ProposalService& s = state.ctx.proposals;
  const int64_t now = base::UnixNow();
  std::string undo;
  auto p = verb == "revert" ? s.Revert(*id, call.actor(), *notes, now)
                            : s.Decide(*id, verb, call.actor(), *notes, now, &undo);
  state.review_counts.Invalidate();  // an approval takes the proposed image out of review
  if (!p.ok()) return p.status();
  json view = ProposalView(state, *p);
  view["undo"] = undo;  // "" when there is nothing to take back (a revert is itself the way back)
  call.Reply(view);
  return base::Status::Ok();
}

// An optional number field within [lo, hi].
base::Result<std::optional<double>> NumberField(const json& body, const char* name, double lo, double hi) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<double>();
  if (!body[name].is_number() || body[name].get<double>() < lo || body[name].get<double>() > hi) {
    return base::Status::InvalidArgument(fmt::format("{}: must be a number from {} to {}", name, lo, hi));
  }
  return std::optional<double>(body[name].get<double>());
}

base::Result<review::BatchRequest> BatchOf(const json& body) {
  review::BatchRequest r;
  if (!body.contains("action") || !body["action"].is_string()) {
    return base::Status::InvalidArgument("action: approve, deny or archive is required");
  }
  r.action = body["action"];
  if (body.contains("ids")) {
    auto ids = IdListField(body, "ids", "proposal", 0, 1000);
    if (!ids.ok()) return ids.status();
    r.ids = std::move(*ids);
  }
  auto min = NumberField(body, "min_score", 0, 100), max = NumberField(body, "max_score", 0, 100),
       days = NumberField(body, "older_than_days", 0, 3650);
  for (const auto* f : {&min, &max, &days}) {
    if (!f->ok()) return f->status();
  }
  r.min_score = *min;
  r.max_score = *max;
  if (*days) r.older_than_s = static_cast<int64_t>(**days * 86400);
  auto without_flags = OptionalBool(body, "without_flags", false);
  if (!without_flags.ok()) return without_flags.status();
  r.without_flags = *without_flags;
  auto notes = Notes(body);
  if (!notes.ok()) return notes.status();
  r.notes = *notes;
  return r;
}

base::Status Batch(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  auto request = BatchOf(*body);
  if (!request.ok()) return request.status();
  auto r = state.ctx.proposals.Batch(*request, call.actor(), base::UnixNow());
  state.review_counts.Invalidate();
  if (!r.ok()) return r.status();
  json failed = json::array();
  for (const auto& [id, why] : r->failed) failed.push_back({{"id", id}, {"error", why}});
  call.Reply({{"action", request->action},
              {"matched", r->matched},
              {"not_found", r->not_found},
              {"done", r->done},
              {"stale", r->stale},
              {"failed", failed},
              {"ids", r->ids},
              {"undo", r->undo}});
  return base::Status::Ok();
}

// A cover proposal: {cover_person, proposed_item_id, reason?}.
base::Status CreateCover(ServerState& state, Call& call, const json& b) {
  if (!b.contains("cover_person") || !b["cover_person"].is_string()) {
    return base::Status::InvalidArgument("cover_person (a name) and proposed_item_id (a library photo) are required");
  }
  auto proposed = IdField(b, "proposed_item_id");
  if (!proposed.ok()) return proposed.status();
  std::string reason = "manual";
  if (b.contains("reason")) {
    if (!b["reason"].is_string()) return base::Status::InvalidArgument("reason: must be a string");
    reason = b["reason"];
  }
  auto p = state.ctx.proposals.ProposeCover(b["cover_person"], *proposed, reason, call.actor(), base::UnixNow());
  if (!p.ok()) return p.status();
  call.Reply(ProposalView(state, *p), 201);
  return base::Status::Ok();
}

base::Status Create(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  const json& b = *body;
  if (b.contains("cover_person")) return CreateCover(state, call, b);
  auto current = IdField(b, "current_item_id");
  if (!current.ok()) return current.status();
  review::ProposalRequest r;
  r.current_item_id = *current;
  if (b.contains("proposed_item_id") && !b["proposed_item_id"].is_null()) {
    auto proposed = IdField(b, "proposed_item_id");
    if (!proposed.ok()) return proposed.status();
    r.proposed_item_id = *proposed;
  }
  if (b.contains("reason")) {
    if (!b["reason"].is_string()) return base::Status::InvalidArgument("reason: must be a string");
    r.reason = b["reason"];
  }
  r.proposed_by = call.actor();
  auto p = state.ctx.proposals.Propose(r, base::UnixNow());
  if (!p.ok()) return p.status();
  call.Reply(ProposalView(state, *p), 201);
  return base::Status::Ok();
}

base::Status Run(ServerState& state, Call& call) {
  auto r = state.ctx.proposals.RunWorkflows(base::UnixNow());
  state.review_counts.Invalidate();
  if (!r.ok()) return r.status();
  call.Reply(review::WorkflowReportJson(*r));
  return base::Status::Ok();
}

base::Status MarkPublic(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("public") || !(*body)["public"].is_boolean()) {
    return base::Status::InvalidArgument("public: true or false is required");
  }
  const bool is_public = (*body)["public"];
  TRIAGE_RETURN_IF_ERROR(state.ctx.proposals.SetPublic(*id, is_public, call.actor(), base::UnixNow()));
  call.Reply({{"item_id", *id}, {"public", is_public}});
  return base::Status::Ok();
}

}  // namespace

void AddProposalRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/proposals", Permission::kView, [&state](Call& c) { return List(state, c); });
  router.Add(Method::kGet, "/api/proposals/{id}", Permission::kView, [&state](Call& c) { return Show(state, c); });
  for (const char* verb : {"approve", "deny", "archive", "revert"}) {
    router.Add(Method::kPost, fmt::format("/api/proposals/{{id}}/{}", verb), Permission::kDecideProposals,
               [&state, v = std::string(verb)](Call& c) { return Decide(state, c, v); });
  }
  router.Add(Method::kPost, "/api/proposals/batch", Permission::kDecideProposals,
             [&state](Call& c) { return Batch(state, c); });
  router.Add(Method::kPost, "/api/proposals", Permission::kDecideProposals,
             [&state](Call& c) { return Create(state, c); });
  router.Add(Method::kPost, "/api/proposals/run", Permission::kDecideProposals,
             [&state](Call& c) { return Run(state, c); });
  router.Add(Method::kPost, "/api/items/{id}/public", Permission::kDecideProposals,
             [&state](Call& c) { return MarkPublic(state, c); });
}

}  // namespace triage::server
