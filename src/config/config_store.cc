// Snapshot swapping and locked read-modify-write of triage.json.
#include "config/config_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "base/files.h"
#include "config/config_json.h"

namespace triage::config {

namespace fs = std::filesystem;
using nlohmann::json;

base::Result<std::unique_ptr<ConfigStore>> ConfigStore::Open(const fs::path& library) {
  std::unique_ptr<ConfigStore> store(new ConfigStore(fs::absolute(library).lexically_normal()));
  FileStamp stamp = store->Stamp();
  auto config = LoadConfig(store->library_);
  if (!config.ok()) return config.status();
  std::lock_guard lock(store->mu_);
  store->Swap(std::move(*config), stamp);
  return store;
}

ConfigStore::FileStamp ConfigStore::Stamp() const {
  struct stat st {};
  if (::stat((library_ / "triage.json").c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
          int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec, static_cast<int64_t>(st.st_size)};
}

void ConfigStore::Swap(Config config, const FileStamp& stamp) {
  config.version = next_version_++;
  current_ = std::make_shared<const Config>(std::move(config));
  stamp_ = stamp;
}

std::shared_ptr<const Config> ConfigStore::Current() {
  // The stamp is taken before reading, so a save racing with the read is seen again on the next call.
  FileStamp stamp = Stamp();
  std::lock_guard lock(mu_);
  if (stamp == stamp_ || stamp == FileStamp{}) return current_;
  auto config = LoadConfig(library_);
  if (!config.ok()) {
    reload_error_ = config.status().message();
    stamp_ = stamp;  // refused once; not parsed again until the file changes again
    if (on_refused_) on_refused_(reload_error_);
    return current_;
  }
  reload_error_.clear();
  Swap(std::move(*config), stamp);
  return current_;
}

std::string ConfigStore::last_reload_error() {
  std::lock_guard lock(mu_);
  return reload_error_;
}

base::Result<json> ConfigStore::ReadDocument() const {
  fs::path path = library_ / "triage.json";
  auto text = base::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseConfigJson(*text, path);
}

base::Result<Config> ConfigStore::Preview(const std::function<base::Status(json& doc)>& edit) {
  auto doc = ReadDocument();
  if (!doc.ok()) return doc.status();
  TRIAGE_RETURN_IF_ERROR(edit(*doc));
  return ConfigFromJson(library_, *doc);
}

base::Result<std::shared_ptr<const Config>> ConfigStore::Update(const std::function<base::Status(json& doc)>& edit) {
  auto file_lock = base::FileLock::Acquire(library_ / ".triage" / "config.lock");
  if (!file_lock.ok()) return file_lock.status();
  auto doc = ReadDocument();  // what is on disk now: another process's edit is kept
  if (!doc.ok()) return doc.status();
  TRIAGE_RETURN_IF_ERROR(edit(*doc));
  auto config = ConfigFromJson(library_, *doc);
  if (!config.ok()) return config.status();
  TRIAGE_RETURN_IF_ERROR(SaveConfigJson(library_, *doc));
  FileStamp stamp = Stamp();
  std::lock_guard lock(mu_);
  Swap(std::move(*config), stamp);
  reload_error_.clear();
  return current_;
}

}  // namespace triage::config
