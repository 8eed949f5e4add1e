// SQLite: bursts and duplicate groups (one item_groups row per member and kind) and what grouping reads.
#include <fmt/format.h>

#include <set>

#include "catalog/gallery_sql.h"
#include "catalog/sqlite/sqlite_gallery.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kCandidateSelect =
    "SELECT items.id, g.taken_at_ms, items.phash, items.sha256, g.aggregate, g.sharpness_score, g.composition_score, "
    "COALESCE(g.eyes_closed, 0), items.duplicate_of, CASE WHEN items.signature IS NULL THEN 0 ELSE 1 END, "
    "items.camera "
    "FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "WHERE " TRIAGE_GALLERY_LOCATIONS;

constexpr const char* kInsertMember =
    "INSERT INTO item_groups (item_id, kind, group_id, is_lead, rank_score, relation, distance, why) "
    "VALUES (?,?,?,?,?,?,?,?)";

std::string KindName(model::GroupKind kind) { return model::GroupKindName(kind); }

model::GroupCandidate ReadCandidate(const Statement& s) {
  model::GroupCandidate c;
  c.id = s.Int(0);
  if (!s.IsNull(1)) c.taken_at_ms = s.Int(1);
  c.has_phash = !s.IsNull(2);
  c.phash = static_cast<uint64_t>(s.Int(2));
  c.sha256 = s.Text(3);
  c.scored = !s.IsNull(4);
  c.aggregate = s.Real(4);
  c.sharpness = s.Real(5);
  c.composition = s.Real(6);
  c.eyes_closed = s.Int(7) != 0;
  if (!s.IsNull(8)) c.duplicate_of = s.Int(8);
  c.has_signature = s.Int(9) != 0;
  c.camera = s.Text(10);
  return c;
}

}  // namespace

base::Result<std::vector<model::GroupCandidate>> SqliteGalleryStore::Candidates(const std::string& where,
                                                                                const std::vector<int64_t>& args) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), (std::string(kCandidateSelect) + where).c_str());
  for (size_t i = 0; i < args.size(); ++i) s.Bind(static_cast<int>(i) + 1, args[i]);
  std::vector<model::GroupCandidate> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadCandidate(s));
  }
}

base::Result<std::vector<model::GroupCandidate>> SqliteGalleryStore::AllGroupCandidates() {
  return Candidates(" ORDER BY items.id", {});
}

base::Result<std::vector<model::GroupCandidate>> SqliteGalleryStore::GroupCandidatesTakenBetween(int64_t from_ms,
                                                                                                 int64_t to_ms) {
  return Candidates(" AND g.taken_at_ms BETWEEN ? AND ? ORDER BY g.taken_at_ms, items.id", {from_ms, to_ms});
}

base::Result<std::vector<model::GroupCandidate>> SqliteGalleryStore::GroupCandidatesByIds(
    const std::vector<int64_t>& ids) {
  std::vector<model::GroupCandidate> out;
  for (int64_t id : ids) {
    auto one = Candidates(" AND items.id = ?", {id});
    if (!one.ok()) return one.status();
    for (auto& c : *one) out.push_back(std::move(c));
  }
  return out;
}

base::Result<model::ItemGroup> SqliteGalleryStore::GroupUnlocked(model::GroupKind kind, int64_t group_id) {
  Statement s(catalog_.handle(),
              "SELECT item_id, is_lead, rank_score, relation, distance, why FROM item_groups "
              "WHERE kind = ? AND group_id = ? ORDER BY is_lead DESC, rank_score DESC, item_id");
  s.Bind(1, KindName(kind)).Bind(2, group_id);
  model::ItemGroup g;
  g.kind = kind;
  g.id = group_id;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    g.members.push_back({s.Int(0), s.Int(1) != 0, s.Real(2), s.Text(3), static_cast<int>(s.Int(4))});
    if (g.members.size() == 1) g.why = s.Text(5);
  }
  if (g.members.empty()) {
    return base::Status::NotFound(fmt::format("no {} group {}", model::GroupKindName(kind), group_id));
  }
  return g;
}

base::Result<model::ItemGroup> SqliteGalleryStore::GetGroup(model::GroupKind kind, int64_t group_id) {
  auto lock = catalog_.Lock();
  return GroupUnlocked(kind, group_id);
}

base::Result<std::vector<model::ItemGroup>> SqliteGalleryStore::GroupsContaining(model::GroupKind kind,
                                                                                 const std::vector<int64_t>& ids) {
  auto lock = catalog_.Lock();
  std::set<int64_t> group_ids;
  Statement s(catalog_.handle(), "SELECT group_id FROM item_groups WHERE item_id = ? AND kind = ?");
  for (int64_t id : ids) {
    s.Bind(1, id).Bind(2, KindName(kind));
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (*row) group_ids.insert(s.Int(0));
    s.Reset();
  }
  std::vector<model::ItemGroup> out;
  for (int64_t g : group_ids) {
    auto group = GroupUnlocked(kind, g);
    if (!group.ok()) return group.status();
    out.push_back(std::move(*group));
  }
  return out;
}

base::Status SqliteGalleryStore::ReplaceGroups(model::GroupKind kind, const std::vector<int64_t>& scope,
                                               bool everything, const std::vector<model::ItemGroup>& groups) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  TRIAGE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  base::Status written = [&]() -> base::Status {
    if (everything) {
      TRIAGE_RETURN_IF_ERROR(Statement(db, "DELETE FROM item_groups WHERE kind = ?").Bind(1, KindName(kind)).Run());
    } else {
      Statement del(db, "DELETE FROM item_groups WHERE item_id = ? AND kind = ?");
      for (int64_t id : scope) {
        TRIAGE_RETURN_IF_ERROR(del.Bind(1, id).Bind(2, KindName(kind)).Run());
        del.Reset();
      }
    }
    Statement ins(db, kInsertMember);
    for (const model::ItemGroup& g : groups) {
      for (const model::GroupMember& m : g.members) {
        ins.Bind(1, m.item_id).Bind(2, KindName(kind)).Bind(3, g.id).Bind(4, int64_t{m.lead}).Bind(5, m.rank_score);
        TRIAGE_RETURN_IF_ERROR(ins.Bind(6, m.relation).Bind(7, m.distance).Bind(8, g.why).Run());
        ins.Reset();
      }
    }
    return base::Status::Ok();
  }();
  if (!written.ok()) {
    Rollback(db);
    return written;
  }
  return Exec(db, "COMMIT");
}

base::Result<std::vector<model::ItemGroup>> SqliteGalleryStore::ListGroups(model::GroupKind kind, int64_t after_group,
                                                                           int limit) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "SELECT DISTINCT group_id FROM item_groups WHERE kind = ? AND group_id > ? ORDER BY group_id LIMIT ?");
  s.Bind(1, KindName(kind)).Bind(2, after_group).Bind(3, limit);
  std::vector<int64_t> ids;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ids.push_back(s.Int(0));
  }
  std::vector<model::ItemGroup> out;
  for (int64_t id : ids) {
    auto g = GroupUnlocked(kind, id);
    if (!g.ok()) return g.status();
    out.push_back(std::move(*g));
  }
  return out;
}

base::Result<GroupState> SqliteGalleryStore::GetGroupState() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "SELECT cursor, rules FROM group_state WHERE id = 1");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return GroupState{};
  return GroupState{s.Int(0), s.Text(1)};
}

base::Status SqliteGalleryStore::SetGroupState(const GroupState& state) {
  auto lock = catalog_.Lock();
  return Statement(catalog_.handle(), "INSERT OR REPLACE INTO group_state (id, cursor, rules) VALUES (1, ?, ?)")
      .Bind(1, state.cursor)
      .Bind(2, state.rules)
      .Run();
}

}  // namespace triage::catalog::sqlite
