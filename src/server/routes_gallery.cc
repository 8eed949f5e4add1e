// The gallery: GET /api/gallery (filters, sort, cursor pages, month timeline), an item's explained score, bursts and
// duplicate groups. Thin: filtering and sorting are the gallery store's, paging and burst spacing quality/'s.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "model/json_groups.h"
#include "model/json_quality.h"
#include "model/quality.h"
#include "quality/gallery.h"
#include "quality/group_service.h"
#include "review/person_service.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

// Brings bursts and duplicate groups up to date with whatever arrived or left (in any process) before they are read.
base::Status RefreshGroups(ServerState& state) {
  std::lock_guard lock(state.groups_mu);
  quality::GroupService service(state.ctx.catalog, state.ctx.gallery);
  return service.Refresh(state.ctx.config.Current()->grouping).status();
}

base::Result<bool> Switch(const Call& call, const std::string& name) {
  std::string v = call.Query(name);
  if (v.empty() || v == "0" || v == "false") return false;
  if (v == "1" || v == "true") return true;
  return base::Status::InvalidArgument(fmt::format("query parameter {}: must be true or false (got \"{}\")", name, v));
}

// A plain decimal score: digits with at most one decimal point. strtod alone also takes hexadecimal ("0x5"), leading
// blanks, "inf" and exponents, which no score box shows.
bool PlainDecimal(const std::string& v) {
  int digits = 0, points = 0;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && points == 0) {
      ++points;
    } else {
      return false;
    }
  }
  return digits > 0;
}

base::Result<std::optional<double>> Score(const Call& call, const std::string& name) {
  std::string v = call.Query(name);
  if (v.empty()) return std::optional<double>();
  const double d = PlainDecimal(v) ? std::strtod(v.c_str(), nullptr) : -1;
  if (!(d >= 0 && d <= 10)) {
    return base::Status::InvalidArgument(
        fmt::format("query parameter {}: must be a score from 0 to 10 (got \"{}\")", name, v));
  }
  return std::optional<double>(d);
}

// The tenths a score is shown as on a tile (the page's toFixed(1)): the nearest to the double's exact value, a tie
// upward. x * 10 + 0.5 is exact in long double for a score's range (64 bits of mantissa).
int64_t ShownTenths(double x) { return static_cast<int64_t>(std::floor(static_cast<long double>(x) * 10.0L + 0.5L)); }

// A bound given as a plain decimal ("7", "7.8", "7.75", ".5") in tenths, exactly (no binary rounding of 3.1):
// rounded up for a lower bound ("7.75 or more" is what shows as 7.8 or more), down for an upper one.
int64_t BoundTenths(const std::string& v, bool up) {
  const size_t point = v.find('.');
  const std::string whole = v.substr(0, point);
  const std::string fraction = point == std::string::npos ? "" : v.substr(point + 1);
  int64_t tenths = (whole.empty() ? 0 : std::stoll(whole)) * 10 + (fraction.empty() ? 0 : fraction[0] - '0');
  const bool more = fraction.size() > 1 && fraction.find_first_not_of('0', 1) != std::string::npos;
  return tenths + (up && more ? 1 : 0);
}

// The smallest score shown as `tenths` or more, and the largest shown as `tenths` or less: the bounds of a filter on
// the scores as the tiles show them, so that "3.0 or less" and "3.1 or more" split the library with nothing lost.
double LowestShownAtLeast(int64_t tenths) {
  double x = static_cast<double>((static_cast<long double>(tenths) - 0.5L) / 10.0L);
  while (ShownTenths(x) < tenths) x = std::nextafter(x, HUGE_VAL);
  while (ShownTenths(std::nextafter(x, -HUGE_VAL)) >= tenths) x = std::nextafter(x, -HUGE_VAL);
  return x;
}
double HighestShownAtMost(int64_t tenths) {
  double x = static_cast<double>((static_cast<long double>(tenths) + 0.5L) / 10.0L);
  while (ShownTenths(x) > tenths) x = std::nextafter(x, -HUGE_VAL);
  while (ShownTenths(std::nextafter(x, HUGE_VAL)) <= tenths) x = std::nextafter(x, HUGE_VAL);
  return x;
}

// "2024-05" or "2024-05-03" as ms; `end` gives the end of that month or day (exclusive).
base::Result<std::optional<int64_t>> Date(const Call& call, const std::string& name, bool end) {
  std::string v = call.Query(name);
  if (v.empty()) return std::optional<int64_t>();
  const bool month = v.size() == 7;
  auto ms = model::CaptureTimeMs((month ? v + "-01" : v) + "T00:00:00");
  if (!ms || (v.size() != 7 && v.size() != 10)) {  // CaptureTimeMs refuses a day the month does not have
    return base::Status::InvalidArgument(
        fmt::format("query parameter {}: must be a date YYYY-MM-DD or a month YYYY-MM (got \"{}\")", name, v));
  }
  if (!end) return std::optional<int64_t>(*ms);
  if (!month) return std::optional<int64_t>(*ms + 86'400'000);
  int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2));
  return std::optional<int64_t>(
      *model::CaptureTimeMs(fmt::format("{:04}-{:02}-01T00:00:00", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1)));
}

void Text(const Call& call, const std::string& name, std::optional<std::string>& into) {
  if (!call.Query(name).empty()) into = call.Query(name);
}

base::Result<quality::GalleryRequest> RequestOf(const Call& call) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries(
      {"location", "person", "category", "camera", "lens", "from", "to", "min_score", "max_score", "hide_closed_eyes",
       "best_of_burst", "hide_duplicates", "keep_bursts_together", "undated", "sort", "order", "limit", "cursor"}));
  quality::GalleryRequest r;
  catalog::GalleryQuery& q = r.query;
  std::string location = call.Query("location");
  if (!location.empty() && location != "library" && location != "review") {
    return base::Status::InvalidArgument("query parameter location: must be library or review");
  }
  Text(call, "location", q.location);
  Text(call, "person", q.person);
  if (base::Status st = model::CheckQualityCategory(call.Query("category")); !st.ok()) {
    return base::Status::InvalidArgument("query parameter category: " + st.message());
  }
  Text(call, "category", q.category);
  Text(call, "camera", q.camera);
  Text(call, "lens", q.lens);
  auto from = Date(call, "from", false), to = Date(call, "to", true);
  auto min = Score(call, "min_score"), max = Score(call, "max_score");
  // Every refused date and score named at once: a form with two bounds wrong is put right in one go.
  std::vector<std::string> refused;
  for (const base::Status& st : {from.status(), to.status(), min.status(), max.status()}) {
    if (!st.ok()) refused.push_back(st.message());
  }
  if (!refused.empty()) return base::Status::InvalidArgument(fmt::format("{}", fmt::join(refused, "; ")));
  q.taken_from_ms = *from;
  q.taken_to_ms = *to;
  // Scores are shown to one decimal, so a bound is on the shown values: "7.8 or more" takes the 7.75 a tile shows as
  // 7.8, "7.7 or less" stops below it; the two halves of a split cover every photo.
  if (*min) q.min_score = LowestShownAtLeast(BoundTenths(call.Query("min_score"), true));
  if (*max) q.max_score = HighestShownAtMost(BoundTenths(call.Query("max_score"), false));
  auto eyes = Switch(call, "hide_closed_eyes"), best = Switch(call, "best_of_burst"),
       dups = Switch(call, "hide_duplicates"), together = Switch(call, "keep_bursts_together"),
       undated = Switch(call, "undated");
  for (const base::Status& st : {eyes.status(), best.status(), dups.status(), together.status(), undated.status()}) {
    TRIAGE_RETURN_IF_ERROR(st);
  }
  q.undated = *undated;
  q.hide_closed_eyes = *eyes;
  q.best_of_burst_only = *best;
  q.hide_duplicates = *dups;
  r.keep_bursts_together = *together;
  if (!call.Query("sort").empty()) q.sort = call.Query("sort");
  std::string order = call.Query("order");
  if (!order.empty() && order != "asc" && order != "desc") {
    return base::Status::InvalidArgument("query parameter order: must be asc or desc");
  }
  q.ascending = order == "asc";
  auto limit = call.IntQuery("limit", 100, 1, 500);
  if (!limit.ok()) return limit.status();
  q.limit = static_cast<int>(*limit);
  r.cursor = call.Query("cursor");
  return r;
}

json EntryView(const catalog::GalleryEntry& e) {
  json j = ItemView(e.item);
  j["sort_value"] = e.sort_value.value_or(-1);  // -1: none
  j["taken_at_ms"] = e.taken_at_ms ? json(*e.taken_at_ms) : json(nullptr);
  j["lens"] = e.lens;
  j["eyes_closed"] = e.eyes_closed;
  j["burst"] = e.burst_id ? json{{"id", *e.burst_id}, {"lead", e.burst_lead}, {"size", e.burst_size}} : json(nullptr);
  j["duplicate"] = e.duplicate_group ? json{{"id", *e.duplicate_group}, {"lead", e.duplicate_lead}} : json(nullptr);
  return j;
}

base::Status Gallery(ServerState& state, Call& call) {
  auto request = RequestOf(call);
  if (!request.ok()) return request.status();
  // A person filter is a person the library knows, by either name ("Ada Lovelace" or ada_lovelace): a typo is said,
  // not answered with an empty gallery.
  if (request->query.person) {
    auto key = KnownPersonQuery(state, *request->query.person);
    if (!key.ok()) return key.status();
    request->query.person = *key;
  }
  TRIAGE_RETURN_IF_ERROR(RefreshGroups(state));
  auto page = quality::ListGallery(state.ctx.gallery, *request);
  if (!page.ok()) return page.status();
  json items = json::array();
  for (const auto& e : page->items) items.push_back(EntryView(e));
  json reply = {{"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)},
                {"sort", request->query.sort},
                {"order", request->query.ascending ? "asc" : "desc"}};
  if (page->total) reply["total"] = *page->total;
  if (request->cursor.empty()) {
    // The timeline under every filter but the dates: the months to move to, not only the one chosen.
    catalog::GalleryQuery all_dates = request->query;
    all_dates.taken_from_ms.reset();
    all_dates.taken_to_ms.reset();
    all_dates.undated = false;
    auto months = state.ctx.gallery.GalleryMonths(all_dates);
    if (!months.ok()) return months.status();
    json list = json::array();
    int64_t undated = 0;
    for (const auto& m : *months) {
      if (m.month.empty()) {
        undated = m.count;
      } else {
        list.push_back({{"month", m.month}, {"count", m.count}});
      }
    }
    reply["months"] = std::move(list);
    reply["undated"] = undated;
  }
  reply["items"] = std::move(items);
  call.Reply(reply);
  return base::Status::Ok();
}

// The cameras and lenses the library's photos were taken with, most used first: the gallery's filter suggestions.
base::Status Facets(ServerState& state, Call& call) {
  json reply;
  for (const auto& [facet, key] : {std::pair{"camera", "cameras"}, std::pair{"lens", "lenses"}}) {
    auto values = state.ctx.gallery.GalleryFacet(facet, 200);
    if (!values.ok()) return values.status();
    json list = json::array();
    for (const auto& v : *values) list.push_back({{"value", v.value}, {"count", v.count}});
    reply[key] = std::move(list);
  }
  call.Reply(reply);
  return base::Status::Ok();
}

json GroupView(ServerState& state, const model::ItemGroup& g) {
  return model::GroupJson(g, [&](int64_t id) {
    auto item = state.ctx.catalog.GetItem(id);
    return item.ok() ? item->path : std::string();
  });
}

base::Status Score(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(RefreshGroups(state));
  json groups = json::array();
  for (model::GroupKind kind : {model::GroupKind::kBurst, model::GroupKind::kDuplicate}) {
    auto found = state.ctx.gallery.GroupsContaining(kind, {*id});
    if (!found.ok()) return found.status();
    for (const auto& g : *found) groups.push_back(GroupView(state, g));
  }
  call.Reply(
      {{"id", *id}, {"quality", ItemView(*item)["quality"]}, {"groups", groups}, {"votes", VotesView(state, *id)}});
  return base::Status::Ok();
}

base::Status Groups(ServerState& state, Call& call, model::GroupKind kind) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"after", "limit"}));
  auto after = call.IntQuery("after", 0, 0, INT64_MAX);
  if (!after.ok()) return after.status();
  auto limit = call.IntQuery("limit", 50, 1, 500);
  if (!limit.ok()) return limit.status();
  TRIAGE_RETURN_IF_ERROR(RefreshGroups(state));
  auto groups = state.ctx.gallery.ListGroups(kind, *after, static_cast<int>(*limit));
  if (!groups.ok()) return groups.status();
  json list = json::array();
  for (const auto& g : *groups) list.push_back(GroupView(state, g));
  const bool more = static_cast<int64_t>(groups->size()) == *limit;
  call.Reply({{"kind", model::GroupKindName(kind)},
              {"groups", list},
              {"next_after", more ? json(groups->back().id) : json(nullptr)}});
  return base::Status::Ok();
}

}  // namespace

void AddGalleryRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/gallery", Permission::kView, [&state](Call& c) { return Gallery(state, c); });
  router.Add(Method::kGet, "/api/gallery/facets", Permission::kView, [&state](Call& c) { return Facets(state, c); });
  router.Add(Method::kGet, "/api/items/{id}/score", Permission::kView, [&state](Call& c) { return Score(state, c); });
  router.Add(Method::kGet, "/api/bursts", Permission::kView,
             [&state](Call& c) { return Groups(state, c, model::GroupKind::kBurst); });
  router.Add(Method::kGet, "/api/duplicates", Permission::kView,
             [&state](Call& c) { return Groups(state, c, model::GroupKind::kDuplicate); });
}

}  // namespace triage::server
