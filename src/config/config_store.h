// The one source of the library's configuration at run time: an immutable snapshot, swapped atomically, and one
// writer path that re-reads and locks triage.json so that the CLI and a running server never undo each other's edits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/status.h"
#include "config/config.h"

namespace triage::config {

// Thread-safe. Readers take Current() once per call (a batch, a request) and use that snapshot throughout, so one
// decision never mixes two configurations. Components that derive state from the config (detector options, index
// distances, download limits) compare `Config::version` with what they built from and rebuild when it changed.
class ConfigStore {
 public:
  // Reads and validates DIR/triage.json (errors as LoadConfig).
  static base::Result<std::unique_ptr<ConfigStore>> Open(const std::filesystem::path& library);
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // The current snapshot. When triage.json changed on disk since it was read (another process saved it), it is
  // read again; an edit by hand that does not validate keeps the previous snapshot and is reported once in
  // last_reload_error(). Never null.
  std::shared_ptr<const Config> Current();

  // Applies `edit` to the document as it is on disk now, under an exclusive lock on .triage/config.lock held from
  // the read to the write: validated exactly like LoadConfig, written durably, swapped in. Returns the new snapshot;
  // kInvalidArgument (with the validator's message) leaves file and snapshot unchanged; an error from `edit` is
  // returned as it is.
  base::Result<std::shared_ptr<const Config>> Update(const std::function<base::Status(nlohmann::json& doc)>& edit);

  // The config that `edit` would give, without writing or swapping anything (policy simulation, previews).
  base::Result<Config> Preview(const std::function<base::Status(nlohmann::json& doc)>& edit);

  // Why the last re-read of a changed triage.json was refused ("" when it was not).
  std::string last_reload_error();

  // Called once for each changed triage.json that is refused (with why), so that a long-running process (serve,
  // watch) says that an edit by hand was not taken. Called with the store's lock held: it must not call back into it.
  void OnReloadRefused(std::function<void(const std::string&)> fn) {
    std::lock_guard lock(mu_);
    on_refused_ = std::move(fn);
  }

  const std::filesystem::path& library() const { return library_; }

 private:
  // What identifies a version of triage.json on disk: a save replaces the file (new inode) and changes mtime.
  struct FileStamp {
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    bool operator==(const FileStamp&) const = default;
  };
  explicit ConfigStore(std::filesystem::path library) : library_(std::move(library)) {}
  FileStamp Stamp() const;
  base::Result<nlohmann::json> ReadDocument() const;
  void Swap(Config config, const FileStamp& stamp);  // REQUIRES: mu_ held

  const std::filesystem::path library_;
  std::mutex mu_;
  std::shared_ptr<const Config> current_;
  FileStamp stamp_;
  uint64_t next_version_ = 1;
  std::string reload_error_;
  std::function<void(const std::string&)> on_refused_;
};

}  // namespace triage::config
