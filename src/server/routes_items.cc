// Items: list with filters, one item, its thumbnail (cached, ETag) and its original file.
#include <fmt/format.h>

#include "base/files.h"
#include "model/decision.h"
#include "model/json.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

base::Status ListItems(ServerState& state, Call& call) {
  TRIAGE_RETURN_IF_ERROR(call.OnlyQueries({"location", "category", "person", "source", "page", "per_page", "sort"}));
  catalog::ItemFilter f;
  std::string location = call.Query("location");
  if (!location.empty() && location != "library" && location != "review" && location != "trash" &&
      location != "archive") {
    return base::Status::InvalidArgument(
        "query parameter location: must be library, review, trash or archive (images an approved proposal replaced)");
  }
  if (!location.empty()) f.location = location;
  // An unknown category or person would list nothing, as a known one without items does: refused, as the queue, the
  // gallery and the CLI do.
  TRIAGE_RETURN_IF_ERROR(model::CheckReviewCategory(call.Query("category")));
  if (!call.Query("category").empty()) f.category = call.Query("category");
  if (!call.Query("person").empty()) {
    auto person = KnownPersonQuery(state, call.Query("person"));
    if (!person.ok()) return person.status();
    f.person = *person;
  }
  if (!call.Query("source").empty()) f.source = call.Query("source");
  auto page = call.IntQuery("page", 1, 1, 1'000'000);
  if (!page.ok()) return page.status();
  auto per_page = call.IntQuery("per_page", 50, 1, 200);
  if (!per_page.ok()) return per_page.status();
  std::string sort = call.Query("sort").empty() ? "newest" : call.Query("sort");
  if (sort != "oldest" && sort != "newest" && sort != "changed") {
    return base::Status::InvalidArgument(
        "query parameter sort: must be oldest, newest or changed (the latest change first: the trash as its photos "
        "were deleted)");
  }
  f.newest_first = sort == "newest";
  f.by_change = sort == "changed";
  f.limit = static_cast<int>(*per_page);
  f.offset = static_cast<int>((*page - 1) * *per_page);
  auto items = state.ctx.catalog.ListItems(f);
  if (!items.ok()) return items.status();
  auto total = state.ctx.catalog.CountItems(f);
  if (!total.ok()) return total.status();
  json list = json::array();
  for (const auto& item : *items) {
    json view = ItemView(item);
    // In the trash: who put it there, and whether this caller may delete it for good (Delete now is offered only
    // where it is allowed, rather than refused after its "cannot be undone" question).
    if (item.location == "trash") {
      std::string trashed_by;
      view["may_purge"] = MayPurge(state, call, item.id, &trashed_by).ok();
      view["trashed_by"] = trashed_by.empty() ? json(nullptr) : json(trashed_by);
    }
    list.push_back(std::move(view));
  }
  json reply = {{"page", *page}, {"per_page", *per_page}, {"total", *total}, {"sort", sort}};
  reply["items"] = std::move(list);  // moved, not copied
  call.Reply(reply);
  return base::Status::Ok();
}

base::Status GetItem(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  auto faces = state.ctx.catalog.FacesOf(*id);
  if (!faces.ok()) return faces.status();
  auto audit = state.ctx.catalog.ListAudit(*id, "", 100, 0);
  if (!audit.ok()) return audit.status();
  call.Reply({{"item", ItemView(*item)}, {"faces", *faces}, {"audit", *audit}});
  return base::Status::Ok();
}

// The item's file on disk. Catalog paths are relative to the library; anything else is refused.
base::Result<fs::path> FileOf(const ServerState& state, const model::ItemRecord& item) {
  fs::path rel = fs::path(item.path).lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") {
    return base::Status::Corrupt(fmt::format("item {} has a path outside the library", item.id));
  }
  fs::path file = state.ctx.config.library() / rel;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return base::Status::NotFound(fmt::format("the file of item {} is missing ({})", item.id, item.path));
  }
  // triage never makes links: one put in a library folder (or a folder replaced by one) could point anywhere the
  // server may read, and is not served.
  const fs::path real = fs::canonical(file, ec);
  const fs::path root = fs::canonical(state.ctx.config.library(), ec);
  const fs::path inside = real.lexically_relative(root);
  if (ec || fs::is_symlink(fs::symlink_status(file, ec)) || inside.empty() || *inside.begin() == "..") {
    return base::Status::Conflict(fmt::format(
        "the file of item {} ({}) is a symbolic link or lies behind one; links are not served", item.id, item.path));
  }
  return file;
}

base::Status Thumbnail(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  return SendThumbnail(state, call, *item);
}

}  // namespace

// The thumbnail file of `item` at `size_px`, made now if missing.
base::Result<fs::path> ThumbnailOf(ServerState& state, const model::ItemRecord& item, int size_px) {
  auto file = FileOf(state, item);
  if (!file.ok()) return file.status();
  return state.thumbs.Get(item, *file, size_px, state.ctx.config.Current()->analysis.max_pixels);
}

base::Status SendThumbnail(ServerState& state, Call& call, const model::ItemRecord& item) {
  // One answer for every wrong size, a word or a number not offered: the sizes there are.
  auto size = call.IntQuery("size", 320, 1, 100000);
  const bool empty = call.request().has_param("size") && call.Query("size").empty();  // "?size=" is no size
  if (empty || !size.ok() || !ThumbnailCache::IsOfferedSize(static_cast<int>(*size))) {
    return base::Status::InvalidArgument(
        fmt::format("query parameter size: must be 160, 320, 640 or 1280 (got \"{}\")", call.Query("size")));
  }
  const int size_px = static_cast<int>(*size);
  const std::string etag = ThumbnailCache::ETag(item, size_px);
  auto& res = call.response();
  // Only a thumbnail is cacheable: an error (a file moved or missing this moment) must not stick in the browser.
  auto cacheable = [&] {
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "private, max-age=86400");
  };
  if (call.request().get_header_value("If-None-Match") == etag) {
    cacheable();
    res.status = 304;
    return base::Status::Ok();
  }
  auto thumb = ThumbnailOf(state, item, size_px);
  if (!thumb.ok()) {
    // A decision may have moved the file after `item` was read: then the thumbnail is made from where it is now.
    auto now = state.ctx.catalog.GetItem(item.id);
    if (now.ok() && now->path != item.path) thumb = ThumbnailOf(state, *now, size_px);
  }
  base::Result<std::string> bytes = thumb.ok() ? base::ReadFile(*thumb) : base::Result<std::string>(thumb.status());
  if (!bytes.ok()) {
    res.set_header("Cache-Control", "no-store");
    return bytes.status();
  }
  cacheable();
  res.set_content(std::move(*bytes), "image/jpeg");
  return base::Status::Ok();
}

namespace {

std::string MimeOf(const std::string& format) {
  if (format == "jpeg") return "image/jpeg";
  if (format == "png") return "image/png";
  if (format == "gif") return "image/gif";
  if (format == "webp") return "image/webp";
  if (format == "tiff") return "image/tiff";
  if (format == "heif") return "image/heif";
  return "application/octet-stream";
}

base::Status Original(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto item = state.ctx.catalog.GetItem(*id);
  if (!item.ok()) return item.status();
  auto file = FileOf(state, *item);
  if (!file.ok()) return file.status();
  auto bytes = base::ReadFile(*file);
  if (!bytes.ok()) return bytes.status();
  auto& res = call.response();
  res.set_header("Cache-Control", "private, max-age=3600");
  res.set_header("ETag", fmt::format("\"{}\"", item->fingerprint.sha256));
  res.set_header("Content-Disposition", ContentDisposition(file->filename().string()));
  res.set_content(std::move(*bytes), MimeOf(item->info.format));
  return base::Status::Ok();
}

}  // namespace

void AddItemRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/items", Permission::kView, [&state](Call& c) { return ListItems(state, c); });
  router.Add(Method::kGet, "/api/items/{id}", Permission::kView, [&state](Call& c) { return GetItem(state, c); });
  router.Add(Method::kGet, "/api/items/{id}/thumbnail", Permission::kView,
             [&state](Call& c) { return Thumbnail(state, c); });
  router.Add(Method::kGet, "/api/items/{id}/original", Permission::kView,
             [&state](Call& c) { return Original(state, c); });
}

}  // namespace triage::server
