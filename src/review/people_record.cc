// People action records as JSON.
#include "review/people_record.h"

#include <fmt/format.h>

namespace triage::review {

using nlohmann::json;

void PeopleRecord::CaptureFaces(const std::vector<catalog::FaceRecord>& faces) {
  for (const auto& f : faces) {
    if (!captured_faces_.insert(f.id).second) continue;
    catalog::FaceRecord kept;
    kept.id = f.id;
    kept.item_id = f.item_id;
    kept.cluster_id = f.cluster_id;
    kept.pinned = f.pinned;
    kept.person = f.person;
    kept.match_kind = f.match_kind;
    faces_before.push_back(std::move(kept));
  }
}

void PeopleRecord::CaptureCluster(const catalog::ClusterRecord& cluster) {
  if (captured_clusters_.insert(cluster.id).second) clusters_before.push_back(cluster);
}

json PeopleRecord::ToJson() const {
  json faces = json::array(), clusters = json::array(), rejections = json::array(), moved = json::array();
  for (const auto& f : faces_before) {
    faces.push_back({{"id", f.id},
                     {"item_id", f.item_id},
                     {"cluster", f.cluster_id},
                     {"pinned", f.pinned},
                     {"person", f.person},
                     {"match_kind", f.match_kind}});
  }
  for (const auto& c : clusters_before) clusters.push_back({{"id", c.id}, {"person", c.person}, {"hidden", c.hidden}});
  for (const auto& [face, person] : rejections_added) rejections.push_back({{"face", face}, {"person", person}});
  for (const auto& m : moves) {
    json reasons = json::array();
    for (const auto& r : m.reasons) reasons.push_back({{"code", r.code}, {"text", r.text}});
    moved.push_back({{"item", m.item_id},
                     {"location", m.location},
                     {"category", m.category},
                     {"person", m.person},
                     {"auto_sorted", m.auto_sorted},
                     {"reasons", reasons},
                     {"moved_from", m.moved_from},
                     {"moved_to", m.moved_to}});
  }
  json added_from = json::array();
  for (const auto& [person, source] : references_added_from)
    added_from.push_back({{"person", person}, {"source", source}});
  json removed = json::array();
  for (const auto& ref : references_removed) {
    removed.push_back({{"person", ref.person}, {"embedding", ref.embedding}, {"source", ref.source}});
  }
  return {{"faces", faces},
          {"clusters", clusters},
          {"rejections", rejections},
          {"references", references_added},
          {"references_added_from", added_from},
          {"references_removed", removed},
          {"person_created", person_created},
          {"moves", moved}};
}

base::Result<PeopleRecord> PeopleRecord::FromJson(const std::string& text) {
  PeopleRecord r;
  try {
    json j = json::parse(text);
    for (const auto& f : j.at("faces")) {
      catalog::FaceRecord face;
      face.id = f.at("id");
      face.item_id = f.at("item_id");
      face.cluster_id = f.at("cluster");
      face.pinned = f.at("pinned");
      face.person = f.at("person");
      face.match_kind = f.at("match_kind");
      r.faces_before.push_back(face);
    }
    for (const auto& c : j.at("clusters")) {
      catalog::ClusterRecord cluster;
      cluster.id = c.at("id");
      cluster.person = c.at("person");
      cluster.hidden = c.at("hidden");
      r.clusters_before.push_back(cluster);
    }
    for (const auto& x : j.at("rejections")) r.rejections_added.emplace_back(x.at("face"), x.at("person"));
    r.references_added = j.at("references").get<std::vector<int64_t>>();
    for (const auto& ref : j.value("references_added_from", json::array()))  // absent in records of earlier versions
      r.references_added_from.emplace_back(ref.at("person"), ref.at("source"));
    for (const auto& ref : j.value("references_removed", json::array())) {  // absent in records of earlier versions
      r.references_removed.push_back(
          {0, ref.at("person"), ref.at("embedding").get<std::vector<float>>(), ref.at("source")});
    }
    r.person_created = j.at("person_created");
    for (const auto& m : j.at("moves")) {
      Move move{m.at("item"), m.at("location"),   m.at("category"), m.at("person"), m.at("auto_sorted"),
                {},           m.at("moved_from"), m.at("moved_to")};
      for (const auto& reason : m.at("reasons")) move.reasons.push_back({reason.at("code"), reason.at("text")});
      r.moves.push_back(std::move(move));
    }
  } catch (const json::exception& e) {
    return base::Status::Corrupt(fmt::format("people action record cannot be read: {}", e.what()));
  }
  return r;
}

}  // namespace triage::review
