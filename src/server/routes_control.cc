// Control and configuration: status, enable / disable auto-sorting, config lists and thresholds, persons.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/clock.h"
#include "base/url_text.h"
#include "model/json.h"
#include "model/json_text.h"
#include "review/policy_service.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

base::Status GetStatus(ServerState& state, Call& call) {
  const bool enabled = state.ctx.config.Current()->policy.auto_sort_enabled;
  catalog::ItemFilter review;
  review.location = "review";
  auto pending = state.ctx.catalog.CountItems(review);
  if (!pending.ok()) return pending.status();
  catalog::ItemFilter library;
  library.location = "library";
  auto in_library = state.ctx.catalog.CountItems(library);
  if (!in_library.ok()) return in_library.status();
  call.Reply({{"auto_sort_enabled", enabled},
              {"state", enabled ? "enabled" : "paused: every new image goes to review"},
              {"pending_review", *pending},
              {"in_library", *in_library},
              {"server_time", base::IsoTime(base::UnixNow())}});
  return base::Status::Ok();
}

base::Status SetEnabled(ServerState& state, Call& call, bool enabled) {
  TRIAGE_RETURN_IF_ERROR(UpdateConfig(state, call, "auto_sort", [enabled](json& doc) {
    doc["auto_sort"]["enabled"] = enabled;
    return base::Status::Ok();
  }));
  call.Reply({{"auto_sort_enabled", enabled}});
  return base::Status::Ok();
}

base::Status GetConfig(ServerState& state, Call& call) {
  // Every role may read the settings; the catalog's password (a libpq URL may hold one) is for no page to show.
  json shown = state.ctx.config.Current()->json;
  if (auto url = shown.find("catalog");
      url != shown.end() && url->is_object() && url->contains("url") && (*url)["url"].is_string()) {
    (*url)["url"] = base::WithoutConnectionSecrets((*url)["url"].get<std::string>());
  }
  call.Reply(shown);
  return base::Status::Ok();
}

// PUT /api/config/{whitelist|blacklist} {"names": [...]}: names are stored in their folder form.
base::Status PutList(ServerState& state, Call& call, const std::string& list) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("names") || !(*body)["names"].is_array()) {
    return base::Status::InvalidArgument("names (a list of person names) is required");
  }
  std::vector<std::string> names;
  for (const auto& e : (*body)["names"]) {
    if (!e.is_string())
      return base::Status::InvalidArgument(fmt::format("{}: {} is not a name", list, model::JsonExcerpt(e)));
    names.push_back(e.get<std::string>());
  }
  std::string undo;
  auto stored = state.ctx.persons.SetList(list, names, call.actor(), base::UnixNow(), &undo);
  if (!stored.ok()) return stored.status();
  // Both lists as they are now: a name this list took left the other one.
  const std::string other = list == "whitelist" ? "blacklist" : "whitelist";
  call.Reply({{list, *stored},
              {other, state.ctx.config.Current()->json.value(other, nlohmann::json::array())},
              {"undo", undo}});
  return base::Status::Ok();
}

// PUT /api/config/thresholds {...}: a partial object merged into "thresholds", then validated whole.
base::Status PutThresholds(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (body->empty()) return base::Status::InvalidArgument("send at least one threshold to change");
  json merged;
  TRIAGE_RETURN_IF_ERROR(UpdateConfig(state, call, "thresholds", [&](json& doc) {
    for (const auto& [key, value] : body->items()) doc["thresholds"][key] = value;
    merged = doc["thresholds"];
    return base::Status::Ok();
  }));
  call.Reply({{"thresholds", merged}});
  return base::Status::Ok();
}

// POST /api/config/thresholds/simulate {...}: what saving these thresholds would move (nothing is saved or moved).
base::Status SimulateThresholds(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->is_object() || body->empty()) return base::Status::InvalidArgument("send at least one threshold");
  auto proposed = state.ctx.config.Preview([&](json& doc) {
    for (const auto& [key, value] : body->items()) doc["thresholds"][key] = value;
    return base::Status::Ok();
  });
  if (!proposed.ok()) return proposed.status();
  // Faces matched as the re-sort (ApplyPolicyNow) matches them, so that the preview shows what it would do.
  review::MatchNowFn match_now;
  if (state.ctx.faces) {
    auto made = review::MatchNow(state.ctx.catalog, *state.ctx.faces);
    if (!made.ok()) return made.status();
    match_now = std::move(*made);
  }
  auto report = review::SimulatePolicy(state.ctx.catalog, *proposed, 5, match_now);
  if (!report.ok()) return report.status();
  // What would move under the saved settings already (photos sorted before the lists or thresholds last changed),
  // so that the preview does not pass those moves off as the new thresholds' doing.
  auto saved = review::SimulatePolicy(state.ctx.catalog, *state.ctx.config.Current(), 0, match_now);
  if (!saved.ok()) return saved.status();
  json reply = review::SimulationJson(*report);
  reply["changed_under_saved"] = saved->changed;
  call.Reply(reply);
  return base::Status::Ok();
}

// POST /api/policy/apply: re-sorts what waits in review under the saved policy (what the preview of a change of
// thresholds says would move), as `triage apply-policy` does.
base::Status ApplyPolicyNow(ServerState& state, Call& call) {
  review::MatchNowFn match_now;  // faces matched against the persons enrolled now (those enrolled since count)
  if (state.ctx.faces) {
    auto made = review::MatchNow(state.ctx.catalog, *state.ctx.faces);
    if (!made.ok()) return made.status();
    match_now = std::move(*made);
  }
  std::string undo;
  auto report = state.ctx.review.ApplyCurrentPolicy(call.actor(), base::UnixNow(), match_now, &undo);
  state.review_counts.Invalidate();
  if (!report.ok()) return report.status();
  json reply = review::ApplyJson(*report);
  reply["undo"] = undo;  // "" when nothing moved (or undo is off): then there is nothing to take back
  call.Reply(reply);
  return base::Status::Ok();
}

json ListMembership(const config::Config& config, const std::string& name) {
  const review::ListStatus status = review::ListStatusOf(config, name);
  return {{"whitelisted", status == review::ListStatus::kWhitelist},
          {"blacklisted", status == review::ListStatus::kBlacklist}};
}

// The person's cover (set by an approved cover proposal): its item id and thumbnail, or null.
json CoverView(ServerState& state, const std::string& person) {
  auto cover = state.ctx.proposal_store.CoverOf(person);
  if (!cover.ok() || *cover == 0) return nullptr;
  auto item = state.ctx.catalog.GetItem(*cover);
  if (!item.ok()) return nullptr;
  const json view = ItemView(*item);
  return {{"item_id", item->id}, {"thumbnail_url", view["thumbnail_url"]}, {"location", item->location}};
}

base::Status ListPersons(ServerState& state, Call& call) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({}));
  auto persons = state.ctx.catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  auto refs = state.ctx.catalog.AllReferences();
  if (!refs.ok()) return refs.status();
  json out = json::array();
  auto config = state.ctx.config.Current();
  for (const auto& p : *persons) {
    json j = p;
    j.update(ListMembership(*config, p.name));
    json reference_items = json::array();  // references learnt from catalog items can be shown by id
    j["avatar"] = nullptr;                 // the first reference face that can be shown (cut out of a photo)
    for (const auto& r : *refs) {
      if (r.person != p.name) continue;
      const int64_t item_id = model::ParseReferenceSource(r.source).item_id;
      if (item_id != 0) reference_items.push_back(item_id);
      if (!j["avatar"].is_null()) continue;  // faces of named clusters ("face:<id>") can be cut out too
      json face = ReferenceFaceView(state, r);
      if (!face["box"].is_null() || face.contains("crop_url")) j["avatar"] = std::move(face);
    }
    j["reference_items"] = reference_items;
    catalog::ItemFilter f;
    f.location = "library";
    f.person = p.name;
    auto count = state.ctx.catalog.CountItems(f);
    j["photos"] = count.ok() ? *count : 0;
    f.limit = 6;
    f.newest_first = true;
    auto recent = state.ctx.catalog.ListItems(f);
    json recent_ids = json::array();
    if (recent.ok())
      for (const auto& item : *recent) recent_ids.push_back(item.id);
    j["recent_items"] = recent_ids;
    j["cover"] = CoverView(state, p.name);
    out.push_back(j);
  }
  call.Reply({{"persons", out}});
  return base::Status::Ok();
}

base::Status AddPerson(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("name") || !(*body)["name"].is_string()) {
    return base::Status::InvalidArgument("name (a string) is required");
  }
  std::string undo;
  auto person = state.ctx.persons.Add((*body)["name"].get<std::string>(), call.actor(), base::UnixNow(), &undo);
  if (!person.ok()) return person.status();
  call.Reply({{"person", *person}, {"undo", undo}}, 201);
  return base::Status::Ok();
}

base::Status SetPersonDisplayName(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("display_name") || !(*body)["display_name"].is_string()) {
    return base::Status::InvalidArgument("display_name (a string; \"\" shows the folder name) is required");
  }
  auto person = state.ctx.persons.SetDisplayName(call.PathParam(0), (*body)["display_name"].get<std::string>(),
                                                 call.actor(), base::UnixNow());
  if (!person.ok()) return person.status();
  call.Reply({{"person", *person}});
  return base::Status::Ok();
}

// DELETE /api/persons/{name}: forgets the person, their references and list entries (undoable); the photos already
// sorted into their folder stay where they are.
base::Status RemovePerson(ServerState& state, Call& call) {
  std::string undo;
  TRIAGE_RETURN_IF_ERROR(state.ctx.persons.Remove(call.PathParam(0), call.actor(), base::UnixNow(), &undo));
  auto name = config::SanitizePersonName(call.PathParam(0));
  call.Reply({{"removed", name.ok() ? *name : call.PathParam(0)}, {"undo", undo}});
  return base::Status::Ok();
}

}  // namespace

void AddControlRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/status", Permission::kView, [&state](Call& c) { return GetStatus(state, c); });
  router.Add(Method::kPost, "/api/enable", Permission::kChangeConfig,
             [&state](Call& c) { return SetEnabled(state, c, true); });
  router.Add(Method::kPost, "/api/disable", Permission::kChangeConfig,
             [&state](Call& c) { return SetEnabled(state, c, false); });
  router.Add(Method::kGet, "/api/config", Permission::kView, [&state](Call& c) { return GetConfig(state, c); });
  router.Add(Method::kPut, "/api/config/whitelist", Permission::kChangeConfig,
             [&state](Call& c) { return PutList(state, c, "whitelist"); });
  router.Add(Method::kPut, "/api/config/blacklist", Permission::kChangeConfig,
             [&state](Call& c) { return PutList(state, c, "blacklist"); });
  router.Add(Method::kPut, "/api/config/thresholds", Permission::kChangeConfig,
             [&state](Call& c) { return PutThresholds(state, c); });
  router.Add(Method::kPost, "/api/config/thresholds/simulate", Permission::kChangeConfig,
             [&state](Call& c) { return SimulateThresholds(state, c); });
  router.Add(Method::kPost, "/api/policy/apply", Permission::kChangeConfig,
             [&state](Call& c) { return ApplyPolicyNow(state, c); });
  router.Add(Method::kGet, "/api/persons", Permission::kView, [&state](Call& c) { return ListPersons(state, c); });
  router.Add(Method::kPost, "/api/persons", Permission::kManagePersons,
             [&state](Call& c) { return AddPerson(state, c); });
  router.Add(Method::kPut, "/api/persons/{name}", Permission::kManagePersons,
             [&state](Call& c) { return SetPersonDisplayName(state, c); });
  router.Add(Method::kDelete, "/api/persons/{name}", Permission::kManagePersons,
             [&state](Call& c) { return RemovePerson(state, c); });
}

}  // namespace triage::server
