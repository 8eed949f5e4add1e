// Journal sessions: a locked folder of intent files per process.
#include "commit/journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/ids.h"

namespace triage::commit {

base::Result<std::unique_ptr<Journal>> Journal::Open(const fs::path& state_dir, const std::string& host) {
  std::string session = base::RandomId().substr(0, 16);
  const fs::path journals = host.empty() ? state_dir / "journal" : state_dir / "journal" / host;
  fs::path dir = journals / session;
  fs::path staging = (host.empty() ? state_dir / "staging" : state_dir / "staging" / host) / session;
  // The session is built under a hidden name and locked before it becomes visible, so a concurrent
  // recovery never mistakes a starting session for a dead one.
  fs::path building = journals / ("." + session);
  std::error_code ec;
  fs::create_directories(building, ec);
  if (!ec) fs::create_directories(staging, ec);
  if (ec)
    return base::Status::Io(fmt::format("cannot create journal session in {}: {}", state_dir.string(), ec.message()));
  fs::path lock = building / "LOCK";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (fd >= 0) ::close(fd);
    return base::Status::Io(fmt::format("cannot lock journal session {}", lock.string()));
  }
  // The library the session's absolute paths are in: a library copied or moved with an interrupted run in its
  // journal is told from the one it names (commit::Recover).
  const std::string library = fs::weakly_canonical(state_dir.parent_path(), ec).string() + "\n";
  if (::write(fd, library.data(), library.size()) != static_cast<ssize_t>(library.size()) || ::fdatasync(fd) != 0) {
    ::close(fd);
    return base::Status::Io(fmt::format("cannot write journal session {}: {}", lock.string(), std::strerror(errno)));
  }
  fs::rename(building, dir, ec);
  if (ec) {
    ::close(fd);
    return base::Status::Io(fmt::format("cannot open journal session {}: {}", dir.string(), ec.message()));
  }
  TRIAGE_RETURN_IF_ERROR(base::SyncDirectory(journals));
  return std::unique_ptr<Journal>(new Journal(session, dir, staging, fd));
}

Journal::~Journal() {
  // A clean exit leaves nothing to recover: drop the (empty) session folders, then the lock.
  std::error_code ec;
  bool empty = true;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().filename() != "LOCK") empty = false;
  }
  if (empty) {
    fs::remove_all(staging_dir_, ec);
    fs::remove_all(dir_, ec);
  }
  ::close(lock_fd_);
}

base::Status Journal::Record(const Intent& intent) {
  return base::WriteFileDurably(dir_ / (intent.id + ".json"), EncodeIntent(intent));
}

base::Status Journal::RecordGroup(const std::string& id, const std::vector<Intent>& intents) {
  return base::WriteFileDurably(dir_ / (id + ".json"), EncodeGroup(intents));
}

base::Status Journal::RecordShared(const std::string& id, const std::vector<Intent>& intents, size_t uses) {
  if (uses == 0) return base::Status::Ok();
  TRIAGE_RETURN_IF_ERROR(RecordGroup(id, intents));
  std::lock_guard<std::mutex> hold(shared_mu_);
  shared_uses_[id] = uses;
  return base::Status::Ok();
}

base::Status Journal::DoneAll(const std::vector<std::string>& ids) {
  std::vector<std::string> ended;
  {
    std::lock_guard<std::mutex> hold(shared_mu_);
    for (const std::string& id : ids) {
      auto shared = shared_uses_.find(id);
      if (shared != shared_uses_.end()) {
        if (--shared->second > 0) continue;  // other steps still need it
        shared_uses_.erase(shared);
      }
      ended.push_back(id);
    }
  }
  if (ended.empty()) return base::Status::Ok();
  for (const std::string& id : ended) {
    std::error_code ec;
    fs::remove(dir_ / (id + ".json"), ec);
    if (ec) return base::Status::Io(fmt::format("cannot remove journal entry {}: {}", id, ec.message()));
  }
  return base::Status::Ok();
}

}  // namespace triage::commit
