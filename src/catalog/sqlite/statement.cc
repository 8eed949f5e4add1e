// sqlite3 statement wrapper.
#include "catalog/sqlite/statement.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <cstring>
#include <filesystem>

namespace triage::catalog::sqlite {

Statement::Statement(sqlite3* db, const char* sql) : db_(db) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }

Statement::Statement(sqlite3* db, Slot* slot) : db_(db), stmt_(slot->stmt), slot_(slot) { slot->leased = true; }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_), slot_(other.slot_) {
  other.stmt_ = nullptr;
  other.slot_ = nullptr;
}

Statement::~Statement() {
  if (slot_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  // Back to the cache: reset ends the statement's read of the database (an unfinished SELECT would keep its
  // snapshot open), and no value bound for this lease reaches the next.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  slot_->leased = false;
}

StatementCache::~StatementCache() {
  for (auto& [sql, slot] : slots_) sqlite3_finalize(slot->stmt);
}

Statement StatementCache::Get(const char* sql) {
  auto it = slots_.find(sql);
  if (it != slots_.end()) {
    if (it->second->leased) return Statement(db_, sql);
    return Statement(db_, it->second.get());
  }
  if (slots_.size() >= kMaxStatements) return Statement(db_, sql);
  auto slot = std::make_unique<Statement::Slot>();
  if (sqlite3_prepare_v2(db_, sql, -1, &slot->stmt, nullptr) != SQLITE_OK || slot->stmt == nullptr) {
    sqlite3_finalize(slot->stmt);
    return Statement(db_, sql);  // prepares (and fails) again, so that its Step reports the error
  }
  Statement::Slot* kept = slots_.emplace(sql, std::move(slot)).first->second.get();
  return Statement(db_, kept);
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, const void* data, size_t size) {
  sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool FileMoved(sqlite3* db) {
  int moved = 0;
  return sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0;
}

int RefuseCommitToAMovedFile(void* db) { return FileMoved(static_cast<sqlite3*>(db)) ? 1 : 0; }

namespace {

// SQLite's words for a failure, with what to do about the ones users meet at home: a library copied from another
// user's account, or on a share mounted read-only; a catalog file deleted or replaced under a running triage.
std::string Explained(sqlite3* db, int rc, const std::string& message) {
  const char* path = sqlite3_db_filename(db, "main");
  const std::string file = path != nullptr && *path != '\0' ? path : "the catalog";
  if (FileMoved(db)) {
    return fmt::format(
        "catalog: {} was deleted, moved or replaced while this triage was running, so this change was not "
        "recorded and nothing more will be written to the file it had open: start triage again",
        file);
  }
  // SQLite says "disk I/O error" where the write failed for want of space, and "database or disk is full": the file
  // system's free space tells which, and what to do.
  if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) {
    struct statvfs fs {};
    const std::string dir = std::filesystem::path(file).parent_path().string();
    if (!dir.empty() && ::statvfs(dir.c_str(), &fs) == 0 &&
        static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < uint64_t{4} << 20) {
      return fmt::format(
          "catalog: {} (the disk holding {} is full: {} KiB free; free some space and run the command again, "
          "nothing was lost)",
          message, file, static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize / 1024);
    }
  }
  if ((rc & 0xff) != SQLITE_READONLY) return "catalog: " + message;
  return fmt::format(
      "catalog: {} ({} cannot be written by this user: triage writes to the library's .triage folder also to list "
      "or show, since every command first finishes work a crash interrupted; check its owner and permissions, "
      "and that the library is not on a read-only mount)",
      message, file);
}

}  // namespace

base::Result<bool> Statement::Step() {
  if (stmt_ == nullptr) {
    return base::Status::Io(fmt::format("catalog: cannot prepare statement: {}", sqlite3_errmsg(db_)));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = Explained(db_, sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
  if (FileMoved(db_)) return base::Status::Unavailable(msg);
  if (rc == SQLITE_CONSTRAINT) return base::Status::AlreadyExists(msg);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return base::Status::Unavailable(msg);
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) return base::Status::Corrupt(msg);
  return base::Status::Io(msg);
}

base::Status Statement::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return base::Status::Ok();
  }
}

std::string Statement::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

std::vector<float> Statement::FloatBlob(int col) const {
  const void* blob = sqlite3_column_blob(stmt_, col);
  size_t bytes = static_cast<size_t>(sqlite3_column_bytes(stmt_, col));
  std::vector<float> out(bytes / sizeof(float));
  if (blob && !out.empty()) std::memcpy(out.data(), blob, out.size() * sizeof(float));
  return out;
}

std::vector<uint8_t> Statement::Bytes(int col) const {
  const auto* blob = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  size_t bytes = static_cast<size_t>(sqlite3_column_bytes(stmt_, col));
  return blob ? std::vector<uint8_t>(blob, blob + bytes) : std::vector<uint8_t>();
}

base::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    if (FileMoved(db)) return base::Status::Unavailable(Explained(db, rc, msg));
    return base::Status::Io(Explained(db, rc, msg));
  }
  return base::Status::Ok();
}

void Rollback(sqlite3* db) { sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); }

}  // namespace triage::catalog::sqlite
