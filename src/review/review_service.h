// Review decisions over the catalog: approve (to faces/<person>/), reject (to trash), skip, bulk, purge.
// Every decision moves files through commit/ and is audited with the actor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "commit/committer.h"
#include "config/config.h"
#include "config/config_store.h"
#include "review/policy_service.h"
#include "review/undo_service.h"

namespace triage::review {

class PeopleService;

struct BulkOutcome {
  int64_t id = 0;
  bool ok = false;
  std::string error;      // when !ok
  bool conflict = false;  // !ok because the item was no longer where it was seen
};

// What naming one face of a photo in review did.
struct FaceNaming {
  model::ItemRecord item;          // where the item is now
  std::vector<model::Face> faces;  // its faces with their labels
  int open = 0;                    // faces nobody has named or dismissed yet
  bool moved = false;              // every face was decided and the item went where the policy sends it
  std::string summary;             // a sentence for people
  bool learnt = false;             // the face became one of the person's reference faces (review.learn_from_approvals)
};

// The name face `i` of a photo goes by now: the one it was named on the card, unless the People page has it under
// another since (`clustered`: PeopleService::NamedFacesOf, renamed or moved there); "" for a face not named or marked
// nobody tracked.
std::string NameNow(const std::vector<model::Face>& faces, const std::vector<std::string>& clustered, size_t i);

// The photo a copy waiting in review/duplicates or near_duplicates stands beside now: the one it was found a copy of
// (`copy.duplicate_of`) while that photo is in the library or in review; once it left (the trash, the archive), another
// copy of it that a reviewer kept ("keep new" files one in its place, "keep both" beside it), in the library or waiting
// as a photo of its own. Without this, the other copies of a photo replaced by its better copy were photos of their
// own, filed a second time beside the copy kept. nullopt when none stands (or `copy` is no waiting copy): the copy is a
// photo of its own.
base::Result<std::optional<model::ItemRecord>> StandingOriginal(catalog::Catalog& catalog,
                                                                const model::ItemRecord& copy);

// Where a reviewer saw the items they decide on, by id: each item's library-relative folder as they saw it
// ("review/unidentified"). An id without an entry is not checked.
using SeenIn = std::map<int64_t, std::string>;

// Thread-safe: decisions are serialised, so an item's place is checked and changed in one step.
// With undo enabled, each decision (and each bulk request) records one undo token and hands it to the caller through
// `undo_token` (when given): redeeming it moves the files back through the committer, restores the review entry, the
// queue place, the references and persons it added, audited as "undo".
class ReviewService {
 public:
  // Reads `config` at each call (a change saved meanwhile applies to the next decision).
  ReviewService(config::ConfigStore& config, catalog::Catalog& catalog, commit::Committer& committer)
      : config_(config), catalog_(catalog), committer_(committer) {}

  // Moves item `id` (pending review) to faces/<person>/ (person name sanitized; created if new),
  // auto_sorted = 0, reviewer recorded; on a single-face image the face joins the person's references
  // when review.learn_from_approvals is on. kNotFound (no item / not pending), kInvalidArgument (bad name).
  // `seen_in`: the folder the reviewer saw the item in; when given and the item is no longer pending there,
  // kConflict and nothing changes.
  base::Result<model::ItemRecord> Approve(int64_t id, const std::string& person, const std::string& actor, int64_t now,
                                          const std::string& seen_in = "", std::string* undo_token = nullptr);
  // Moves item `id` to .triage/trash/ (purged after review.trash_retention_days). `seen_in` as for Approve.
  base::Result<model::ItemRecord> Reject(int64_t id, const std::string& actor, int64_t now,
                                         const std::string& seen_in = "", std::string* undo_token = nullptr);
  // Item `id` if it is in the trash (else kConflict naming where it is).
  base::Result<model::ItemRecord> TrashedItem(int64_t id);
  // Moves item `id` from the library to .triage/trash/ (culling: a weaker frame of a burst, a copy not wanted), purged
  // after review.trash_retention_days; restoring it puts it back in its library folder. Audited as "discard"; undone
  // as a rejection is. kConflict when it is not in the library (a photo waiting in review is rejected instead, one in
  // the trash is there already) or, with `seen_in`, no longer in that folder.
  base::Result<model::ItemRecord> Discard(int64_t id, const std::string& actor, int64_t now,
                                          const std::string& seen_in = "", std::string* undo_token = nullptr);
  // Keeps item `id` in the library without a person: to <directories.photos>/<yyyy>/<mm>/ by its capture date
  // (<photos>/undated/ when it has none, as intake does: model::PhotoMonthFolder), audited as "keep". Learns no face.
  // `seen_in` as for Approve.
  base::Result<model::ItemRecord> Keep(int64_t id, const std::string& actor, int64_t now,
                                       const std::string& seen_in = "", std::string* undo_token = nullptr);
  // Re-decides every item waiting in review under the current policy and moves those whose folder changes
  // (ApplyPolicy, policy_service.h: journaled, audited "apply-policy"), one decision at a time with the others.
  // With `match_now`, faces are matched against the persons enrolled now first (see MatchNowFn).
  // With `undo_token`, the moves are undone together by it (set only when something moved).
  base::Result<ApplyReport> ApplyCurrentPolicy(const std::string& actor, int64_t now, const MatchNowFn& match_now = {},
                                               std::string* undo_token = nullptr);
  // Leaves the item pending, at the back of the queue. `seen_in` as for Approve.
  base::Status Skip(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in = "",
                    std::string* undo_token = nullptr);
  // action: "approve" (needs person) | "keep" | "reject" | "skip" | "name_face" (needs an enrolled person: names the
  // one face of each photo as NameFace does, refusing a photo with no face or several). One outcome per id; one
  // failure (a conflict included) does not stop the rest. One undo token reverts every decision that succeeded.
  base::Result<std::vector<BulkOutcome>> Bulk(const std::vector<int64_t>& ids, const std::string& action,
                                              const std::string& person, const std::string& actor, int64_t now,
                                              const SeenIn& seen_in = {}, std::string* undo_token = nullptr);
  // Decides a duplicate waiting for review against the item it duplicates. `keep`: "new" files this one in the
  // original's place (its folder, location and person) and moves the original to the trash; "existing" moves this one
  // to the trash; "both" files this one next to the original. One undo token reverts both moves. kInvalidArgument (not
  // a duplicate, unknown `keep`), kConflict (the original is in the trash or gone); `seen_in` as for Approve.
  // `compared_with`, when given, is the item the reviewer saw the copy beside: kConflict once another decision put
  // another copy in its place (keeping this one would replace that copy, not the photo compared).
  base::Result<model::ItemRecord> DecideDuplicate(int64_t id, const std::string& keep, const std::string& actor,
                                                  int64_t now, const std::string& seen_in = "",
                                                  std::string* undo_token = nullptr,
                                                  std::optional<int64_t> compared_with = std::nullopt);
  // Names face `face` (its place among the item's faces, from 0) of item `id`, waiting for review, as the enrolled
  // `person`, or marks it as nobody tracked when `person` is empty; naming a face again replaces its label. With
  // review.learn_from_approvals the named face joins the person's references (source "item:<id>:face:<n>"). Once
  // every face is named or dismissed, decide() routes a photo of the named persons (dismissed faces left out, stored
  // catalog facts kept, auto-sorting pauses not applied: this is a reviewer's word): one wanted person goes to
  // faces/<person>/, several follow the multiple-faces rules, only dismissed faces follow the rules for photos
  // without a person; a review folder other than the one the item is in moves it there with the policy's reasons.
  // Audited as "name-face"; the undo token puts the label, the references and the file back. kNotFound (no item, not
  // pending, no such face, no such enrolled person), kInvalidArgument (no faces detected), kConflict (`seen_in` as
  // for Approve).
  base::Result<FaceNaming> NameFace(int64_t id, int face, const std::string& person, const std::string& actor,
                                    int64_t now, const std::string& seen_in = "", std::string* undo_token = nullptr);
  // Moves a rejected item from the trash back to review/<its category>/, pending again with its reasons (audited as
  // "restore"). kNotFound (no item), kConflict (not in the trash: restored or purged meanwhile).
  base::Result<model::ItemRecord> Restore(int64_t id, const std::string& actor, int64_t now,
                                          std::string* undo_token = nullptr);
  // Deletes one trashed item now (file and catalog row). kNotFound, kConflict (not in the trash).
  base::Status PurgeOne(int64_t id, const std::string& actor, int64_t now);
  // Forgets item `id` whose file was deleted (or moved away) outside triage: its catalog row, review entry, faces and
  // scores go, audited as "forget" from the folder it was in. The file is not touched: there is none. kNotFound (no
  // item), kConflict when the file is still where the catalog has it (reject or discard it instead).
  base::Status Forget(int64_t id, const std::string& actor, int64_t now);
  // Deletes trashed items older than the retention period. Returns how many.
  base::Result<int> PurgeTrash(int64_t now, const std::string& actor);

  // From now on a face named in review (NameFace, bulk name_face, or approving a single-face photo) becomes its
  // person's in the face clusters through `people` (PeopleService::AssignFromReview), and undoing the decision puts
  // the face back. Without it clusters learn nothing from review. REQUIRES: `people` outlives this.
  void AssignFacesThrough(PeopleService& people) { people_ = &people; }

  // Called after an approval added a face to a person's references (e.g. to reload a running matcher).
  void OnReferencesChanged(std::function<void()> callback) { references_changed_ = std::move(callback); }

  // Records undo tokens from now on and registers the inverses of approve, keep, reject, restore, skip and bulk.
  // REQUIRES: called once, before decisions are made; `undo` outlives this.
  void EnableUndo(UndoService& undo);

  // The folder name of the enrolled person `name` names (as typed or as its folder name). kNotFound naming the
  // enrolled persons when nobody is (review_faces.cc).
  base::Result<std::string> EnrolledPerson(const std::string& name);
  // The folder of the enrolled person a name typed as someone new is already: by folder name, as sanitized
  // ("Obama " for obama, "Обама" transliterated) or as a person's name is written ("joseph biden" for the person shown
  // as Joseph Biden); "" when it is nobody enrolled.
  base::Result<std::string> EnrolledAlready(const std::string& typed);

 private:
  // A decision made: the item where it is now, and what reverting it needs (null when undo is off).
  struct Done {
    model::ItemRecord item;
    nlohmann::json undo;
    std::string summary;
  };
  // The decisions themselves. REQUIRES: decide_mu_ held.
  base::Result<Done> DoApprove(int64_t id, const std::string& person, const std::string& actor, int64_t now,
                               const std::string& seen_in);
  base::Result<Done> DoKeep(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in);
  base::Result<Done> DoReject(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in);
  base::Result<Done> DoDiscard(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in);
  base::Result<Done> DoSkip(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in);
  // Where item `id` was when it was last moved into the trash, as its audit entry says ("" when none says).
  base::Result<std::string> TrashedFrom(int64_t id);
  base::Result<Done> DoRestore(int64_t id, const std::string& actor, int64_t now);
  // Moves `item` into `place`'s folder with its location, category and person (review_duplicates.cc); a byte copy of
  // `place` takes its faces' names and "not tracked" marks too (the same faces, found in the same order).
  base::Result<Done> FileLike(const model::ItemRecord& item, const model::ItemRecord& place, const std::string& actor,
                              int64_t now, const std::string& reason);
  // Moves `item` to the trash, audited as `action`.
  base::Result<Done> Trash(const model::ItemRecord& item, const std::string& action, const std::string& reason,
                           const std::string& actor, int64_t now);
  base::Result<Done> DoOne(const std::string& action, int64_t id, const std::string& person, const std::string& actor,
                           int64_t now, const std::string& seen_in);
  // Records `done`'s undo token into `undo_token` (when undo is on and it is given); returns the item.
  base::Result<model::ItemRecord> Finish(const std::string& kind, base::Result<Done> done, const std::string& actor,
                                         int64_t now, std::string* undo_token);
  // What reverting a move of `before` (whose open review entry was `entry`, if any) to `after` needs.
  nlohmann::json RelocationUndo(const std::string& kind, const model::ItemRecord& before,
                                const model::ItemRecord& after);
  // Sets `change`'s "audit" to the id of the newest audit entry about its item (when it names one).
  void StampLatestAudit(nlohmann::json& change);
  // Inverses (review_undo.cc). REQUIRES for Revert*: decide_mu_ held.
  // The item as the change left it: kConflict when it was deleted, moved, or (for a change stamped with its audit
  // entry) changed by anything audited since.
  base::Result<model::ItemRecord> UnmovedSince(const nlohmann::json& undo);
  base::Status CheckRelocation(const nlohmann::json& undo);
  base::Status RevertRelocation(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckSkip(const nlohmann::json& undo);
  base::Status RevertSkip(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckBulk(const nlohmann::json& undo);
  bool AlreadyReverted(const nlohmann::json& change);
  base::Status RevertBulk(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckAny(const nlohmann::json& change);
  base::Status CheckFaceLabel(const nlohmann::json& undo);
  // Adds to `change` what reverting a face naming puts back (no-op for other kinds): the label before, the references
  // it taught forgotten, those it replaced restored.
  static void LabelUndo(const nlohmann::json& undo, catalog::CatalogChange& change);
  base::Status RevertFaceLabel(const nlohmann::json& undo, const std::string& actor, int64_t now);
  // Per-face naming (review_faces.cc).
  // `labelled_now`: the face this naming labels (-1: none), whose label is its name even if its cluster says another.
  // The decision credits the naming to `actor`.
  base::Result<model::Decision> RouteNamedFaces(const model::ItemRecord& item, const std::vector<model::Face>& faces,
                                                int labelled_now, const std::string& actor);
  // `only_face` (bulk naming): a photo of several faces is refused (kInvalidArgument) rather than one of them named.
  base::Status CheckNotInPhotoTwice(const model::ItemRecord& item, const std::vector<model::Face>& faces, int face,
                                    const std::string& person);
  // A photo whose every face was decided on its card (named, or marked nobody tracked) is approved only as one of the
  // persons named: kConflict, naming each face, for anybody else.
  base::Status CheckApprovedPersonIsInPhoto(const model::ItemRecord& item, const std::string& person);
  base::Result<Done> DoNameFace(int64_t id, int face, const std::string& person, const std::string& actor, int64_t now,
                                const std::string& seen_in, bool only_face = false);
  base::Result<Done> LabelFace(int64_t id, int face, const std::string& person, const std::string& actor, int64_t now,
                               const std::string& seen_in, bool only_face);
  // Face `face` of item `id` becomes `person`'s in the face clusters; returns what undoing that needs (null without
  // clusters). A failure leaves the decision standing: clusters are a view of the catalog.
  nlohmann::json AssignInClusters(int64_t id, int face, const std::string& person, int64_t now);
  // A face marked "not tracked" leaves the cluster of the person it was given (PeopleService::ReleaseFromReview).
  nlohmann::json ReleaseInClusters(int64_t id, int face);
  // Puts back the cluster state an undo record saved (no-op when it saved none).
  void RestoreClusters(const nlohmann::json& undo, int64_t now);
  base::Result<Done> FileNamedFaces(const model::ItemRecord& item, const std::vector<model::Face>& faces,
                                    catalog::CatalogChange change, nlohmann::json undo);
  base::Status RevertAny(const nlohmann::json& change, const std::string& actor, int64_t now);

  // Item `id` with an open review entry, in `seen_in` when that is not empty (else kConflict).
  base::Result<model::ItemRecord> PendingItem(int64_t id, const std::string& seen_in);
  // The reference an approval as `person` teaches: the face of a single-face item, when learning is on.
  base::Result<std::vector<model::PersonReference>> FaceToLearn(int64_t id, const std::string& person);
  config::ConfigStore& config_;
  catalog::Catalog& catalog_;
  commit::Committer& committer_;
  std::function<void()> references_changed_;
  UndoService* undo_ = nullptr;
  PeopleService* people_ = nullptr;
  std::recursive_mutex decide_mu_;  // one decision at a time: check and move are one step
};

}  // namespace triage::review
