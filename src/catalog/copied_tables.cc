// The tables `triage db copy` moves, column by column, in the order their references need; the ones it leaves behind.
#include <fmt/format.h>

#include "catalog/table_transfer.h"

namespace triage::catalog {
namespace {

constexpr ColumnKind I = ColumnKind::kInt;
constexpr ColumnKind R = ColumnKind::kReal;
constexpr ColumnKind T = ColumnKind::kText;
constexpr ColumnKind B = ColumnKind::kBytes;

TableSpec Items() {
  return {"items",
          {{"id", I},
           {"path", T},
           {"original_name", T},
           {"original_path", T},
           {"source", T},
           {"url", T},
           {"sha256", T},
           {"phash", I},
           {"size_bytes", I},
           {"width", I},
           {"height", I},
           {"format", T},
           {"taken_at", T},
           {"camera", T},
           {"location", T},
           {"category", T},
           {"person", T},
           {"duplicate_of", I},
           {"reasons", T},
           {"auto_sorted", I},
           {"faces_detected", I},
           {"sharpness", R},
           {"exposure", R},
           {"created_at", I},
           {"updated_at", I},
           {"phash_center", I},
           {"queue_rank", I},
           {"signature", B}}};
}

TableSpec Faces() {
  return {"faces", {{"id", I},         {"item_id", I},
                    {"x", R},          {"y", R},
                    {"w", R},          {"h", R},
                    {"score", R},      {"landmarks", T},
                    {"embedding", B},  {"person", T},
                    {"match_kind", T}, {"distance", R},
                    {"confidence", R}, {"eye_aspect_ratio", R},
                    {"named_as", T},   {"untracked", I},
                    {"cluster_id", I}, {"neighbours", I},
                    {"pinned", I},     {"core", I},
                    {"size_px", R}}};
}

TableSpec Proposals() {
  return {"proposals",
          {{"id", I},
           {"slot", T},
           {"current_item_id", I},
           {"proposed_item_id", I},
           {"reason", T},
           {"current_width", I},
           {"current_height", I},
           {"current_score", R},
           {"current_size", I},
           {"current_sharpness", R},
           {"proposed_width", I},
           {"proposed_height", I},
           {"proposed_score", R},
           {"proposed_size", I},
           {"proposed_sharpness", R},
           {"proposed_by", T},
           {"proposed_at", I},
           {"status", T},
           {"reviewed_by", T},
           {"reviewed_at", I},
           {"review_notes", T},
           {"applied_at", I},
           {"rule", T}}};
}

std::vector<TableSpec> ItemTables() {
  return {
      Items(),
      {"face_clusters", {{"id", I}, {"person", T}, {"hidden", I}, {"created_at", I}}},
      Faces(),
      {"face_rejections", {{"face_id", I}, {"person", T}, {"at", I}}, false, 2},
      {"analyses", {{"item_id", I}, {"version", I}, {"analysis", B}}, false},
      {"gallery_facts",
       {{"item_id", I},
        {"taken_at_ms", I},
        {"quality_category", T},
        {"aggregate", R},
        {"eyes_closed", I},
        {"lens", T},
        {"sharpness_score", R},
        {"composition_score", R}},
       false},
      {"dimension_scores", {{"item_id", I}, {"dimension", T}, {"score", R}}, false, 2},
      {"item_groups",
       {{"item_id", I},
        {"kind", T},
        {"group_id", I},
        {"is_lead", I},
        {"rank_score", R},
        {"relation", T},
        {"distance", I},
        {"why", T}},
       false,
       2},
  };
}

std::vector<TableSpec> ReviewTables() {
  return {
      {"persons", {{"id", I}, {"name", T}, {"created_at", I}, {"display_name", T}}},
      {"person_references", {{"id", I}, {"person_id", I}, {"embedding", B}, {"source", T}}},
      {"review_queue",
       {{"id", I},
        {"item_id", I},
        {"category", T},
        {"reason", T},
        {"reason_code", T},
        {"faces_detected", I},
        {"suggested_person", T},
        {"created_at", I},
        {"queued_at", I},
        {"reviewed_at", I},
        {"reviewed_by", T},
        {"action", T}}},
      {"audit",
       {{"id", I},
        {"at", I},
        {"actor", T},
        {"item_id", I},
        {"action", T},
        {"from_state", T},
        {"to_state", T},
        {"reason", T}}},
      {"applied_journal", {{"id", T}, {"item_id", I}, {"at", I}}, false},
      {"users", {{"id", I}, {"name", T}, {"role", T}, {"password_hash", T}, {"created_at", I}}},
      {"undo_tokens",
       {{"token", T},
        {"kind", T},
        {"actor", T},
        {"payload", T},
        {"summary", T},
        {"created_at", I},
        {"expires_at", I},
        {"used_at", I}},
       false},
      {"people_actions",
       {{"id", I}, {"at", I}, {"actor", T}, {"kind", T}, {"summary", T}, {"undo", T}, {"undone_at", I}}},
      Proposals(),
      {"votes", {{"item_id", I}, {"voter", T}, {"address", T}, {"value", I}, {"at", I}}, false, 2},
      {"flags", {{"item_id", I}, {"voter", T}, {"address", T}, {"reason", T}, {"details", T}, {"at", I}}, false, 2},
      {"public_items", {{"item_id", I}, {"marked_by", T}, {"marked_at", I}}, false},
      {"person_covers", {{"person", T}, {"item_id", I}, {"set_at", I}, {"set_by", T}}, false},
  };
}

}  // namespace

const std::vector<TableSpec>& CopiedTables() {
  static const std::vector<TableSpec> kTables = [] {
    std::vector<TableSpec> all = ItemTables();
    for (TableSpec& t : ReviewTables()) all.push_back(std::move(t));
    return all;
  }();
  return kTables;
}

const std::vector<SkippedTable>& NotCopiedTables() {
  static const std::vector<SkippedTable> kSkipped = {
      {"sessions", "sign-ins: everyone signs in again on the new catalog, so no session stays valid in two databases"},
      {"hash_log", "the target's own triggers write it as the items arrive"},
      {"group_state",
       "its cursor is a position in the source's hash log; without it the next grouping run rereads every item"},
      {"jobs, job_log, workers (PostgreSQL)",
       "work in flight and live workers belong to the running cluster; copy with the workers stopped and enqueue "
       "anew"},
      {"leases", "PostgreSQL advisory locks held by live connections, not rows"},
  };
  return kSkipped;
}

std::string PageSql(const TableSpec& table, bool after, const std::function<std::string(int)>& mark,
                    const std::string& text_order) {
  std::string keys;
  std::string marks;
  for (int k = 0; k < table.key_columns; ++k) {
    const ColumnSpec& c = table.columns[k];
    keys += fmt::format("{}{}{}", k ? ", " : "", c.name, c.kind == ColumnKind::kText ? text_order : "");
    marks += fmt::format("{}{}", k ? ", " : "", mark(k));
  }
  std::string where = after ? fmt::format("WHERE ({}) > ({}) ", keys, marks) : "";
  return fmt::format("SELECT {} FROM {} {}ORDER BY {} LIMIT {}", ColumnList(table), table.name, where, keys,
                     mark(after ? table.key_columns : 0));
}

}  // namespace triage::catalog
