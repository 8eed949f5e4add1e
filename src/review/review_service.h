// Review decisions over the catalog: approve (to faces/<person>/), reject (to trash), skip, bulk, purge.
// Every decision moves files through commit/ and is audited with the actor.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "commit/committer.h"
#include "config/config.h"

namespace triage::review {

struct BulkOutcome {
  int64_t id = 0;
  bool ok = false;
  std::string error;   // when !ok
};

// Thread-safe (its parts are).
class ReviewService {
 public:
  ReviewService(const config::Config& config, catalog::Catalog& catalog, commit::Committer& committer)
      : config_(config), catalog_(catalog), committer_(committer) {}

  // Moves item `id` (pending review) to faces/<person>/ (person name sanitized; created if new),
  // auto_sorted = 0, reviewer recorded; on a single-face image the face joins the person's references
  // when review.learn_from_approvals is on. kNotFound (no item / not pending), kInvalidArgument (bad name).
  base::Result<model::ItemRecord> Approve(int64_t id, const std::string& person, const std::string& actor, int64_t now);
  // Moves item `id` to .triage/trash/ (purged after review.trash_retention_days).
  base::Result<model::ItemRecord> Reject(int64_t id, const std::string& actor, int64_t now);
  // Leaves the item pending, at the back of the queue.
  base::Status Skip(int64_t id, const std::string& actor, int64_t now);
  // action: "approve" (needs person) | "reject" | "skip". One outcome per id; one failure does not stop the rest.
  base::Result<std::vector<BulkOutcome>> Bulk(const std::vector<int64_t>& ids, const std::string& action,
                                              const std::string& person, const std::string& actor, int64_t now);
  // Deletes trashed items older than the retention period. Returns how many.
  base::Result<int> PurgeTrash(int64_t now, const std::string& actor);

  // Called after an approval added a face to a person's references (e.g. to reload a running matcher).
  void OnReferencesChanged(std::function<void()> callback) { references_changed_ = std::move(callback); }

 private:
  base::Result<model::ItemRecord> PendingItem(int64_t id);
  // The reference an approval as `person` teaches: the face of a single-face item, when learning is on.
  base::Result<std::vector<model::PersonReference>> FaceToLearn(int64_t id, const std::string& person);
  const config::Config& config_;
  catalog::Catalog& catalog_;
  commit::Committer& committer_;
  std::function<void()> references_changed_;
};

}  // namespace triage::review
