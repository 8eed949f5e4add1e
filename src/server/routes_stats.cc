// Statistics (today, by day) and the audit log.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "base/clock.h"
#include "model/json.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86400;

json StatsJson(const catalog::Stats& s) {
  json out = {{"total", s.total},
              {"auto_sorted", s.auto_sorted},
              {"in_review", s.in_review},
              {"in_library", s.in_library},
              {"in_trash", s.in_trash},
              {"in_archive", s.in_archive},
              {"auto_sort_rate", s.success_rate},
              {"by_category", s.by_category}};
  out.update(model::PersonCountsJson(s.by_person));
  return out;
}

base::Status Today(ServerState& state, Call& call) {
  int64_t now = base::UnixNow();
  int64_t midnight = now - now % kDay;
  auto stats = state.ctx.catalog.GetStats(midnight);
  if (!stats.ok()) return stats.status();
  json out = StatsJson(*stats);
  out["day"] = base::IsoDay(now);
  call.Reply(out);
  return base::Status::Ok();
}

// Figures per day for the last ?days (default 30), every day present (zeros where nothing happened).
base::Status Summary(ServerState& state, Call& call) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"days"}));
  auto days = call.IntQuery("days", 30, 1, 366);
  if (!days.ok()) return days.status();
  int64_t now = base::UnixNow();
  int64_t first = now - now % kDay - (*days - 1) * kDay;
  auto daily = state.ctx.catalog.GetDailyStats(first);
  if (!daily.ok()) return daily.status();
  auto totals = state.ctx.catalog.GetStats(0);
  if (!totals.ok()) return totals.status();
  std::map<std::string, catalog::DayStats> by_day;
  for (const auto& d : *daily) by_day[d.day] = d;
  json list = json::array();
  for (int64_t t = first; t <= now; t += kDay) {
    std::string day = base::IsoDay(t);
    catalog::DayStats d = by_day.count(day) ? by_day[day] : catalog::DayStats{day};
    list.push_back({{"day", day},
                    {"ingested", d.ingested},
                    {"auto_sorted", d.auto_sorted},
                    {"to_review", d.to_review},
                    {"reviewed", d.reviewed}});
  }
  call.Reply({{"days", list}, {"totals", StatsJson(*totals)}});
  return base::Status::Ok();
}

base::Status Audit(ServerState& state, Call& call) {
  // A misspelt filter ("user=" for "actor=") would list every entry as if it were the one asked for.
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"item_id", "actor", "action", "page", "per_page"}));
  auto item_id = call.IntQuery("item_id", 0, 0, INT64_MAX);
  if (!item_id.ok()) return item_id.status();
  auto page = call.IntQuery("page", 1, 1, 1'000'000);
  if (!page.ok()) return page.status();
  auto per_page = call.IntQuery("per_page", 50, 1, 500);
  if (!per_page.ok()) return per_page.status();
  catalog::AuditQuery query{*item_id, call.Query("actor"), call.Query("action"), static_cast<int>(*per_page),
                            static_cast<int>((*page - 1) * *per_page)};
  auto entries = state.ctx.catalog.ListAuditEntries(query);
  if (!entries.ok()) return entries.status();
  // Where each entry's item is now ("deleted" once purged), so the page links only to what can still be opened, and
  // its file's name as it is now (none once purged), so that a line names the photo, not only its number.
  struct ItemNow {
    std::string location;
    std::string file_name;
  };
  std::map<int64_t, ItemNow> items;
  json list = json::array();
  for (const auto& e : *entries) {
    json j = e;
    j["at_iso"] = base::IsoTime(e.at);
    if (e.item_id != 0) {
      auto known = items.find(e.item_id);
      if (known == items.end()) {
        auto item = state.ctx.catalog.GetItem(e.item_id);
        if (!item.ok() && item.status().code() != base::Code::kNotFound) return item.status();
        ItemNow now{"deleted", ""};
        if (item.ok()) now = {item->location, std::filesystem::path(item->path).filename().string()};
        known = items.emplace(e.item_id, now).first;
      }
      j["item_location"] = known->second.location;
      j["item_file_name"] = known->second.file_name.empty() ? json(nullptr) : json(known->second.file_name);
    }
    list.push_back(j);
  }
  call.Reply({{"entries", list}, {"page", *page}, {"per_page", *per_page}});
  return base::Status::Ok();
}

}  // namespace

void AddStatsRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/stats/today", Permission::kView, [&state](Call& c) { return Today(state, c); });
  router.Add(Method::kGet, "/api/stats/summary", Permission::kView, [&state](Call& c) { return Summary(state, c); });
  router.Add(Method::kGet, "/api/audit", Permission::kView, [&state](Call& c) { return Audit(state, c); });
}

}  // namespace triage::server
