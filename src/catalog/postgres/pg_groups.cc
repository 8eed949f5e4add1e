// PostgreSQL: bursts and duplicate groups (one item_groups row per member and kind) and what grouping reads.
#include <fmt/format.h>

#include "catalog/gallery_sql.h"
#include "catalog/postgres/pg_gallery.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kCandidateSelect =
    "SELECT items.id, g.taken_at_ms, items.phash, items.sha256, g.aggregate, g.sharpness_score, g.composition_score, "
    "COALESCE(g.eyes_closed, 0), items.duplicate_of, CASE WHEN items.signature IS NULL THEN 0 ELSE 1 END, "
    "items.camera "
    "FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "WHERE " TRIAGE_GALLERY_LOCATIONS;

constexpr const char* kGroupMembers =
    "SELECT item_id, is_lead, rank_score, relation, distance, why FROM item_groups "
    "WHERE kind = $1 AND group_id = $2 ORDER BY is_lead DESC, rank_score DESC, item_id";

constexpr const char* kGroupIdsOf =
    "SELECT DISTINCT group_id FROM item_groups WHERE item_id = ANY($1::bigint[]) AND kind = $2 ORDER BY group_id";

constexpr const char* kDeleteKind = "DELETE FROM item_groups WHERE kind = $1";
constexpr const char* kDeleteMembers = "DELETE FROM item_groups WHERE item_id = ANY($1::bigint[]) AND kind = $2";

constexpr const char* kInsertMember =
    "INSERT INTO item_groups (item_id, kind, group_id, is_lead, rank_score, relation, distance, why) "
    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8)";

constexpr const char* kListGroupIds =
    "SELECT DISTINCT group_id FROM item_groups WHERE kind = $1 AND group_id > $2 ORDER BY group_id LIMIT $3";

constexpr const char* kGetGroupState = "SELECT cursor, rules FROM group_state WHERE id = 1";
constexpr const char* kSetGroupState =
    "INSERT INTO group_state (id, cursor, rules) VALUES (1, $1, $2) "
    "ON CONFLICT (id) DO UPDATE SET cursor = EXCLUDED.cursor, rules = EXCLUDED.rules";

std::string KindName(model::GroupKind kind) { return model::GroupKindName(kind); }

// A bigint[] literal ("{1,2,3}") for = ANY($n::bigint[]).
std::string IdArray(const std::vector<int64_t>& ids) { return fmt::format("{{{}}}", fmt::join(ids, ",")); }

model::GroupCandidate ReadCandidate(const Rows& r, int i) {
  model::GroupCandidate c;
  c.id = r.Int(i, 0);
  if (!r.IsNull(i, 1)) c.taken_at_ms = r.Int(i, 1);
  c.has_phash = !r.IsNull(i, 2);
  c.phash = static_cast<uint64_t>(r.Int(i, 2));
  c.sha256 = r.Text(i, 3);
  c.scored = !r.IsNull(i, 4);
  c.aggregate = r.Real(i, 4);
  c.sharpness = r.Real(i, 5);
  c.composition = r.Real(i, 6);
  c.eyes_closed = r.Int(i, 7) != 0;
  if (!r.IsNull(i, 8)) c.duplicate_of = r.Int(i, 8);
  c.has_signature = r.Int(i, 9) != 0;
  c.camera = r.Text(i, 10);
  return c;
}

}  // namespace

base::Result<std::vector<model::GroupCandidate>> PgGalleryStore::Candidates(const std::string& where,
                                                                            const Params& params) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(std::string(kCandidateSelect) + where, params);
  if (!r.ok()) return r.status();
  std::vector<model::GroupCandidate> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadCandidate(*r, i));
  return out;
}

base::Result<std::vector<model::GroupCandidate>> PgGalleryStore::AllGroupCandidates() {
  return Candidates(" ORDER BY items.id", {});
}

base::Result<std::vector<model::GroupCandidate>> PgGalleryStore::GroupCandidatesTakenBetween(int64_t from_ms,
                                                                                             int64_t to_ms) {
  return Candidates(" AND g.taken_at_ms BETWEEN $1 AND $2 ORDER BY g.taken_at_ms, items.id",
                    Params().Add(from_ms).Add(to_ms));
}

base::Result<std::vector<model::GroupCandidate>> PgGalleryStore::GroupCandidatesByIds(const std::vector<int64_t>& ids) {
  // In the order asked, as the SQLite catalog gives them.
  return Candidates(" AND items.id = ANY($1::bigint[]) ORDER BY array_position($1::bigint[], items.id)",
                    Params().Add(IdArray(ids)));
}

base::Result<model::ItemGroup> PgGalleryStore::GroupUnlocked(model::GroupKind kind, int64_t group_id) {
  auto r = catalog_.connection().Query(kGroupMembers, Params().Add(KindName(kind)).Add(group_id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no {} group {}", model::GroupKindName(kind), group_id));
  model::ItemGroup g;
  g.kind = kind;
  g.id = group_id;
  g.why = r->Text(0, 5);
  for (int i = 0; i < r->size(); ++i) {
    g.members.push_back(
        {r->Int(i, 0), r->Int(i, 1) != 0, r->Real(i, 2), r->Text(i, 3), static_cast<int>(r->Int(i, 4))});
  }
  return g;
}

base::Result<model::ItemGroup> PgGalleryStore::GetGroup(model::GroupKind kind, int64_t group_id) {
  auto lock = catalog_.Lock();
  return GroupUnlocked(kind, group_id);
}

base::Result<std::vector<model::ItemGroup>> PgGalleryStore::GroupsContaining(model::GroupKind kind,
                                                                             const std::vector<int64_t>& ids) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kGroupIdsOf, Params().Add(IdArray(ids)).Add(KindName(kind)));
  if (!r.ok()) return r.status();
  std::vector<model::ItemGroup> out;
  for (int i = 0; i < r->size(); ++i) {
    auto group = GroupUnlocked(kind, r->Int(i, 0));
    if (!group.ok()) return group.status();
    out.push_back(std::move(*group));
  }
  return out;
}

base::Status PgGalleryStore::ReplaceGroups(model::GroupKind kind, const std::vector<int64_t>& scope, bool everything,
                                           const std::vector<model::ItemGroup>& groups) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(
             conn,
             [&]() -> base::Result<int64_t> {
               if (everything)
                 TRIAGE_RETURN_IF_ERROR(conn.Run(kDeleteKind, Params().Add(KindName(kind))));
               else
                 TRIAGE_RETURN_IF_ERROR(conn.Run(kDeleteMembers, Params().Add(IdArray(scope)).Add(KindName(kind))));
               for (const model::ItemGroup& g : groups) {
                 for (const model::GroupMember& m : g.members) {
                   Params p;
                   p.Add(m.item_id).Add(KindName(kind)).Add(g.id).Add(int64_t{m.lead}).Add(m.rank_score);
                   TRIAGE_RETURN_IF_ERROR(conn.Run(kInsertMember, p.Add(m.relation).Add(m.distance).Add(g.why)));
                 }
               }
               return int64_t{0};
             })
      .status();
}

base::Result<std::vector<model::ItemGroup>> PgGalleryStore::ListGroups(model::GroupKind kind, int64_t after_group,
                                                                       int limit) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kListGroupIds, Params().Add(KindName(kind)).Add(after_group).Add(limit));
  if (!r.ok()) return r.status();
  std::vector<model::ItemGroup> out;
  for (int i = 0; i < r->size(); ++i) {
    auto g = GroupUnlocked(kind, r->Int(i, 0));
    if (!g.ok()) return g.status();
    out.push_back(std::move(*g));
  }
  return out;
}

base::Result<GroupState> PgGalleryStore::GetGroupState() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kGetGroupState);
  if (!r.ok()) return r.status();
  if (r->empty()) return GroupState{};
  return GroupState{r->Int(0, 0), r->Text(0, 1)};
}

base::Status PgGalleryStore::SetGroupState(const GroupState& state) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kSetGroupState, Params().Add(state.cursor).Add(state.rules));
}

}  // namespace triage::catalog::postgres
