// The review queue: list, one item, approve / reject / skip, bulk, stats, CSV export.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>

#include "base/clock.h"
#include "catalog/policy_names.h"
#include "config/config.h"
#include "model/decision.h"
#include "model/json.h"
#include "model/json_text.h"
#include "review/review_service.h"
#include "server/request_parsing.h"
#include "server/roles.h"
#include "server/server_state.h"

namespace triage::server {

namespace {

using nlohmann::json;

constexpr size_t kMaxBulkIds = 1000;

json CountsJson(const ReviewCounts& counts) { return {{"by_category", counts.by_category}, {"total", counts.total}}; }

base::Status Queue(ServerState& state, Call& call, const std::string& category) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"category", "page", "per_page", "sort"}));
  TRIAGE_RETURN_IF_ERROR(model::CheckReviewCategory(category));
  auto page = call.IntQuery("page", 1, 1, 1'000'000);
  if (!page.ok()) return page.status();
  auto per_page = call.IntQuery("per_page", 50, 1, 200);
  if (!per_page.ok()) return per_page.status();
  std::string sort = call.Query("sort").empty() ? "oldest" : call.Query("sort");
  if (sort != "oldest" && sort != "newest") {
    return base::Status::InvalidArgument("query parameter sort: must be oldest or newest");
  }
  catalog::ItemFilter f;
  f.location = "review";
  if (!category.empty()) f.category = category;
  f.newest_first = sort == "newest";
  f.queue_order = true;
  f.limit = static_cast<int>(*per_page);
  f.offset = static_cast<int>((*page - 1) * *per_page);
  const int64_t version = state.ChangeVersion();  // before reading: a change made meanwhile moves it past this
  auto items = state.ctx.catalog.ListItems(f);
  if (!items.ok()) return items.status();
  auto counts = state.review_counts.Get(state.ctx.catalog, version);
  if (!counts.ok()) return counts.status();
  int64_t total = category.empty() ? counts->total : counts->by_category[category];
  if (!PageAgreesWithTotal(items->size(), f.offset, f.limit, total)) {
    // Another process (an ingest from the CLI, a worker) changed the queue before the change feed saw it: the page
    // just read is the truth, so the cached counts are made again rather than answer "1 of 0".
    state.review_counts.Invalidate();
    counts = state.review_counts.Get(state.ctx.catalog, version);
    if (!counts.ok()) return counts.status();
    total = category.empty() ? counts->total : counts->by_category[category];
  }
  json list = json::array();
  for (const auto& item : *items) list.push_back(ItemView(item));
  // The page is moved into the reply, not copied: building and copying JSON is most of a queue request's cost.
  json reply = {{"page", *page},
                {"per_page", *per_page},
                {"total", total},
                {"pages", (total + *per_page - 1) / *per_page},
                {"category", category.empty() ? json(nullptr) : json(category)},
                {"sort", sort},
                {"counts", counts->by_category},
                {"total_pending", counts->total},
                {"version", version}};
  reply["items"] = std::move(list);
  call.Reply(reply);
  return base::Status::Ok();
}

// The person the matcher suggests for an item in review, with how close the nearest face of theirs came: a hint for
// the reviewer, never a decision (null when there is none). `faces` are matched against the persons enrolled now
// (when the server clusters faces): the nearest of them is suggested, also someone enrolled after the photo came in.
// A face a reviewer named on a card is no evidence: it was taught as its person's reference, and matches that
// reference at distance 0 (a group photo would be "likely" the person of the face just named).
bool Evidence(const model::Face& face) { return !face.label.Decided(); }

// The nearest match of a person among the faces that are evidence; nullptr when none matches anybody.
const model::FaceMatch* NearestEvidence(const std::vector<model::Face>& faces) {
  const model::FaceMatch* nearest = nullptr;
  for (const auto& face : faces) {
    if (Evidence(face) && !face.match.person.empty() && (!nearest || face.match.distance < nearest->distance)) {
      nearest = &face.match;
    }
  }
  return nearest;
}

base::Result<json> Suggestion(ServerState& state, const model::ItemRecord& item, const std::vector<model::Face>& faces,
                              bool matched_now) {
  if (item.location != "review") return json(nullptr);
  std::string person = item.person;
  if (matched_now) {
    if (const model::FaceMatch* nearest = NearestEvidence(faces)) person = nearest->person;
  }
  if (person.empty()) return json(nullptr);
  const model::FaceMatch* best = nullptr;
  for (const auto& face : faces) {
    if (Evidence(face) && face.match.person == person && (!best || face.match.distance < best->distance)) {
      best = &face.match;
    }
  }
  const double match_distance = state.ctx.config.Current()->policy.match_distance;
  json out = {{"person", person}, {"distance", nullptr}, {"confidence", nullptr}, {"within_match_distance", false}};
  if (best) {
    out["distance"] = best->distance;
    out["confidence"] = best->confidence;
    out["within_match_distance"] = best->distance <= match_distance;
  }
  return out;
}

base::Status GetReviewItem(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  json out = {{"item", ItemView(*item)}, {"review", nullptr},      {"duplicate_of", nullptr},
              {"suggestion", nullptr},   {"faces", json::array()}, {"votes", VotesView(state, *id)}};
  auto pending = state.ctx.catalog.PendingReview(*id);
  if (pending.ok()) out["review"] = *pending;
  // Deleted or moved outside triage: nothing can be decided on it; the card offers to forget it.
  out["file_missing"] = !commit::NotAFileAt(state.ctx.config.Current()->library / item->path).empty();
  auto faces = state.ctx.catalog.FacesOf(*id);
  if (!faces.ok()) return faces.status();
  // A photo waiting in review is matched against the persons enrolled now: one added from the queue (or anywhere)
  // since the photo came in is suggested on the other photos of them at once, not "matches nobody".
  bool matched_now = false;
  std::vector<model::Face> at_intake;
  if (item->location == "review" && state.ctx.faces && !faces->empty()) {
    at_intake = *faces;
    auto match_now = review::MatchNow(state.ctx.catalog, *state.ctx.faces);
    if (!match_now.ok()) return match_now.status();
    TRIAGE_RETURN_IF_ERROR((*match_now)(*id, *faces));
    matched_now = true;
  }
  auto suggestion = Suggestion(state, *item, *faces, matched_now);
  if (!suggestion.ok()) return suggestion.status();
  out["suggestion"] = *suggestion;
  // The reason was written at intake ("matches nobody enrolled (closest: obama, 0.72)"): when the persons enrolled
  // since match the faces otherwise, the card says that its reason is the intake's, not what the matcher says now. A
  // face that matched nobody then and is only near somebody now is no contradiction.
  if (matched_now && !suggestion->is_null()) {
    const model::FaceMatch* then = NearestEvidence(at_intake);
    const model::FaceMatch* now = NearestEvidence(*faces);
    out["suggestion"]["since_intake"] =
        then ? !now || then->person != now->person || std::abs(then->distance - now->distance) > 5e-3
             : (*suggestion)["within_match_distance"].get<bool>();
  }
  out["faces"] = FacesView(state, *id, *faces);
  // Decided as a duplicate once (kept beside an original that waits in review), a copy waits as a photo of its own:
  // its card shows it alone, not the comparison it was decided on.
  // Once the original is in the trash, in the archive (replaced by an approved proposal's photo) or gone, the copy is
  // a photo of its own as well (decided like any other photo, see RefuseUndecidedCopy): no comparison with a photo
  // that no longer stands in the library; `original_gone` says where it went.
  // An original that left for the trash because a copy of it was kept in its place is stood for by that copy
  // (review::StandingOriginal): `replaced` then names the original it replaced.
  if (item->duplicate_of && item->location == "review" && model::IsDuplicateCategory(item->category)) {
    auto standing = review::StandingOriginal(state.ctx.catalog, *item);
    if (!standing.ok()) return standing.status();
    auto original = state.ctx.catalog.GetItem(*item->duplicate_of);
    if (!original.ok() && original.status().code() != base::Code::kNotFound) return original.status();
    if (*standing) {
      out["duplicate_of"] = ItemView(**standing);
      if ((*standing)->id != *item->duplicate_of) {
        out["duplicate_of"]["replaced"] = {{"id", *item->duplicate_of},
                                           {"where", original.ok() ? original->location : "gone"}};
      }
    } else {
      out["original_gone"] = {{"id", *item->duplicate_of}, {"where", original.ok() ? original->location : "gone"}};
    }
  }
  call.Reply(out);
  return base::Status::Ok();
}

base::Result<std::string> PersonField(const json& body) {
  if (!body.contains("person") || !body["person"].is_string() || body["person"].get<std::string>().empty()) {
    return base::Status::InvalidArgument("person (a non-empty string) is required to approve or name");
  }
  return body["person"].get<std::string>();
}

// Approving as somebody nobody has enrolled adds them, which only a role that may manage persons may do.
base::Status MayApproveAs(ServerState& state, const Call& call, const std::string& person) {
  if (RoleAllows(call.principal().role, Permission::kManagePersons)) return base::Status::Ok();
  auto name = config::SanitizePersonName(person);
  if (!name.ok()) return name.status();
  auto enrolled = state.ctx.review.EnrolledPerson(*name);
  if (enrolled.ok() || enrolled.status().code() != base::Code::kNotFound) return enrolled.status();
  return base::Status::PermissionDenied(
      fmt::format("nobody called {} is enrolled, and the role {} may not add persons (manage_persons): choose an "
                  "enrolled person, or ask an admin to add them",
                  *name, call.principal().role));
}

// With "new_person": true (a name typed as someone new: the web UI's "new person…" box), a name that is someone
// enrolled already, by folder or as their name is written ("Obama " for obama, "Ольга" for olga, "barack obama" for
// the person shown as Barack Obama), files nothing: the answer is 409 naming that person ("person": their folder),
// where filing under them would teach them this face unasked. True when so answered.
base::Result<bool> RefusedAsEnrolled(ServerState& state, Call& call, const json& body, const std::string& person) {
  if (!body.contains("new_person")) return false;
  if (!body["new_person"].is_boolean()) return base::Status::InvalidArgument("new_person must be true or false");
  if (!body["new_person"].get<bool>()) return false;
  auto enrolled = state.ctx.review.EnrolledAlready(person);
  if (!enrolled.ok()) return enrolled.status();
  if (enrolled->empty()) return false;
  call.Reply(
      {{"error", "already_exists"},
       {"message", fmt::format("{} is {}, who is enrolled already: nothing was filed (approve as {} to file "
                               "under them, or give another name for someone new)",
                               json(person).dump(), catalog::WrittenName(state.ctx.catalog, *enrolled), *enrolled)},
       {"person", *enrolled}},
      409);
  return true;
}

base::Status Approve(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  auto person = PersonField(*body);
  if (!person.ok()) return person.status();
  auto from = FromField(*body);
  if (!from.ok()) return from.status();
  TRIAGE_RETURN_IF_ERROR(MayApproveAs(state, call, *person));
  auto refused = RefusedAsEnrolled(state, call, *body, *person);
  if (!refused.ok()) return refused.status();
  if (*refused) return base::Status::Ok();
  std::string undo;
  auto item = state.ctx.review.Approve(*id, *person, call.actor(), base::UnixNow(), *from, &undo);
  state.review_counts.Invalidate();
  if (!item.ok()) return item.status();
  call.Reply({{"item", ItemView(*item)}, {"undo", undo}, {"persons", PersonsView(state)}});
  return base::Status::Ok();
}

// Reject and Keep: a decision that names where the client saw the item and answers with the item where it is now.
using ItemDecision = base::Result<model::ItemRecord> (review::ReviewService::*)(int64_t, const std::string&, int64_t,
                                                                                const std::string&, std::string*);
base::Status Decide(ServerState& state, Call& call, ItemDecision decision) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = DecisionBody(call);
  if (!body.ok()) return body.status();
  auto from = FromField(*body);
  if (!from.ok()) return from.status();
  std::string undo;
  auto item = (state.ctx.review.*decision)(*id, call.actor(), base::UnixNow(), *from, &undo);
  state.review_counts.Invalidate();
  if (!item.ok()) return item.status();
  call.Reply({{"item", ItemView(*item)}, {"undo", undo}});
  return base::Status::Ok();
}

base::Status Reject(ServerState& state, Call& call) { return Decide(state, call, &review::ReviewService::Reject); }

base::Status Keep(ServerState& state, Call& call) { return Decide(state, call, &review::ReviewService::Keep); }

// POST /api/items/{id}/trash {"from": ...}: a library photo culled.
base::Status Discard(ServerState& state, Call& call) { return Decide(state, call, &review::ReviewService::Discard); }

// POST /api/review/{id}/duplicate {"keep": "new" | "existing" | "both", "from": ..., "against": ID}
base::Status DecideDuplicate(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (body->contains("keep") && !(*body)["keep"].is_string()) {
    return base::Status::InvalidArgument("keep: must be a string: new, existing or both");
  }
  if (!body->contains("keep")) {
    return base::Status::InvalidArgument("keep (new, existing or both) is required");
  }
  auto from = FromField(*body);
  if (!from.ok()) return from.status();
  std::optional<int64_t> against;
  if (body->contains("against") && !(*body)["against"].is_null()) {  // null: not said, as when left out
    auto was = IdField(*body, "against");
    if (!was.ok()) return was.status();
    against = *was;
  }
  // Keeping the new copy in the original's place replaces that photo; a photo of the library is replaced only by
  // those who decide proposals (as a proposal to replace it would be), a copy waiting in review by any reviewer.
  if ((*body)["keep"] == "new" && !RoleAllows(call.principal().role, Permission::kDecideProposals)) {
    auto item = state.ctx.catalog.GetItem(*id);
    if (!item.ok()) return item.status();
    auto standing = review::StandingOriginal(state.ctx.catalog, *item);
    if (!standing.ok()) return standing.status();
    if (const auto& original = *standing; original && original->location == "library") {
      return base::Status::PermissionDenied(fmt::format(
          "keeping this copy in place of item {} would replace a photo of the library ({}): {}. Keep both, or keep "
          "the existing one",
          original->id, original->path, RefusalMessage(call.principal().role, Permission::kDecideProposals)));
    }
  }
  std::string undo;
  auto item =
      state.ctx.review.DecideDuplicate(*id, (*body)["keep"], call.actor(), base::UnixNow(), *from, &undo, against);
  state.review_counts.Invalidate();
  if (!item.ok()) return item.status();
  call.Reply({{"item", ItemView(*item)}, {"undo", undo}});
  return base::Status::Ok();
}

base::Status Skip(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = DecisionBody(call);
  if (!body.ok()) return body.status();
  auto from = FromField(*body);
  if (!from.ok()) return from.status();
  std::string undo;
  TRIAGE_RETURN_IF_ERROR(state.ctx.review.Skip(*id, call.actor(), base::UnixNow(), *from, &undo));
  call.Reply({{"id", *id}, {"skipped", true}, {"undo", undo}});
  return base::Status::Ok();
}

base::Result<std::vector<int64_t>> IdsField(const json& body) {
  return IdListField(body, "ids", "item", 1, kMaxBulkIds);
}

// "from": {"<id>": "<folder>"}, where the client saw each item; optional, and ids without an entry are not checked.
base::Result<review::SeenIn> SeenInField(const json& body) {
  review::SeenIn out;
  if (!body.contains("from") || body["from"].is_null()) return out;
  if (!body["from"].is_object()) {
    return base::Status::InvalidArgument("from: an object of item id to the folder it was seen in");
  }
  for (const auto& [key, value] : body["from"].items()) {
    auto id = ParseId(key);
    if (!id.ok()) return base::Status::InvalidArgument(fmt::format("from: {}", id.status().message()));
    if (!value.is_string() || value.get<std::string>().empty()) {
      return base::Status::InvalidArgument(fmt::format("from: item {}: the folder must be a non-empty string", key));
    }
    out[*id] = value.get<std::string>();
  }
  return out;
}

base::Status Bulk(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  auto ids = IdsField(*body);
  if (!ids.ok()) return ids.status();
  if (!body->contains("action") || !(*body)["action"].is_string()) {
    return base::Status::InvalidArgument("action (approve, keep, reject, skip or name_face) is required");
  }
  std::string action = (*body)["action"];
  std::string person;
  if (action == "approve" || action == "name_face") {
    auto p = PersonField(*body);
    if (!p.ok()) return p.status();
    person = *p;
    if (action == "approve") {
      TRIAGE_RETURN_IF_ERROR(MayApproveAs(state, call, person));
      auto refused = RefusedAsEnrolled(state, call, *body, person);
      if (!refused.ok()) return refused.status();
      if (*refused) return base::Status::Ok();
    }
  }
  auto seen_in = SeenInField(*body);
  if (!seen_in.ok()) return seen_in.status();
  std::string undo;
  auto outcomes = state.ctx.review.Bulk(*ids, action, person, call.actor(), base::UnixNow(), *seen_in, &undo);
  state.review_counts.Invalidate();
  if (!outcomes.ok()) return outcomes.status();
  json results = json::array();
  int succeeded = 0;
  for (const auto& o : *outcomes) {
    results.push_back(
        {{"id", o.id}, {"ok", o.ok}, {"error", o.ok ? json(nullptr) : json(o.error)}, {"conflict", o.conflict}});
    succeeded += o.ok ? 1 : 0;
  }
  // The person as their folder names them ("Amy Farrah-Fowler" is filed as amy_farrah_fowler), for the reply's text.
  auto folder_name = person.empty() ? base::Result<std::string>(std::string()) : config::SanitizePersonName(person);
  call.Reply({{"action", action},
              {"person", person.empty() ? json(nullptr) : json(folder_name.ok() ? *folder_name : person)},
              {"succeeded", succeeded},
              {"failed", static_cast<int>(outcomes->size()) - succeeded},
              {"results", results},
              {"undo", undo.empty() ? json(nullptr) : json(undo)}});
  return base::Status::Ok();
}

base::Status Restore(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  std::string undo;
  auto item = state.ctx.review.Restore(*id, call.actor(), base::UnixNow(), &undo);
  state.review_counts.Invalidate();
  if (!item.ok()) return item.status();
  call.Reply({{"item", ItemView(*item)}, {"undo", undo}});
  return base::Status::Ok();
}

base::Status Purge(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  // Not in the trash (restored meanwhile): said as such, before who may purge what is asked.
  if (auto trashed = state.ctx.review.TrashedItem(*id); !trashed.ok()) return trashed.status();
  TRIAGE_RETURN_IF_ERROR(MayPurge(state, call, *id));
  TRIAGE_RETURN_IF_ERROR(state.ctx.review.PurgeOne(*id, call.actor(), base::UnixNow()));
  call.Reply({{"id", *id}, {"purged", true}});
  return base::Status::Ok();
}

// POST /api/items/{id}/forget: an item whose file was deleted outside triage leaves the catalog (409 while the file
// is there).
base::Status Forget(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  base::Status st = state.ctx.review.Forget(*id, call.actor(), base::UnixNow());
  state.review_counts.Invalidate();
  TRIAGE_RETURN_IF_ERROR(st);
  call.Reply({{"id", *id}, {"forgotten", true}});
  return base::Status::Ok();
}

}  // namespace

base::Result<std::string> FromField(const json& body) {
  if (!body.contains("from") || body["from"].is_null()) return std::string();
  if (!body["from"].is_string() || body["from"].get<std::string>().empty()) {
    return base::Status::InvalidArgument("from: the folder the item was seen in (such as \"review/unidentified\")");
  }
  // A folder of the library as the item's `folder` names it: "photos/undated/" and "./photos/undated" are that
  // folder (they read as a photo moved meanwhile); a path on the server is no folder of the library.
  const std::filesystem::path given(body["from"].get<std::string>());
  std::string folder = given.lexically_normal().generic_string();
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  if (given.is_absolute() || folder == "." || folder.rfind("..", 0) == 0) {
    return base::Status::InvalidArgument(
        fmt::format("from: {} is not a folder of the library (give the item's folder, such as \"review/unidentified\")",
                    model::JsonExcerpt(body["from"])));
  }
  return folder;
}

base::Result<json> DecisionBody(const Call& call) {
  if (call.body().find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  return call.JsonBody();
}

void AddReviewRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/review/queue", Permission::kView,
             [&state](Call& c) { return Queue(state, c, c.Query("category")); });
  router.Add(Method::kGet, "/api/review/queue/{category}", Permission::kView,
             [&state](Call& c) { return Queue(state, c, c.PathParam(0)); });
  router.Add(Method::kGet, "/api/review/stats", Permission::kView, [&state](Call& c) {
    auto counts = state.review_counts.Get(state.ctx.catalog, state.ChangeVersion());
    if (!counts.ok()) return counts.status();
    c.Reply(CountsJson(*counts));
    return base::Status::Ok();
  });
  router.Add(Method::kGet, "/api/review/export", Permission::kView,
             [&state](Call& c) { return ExportReviewCsv(state, c); });
  router.Add(Method::kPost, "/api/review/bulk", Permission::kReview, [&state](Call& c) { return Bulk(state, c); });
  router.Add(Method::kGet, "/api/review/{id}", Permission::kView,
             [&state](Call& c) { return GetReviewItem(state, c); });
  router.Add(Method::kPost, "/api/review/{id}/approve", Permission::kReview,
             [&state](Call& c) { return Approve(state, c); });
  router.Add(Method::kPost, "/api/review/{id}/reject", Permission::kReview,
             [&state](Call& c) { return Reject(state, c); });
  router.Add(Method::kPost, "/api/review/{id}/skip", Permission::kReview, [&state](Call& c) { return Skip(state, c); });
  router.Add(Method::kPost, "/api/review/{id}/keep", Permission::kReview, [&state](Call& c) { return Keep(state, c); });
  router.Add(Method::kPost, "/api/review/{id}/duplicate", Permission::kReview,
             [&state](Call& c) { return DecideDuplicate(state, c); });
  router.Add(Method::kPost, "/api/items/{id}/trash", Permission::kReview,
             [&state](Call& c) { return Discard(state, c); });
  router.Add(Method::kPost, "/api/items/{id}/forget", Permission::kReview,
             [&state](Call& c) { return Forget(state, c); });
  router.Add(Method::kPost, "/api/trash/{id}/restore", Permission::kReview,
             [&state](Call& c) { return Restore(state, c); });
  router.Add(Method::kPost, "/api/trash/{id}/purge", Permission::kReview,
             [&state](Call& c) { return Purge(state, c); });
}

}  // namespace triage::server
