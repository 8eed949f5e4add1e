// Comparing the catalog with the files of the library (see library_check.h).
#include "review/library_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <unordered_set>

#include "commit/committer.h"

namespace triage::review {
namespace fs = std::filesystem;

namespace {

// Adds the files under `root` (recursive; hidden names and what is below hidden folders left out) to `found`, as
// library-relative paths.
base::Status CollectFiles(const fs::path& library, const fs::path& root, std::vector<std::string>& found) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(root, ec))) return base::Status::Ok();  // not made yet: nothing filed there
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  const auto unreadable = [&](const fs::path& where) {
    return base::Status::Io(
        fmt::format("cannot read the folder {}: {}", where.lexically_relative(library).generic_string(), ec.message()));
  };
  if (ec) return unreadable(root);
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return unreadable(it->path());
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) continue;
    found.push_back(it->path().lexically_relative(library).generic_string());
  }
  if (ec) return unreadable(root);
  return base::Status::Ok();
}

}  // namespace

base::Result<LibraryCheck> CheckLibrary(catalog::Catalog& catalog, const config::Config& config) {
  LibraryCheck out;
  std::unordered_set<std::string> known;
  catalog::ItemFilter page;
  page.limit = 1000;
  for (;;) {
    auto items = catalog.ListItems(page);
    if (!items.ok()) return items.status();
    for (const model::ItemRecord& item : *items) {
      ++out.items;
      known.insert(item.path);
      if (std::string there = commit::NotAFileAt(config.library / item.path); !there.empty()) {
        out.missing.push_back({item.id, item.path, item.location, std::move(there)});
      }
    }
    if (items->size() < static_cast<size_t>(page.limit)) break;
    page.after_id = items->back().id;
  }
  std::vector<std::string> files;
  for (const fs::path& root :
       {config.FacesDir(), config.ReviewDir(), config.PhotosDir(), config.StateDir() / "trash"}) {
    TRIAGE_RETURN_IF_ERROR(CollectFiles(config.library, root, files));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());  // a folder configured inside another
  out.files = static_cast<int64_t>(files.size());
  // A move under way in another process (a server's decision) shows as a file missing from its old place and one not
  // yet known at its new place: its journal says so, and neither is reported.
  // So does an intake's new file, placed and not yet recorded.
  std::vector<commit::Intent> open;
  const bool some_unknown =
      std::any_of(files.begin(), files.end(), [&](const std::string& f) { return !known.contains(f); });
  if (!out.missing.empty() || some_unknown) open = commit::OpenIntents(config.StateDir());
  std::unordered_set<std::string> arriving;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(config.library, ec);
  for (const commit::Intent& in : open) {
    for (const fs::path& to : {in.to, in.incoming_to}) {
      if (!to.empty()) arriving.insert(fs::weakly_canonical(to, ec).lexically_relative(root).string());
    }
  }
  std::erase_if(out.missing, [&](const MissingFile& m) {
    bool moved =
        std::any_of(open.begin(), open.end(), [&](const commit::Intent& in) { return commit::MovesItem(in, m.id); });
    if (!moved) {  // moved and recorded since the catalog was read: its path is another now
      auto now = catalog.GetItem(m.id);
      moved = (now.ok() && now->path != m.path) || (!now.ok() && now.status().code() == base::Code::kNotFound);
    }
    out.moving += moved ? 1 : 0;
    return moved;
  });
  // Files that arrived after the catalog was read (a move or an intake recorded meanwhile) are known to it now.
  if (std::any_of(files.begin(), files.end(), [&](const std::string& f) { return !known.contains(f); })) {
    page = catalog::ItemFilter();
    page.limit = 1000;
    for (;;) {
      auto items = catalog.ListItems(page);
      if (!items.ok()) return items.status();
      for (const model::ItemRecord& item : *items) known.insert(item.path);
      if (items->size() < static_cast<size_t>(page.limit)) break;
      page.after_id = items->back().id;
    }
  }
  for (std::string& f : files) {
    if (!known.contains(f) && !arriving.contains(f)) out.unknown_files.push_back(std::move(f));
  }
  return out;
}

}  // namespace triage::review
