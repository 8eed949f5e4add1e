// Gallery paging. A cursor is "<sort>.<asc|desc>~<sort value>~<id>~<last burst shown>~<held ids>": the order it
// was given in, the keyset position reached, the burst the previous page ended on, and frames held back to keep
// bursts apart (shown first on the next page). A position is a value of one sort: another sort would read it as a
// value of its own (a capture time as a score) and skip or repeat photos, so it is refused.
#include "quality/gallery.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace triage::quality {
namespace {

struct Cursor {
  std::optional<double> value;
  int64_t id = 0;
  int64_t last_burst = 0;
  std::vector<int64_t> held;
};

bool ParseInt(const std::string& s, int64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::string OrderOf(const catalog::GalleryQuery& q) { return q.sort + (q.ascending ? ".asc" : ".desc"); }

base::Result<Cursor> ParseCursor(const std::string& text, const catalog::GalleryQuery& q) {
  Cursor c;
  if (text.empty()) return c;
  const auto bad = base::Status::InvalidArgument("cursor: not one this gallery gave (pass next_cursor unchanged)");
  std::vector<std::string> parts = Split(text, '~');
  if (parts.size() != 5) return bad;
  if (parts[0] != OrderOf(q)) {
    const size_t dot = parts[0].rfind('.');
    if (dot == std::string::npos || dot == 0) return bad;
    return base::Status::InvalidArgument(fmt::format(
        "cursor: it continues the gallery sorted by {} ({}), not by {} ({}); ask the first page again, without a "
        "cursor",
        parts[0].substr(0, dot), parts[0].substr(dot + 1) == "asc" ? "asc" : "desc", q.sort,
        q.ascending ? "asc" : "desc"));
  }
  char* end = nullptr;
  double value = std::strtod(parts[1].c_str(), &end);
  if (parts[1].empty() || *end != '\0' || !std::isfinite(value) || !ParseInt(parts[2], c.id) || c.id < 0 ||
      !ParseInt(parts[3], c.last_burst) || c.last_burst < 0) {
    return bad;  // also "nan", which compares with nothing and would end the gallery silently
  }
  c.value = value;
  for (const std::string& id : Split(parts[4], '.')) {
    int64_t v = 0;
    if (id.empty()) continue;
    if (!ParseInt(id, v)) return bad;
    c.held.push_back(v);
  }
  if (c.held.size() > 1000) return bad;
  return c;
}

std::string FormatCursor(const catalog::GalleryQuery& q, double value, int64_t id, int64_t last_burst,
                         const std::vector<int64_t>& held) {
  return fmt::format("{}~{:.17g}~{}~{}~{}", OrderOf(q), value, id, last_burst, fmt::join(held, "."));
}

int64_t BurstOf(const catalog::GalleryEntry& e) { return e.burst_id.value_or(0); }

}  // namespace

base::Result<GalleryPage> ListGallery(catalog::GalleryStore& store, const GalleryRequest& request) {
  auto cursor = ParseCursor(request.cursor, request.query);
  if (!cursor.ok()) return cursor.status();
  GalleryPage page;
  catalog::GalleryQuery q = request.query;
  q.after_value = cursor->value;
  q.after_id = cursor->id;
  if (request.cursor.empty()) {
    auto total = store.CountGallery(q);
    if (!total.ok()) return total.status();
    page.total = *total;
  }
  const bool spread = !request.keep_bursts_together && q.sort != "date" && !q.best_of_burst_only;
  const int limit = q.limit;
  if (spread) q.limit = std::min(1000, limit + 64);  // a look-ahead to find frames of other bursts
  auto window = store.Gallery(q);
  if (!window.ok()) return window.status();
  if (!spread) {
    page.items = std::move(*window);
    if (static_cast<int>(page.items.size()) == limit && limit > 0) {
      const auto& last = page.items.back();
      page.next_cursor = FormatCursor(q, last.sort_key, last.item.id, 0, {});
    }
    return page;
  }
  // The held frames come first: they sort before everything after the cursor.
  std::vector<catalog::GalleryEntry> pending;
  if (!cursor->held.empty()) {
    catalog::GalleryQuery held = request.query;
    held.ids = cursor->held;
    held.limit = static_cast<int>(std::min<size_t>(1000, cursor->held.size()));
    auto entries = store.Gallery(held);
    if (!entries.ok()) return entries.status();
    pending = std::move(*entries);
  }
  const size_t from_window = pending.size();
  const bool window_complete = static_cast<int>(window->size()) < q.limit;
  for (auto& e : *window) pending.push_back(std::move(e));
  // Greedy: the first pending entry that is not a frame of the burst just shown. When nothing else is within reach
  // (the list has ended, or a burst is longer than the look-ahead) the next frame follows anyway.
  std::vector<bool> taken(pending.size(), false);
  int64_t last_burst = cursor->last_burst;
  size_t scanned = from_window;  // pending[from_window .. scanned) are window entries reached
  while (static_cast<int>(page.items.size()) < limit) {
    size_t pick = pending.size(), first_free = pending.size();
    for (size_t i = 0; i < pending.size(); ++i) {
      if (taken[i]) continue;
      first_free = std::min(first_free, i);
      if (BurstOf(pending[i]) == 0 || BurstOf(pending[i]) != last_burst) {
        pick = i;
        break;
      }
    }
    if (pick == pending.size()) pick = first_free;
    if (pick == pending.size()) break;
    taken[pick] = true;
    last_burst = BurstOf(pending[pick]);
    scanned = std::max(scanned, pick + 1);
    page.items.push_back(pending[pick]);
  }
  std::vector<int64_t> held;
  for (size_t i = 0; i < scanned; ++i) {
    if (!taken[i]) held.push_back(pending[i].item.id);
  }
  const bool more = !held.empty() || scanned < pending.size() || !window_complete;
  if (more) {
    // The keyset position: the last window entry reached, or the old position when none was.
    if (scanned > from_window) {
      const auto& at = pending[scanned - 1];
      page.next_cursor = FormatCursor(q, at.sort_key, at.item.id, last_burst, held);
    } else if (cursor->value) {
      page.next_cursor = FormatCursor(q, *cursor->value, cursor->id, last_burst, held);
    } else {
      page.next_cursor = FormatCursor(q, q.ascending ? -1e300 : 1e300, q.ascending ? 0 : INT64_MAX, last_burst, held);
    }
  }
  return page;
}

}  // namespace triage::quality
