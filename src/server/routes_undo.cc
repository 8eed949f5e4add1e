// Undo tokens (POST /api/undo/{token}) and a person's reference faces (list with face boxes or pictures, remove one).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <string_view>

#include "base/clock.h"
#include "base/files.h"
#include "catalog/face_store.h"
#include "review/person_service.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

base::Status Undo(ServerState& state, Call& call) {
  const std::string token = call.PathParam(0);
  const bool may_undo_others = RoleAllows(call.principal().role, Permission::kUndoOthers);
  auto undone = state.ctx.undo.Undo(token, call.actor(), may_undo_others, base::UnixNow());
  state.review_counts.Invalidate();
  if (!undone.ok()) return undone.status();
  call.Reply({{"undone", true}, {"kind", undone->kind}, {"summary", undone->summary}, {"by", undone->actor}});
  return base::Status::Ok();
}

// Where a reference came from, as the API may show it: "item:12", "face:7", or the file name of a photo enrolled
// from outside the library, never its path on the server.
std::string SourceShown(const std::string& source) {
  if (source.rfind("item:", 0) == 0 || source.rfind("face:", 0) == 0) return source;
  return fs::path(source).filename().string();
}

base::Status ListReferences(ServerState& state, Call& call) {
  auto refs = state.ctx.persons.References(call.PathParam(0));
  if (!refs.ok()) return refs.status();
  json list = json::array();
  for (const auto& r : *refs) {
    json view = ReferenceFaceView(state, r);
    view.update({{"id", r.id}, {"source", SourceShown(r.source)}});
    list.push_back(std::move(view));
  }
  call.Reply({{"person", call.PathParam(0)}, {"references", list}});
  return base::Status::Ok();
}

// GET /api/references/{id}/crop: the face cut out of a reference photo enrolled from a file.
base::Status ReferenceCrop(ServerState& state, Call& call) {
  auto id = call.IdParam();
  if (!id.ok()) return id.status();
  auto refs = state.ctx.catalog.AllReferences();
  if (!refs.ok()) return refs.status();
  if (std::none_of(refs->begin(), refs->end(), [&](const auto& r) { return r.id == *id; })) {
    return base::Status::NotFound(fmt::format("no reference face {}", *id));
  }
  const fs::path crop = review::ReferenceCropPath(*state.ctx.config.Current(), *id);
  std::error_code ec;
  const auto written = fs::last_write_time(crop, ec);
  if (ec) return base::Status::NotFound(fmt::format("reference face {} has no picture", *id));
  auto& res = call.response();
  const std::string etag = fmt::format("\"ref-{}-{}\"", *id, written.time_since_epoch().count());
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "private, no-cache");
  if (call.request().get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return base::Status::Ok();
  }
  auto bytes = base::ReadFile(crop);
  if (!bytes.ok()) return bytes.status();
  res.set_content(std::move(*bytes), "image/jpeg");
  return base::Status::Ok();
}

base::Status RemoveReference(ServerState& state, Call& call) {
  auto id = call.IdParam(1);
  if (!id.ok()) return id.status();
  std::string undo;
  TRIAGE_RETURN_IF_ERROR(
      state.ctx.persons.RemoveReference(call.PathParam(0), *id, call.actor(), base::UnixNow(), &undo));
  call.Reply({{"removed", *id}, {"undo", undo}});
  return base::Status::Ok();
}

}  // namespace

json ReferenceFaceView(ServerState& state, const model::PersonReference& ref) {
  json out = {{"item", nullptr}, {"box", nullptr}};
  // A reference enrolled from a named cluster ("face:<id>") is that face, in its photo.
  constexpr std::string_view kFace = "face:";
  if (ref.source.rfind(kFace, 0) == 0) {
    int64_t face_id = 0;
    const char* end = ref.source.data() + ref.source.size();
    auto [last, ec] = std::from_chars(ref.source.data() + kFace.size(), end, face_id);
    if (ec != std::errc() || last != end || !state.ctx.faces) return out;
    auto face = state.ctx.faces->GetFace(face_id);
    if (!face.ok()) return out;
    auto item = state.ctx.catalog.GetItem(face->item_id);
    if (!item.ok()) return out;
    out["item"] = ItemView(*item);
    out["box"] = {{"x", face->box.x}, {"y", face->box.y}, {"w", face->box.width}, {"h", face->box.height}};
    return out;
  }
  const model::ReferenceOrigin origin = model::ParseReferenceSource(ref.source);
  if (origin.item_id == 0) {
    // Enrolled from a photo outside the library: the face cut out of it at enrolment, when there is one.
    std::error_code ec;
    if (fs::is_regular_file(review::ReferenceCropPath(*state.ctx.config.Current(), ref.id), ec)) {
      out["crop_url"] = fmt::format("/api/references/{}/crop", ref.id);
    }
    return out;
  }
  auto item = state.ctx.catalog.GetItem(origin.item_id);
  if (!item.ok()) return out;
  out["item"] = ItemView(*item);
  auto faces = state.ctx.catalog.FacesOf(origin.item_id);
  if (!faces.ok()) return out;
  // A face named in a group photo says which; an approval learns only from a single-face photo.
  const int face = origin.face_index >= 0 ? origin.face_index : (faces->size() == 1 ? 0 : -1);
  if (face >= 0 && face < static_cast<int>(faces->size())) {
    const auto& b = (*faces)[face].box;
    out["box"] = {{"x", b.x}, {"y", b.y}, {"w", b.width}, {"h", b.height}};
  }
  return out;
}

void AddUndoRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kPost, "/api/undo/{token}", Permission::kReview, [&state](Call& c) { return Undo(state, c); });
  router.Add(Method::kGet, "/api/persons/{name}/references", Permission::kView,
             [&state](Call& c) { return ListReferences(state, c); });
  router.Add(Method::kGet, "/api/references/{id}/crop", Permission::kView,
             [&state](Call& c) { return ReferenceCrop(state, c); });
  router.Add(Method::kPost, "/api/persons/{name}/references/{id}/remove", Permission::kManagePersons,
             [&state](Call& c) { return RemoveReference(state, c); });
}

}  // namespace triage::server
