// Persons: enrolment, references and the whitelist / blacklist, one service for the CLI and the web UI.
// Lists live in triage.json (through the config store), persons and references in the catalog; every change is
// audited with its actor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config_store.h"
#include "model/item.h"

namespace triage::review {

// Where a person stands in the config.
enum class ListStatus { kNeutral, kWhitelist, kBlacklist };
const char* ListStatusName(ListStatus status);  // "neutral", "whitelist", "blacklist"
// From "neutral" / "whitelist" / "blacklist"; kInvalidArgument otherwise.
base::Result<ListStatus> ParseListStatus(const std::string& name);
ListStatus ListStatusOf(const config::Config& config, const std::string& person);

// A reference photo's embedding and where it came from (a path, or "item:<id>").
struct NewReference {
  std::vector<float> embedding;
  std::string source;
};

// Thread-safe (its parts are).
class PersonService {
 public:
  PersonService(config::ConfigStore& config, catalog::Catalog& catalog) : config_(config), catalog_(catalog) {}

  // Creates a person (name in its folder form, config::SanitizePersonName). kInvalidArgument for a bad name,
  // kAlreadyExists when enrolled already.
  base::Result<model::PersonRecord> Add(const std::string& raw_name, const std::string& actor, int64_t now);

  // Adds references to a person. `create`: the person must not exist yet and is created; otherwise they must exist
  // (kNotFound naming `person add`). Nothing is added unless every step before succeeds.
  base::Status Enroll(const std::string& raw_name, const std::vector<NewReference>& references, bool create,
                      const std::string& actor, int64_t now);

  // Puts a person on one list (or neither), keeping every other name and every other key of triage.json.
  base::Status SetListStatus(const std::string& raw_name, ListStatus status, const std::string& actor, int64_t now);

  // Replaces a whole list ("whitelist" or "blacklist") with `names` (sanitized, duplicates dropped, order kept).
  // Returns the stored names.
  base::Result<std::vector<std::string>> SetList(const std::string& list, const std::vector<std::string>& names,
                                                 const std::string& actor, int64_t now);

  // Forgets a person and their references and takes them off both lists; sorted images stay where they are.
  base::Status Remove(const std::string& raw_name, const std::string& actor, int64_t now);

 private:
  config::ConfigStore& config_;
  catalog::Catalog& catalog_;
};

}  // namespace triage::review
