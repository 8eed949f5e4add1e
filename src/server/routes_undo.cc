// Undo tokens (POST /api/undo/{token}) and a person's reference faces (list with face boxes, remove one).
#include <fmt/format.h>

#include <charconv>

#include "base/clock.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

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

// The catalog item a reference face was learnt from ("item:<id>"), or 0.
int64_t SourceItem(const std::string& source) {
  int64_t id = 0;
  if (source.rfind("item:", 0) != 0) return 0;
  auto [end, ec] = std::from_chars(source.data() + 5, source.data() + source.size(), id);
  return ec == std::errc() && end == source.data() + source.size() ? id : 0;
}

// One reference face: where it came from and, for one learnt from an item, that item and the box of the face in it
// (the item's only face, as approvals learn only from single-face photos), so that the page can show the crop.
json ReferenceView(ServerState& state, const model::PersonReference& ref) {
  json out = {{"id", ref.id}, {"source", ref.source}, {"item", nullptr}, {"box", nullptr}};
  const int64_t item_id = SourceItem(ref.source);
  if (item_id == 0) return out;
  auto item = state.ctx.catalog.GetItem(item_id);
  if (!item.ok()) return out;
  out["item"] = ItemView(*item);
  auto faces = state.ctx.catalog.FacesOf(item_id);
  if (faces.ok() && faces->size() == 1) {
    const auto& b = faces->front().box;
    out["box"] = {{"x", b.x}, {"y", b.y}, {"w", b.width}, {"h", b.height}};
  }
  return out;
}

base::Status ListReferences(ServerState& state, Call& call) {
  auto refs = state.ctx.persons.References(call.PathParam(0));
  if (!refs.ok()) return refs.status();
  json list = json::array();
  for (const auto& r : *refs) list.push_back(ReferenceView(state, r));
  call.Reply({{"person", call.PathParam(0)}, {"references", list}});
  return base::Status::Ok();
}

base::Status RemoveReference(ServerState& state, Call& call) {
  auto id = call.IdParam(1);
  if (!id.ok()) return id.status();
  std::string undo;
  TRIAGE_RETURN_IF_ERROR(state.ctx.persons.RemoveReference(call.PathParam(0), *id, call.actor(), base::UnixNow(), &undo));
  call.Reply({{"removed", *id}, {"undo", undo}});
  return base::Status::Ok();
}

}  // namespace

void AddUndoRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kPost, "/api/undo/{token}", Permission::kReview, [&state](Call& c) { return Undo(state, c); });
  router.Add(Method::kGet, "/api/persons/{name}/references", Permission::kView,
             [&state](Call& c) { return ListReferences(state, c); });
  router.Add(Method::kPost, "/api/persons/{name}/references/{id}/remove", Permission::kManagePersons,
             [&state](Call& c) { return RemoveReference(state, c); });
}

}  // namespace triage::server
