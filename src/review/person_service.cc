// Person enrolment and list membership.
#include "review/person_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/ids.h"
#include "base/text.h"
#include "commit/folders.h"
#include "vision/decode.h"

namespace triage::review {
namespace {

using nlohmann::json;

// A reference's crop: the face with this much around it (a fraction of the box), this long on its longer side (the
// largest face picture the pages show).
constexpr double kReferenceCropPadding = 0.3;
constexpr int kReferenceCropPx = 320;

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// `doc[list]` without `name` (compared in folder form, as the config reads it).
json Without(const json& entries, const std::string& name) {
  json kept = json::array();
  for (const auto& e : entries) {
    auto n = e.is_string() ? config::SanitizePersonName(e.get<std::string>()) : base::Status::InvalidArgument("");
    if (!n.ok() || *n != name) kept.push_back(e);
  }
  return kept;
}

}  // namespace

std::filesystem::path ReferenceCropPath(const config::Config& config, int64_t reference_id) {
  return config.StateDir() / "references" / fmt::format("{}.jpg", reference_id);
}

const char* ListStatusName(ListStatus status) {
  switch (status) {
    case ListStatus::kWhitelist:
      return "whitelist";
    case ListStatus::kBlacklist:
      return "blacklist";
    case ListStatus::kNeutral:
      return "neutral";
  }
  return "neutral";
}

base::Result<ListStatus> ParseListStatus(const std::string& name) {
  if (name == "whitelist") return ListStatus::kWhitelist;
  if (name == "blacklist") return ListStatus::kBlacklist;
  if (name == "neutral") return ListStatus::kNeutral;
  return base::Status::InvalidArgument(fmt::format("list \"{}\": must be whitelist, blacklist or neutral", name));
}

ListStatus ListStatusOf(const config::Config& config, const std::string& person) {
  if (Contains(config.policy.blacklist, person)) return ListStatus::kBlacklist;
  if (Contains(config.policy.whitelist, person)) return ListStatus::kWhitelist;
  return ListStatus::kNeutral;
}

base::Status ForgetCreatedPerson(catalog::Catalog& catalog, const std::filesystem::path& faces_dir,
                                 const std::string& name) {
  if (name.empty()) return base::Status::Ok();
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  auto person = std::find_if(persons->begin(), persons->end(), [&](const auto& p) { return p.name == name; });
  if (person == persons->end() || person->references > 0) return base::Status::Ok();
  catalog::ItemFilter filed;
  filed.person = name;
  filed.location = "library";
  auto photos = catalog.CountItems(filed);
  if (!photos.ok()) return photos.status();
  if (*photos > 0) return base::Status::Ok();
  base::Status st = catalog.RemovePerson(name);
  if (!st.ok() && st.code() != base::Code::kNotFound) return st;
  commit::RemoveFolderIfEmpty(faces_dir / name);
  return base::Status::Ok();
}

base::Result<int64_t> AddPersonAsTyped(catalog::Catalog& catalog, const std::string& folder_name,
                                       const std::string& typed, int64_t at) {
  auto shown = config::PersonDisplayName(typed, folder_name);
  if (!shown.ok()) return shown.status();
  auto id = catalog.AddPerson(folder_name, at);
  if (!id.ok() || shown->empty()) return id;
  TRIAGE_RETURN_IF_ERROR(catalog.SetPersonDisplayName(folder_name, *shown));
  return id;
}

base::Result<std::string> KnownPersonKey(catalog::Catalog& catalog, const std::string& raw_name) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  if (std::any_of(persons->begin(), persons->end(), [&](const model::PersonRecord& p) { return p.name == *name; })) {
    return *name;
  }
  catalog::ItemFilter any;
  any.person = *name;
  any.limit = 1;
  auto items = catalog.ListItems(any);
  if (!items.ok()) return items.status();
  if (items->empty()) return base::Status::NotFound(fmt::format("no person named \"{}\"", raw_name));
  return *name;
}

base::Result<model::PersonRecord> PersonService::Add(const std::string& raw_name, const std::string& actor, int64_t now,
                                                     std::string* undo_token) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  auto id = AddPersonAsTyped(catalog_, *name, raw_name, now);
  if (!id.ok()) return id.status();
  TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit({0, now, actor, 0, "person", "", *name, fmt::format("enrolled {}", *name)}));
  TRIAGE_RETURN_IF_ERROR(
      Record("person_add", {{"name", *name}}, fmt::format("enrolled {}", *name), actor, now, undo_token));
  return model::PersonRecord{*id, *name, now, 0, *config::PersonDisplayName(raw_name, *name)};
}

base::Status PersonService::Enroll(const std::string& raw_name, const std::vector<NewReference>& references,
                                   bool create, const std::string& actor, int64_t now) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  bool exists = std::any_of(persons->begin(), persons->end(), [&](const auto& p) { return p.name == *name; });
  if (create && exists) {
    return base::Status::AlreadyExists(fmt::format("{} is enrolled already; use `person enroll` to add photos", *name));
  }
  if (!create && !exists) return base::Status::NotFound(fmt::format("no person named {}; use `person add`", *name));
  if (create) {
    auto id = AddPersonAsTyped(catalog_, *name, raw_name, now);
    if (!id.ok()) return id.status();
  }
  // A person this call created is taken back whole when a later step fails (a full disk): no half-enrolled person
  // with some of the references and no audit line is left behind.
  auto failed = [&](const base::Status& st) {
    if (!create) return st;
    const base::Status removed = catalog_.RemovePerson(*name);
    return removed.ok() ? st.WithContext(fmt::format("{} was not enrolled", *name))
                        : st.WithContext(fmt::format("{} was enrolled only in part ({}); run `person remove {}`", *name,
                                                     removed.message(), *name));
  };
  auto config = config_.Current();
  for (const NewReference& r : references) {
    auto id = catalog_.AddReference({0, *name, r.embedding, r.source});
    if (!id.ok()) return failed(id.status());
    const std::filesystem::path crop = ReferenceCropPath(*config, *id);
    std::error_code ec;
    std::filesystem::remove(crop, ec);  // an id a removed reference had: never show that one's face
    if (r.box.width <= 0 || r.box.height <= 0) continue;
    std::filesystem::create_directories(crop.parent_path(), ec);
    (void)vision::WriteJpegCrop(r.source, crop, r.box, kReferenceCropPadding, kReferenceCropPx,
                                config->analysis.max_pixels);
  }
  const base::Status audited = catalog_.AddAudit(
      {0, now, actor, 0, "person", "", *name,
       fmt::format("{} enrolled for {}", base::Counted(references.size(), "reference photo"), *name)});
  return audited.ok() ? audited : failed(audited);
}

base::Status PersonService::SetListStatus(const std::string& raw_name, ListStatus status, const std::string& actor,
                                          int64_t now, std::string* undo_token) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  json before = Lists();
  auto updated = config_.Update([&](json& doc) {
    for (const char* list : {"whitelist", "blacklist"}) {
      json kept = Without(doc.value(list, json::array()), *name);
      if (std::string(list) == ListStatusName(status)) kept.push_back(*name);
      doc[list] = kept;
    }
    return base::Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  const std::string summary = fmt::format("{} set to {}", *name, ListStatusName(status));
  TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit({0, now, actor, 0, "person", "", ListStatusName(status), summary}));
  return Record("person_list", {{"before", before}, {"after", Lists()}}, summary, actor, now, undo_token);
}

base::Result<std::vector<std::string>> PersonService::SetList(const std::string& list,
                                                              const std::vector<std::string>& names,
                                                              const std::string& actor, int64_t now,
                                                              std::string* undo_token) {
  if (list != "whitelist" && list != "blacklist") {
    return base::Status::InvalidArgument(fmt::format("no list named {}", list));
  }
  std::vector<std::string> stored;
  for (const auto& raw : names) {
    auto name = config::SanitizePersonName(raw);
    if (!name.ok()) return base::Status::InvalidArgument(fmt::format("{}: {}", list, name.status().message()));
    if (!Contains(stored, *name)) stored.push_back(*name);
  }
  json before, other_before, rest = json::array();
  json lists_before = Lists();
  // A person is on one list at most (as SetListStatus keeps it): whoever this list now names leaves the other one.
  const std::string other = list == "whitelist" ? "blacklist" : "whitelist";
  auto updated = config_.Update([&](json& doc) {
    before = doc.value(list, json::array());
    doc[list] = stored;
    other_before = doc.value(other, json::array());
    rest = json::array();
    for (const json& n : other_before) {
      if (!n.is_string() || !Contains(stored, n.get<std::string>())) rest.push_back(n);
    }
    doc[other] = rest;
    return base::Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit(
      {0, now, actor, 0, "config", before.dump(), json(stored).dump(), fmt::format("{} changed", list)}));
  // The other list's change is a change of settings too: audited on its own line.
  if (rest != other_before) {
    TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit(
        {0, now, actor, 0, "config", other_before.dump(), rest.dump(), fmt::format("{} changed", other)}));
  }
  TRIAGE_RETURN_IF_ERROR(Record("person_list", {{"before", lists_before}, {"after", Lists()}},
                                fmt::format("{} changed", list), actor, now, undo_token));
  return stored;
}

base::Status PersonService::Remove(const std::string& raw_name, const std::string& actor, int64_t now,
                                   std::string* undo_token) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  json before = Lists();
  auto refs = References(*name);
  if (!refs.ok()) return refs.status();
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  std::string shown;
  for (const auto& p : *persons)
    if (p.name == *name) shown = p.display_name;
  // What can fail on its own goes first, while nothing is changed yet: the lists in triage.json (written only when
  // the person is on one), then the undo token that keeps the references (taken back if the removal fails). Only
  // then are the person and their references deleted, so that a failure never leaves them gone without a way back.
  const bool listed = ListStatusOf(*config_.Current(), *name) != ListStatus::kNeutral;
  if (listed) {
    const base::Status unlisted = SetListStatus(*name, ListStatus::kNeutral, actor, now);
    if (!unlisted.ok()) return unlisted.WithContext(fmt::format("{} was not removed", *name));
  }
  auto put_back_lists = [&] {
    if (!listed) return;
    (void)config_.Update([&](json& doc) {
      for (const char* list : {"whitelist", "blacklist"}) doc[list] = before.value(list, json::array());
      return base::Status::Ok();
    });
  };
  json saved = json::array();
  for (const auto& r : *refs) saved.push_back({{"id", r.id}, {"embedding", r.embedding}, {"source", r.source}});
  std::string token;
  base::Status st =
      Record("person_remove",
             {{"name", *name}, {"display_name", shown}, {"references", saved}, {"before", before}, {"after", Lists()}},
             fmt::format("removed {}", shown.empty() ? *name : shown), actor, now, undo_token ? &token : nullptr);
  if (st.ok()) st = catalog_.RemovePerson(*name);
  if (!st.ok()) {
    if (!token.empty()) (void)undo_->store().FinishUndo(token, now);  // never redeemable
    put_back_lists();
    return st.WithContext(fmt::format("{} was not removed", *name));
  }
  if (undo_token) *undo_token = token;
  if (!refs->empty() && references_changed_) references_changed_();  // a running matcher forgets them
  commit::RemoveFolderIfEmpty(config_.Current()->FacesDir() / *name);
  return catalog_.AddAudit({0, now, actor, 0, "person", *name, "", fmt::format("{} removed", *name)});
}

base::Result<model::PersonRecord> PersonService::SetDisplayName(const std::string& raw_name, const std::string& shown,
                                                                const std::string& actor, int64_t now) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  auto person = std::find_if(persons->begin(), persons->end(), [&](const auto& p) { return p.name == *name; });
  if (person == persons->end()) return base::Status::NotFound(fmt::format("no person named {}", *name));
  auto display = shown.empty() ? base::Result<std::string>(std::string()) : config::PersonDisplayName(shown, *name);
  if (!display.ok()) return display.status();
  if (*display == person->display_name) return *person;
  TRIAGE_RETURN_IF_ERROR(catalog_.SetPersonDisplayName(*name, *display));
  const std::string before = person->shown_name();
  person->display_name = *display;
  TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit({0, now, actor, 0, "person", before, person->shown_name(),
                                            fmt::format("{} is shown as \"{}\"", *name, person->shown_name())}));
  return *person;
}

base::Result<std::vector<model::PersonReference>> PersonService::References(const std::string& raw_name) {
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return name.status();
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  if (std::none_of(persons->begin(), persons->end(), [&](const auto& p) { return p.name == *name; })) {
    return base::Status::NotFound(fmt::format("no person named {}", *name));
  }
  auto all = catalog_.AllReferences();
  if (!all.ok()) return all.status();
  std::vector<model::PersonReference> out;
  for (auto& r : *all) {
    if (r.person == *name) out.push_back(std::move(r));
  }
  return out;
}

base::Status PersonService::RemoveReference(const std::string& raw_name, int64_t reference_id, const std::string& actor,
                                            int64_t now, std::string* undo_token) {
  auto refs = References(raw_name);
  if (!refs.ok()) return refs.status();
  auto it = std::find_if(refs->begin(), refs->end(), [&](const auto& r) { return r.id == reference_id; });
  if (it == refs->end()) {
    return base::Status::NotFound(fmt::format("{} has no reference face {}", raw_name, reference_id));
  }
  catalog::CatalogChange change;
  change.kind = catalog::CatalogChange::Kind::kReferences;
  change.journal_id = base::RandomId();
  change.removed_references = {reference_id};
  change.actor = actor;
  change.action = "reference";
  change.reason =
      fmt::format("reference face {} ({}) of {} removed by {}", reference_id, it->source, it->person, actor);
  change.at = now;
  auto applied = catalog_.Apply(change);
  if (!applied.ok()) return applied.status();
  if (references_changed_) references_changed_();
  json saved = {{"id", it->id}, {"embedding", it->embedding}, {"source", it->source}};
  return Record("reference_remove", {{"name", it->person}, {"references", json::array({saved})}},
                fmt::format("removed a reference face of {}", it->person), actor, now, undo_token);
}

json PersonService::Lists() const {
  auto config = config_.Current();
  return {{"whitelist", config->json.value("whitelist", json::array())},
          {"blacklist", config->json.value("blacklist", json::array())}};
}

base::Status PersonService::Record(const std::string& kind, const json& payload, const std::string& summary,
                                   const std::string& actor, int64_t now, std::string* undo_token) {
  if (!undo_ || !undo_token) return base::Status::Ok();
  auto token = undo_->Record(kind, actor, payload, summary, now);
  if (!token.ok()) return token.status();
  *undo_token = *token;
  return base::Status::Ok();
}

}  // namespace triage::review
