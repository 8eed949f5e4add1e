// Catalog-backed near-duplicate lookups.
#include "pipeline/duplicate_index.h"

namespace triage::pipeline {

base::Status DuplicateIndex::Refresh(catalog::Catalog& catalog) {
  auto changes = loaded_ ? catalog.PerceptualHashChangesSince(cursor_) : catalog.PerceptualHashSnapshot();
  if (!changes.ok()) return changes.status().WithContext("reading the catalog's perceptual hashes");
  for (const catalog::HashChange& c : changes->changes) {
    if (c.present) {
      Add(c.id, c.phash, c.phash_center);
    } else {
      whole_.Remove(c.id);
      center_.Remove(c.id);
    }
  }
  cursor_ = changes->cursor;
  loaded_ = true;
  return base::Status::Ok();
}

void DuplicateIndex::Add(int64_t id, uint64_t phash, uint64_t phash_center) {
  whole_.Add(id, phash);
  center_.Add(id, phash_center);
}

std::optional<fingerprint::Neighbor> DuplicateIndex::NearestWithin(const model::Fingerprint& fp,
                                                                   int max_distance) const {
  std::optional<fingerprint::Neighbor> best;
  for (const auto* index : {&whole_, &center_}) {
    for (uint64_t query : {fp.phash, fp.phash_center}) {
      auto found = index->FindWithin(query, max_distance);
      if (found.empty()) continue;
      const fingerprint::Neighbor& n = found.front();
      if (!best || n.distance < best->distance || (n.distance == best->distance && n.id < best->id)) best = n;
    }
  }
  return best;
}

}  // namespace triage::pipeline
