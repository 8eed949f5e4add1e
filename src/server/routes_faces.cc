// Faces and clusters: list faces, face crops, clusters with merge suggestions, name / merge / split / hide, bulk face
// actions, a person's faces by distance from their centre, and undo of people actions. Handlers are thin: the work is
// review::PeopleService's.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>

#include "base/clock.h"
#include "base/files.h"
#include "review/people_service.h"
#include "review/shown_images.h"
#include "server/request_parsing.h"
#include "server/server_state.h"
#include "vision/decode.h"

namespace triage::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kCropPadding = 0.3;       // a face crop shows this much around the box (fraction of its size)
constexpr size_t kSuggestions = 3;         // merge suggestions per cluster
constexpr double kSuggestionFactor = 1.6;  // suggested when centres are within this many cluster distances

base::Status Unavailable() {
  return base::Status::Unavailable("face clustering is not running in this server (analysis.faces is off)");
}

base::Status ReplyOutcome(ServerState& state, Call& call, const base::Result<review::PeopleOutcome>& outcome) {
  if (!outcome.ok()) return outcome.status();
  if (!outcome->moved_items.empty()) state.review_counts.Invalidate();
  call.Reply(review::OutcomeJson(*outcome));
  return base::Status::Ok();
}

base::Status ListFaces(ServerState& state, Call& call) {
  if (!state.ctx.faces) return Unavailable();
  catalog::FaceFilter f;
  f.with_embeddings = false;
  for (const char* key : {"cluster", "item"}) {
    auto v = call.IntQuery(key, -1, 0, INT64_MAX);
    if (!v.ok()) return v.status();
    if (*v >= 0) (std::string(key) == "cluster" ? f.cluster_id : f.item_id) = *v;
  }
  if (!call.Query("person").empty()) f.person = call.Query("person");
  // A deleted photo's faces are left out unless asked for, or unless the photo itself is.
  f.include_trashed = f.item_id.has_value() || call.Query("trash") == "1";
  auto after = call.IntQuery("after", 0, 0, INT64_MAX);
  if (!after.ok()) return after.status();
  auto limit = call.IntQuery("limit", 200, 1, 1000);
  if (!limit.ok()) return limit.status();
  f.after_id = *after;
  f.limit = static_cast<int>(*limit);
  auto faces = state.ctx.faces->ListFaces(f);
  if (!faces.ok()) return faces.status();
  json list = json::array();
  for (const auto& face : *faces) list.push_back(review::FaceJson(face, true));
  json reply = {{"faces", list}};
  if (faces->size() == static_cast<size_t>(f.limit)) reply["next_after"] = faces->back().id;
  call.Reply(reply);
  return base::Status::Ok();
}

base::Status Crop(ServerState& state, Call& call) {
  if (!state.ctx.faces) return Unavailable();
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto size = call.IntQuery("size", 160, 1, 100000);
  if (!size.ok()) return size.status();
  if (*size != 96 && *size != 160 && *size != 320) {
    return base::Status::InvalidArgument("query parameter size: must be 96, 160 or 320");
  }
  auto face = state.ctx.faces->GetFace(*id);
  if (!face.ok()) return face.status();
  auto item = state.ctx.catalog.GetItem(face->item_id);
  if (!item.ok()) return item.status();
  auto& res = call.response();
  const std::string etag = fmt::format("\"face-{}-{}-{}\"", *id, *size, item->fingerprint.sha256.substr(0, 16));
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "private, max-age=86400");
  if (call.request().get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return base::Status::Ok();
  }
  auto config = state.ctx.config.Current();
  const fs::path cached = review::FaceCropPath(*config, item->fingerprint.sha256, *id, static_cast<int>(*size));
  std::error_code ec;
  if (!fs::exists(cached, ec)) {
    fs::path rel = fs::path(item->path).lexically_normal();
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") {
      return base::Status::Corrupt(fmt::format("item {} has a path outside the library", item->id));
    }
    fs::create_directories(cached.parent_path(), ec);
    TRIAGE_RETURN_IF_ERROR(vision::WriteJpegCrop(config->library / rel, cached, face->box, kCropPadding,
                                                 static_cast<int>(*size), config->analysis.max_pixels));
  }
  auto bytes = base::ReadFile(cached);
  if (!bytes.ok()) return bytes.status();
  res.set_content(std::move(*bytes), "image/jpeg");
  return base::Status::Ok();
}

base::Status ListClusters(ServerState& state, Call& call) {
  if (!state.ctx.people || !state.ctx.faces) return Unavailable();
  auto per_cluster = call.IntQuery("faces_per_cluster", 12, 0, 100000);
  if (!per_cluster.ok()) return per_cluster.status();
  auto clusters = state.ctx.people->Clusters(call.Query("hidden") == "1");
  if (!clusters.ok()) return clusters.status();
  for (auto& c : *clusters)
    if (c.faces.size() > static_cast<size_t>(*per_cluster)) c.faces.resize(*per_cluster);
  json reply = review::ClustersJson(*clusters, true);
  // A cluster still named as a person removed since: the page says so instead of offering "Not <person>".
  auto persons = state.ctx.catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  std::set<std::string> enrolled;
  for (const auto& p : *persons) enrolled.insert(p.name);
  for (auto& c : reply["clusters"]) {
    const std::string person = c["person"];
    c["person_enrolled"] = !person.empty() && enrolled.contains(person);
  }
  const double reach = state.ctx.config.Current()->face_clustering.cluster_distance * kSuggestionFactor;
  std::vector<int64_t> ids;
  for (const auto& c : *clusters) ids.push_back(c.cluster.id);
  auto suggestions = state.ctx.clustering->Suggestions(ids, reach, kSuggestions);
  for (auto& c : reply["clusters"]) {
    json list = json::array();
    for (const auto& [other, distance] : suggestions[c["id"].get<int64_t>()]) {
      list.push_back({{"id", other}, {"distance", distance}});
    }
    c["suggestions"] = list;
  }
  // Faces seen too seldom to form a cluster yet: the page says they exist and where to name them meanwhile.
  auto unclustered = state.ctx.faces->CountUnclusteredFaces();
  if (!unclustered.ok()) return unclustered.status();
  reply["unclustered"] = *unclustered;
  call.Reply(reply);
  return base::Status::Ok();
}

// POST /api/clusters/{id}/{verb}
base::Status ClusterAction(ServerState& state, Call& call, const std::string& verb) {
  if (!state.ctx.people) return Unavailable();
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  review::PeopleService& people = *state.ctx.people;
  const int64_t now = base::UnixNow();
  if (verb == "name") {
    if (!body->contains("person") || !(*body)["person"].is_string()) {
      return base::Status::InvalidArgument("person (a string) is required");
    }
    auto rename = OptionalBool(*body, "rename", false);
    if (!rename.ok()) return rename.status();
    return ReplyOutcome(state, call, people.Name(*id, (*body)["person"], call.actor(), now, *rename));
  }
  if (verb == "merge") {
    auto into = IdField(*body, "into", "cluster");
    if (!into.ok()) return into.status();
    return ReplyOutcome(state, call, people.Merge(*id, *into, call.actor(), now));
  }
  if (verb == "split") {
    auto faces = IdListField(*body, "face_ids", "face", 1, std::numeric_limits<size_t>::max());
    if (!faces.ok()) return faces.status();
    return ReplyOutcome(state, call, people.Split(*id, *faces, call.actor(), now));
  }
  if (!body->contains("hidden") || !(*body)["hidden"].is_boolean()) {
    return base::Status::InvalidArgument("hidden (true or false) is required");
  }
  return ReplyOutcome(state, call, people.SetHidden(*id, (*body)["hidden"], call.actor(), now));
}

base::Status BulkFaces(ServerState& state, Call& call) {
  if (!state.ctx.people) return Unavailable();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  auto faces = IdListField(*body, "face_ids", "face", 1, std::numeric_limits<size_t>::max());
  if (!faces.ok()) return faces.status();
  auto chosen = OptionalString(*body, "action", "");
  if (!chosen.ok()) return chosen.status();
  const std::string& action = *chosen;
  review::PeopleService& people = *state.ctx.people;
  const int64_t now = base::UnixNow();
  if (action == "not_this_person") {
    // "person": whom the page showed the faces as; a face given to someone else since is refused (409).
    auto expected = OptionalString(*body, "person", "");
    if (!expected.ok()) return expected.status();
    return ReplyOutcome(state, call, people.NotThisPerson(*faces, call.actor(), now, *expected));
  }
  if (action == "remove") return ReplyOutcome(state, call, people.Remove(*faces, call.actor(), now));
  if (action == "reassign") {
    auto cluster = IdField(*body, "cluster", "cluster");
    if (!cluster.ok()) return cluster.status();
    return ReplyOutcome(state, call, people.Reassign(*faces, *cluster, call.actor(), now));
  }
  return base::Status::InvalidArgument(
      fmt::format("action \"{}\": allowed are not_this_person, remove, reassign", action));
}

base::Status PersonFaces(ServerState& state, Call& call) {
  if (!state.ctx.people) return Unavailable();
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto persons = state.ctx.catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  auto person = std::find_if(persons->begin(), persons->end(), [&](const auto& p) { return p.id == *id; });
  if (person == persons->end()) return base::Status::NotFound(fmt::format("no person {}", *id));
  auto faces = state.ctx.people->PersonFaces(person->name);
  if (!faces.ok()) return faces.status();
  json list = json::array();
  for (const auto& [face, distance] : *faces) {
    json f = review::FaceJson(face, true);
    f["distance"] = distance;
    list.push_back(std::move(f));
  }
  // With the name as written, so that the page (and the shared cache of names) says "Penny", not the folder "penny".
  call.Reply({{"person", {{"id", person->id}, {"name", person->name}, {"display_name", person->display_name}}},
              {"faces", list}});
  return base::Status::Ok();
}

base::Status Undo(ServerState& state, Call& call) {
  if (!state.ctx.people) return Unavailable();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("action_id") || !(*body)["action_id"].is_number_integer()) {
    return base::Status::InvalidArgument("action_id (a whole number) is required");
  }
  auto undone = state.ctx.people->Undo((*body)["action_id"], call.actor(), base::UnixNow());
  if (!undone.ok()) return undone.status();
  if (!undone->restored_items.empty()) state.review_counts.Invalidate();
  call.Reply(review::UndoJson(*undone));
  return base::Status::Ok();
}

base::Status ListActions(ServerState& state, Call& call) {
  if (!state.ctx.faces) return Unavailable();
  auto limit = call.IntQuery("limit", 20, 1, 500);
  if (!limit.ok()) return limit.status();
  auto actions = state.ctx.faces->ListActions(static_cast<int>(*limit));
  if (!actions.ok()) return actions.status();
  json list = json::array();
  for (const auto& a : *actions) {
    list.push_back(review::ActionJson(a));
  }
  call.Reply({{"actions", list}});
  return base::Status::Ok();
}

}  // namespace

void AddFaceRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/faces", Permission::kView, [&state](Call& c) { return ListFaces(state, c); });
  router.Add(Method::kGet, "/api/faces/{id}/crop", Permission::kView, [&state](Call& c) { return Crop(state, c); });
  router.Add(Method::kPost, "/api/faces/bulk", Permission::kManagePersons,
             [&state](Call& c) { return BulkFaces(state, c); });
  router.Add(Method::kGet, "/api/clusters", Permission::kView, [&state](Call& c) { return ListClusters(state, c); });
  for (const char* verb : {"name", "merge", "split", "hide"}) {
    router.Add(Method::kPost, fmt::format("/api/clusters/{{id}}/{}", verb), Permission::kManagePersons,
               [&state, v = std::string(verb)](Call& c) { return ClusterAction(state, c, v); });
  }
  router.Add(Method::kGet, "/api/persons/{id}/faces", Permission::kView,
             [&state](Call& c) { return PersonFaces(state, c); });
  router.Add(Method::kGet, "/api/people/actions", Permission::kView,
             [&state](Call& c) { return ListActions(state, c); });
  router.Add(Method::kPost, "/api/people/undo", Permission::kManagePersons,
             [&state](Call& c) { return Undo(state, c); });
}

}  // namespace triage::server
