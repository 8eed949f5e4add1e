// The inverses of person edits: lists set back, a removed person or reference face put back, an added person
// forgotten. Each refuses (kConflict, nothing changed) when what it would revert has changed since.
#include <fmt/format.h>

#include <algorithm>

#include "base/ids.h"
#include "base/text.h"
#include "commit/folders.h"
#include "review/person_service.h"

namespace triage::review {

using nlohmann::json;

namespace {

// The references an undo payload saved ({"name", "references": [{"id", "embedding", "source"}]}).
std::vector<model::PersonReference> SavedReferences(const json& undo) {
  std::vector<model::PersonReference> refs;
  for (const json& r : undo.at("references")) {
    refs.push_back({r.at("id"), undo.at("name"), r.at("embedding").get<std::vector<float>>(), r.at("source")});
  }
  return refs;
}

}  // namespace

void PersonService::EnableUndo(UndoService& undo) {
  undo_ = &undo;
  auto bind = [this](auto check, auto revert) {
    return Inverse{[this, check](const json& u) { return (this->*check)(u); },
                   [this, revert](const json& u, const std::string& a, int64_t t) { return (this->*revert)(u, a, t); }};
  };
  undo.registry().Register("person_list", bind(&PersonService::CheckLists, &PersonService::RevertLists));
  undo.registry().Register("person_remove", bind(&PersonService::CheckAbsent, &PersonService::RevertRemove));
  undo.registry().Register("person_add", bind(&PersonService::CheckUnused, &PersonService::RevertAdd));
  undo.registry().Register("reference_remove",
                           bind(&PersonService::CheckPresent, &PersonService::RevertReferenceRemove));
}

base::Status PersonService::CheckLists(const json& undo) {
  if (Lists() != undo.at("after")) {
    return base::Status::Conflict("the whitelist or blacklist was changed since; nothing was changed");
  }
  return base::Status::Ok();
}

base::Status PersonService::RevertLists(const json& undo, const std::string& actor, int64_t now) {
  const json& before = undo.at("before");
  const json& after = undo.at("after");
  auto updated = config_.Update([&](json& doc) {
    // Checked inside the locked update, so an edit saved meanwhile by another process is never overwritten.
    if (doc.value("whitelist", json::array()) != after.at("whitelist") ||
        doc.value("blacklist", json::array()) != after.at("blacklist")) {
      return base::Status::Conflict("the whitelist or blacklist was changed since; nothing was changed");
    }
    doc["whitelist"] = before.at("whitelist");
    doc["blacklist"] = before.at("blacklist");
    return base::Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  return catalog_.AddAudit({0, now, actor, 0, "undo", after.dump(), before.dump(), "whitelist and blacklist set back"});
}

base::Status PersonService::CheckAbsent(const json& undo) {
  const std::string name = undo.at("name");
  if (References(name).ok()) return base::Status::Conflict(fmt::format("{} was enrolled again since", name));
  return CheckLists(undo);
}

base::Status PersonService::RevertRemove(const json& undo, const std::string& actor, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckAbsent(undo));
  const std::string name = undo.at("name");
  TRIAGE_RETURN_IF_ERROR(PutBack(name, SavedReferences(undo), fmt::format("{} enrolled again", name), actor, now));
  const std::string shown = undo.value("display_name", "");
  if (!shown.empty()) TRIAGE_RETURN_IF_ERROR(catalog_.SetPersonDisplayName(name, shown));
  return RevertLists(undo, actor, now);
}

base::Status PersonService::CheckUnused(const json& undo) {
  const std::string name = undo.at("name");
  auto refs = References(name);
  if (!refs.ok() && refs.status().code() == base::Code::kNotFound) {
    return base::Status::Conflict(fmt::format("{} was removed since", name));
  }
  if (!refs.ok()) return refs.status();
  catalog::ItemFilter filed;
  filed.person = name;
  filed.location = "library";
  auto photos = catalog_.CountItems(filed);
  if (!photos.ok()) return photos.status();
  if (!refs->empty() || *photos > 0) {
    return base::Status::Conflict(fmt::format("{} has {} and {} since; nothing was changed", name,
                                              base::Counted(refs->size(), "reference face"),
                                              base::Counted(*photos, "photo")));
  }
  return base::Status::Ok();
}

base::Status PersonService::RevertAdd(const json& undo, const std::string& actor, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckUnused(undo));
  const std::string name = undo.at("name");
  TRIAGE_RETURN_IF_ERROR(catalog_.RemovePerson(name));
  commit::RemoveFolderIfEmpty(config_.Current()->FacesDir() / name);
  return catalog_.AddAudit({0, now, actor, 0, "undo", name, "", fmt::format("enrolment of {} undone", name)});
}

base::Status PersonService::CheckPresent(const json& undo) {
  const std::string name = undo.at("name");
  auto refs = References(name);
  if (!refs.ok() && refs.status().code() == base::Code::kNotFound) {
    return base::Status::Conflict(fmt::format("{} was removed since; nothing was changed", name));
  }
  return refs.status();
}

base::Status PersonService::RevertReferenceRemove(const json& undo, const std::string& actor, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckPresent(undo));
  const std::string name = undo.at("name");
  return PutBack(name, SavedReferences(undo), fmt::format("reference face of {} put back", name), actor, now);
}

base::Status PersonService::PutBack(const std::string& person, std::vector<model::PersonReference> refs,
                                    const std::string& reason, const std::string& actor, int64_t now) {
  auto all = catalog_.AllReferences();
  if (!all.ok()) return all.status();
  for (auto& r : refs) {  // an id taken meanwhile (SQLite may reuse the largest) gets a new one
    if (std::any_of(all->begin(), all->end(), [&](const auto& other) { return other.id == r.id; })) r.id = 0;
  }
  if (refs.empty()) {
    auto added = catalog_.AddPerson(person, now);
    if (!added.ok() && added.status().code() != base::Code::kAlreadyExists) return added.status();
  }
  catalog::CatalogChange change;
  change.kind = catalog::CatalogChange::Kind::kReferences;
  change.journal_id = base::RandomId();
  change.references = std::move(refs);
  change.actor = actor;
  change.action = "undo";
  change.reason = reason;
  change.at = now;
  auto applied = catalog_.Apply(change);
  if (!applied.ok()) return applied.status();
  if (!change.references.empty() && references_changed_) references_changed_();
  return base::Status::Ok();
}

}  // namespace triage::review
