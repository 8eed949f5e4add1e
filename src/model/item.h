// Catalog records as values: items, review entries, audit entries, persons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/decision.h"
#include "model/face.h"
#include "model/image.h"
#include "model/quality.h"

namespace triage::model {

// One image the library holds, wherever it is (library, review or trash).
struct ItemRecord {
  int64_t id = 0;
  std::string path;           // relative to the library root, e.g. "faces/alice/x.jpg"
  std::string original_name;  // file name as it arrived
  std::string original_path;  // where it came from (a path or a URL)
  std::string source;         // label: folder name, host, "inbox", "upload"
  std::string url;            // for downloads
  Fingerprint fingerprint;
  ImageInfo info;
  std::string location;  // "library" | "review" | "trash"
  std::string category;  // review category when location == "review"
  std::string person;    // library person, or suggestion in review
  std::optional<int64_t> duplicate_of;
  std::vector<Reason> reasons;
  bool auto_sorted = false;
  int faces_detected = 0;
  double sharpness = 0;
  double exposure = 0;
  QualityScore quality;    // from the stored analysis (not a column of the item)
  int64_t created_at = 0;  // unix seconds
  int64_t updated_at = 0;
};

struct ReviewEntry {
  int64_t id = 0;
  int64_t item_id = 0;
  std::string category;
  std::string reason;  // sentence
  std::string reason_code;
  int faces_detected = 0;
  std::string suggested_person;
  int64_t created_at = 0;
  int64_t reviewed_at = 0;  // 0 while pending
  std::string reviewed_by;
  std::string action;  // "approve" | "reject" | "skip" | ""
};

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;       // user name, "system", "cli:<user>"
  int64_t item_id = 0;     // 0 when not about an item
  std::string action;      // "ingest", "approve", "reject", "skip", "purge", "config", "person", ...
  std::string from_state;  // e.g. "review/unidentified"
  std::string to_state;    // e.g. "faces/alice"
  std::string reason;
};

struct PersonRecord {
  int64_t id = 0;
  std::string name;
  int64_t created_at = 0;
  int references = 0;
  // The name as it was typed ("Bernadette Rostenkowski"); '' when it adds nothing to `name`, the folder name.
  std::string display_name;
  const std::string& shown_name() const { return display_name.empty() ? name : display_name; }
};

struct PersonReference {
  int64_t id = 0;
  std::string person;
  std::vector<float> embedding;
  std::string source;  // photo path or "item:<id>"
};

}  // namespace triage::model
