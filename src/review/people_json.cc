// JSON of people actions and clusters, shared by `triage faces` and the API.
#include "review/people_service.h"

namespace triage::review {

using nlohmann::json;

json FaceJson(const catalog::FaceRecord& face, bool detail) {
  json j = {{"id", face.id},
            {"item_id", face.item_id},
            {"box", {{"x", face.box.x}, {"y", face.box.y}, {"w", face.box.width}, {"h", face.box.height}}}};
  if (detail) {
    j["person"] = face.Assigned() ? face.person : "";
    j["cluster"] = face.cluster_id;
    j["score"] = face.detection_score;
    j["size_px"] = face.size_px;
    j["pinned"] = face.pinned;
  }
  return j;
}

json ClustersJson(const std::vector<ClusterView>& clusters, bool detail) {
  json list = json::array();
  for (const auto& view : clusters) {
    json faces = json::array();
    for (const auto& f : view.faces) faces.push_back(FaceJson(f, detail));
    json c = {{"id", view.cluster.id}, {"person", view.cluster.person}, {"size", view.cluster.size}, {"faces", faces}};
    if (detail) c["hidden"] = view.cluster.hidden;
    list.push_back(std::move(c));
  }
  return {{"clusters", list}};
}

json OutcomeJson(const PeopleOutcome& o) {
  return {{"action_id", o.action_id},
          {"cluster_id", o.cluster_id},
          {"person", o.person},
          {"faces", o.faces},
          {"references_added", o.references_added},
          {"moved_items", o.moved_items},
          {"moved_to", o.moved_to},
          {"errors", o.errors}};
}

json ActionJson(const catalog::PeopleAction& a) {
  return {{"id", a.id},     {"at", a.at},           {"actor", a.actor},
          {"kind", a.kind}, {"summary", a.summary}, {"undone", a.undone_at.has_value()}};
}

json UndoJson(const UndoOutcome& o) {
  return {{"action_id", o.action_id}, {"kind", o.kind}, {"restored_items", o.restored_items}, {"errors", o.errors}};
}

}  // namespace triage::review
