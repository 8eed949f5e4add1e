// Faces of a photo in review, each named on its own: the faces with their boxes, nearest persons and labels (also part
// of GET /api/review/{id}), and POST /api/review/{id}/faces/{face} naming one.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "base/clock.h"
#include "review/people_service.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

json NearestView(const model::FaceMatch& match, double match_distance) {
  json out = json::array();
  auto add = [&](const std::string& person, double distance, double confidence) {
    out.push_back({{"person", person},
                   {"distance", distance},
                   {"confidence", confidence},
                   {"within_match_distance", distance <= match_distance}});
  };
  for (const auto& c : match.candidates) add(c.person, c.distance, c.confidence);
  if (out.empty() && !match.person.empty()) add(match.person, match.distance, match.confidence);
  return out;
}

// "person": an enrolled person's name, or "untracked": true for "not a person I track".
base::Result<std::string> LabelField(const json& body) {
  const bool untracked = body.contains("untracked") && body["untracked"].is_boolean() && body["untracked"].get<bool>();
  const bool named =
      body.contains("person") && body["person"].is_string() && !body["person"].get<std::string>().empty();
  if (untracked == named) {
    return base::Status::InvalidArgument(
        "give either person (an enrolled person's name) or \"untracked\": true (not a person you track)");
  }
  return named ? body["person"].get<std::string>() : std::string();
}

base::Result<int> FaceParam(const Call& call) {
  const std::string text = call.PathParam(1);
  int face = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), face);
  if (ec != std::errc() || end != text.data() + text.size() || face < 0) {
    return base::Status::InvalidArgument(
        fmt::format("face \"{}\": a face's index among the item's faces (0, 1, ...)", call.PathParam(1)));
  }
  return face;
}

base::Status NameFace(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto face = FaceParam(call);
  if (!face.ok()) return face.status();
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  auto person = LabelField(*body);
  if (!person.ok()) return person.status();
  auto from = FromField(*body);
  if (!from.ok()) return from.status();
  std::string undo;
  auto named = state.ctx.review.NameFace(*id, *face, *person, call.actor(), base::UnixNow(), *from, &undo);
  state.review_counts.Invalidate();
  if (!named.ok()) return named.status();
  call.Reply({{"item", ItemView(named->item)},
              {"faces", FacesView(state, *id, named->faces)},
              {"open", named->open},
              {"filed", named->moved},
              {"summary", named->summary},
              {"learnt", named->learnt},
              {"undo", undo},
              {"persons", PersonsView(state)}});
  return base::Status::Ok();
}

}  // namespace

json FacesView(ServerState& state, int64_t item_id, const std::vector<model::Face>& faces) {
  const double match_distance = state.ctx.config.Current()->policy.match_distance;
  // Who the People page named each face as (its cluster's name), shown on a face the card has not decided yet.
  std::vector<std::string> clustered =
      state.ctx.people ? state.ctx.people->NamedFacesOf(item_id) : std::vector<std::string>();
  // A cluster named as a person removed since names nobody: the card must not offer a name that naming refuses.
  if (std::any_of(clustered.begin(), clustered.end(), [](const std::string& n) { return !n.empty(); })) {
    auto persons = state.ctx.catalog.ListPersons();
    std::set<std::string> enrolled;
    if (persons.ok())
      for (const auto& p : *persons) enrolled.insert(p.name);
    for (std::string& name : clustered)
      if (!enrolled.contains(name)) name.clear();
  }
  json out = json::array();
  for (size_t i = 0; i < faces.size(); ++i) {
    const model::Face& f = faces[i];
    const std::string cluster_person = i < clustered.size() && !f.label.Decided() ? clustered[i] : "";
    const std::string named_as = review::NameNow(faces, clustered, i);
    out.push_back({{"index", i},
                   {"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.width}, {"h", f.box.height}}},
                   {"nearest", NearestView(f.match, match_distance)},
                   {"named_as", named_as.empty() ? json(nullptr) : json(named_as)},
                   {"untracked", f.label.untracked},
                   {"cluster_person", cluster_person.empty() ? json(nullptr) : json(cluster_person)}});
  }
  return out;
}

void AddReviewFaceRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kPost, "/api/review/{id}/faces/{face}", Permission::kReview,
             [&state](Call& c) { return NameFace(state, c); });
}

}  // namespace triage::server
