// Runs the `triage` binary as a user would, and makes test libraries and images.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace triage::e2e {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json Json() const { return nlohmann::json::parse(out); }
};

// Runs build/triage with `args` and the given extra environment ("KEY=VALUE"), in `cwd` when given (else this
// process's working directory); waits for it.
RunResult RunTriage(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                    const fs::path& cwd = {});
// RunTriage with `input` on its stdin (e.g. a password); nullopt: /dev/null.
RunResult RunTriageWithInput(const std::vector<std::string>& args, const std::optional<std::string>& input,
                             const std::vector<std::string>& env = {}, const fs::path& cwd = {});

// Starts build/triage in the background with the given extra environment ("KEY=VALUE"); returns its pid. Output goes
// to `log`.
pid_t Start(const std::vector<std::string>& args, const fs::path& log, const std::vector<std::string>& env = {});

// Waits until `log` contains `text` (e.g. the line "watching <dir>" `triage watch` prints once it is ready) or
// `timeout_ms` passes; returns whether it appeared.
bool WaitForLogLine(const fs::path& log, const std::string& text, int timeout_ms);

// Waits up to `timeout_ms` for process `pid` to exit; returns its wait status, or nullopt after killing it.
std::optional<int> WaitForExit(pid_t pid, int timeout_ms);

// A fresh temp folder, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& p) const { return path_ / p; }

 private:
  fs::path path_;
};

// Creates a library in `dir` (triage init, with `catalog_url` as its catalog when given) and applies `overrides`
// (merged into triage.json).
void InitLibrary(const fs::path& dir, const nlohmann::json& overrides = nlohmann::json::object(),
                 const std::string& catalog_url = "");

// Writes a distinct photo-like JPEG (smooth pattern seeded by `seed`) of the given size.
void WriteTestImage(const fs::path& path, int seed, int width = 640, int height = 480);
// Writes a near duplicate of `source`: scaled by `scale`, brightened by `brighten` (0.1 = +10%), re-encoded.
void WriteVariant(const fs::path& source, const fs::path& dest, double scale, double brighten);

// Every regular file under `dir`, relative to it, sorted.
std::vector<std::string> FilesUnder(const fs::path& dir);
std::string Slurp(const fs::path& path);
// Contents of each file under `dir`: content -> how many files hold it.
std::map<std::string, int> Contents(const fs::path& dir);
// How many files hold `content` in a Contents() map.
int CountOf(const std::map<std::string, int>& contents, const std::string& content);

// True when a journal intent is open in library `lib` (a step of commit/ is in flight); with `name_prefix`, only an
// entry whose file name starts with it counts (e.g. "group-": a group commit's entry).
bool HasOpenIntent(const fs::path& lib, const std::string& name_prefix = "");
// Kills `pid` `delay` after its first journal intent (whose name starts with `name_prefix`) appears (the step is then
// in flight: a move, a catalog transaction or the closing of the entry, depending on the delay), or when it exits
// without one.
void KillWhenJournalled(pid_t pid, const fs::path& lib, std::chrono::microseconds delay,
                        const std::string& name_prefix = "");

}  // namespace triage::e2e
