// Process and fixture helpers for the whole-program tests.
#include "tests/e2e/triage_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vips/vips8>

extern char** environ;

namespace triage::e2e {

namespace {

std::vector<char*> Argv(const std::vector<std::string>& args, std::vector<std::string>& storage) {
  storage.clear();
  storage.push_back(TRIAGE_BINARY_DIR "/triage");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

std::vector<char*> Envp(const std::vector<std::string>& extra, std::vector<std::string>& storage) {
  storage.clear();
  for (char** e = environ; *e; ++e) storage.emplace_back(*e);
  storage.insert(storage.end(), extra.begin(), extra.end());
  std::vector<char*> envp;
  for (auto& s : storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  return envp;
}

}  // namespace

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult RunTriage(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& cwd) {
  return RunTriageWithInput(args, std::nullopt, env, cwd);
}

RunResult RunTriageWithInput(const std::vector<std::string>& args, const std::optional<std::string>& input,
                             const std::vector<std::string>& env, const fs::path& cwd) {
  static int counter = 0;
  fs::path base =
      fs::temp_directory_path() / ("triage_run_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string out_path = base.string() + ".out", err_path = base.string() + ".err", in_path = "/dev/null";
  if (input) {
    in_path = base.string() + ".in";
    std::ofstream(in_path, std::ios::binary) << *input;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<std::string> arg_storage, env_storage;
  auto argv = Argv(args, arg_storage);
  auto envp = Envp(env, env_storage);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    throw std::runtime_error("cannot start triage");
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  fs::remove(out_path);
  fs::remove(err_path);
  if (input) fs::remove(in_path);
  return r;
}

pid_t Start(const std::vector<std::string>& args, const fs::path& log, const std::vector<std::string>& env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> arg_storage, env_storage;
  auto argv = Argv(args, arg_storage);
  auto envp = Envp(env, env_storage);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    throw std::runtime_error("cannot start triage");
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

bool WaitForLogLine(const fs::path& log, const std::string& text, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Slurp(log).find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::optional<int> WaitForExit(pid_t pid, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status;
}

TempDir::TempDir(const std::string& tag) {
  static int counter = 0;
  path_ = fs::temp_directory_path() /
          ("triage_e2e_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void InitLibrary(const fs::path& dir, const nlohmann::json& overrides, const std::string& catalog_url) {
  std::vector<std::string> args = {"init", "--library", dir.string()};
  if (!catalog_url.empty()) args.insert(args.end(), {"--catalog", catalog_url});
  RunResult r = RunTriage(args);
  if (r.exit_code != 0) throw std::runtime_error("init failed: " + r.err);
  nlohmann::json doc = nlohmann::json::parse(Slurp(dir / "triage.json"));
  doc.merge_patch(overrides);
  std::ofstream(dir / "triage.json") << doc.dump(2);
}

void WriteTestImage(const fs::path& path, int seed, int width, int height) {
  static bool init = [] { return VIPS_INIT("e2e") == 0; }();
  (void)init;
  using vips::VImage;
  double h1 = 0.5 + (seed * 37 % 23) / 7.0, v1 = 0.5 + (seed * 53 % 19) / 6.0;
  double h2 = 0.3 + (seed * 11 % 13) / 5.0, v2 = 0.2 + (seed * 29 % 17) / 4.0;
  VImage a = VImage::sines(width, height, VImage::option()->set("hfreq", h1)->set("vfreq", v1));
  VImage b = VImage::sines(width, height, VImage::option()->set("hfreq", h2)->set("vfreq", v2));
  VImage noise = VImage::gaussnoise(width, height, VImage::option()->set("sigma", 12)->set("seed", seed));
  VImage r = (a + 1) * 100 + noise, g = (b + 1) * 100 + noise, bl = (a * b + 1) * 110;
  r.bandjoin({g, bl}).cast(VIPS_FORMAT_UCHAR).write_to_file(path.c_str());
}

void WriteVariant(const fs::path& source, const fs::path& dest, double scale, double brighten) {
  using vips::VImage;
  VImage img = VImage::new_from_file(source.c_str());
  if (scale != 1.0) img = img.resize(scale);
  if (brighten != 0) img = (img * (1.0 + brighten)).cast(VIPS_FORMAT_UCHAR);
  img.write_to_file(dest.c_str());
}

std::vector<std::string> FilesUnder(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, int> Contents(const fs::path& dir) {
  std::map<std::string, int> out;
  for (const auto& f : FilesUnder(dir)) out[Slurp(dir / f)]++;
  return out;
}

int CountOf(const std::map<std::string, int>& contents, const std::string& content) {
  auto it = contents.find(content);
  return it == contents.end() ? 0 : it->second;
}

bool HasOpenIntent(const fs::path& lib, const std::string& name_prefix) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(lib / ".triage/journal", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->path().filename().string().rfind(name_prefix, 0) == 0) return true;
  }
  return false;
}

void KillWhenJournalled(pid_t pid, const fs::path& lib, std::chrono::microseconds delay,
                        const std::string& name_prefix) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline) {
    if (HasOpenIntent(lib, name_prefix)) {
      std::this_thread::sleep_for(delay);
      break;
    }
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

}  // namespace triage::e2e
