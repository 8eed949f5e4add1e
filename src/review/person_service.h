// Persons: enrolment, references and the whitelist / blacklist, one service for the CLI and the web UI.
// Lists live in triage.json (through the config store), persons and references in the catalog; every change is
// audited with its actor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config_store.h"
#include "model/face.h"
#include "model/item.h"
#include "review/undo_service.h"

namespace triage::review {

// Where a person stands in the config.
enum class ListStatus { kNeutral, kWhitelist, kBlacklist };
const char* ListStatusName(ListStatus status);  // "neutral", "whitelist", "blacklist"
// From "neutral" / "whitelist" / "blacklist"; kInvalidArgument otherwise.
base::Result<ListStatus> ParseListStatus(const std::string& name);
ListStatus ListStatusOf(const config::Config& config, const std::string& person);

// A reference photo's embedding and where it came from (a path, or "item:<id>"). `box`: the face in the photo at
// `source` (full-image pixels of the upright image), which Enroll cuts out so that the reference can be shown once
// the photo is elsewhere; none when its width is 0.
struct NewReference {
  std::vector<float> embedding;
  std::string source;
  model::Box box;
};

// Creates the person whose folder name is `folder_name` (kAlreadyExists when enrolled already) and keeps `typed`, the
// name as it was typed, to show (config::PersonDisplayName; kInvalidArgument before anything is created when it
// cannot be shown). What every way of creating a person uses.
base::Result<int64_t> AddPersonAsTyped(catalog::Catalog& catalog, const std::string& folder_name,
                                       const std::string& typed, int64_t at);

// Removes person `name`, whom an action being undone created, when nothing of theirs is left: no reference face (from
// elsewhere) and no photo filed under them in the library since; their folder goes with them when it is empty. Ok when
// the person stays or is gone already.
base::Status ForgetCreatedPerson(catalog::Catalog& catalog, const std::filesystem::path& faces_dir,
                                 const std::string& name);

// The folder name of person `raw_name` ("Ada Lovelace" is ada_lovelace), for filtering photos by person. kNotFound
// when no person has that name, neither one enrolled nor one whose photos the catalog holds (removing a person leaves
// their photos sorted where they are): a typo is not an empty list. kInvalidArgument for a name that cannot be one.
base::Result<std::string> KnownPersonKey(catalog::Catalog& catalog, const std::string& raw_name);

// Where the face cut out of a reference photo enrolled from a file is kept: <library>/.triage/references/<id>.jpg.
std::filesystem::path ReferenceCropPath(const config::Config& config, int64_t reference_id);

// Thread-safe (its parts are). With undo enabled, Add, SetListStatus, SetList, Remove and RemoveReference hand back
// (through `undo_token`, when given) a token that reverts them.
class PersonService {
 public:
  PersonService(config::ConfigStore& config, catalog::Catalog& catalog) : config_(config), catalog_(catalog) {}

  // Creates a person (name in its folder form, config::SanitizePersonName). kInvalidArgument for a bad name,
  // kAlreadyExists when enrolled already.
  base::Result<model::PersonRecord> Add(const std::string& raw_name, const std::string& actor, int64_t now,
                                        std::string* undo_token = nullptr);

  // Adds references to a person. `create`: the person must not exist yet and is created; otherwise they must exist
  // (kNotFound naming `person add`). Nothing is added unless every step before succeeds. Each reference with a box
  // gets its face cut out (ReferenceCropPath); a crop that cannot be written leaves the reference without a picture.
  base::Status Enroll(const std::string& raw_name, const std::vector<NewReference>& references, bool create,
                      const std::string& actor, int64_t now);

  // Puts a person on one list (or neither), keeping every other name and every other key of triage.json.
  base::Status SetListStatus(const std::string& raw_name, ListStatus status, const std::string& actor, int64_t now,
                             std::string* undo_token = nullptr);

  // Replaces a whole list ("whitelist" or "blacklist") with `names` (sanitized, duplicates dropped, order kept).
  // Returns the stored names.
  base::Result<std::vector<std::string>> SetList(const std::string& list, const std::vector<std::string>& names,
                                                 const std::string& actor, int64_t now,
                                                 std::string* undo_token = nullptr);

  // Forgets a person and their references and takes them off both lists; sorted images stay where they are.
  base::Status Remove(const std::string& raw_name, const std::string& actor, int64_t now,
                      std::string* undo_token = nullptr);

  // Changes how a person's name is shown ("" shows the folder name), audited. kNotFound when nobody has that name;
  // kInvalidArgument when `shown` is not a way of writing it (config::PersonDisplayName).
  base::Result<model::PersonRecord> SetDisplayName(const std::string& raw_name, const std::string& shown,
                                                   const std::string& actor, int64_t now);

  // A person's reference faces, oldest first. kNotFound when no such person is enrolled.
  base::Result<std::vector<model::PersonReference>> References(const std::string& raw_name);
  // Forgets one reference face of a person (a wrong face taught by an approval), audited as "reference".
  // kNotFound when the person has no reference with this id.
  base::Status RemoveReference(const std::string& raw_name, int64_t reference_id, const std::string& actor, int64_t now,
                               std::string* undo_token = nullptr);

  // Called after references were removed or put back (e.g. to reload a running matcher).
  void OnReferencesChanged(std::function<void()> callback) { references_changed_ = std::move(callback); }

  // Records undo tokens from now on and registers the inverses of person_add, person_list, person_remove and
  // reference_remove. REQUIRES: called once; `undo` outlives this.
  void EnableUndo(UndoService& undo);

 private:
  // Both lists as they are in the config now: {"whitelist": [...], "blacklist": [...]}.
  nlohmann::json Lists() const;
  // Records a token when undo is on and `undo_token` is given.
  base::Status Record(const std::string& kind, const nlohmann::json& payload, const std::string& summary,
                      const std::string& actor, int64_t now, std::string* undo_token);
  // Inverses (person_undo.cc).
  base::Status CheckLists(const nlohmann::json& undo);
  base::Status RevertLists(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckAbsent(const nlohmann::json& undo);
  base::Status RevertRemove(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckUnused(const nlohmann::json& undo);
  base::Status RevertAdd(const nlohmann::json& undo, const std::string& actor, int64_t now);
  base::Status CheckPresent(const nlohmann::json& undo);
  base::Status RevertReferenceRemove(const nlohmann::json& undo, const std::string& actor, int64_t now);
  // Puts references back (under their ids when free), creating the person when missing; audited as "undo".
  base::Status PutBack(const std::string& person, std::vector<model::PersonReference> refs, const std::string& reason,
                       const std::string& actor, int64_t now);
  config::ConfigStore& config_;
  catalog::Catalog& catalog_;
  UndoService* undo_ = nullptr;
  std::function<void()> references_changed_;
};

}  // namespace triage::review
