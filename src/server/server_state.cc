// Shared helpers of the route handlers: the item view and config updates.
#include "server/server_state.h"

#include <fmt/format.h>

#include <string_view>

#include "base/clock.h"
#include "model/json.h"
#include "review/person_service.h"

namespace triage::server {

using nlohmann::json;

json ItemView(const model::ItemRecord& item) {
  json j = item;
  std::string reason;
  for (const auto& r : item.reasons) reason += (reason.empty() ? "" : " ") + r.text;
  j["file_name"] = std::filesystem::path(item.path).filename().string();
  j["folder"] = std::filesystem::path(item.path).parent_path().generic_string();  // what a decision's "from" names
  j["reason"] = reason;
  j["created_at_iso"] = base::IsoTime(item.created_at);
  j["thumbnail_url"] = fmt::format("/api/items/{}/thumbnail", item.id);
  j["original_url"] = fmt::format("/api/items/{}/original", item.id);
  j.erase("original_path");  // where the file came from on the ingesting machine: not the browser's business
  return j;
}

base::Result<std::string> KnownPersonQuery(ServerState& state, const std::string& text) {
  auto key = review::KnownPersonKey(state.ctx.catalog, text);
  if (key.ok()) return key;
  if (key.status().code() != base::Code::kNotFound && key.status().code() != base::Code::kInvalidArgument) {
    return key.status();
  }
  return base::Status::InvalidArgument("query parameter person: " + key.status().message());
}

// Content-Disposition for a stored file (RFC 6266): `filename` in plain ASCII for old clients (every other byte as
// '_'), and `filename*` with the whole name in UTF-8, percent-encoded (RFC 8187), which browsers prefer, so that
// "Zoë café.jpg" is saved under its own name.
// (ASCII letters and digits by value: isalnum follows the process's locale.)
std::string ContentDisposition(const std::string& name) {
  auto alnum = [](unsigned char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  };
  std::string ascii = name;
  for (char& ch : ascii) {
    if (!alnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') ch = '_';
  }
  std::string encoded;
  for (unsigned char ch : name) {
    if (alnum(ch) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(ch)) != std::string_view::npos) {
      encoded += static_cast<char>(ch);
    } else {
      encoded += fmt::format("%{:02X}", ch);
    }
  }
  return fmt::format("inline; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

base::Status UpdateConfig(ServerState& state, const Call& call, const std::string& key,
                          const std::function<base::Status(json& doc)>& edit) {
  json before;
  json after;
  auto updated = state.ctx.config.Update([&](json& doc) {
    before = doc.contains(key) ? doc[key] : json();
    TRIAGE_RETURN_IF_ERROR(edit(doc));
    after = doc.contains(key) ? doc[key] : json();
    return base::Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  // Saved again as it was (a second click on Save): nothing changed, nothing to audit.
  if (before == after) return base::Status::Ok();
  // Of a section of settings, only the keys that changed: the log says "min confidence 0.6 → 0.3", not all ten.
  if (before.is_object() && after.is_object()) {
    json was = json::object(), now = json::object();
    for (const auto& [k, v] : before.items()) {
      if (!after.contains(k) || after[k] != v) was[k] = v;
    }
    for (const auto& [k, v] : after.items()) {
      if (!before.contains(k) || before[k] != v) now[k] = v;
    }
    before = std::move(was);
    after = std::move(now);
  }
  return state.ctx.catalog.AddAudit({0, base::UnixNow(), call.actor(), 0, "config", before.dump(), after.dump(),
                                     fmt::format("{} changed through the web UI", key)});
}

base::Status MayPurge(ServerState& state, const Call& call, int64_t id, std::string* trashed_by) {
  // Every move of the item into the trash counts, not only the newest: a user who restores another's deletion and
  // rejects the photo again has not made that deletion theirs.
  catalog::AuditQuery query;
  query.item_id = id;
  query.limit = 1000;
  auto entries = state.ctx.catalog.ListAuditEntries(query);
  if (!entries.ok()) return entries.status();
  std::string latest;   // who moved it to the trash last (newest entries come first)
  std::string another;  // someone else who moved it there at some time
  std::string held_in;  // a folder of the library it was taken out of (not review), at any time
  for (const model::AuditEntry& e : *entries) {
    if (e.to_state != "trash") continue;
    if (latest.empty()) latest = e.actor;
    if (another.empty() && e.actor != call.actor()) another = e.actor;
    if (held_in.empty() && e.from_state != "trash" && e.from_state.rfind("review/", 0) != 0) held_in = e.from_state;
  }
  if (trashed_by) *trashed_by = latest;
  // A photo the library held (culled, or replaced by a copy) is deleted for good only by those who decide what the
  // library keeps: a reviewer's deletion of it stays undoable for the retention period.
  if (!held_in.empty() && !RoleAllows(call.principal().role, Permission::kDecideProposals)) {
    return base::Status::PermissionDenied(fmt::format(
        "item {} was taken out of the library ({}), and purging cannot be undone: {}. It stays in the trash until "
        "the retention period ends; restore it to put it back.",
        id, held_in, RefusalMessage(call.principal().role, Permission::kDecideProposals)));
  }
  if (RoleAllows(call.principal().role, Permission::kUndoOthers) || another.empty()) return base::Status::Ok();
  return base::Status::PermissionDenied(fmt::format(
      "item {} was moved to the trash by {}{}, and purging cannot be undone: {}. Restore it instead, or purge only "
      "the photos nobody but you moved to the trash.",
      id, another, another == latest ? "" : " before", RefusalMessage(call.principal().role, Permission::kUndoOthers)));
}

nlohmann::json PersonsView(ServerState& state) {
  auto persons = state.ctx.catalog.ListPersons();
  return persons.ok() ? nlohmann::json(*persons) : nlohmann::json::array();
}

}  // namespace triage::server
