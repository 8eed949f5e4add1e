// GET /api/review/export: the review queue (or a selection) as a CSV file.
#include <fmt/format.h>

#include <charconv>
#include <sstream>

#include "base/clock.h"
#include "model/decision.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

constexpr size_t kMaxExportIds = 10'000;

// A CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula.
std::string CsvField(std::string value) {
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) {
    value = "'" + value;
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

void AppendRow(std::string& csv, const model::ItemRecord& item) {
  std::string reason;
  for (const auto& r : item.reasons) reason += (reason.empty() ? "" : " ") + r.text;
  std::vector<std::string> fields = {std::to_string(item.id),
                                     std::filesystem::path(item.path).filename().string(),
                                     item.category,
                                     reason,
                                     item.person,
                                     std::to_string(item.fingerprint.size_bytes),
                                     fmt::format("{}x{}", item.info.width, item.info.height),
                                     item.source,
                                     base::IsoTime(item.created_at),
                                     item.duplicate_of ? std::to_string(*item.duplicate_of) : ""};
  for (size_t i = 0; i < fields.size(); ++i) csv += (i ? "," : "") + CsvField(fields[i]);
  csv += "\r\n";
}

base::Result<std::vector<int64_t>> ParseIds(const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec != std::errc() || end != part.data() + part.size() || id <= 0) {
      return base::Status::InvalidArgument(fmt::format("ids: \"{}\" is not an item id", part));
    }
    ids.push_back(id);
  }
  if (ids.size() > kMaxExportIds) return base::Status::InvalidArgument("at most 10000 ids per export");
  return ids;
}

// Every pending item of `category` ("" = all), in id order, read in pages.
base::Status AppendQueue(catalog::Catalog& catalog, const std::string& category, std::string& csv) {
  catalog::ItemFilter f;
  f.location = "review";
  if (!category.empty()) f.category = category;
  f.limit = 1000;
  for (;;) {
    auto page = catalog.ListItems(f);
    if (!page.ok()) return page.status();
    for (const auto& item : *page) AppendRow(csv, item);
    if (page->size() < static_cast<size_t>(f.limit)) return base::Status::Ok();
    f.after_id = page->back().id;
  }
}

}  // namespace

base::Status ExportReviewCsv(ServerState& state, Call& call) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"category", "ids"}));
  std::string category = call.Query("category");
  TRIAGE_RETURN_IF_ERROR(model::CheckReviewCategory(category));
  std::string csv =
      "id,file_name,category,reason,suggested_person,size_bytes,resolution,source,downloaded_at,"
      "duplicate_of\r\n";
  if (!call.Query("ids").empty()) {
    auto ids = ParseIds(call.Query("ids"));
    if (!ids.ok()) return ids.status();
    for (int64_t id : *ids) {
      auto item = state.ctx.catalog.GetItem(id);
      if (!item.ok()) return item.status();
      AppendRow(csv, *item);
    }
  } else {
    TRIAGE_RETURN_IF_ERROR(AppendQueue(state.ctx.catalog, category, csv));
  }
  auto& res = call.response();
  res.set_header("Content-Disposition", "attachment; filename=\"review-queue.csv\"");
  res.set_content(csv, "text/csv; charset=utf-8");
  return base::Status::Ok();
}

}  // namespace triage::server
