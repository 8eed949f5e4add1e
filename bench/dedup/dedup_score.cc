// Scores duplicate finders against a corpus's truth.tsv: pair precision and recall over same-picture pairs,
// recall per kind of variant, and throughput from the wall times measured by run.sh.
//
// Usage: dedup_score --truth truth.tsv [--triage items.json SECONDS] [--jdupes out.txt SECONDS]
//                    [--findimagedupes out.txt SECONDS]
// items.json is `triage items --json` (an array, or an object with "items"): each item's original_name and
// duplicate_of (the id of the item it matched) link files; linked files form one predicted group.
// jdupes prints groups separated by blank lines; findimagedupes prints one group per line, space-separated.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Pair = std::pair<int, int>;  // file indexes, first < second
using Groups = std::vector<std::vector<std::string>>;

struct Truth {
  std::map<std::string, int> index;  // file name -> file index
  std::vector<int> group;            // per file
  std::vector<std::string> variant;  // per file: a variant kind, or what the group's original is (base, mirror, ...)
  std::vector<int> source;           // per file: the photo it derives from (-1: none, or an old truth file)
};

const std::set<std::string> kVariantKinds = {"exact", "quality60", "half", "crop5", "bright10", "rot2", "png"};

bool IsOriginal(const std::string& variant) { return kVariantKinds.count(variant) == 0; }

Truth ReadTruth(const fs::path& path) {
  Truth truth;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, group, variant, source;
    if (!std::getline(fields, name, '\t') || !std::getline(fields, group, '\t') ||
        !std::getline(fields, variant, '\t')) {
      continue;
    }
    if (!std::getline(fields, source) || source.empty()) source = "-1";
    truth.index[name] = static_cast<int>(truth.group.size());
    truth.group.push_back(std::stoi(group));
    truth.variant.push_back(variant);
    truth.source.push_back(std::stoi(source));
  }
  return truth;
}

std::set<Pair> TruthPairs(const Truth& truth) {
  std::map<int, std::vector<int>> members;
  for (size_t i = 0; i < truth.group.size(); ++i) members[truth.group[i]].push_back(static_cast<int>(i));
  std::set<Pair> pairs;
  for (const auto& [group, files] : members) {
    for (size_t a = 0; a < files.size(); ++a) {
      for (size_t b = a + 1; b < files.size(); ++b) pairs.emplace(files[a], files[b]);
    }
  }
  return pairs;
}

// Every pair inside each predicted group; names not in the truth are counted in `unknown`.
std::set<Pair> PredictedPairs(const Groups& groups, const Truth& truth, int& unknown) {
  std::set<Pair> pairs;
  for (const auto& group : groups) {
    std::vector<int> files;
    for (const std::string& name : group) {
      auto it = truth.index.find(fs::path(name).filename().string());
      if (it == truth.index.end()) {
        ++unknown;
        continue;
      }
      files.push_back(it->second);
    }
    std::sort(files.begin(), files.end());
    for (size_t a = 0; a < files.size(); ++a) {
      for (size_t b = a + 1; b < files.size(); ++b) pairs.emplace(files[a], files[b]);
    }
  }
  return pairs;
}

Groups ReadJdupes(const fs::path& path) {
  Groups groups(1);
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      if (!groups.back().empty()) groups.emplace_back();
    } else {
      groups.back().push_back(line);
    }
  }
  return groups;
}

Groups ReadFindimagedupes(const fs::path& path) {
  Groups groups;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    groups.emplace_back();
    for (std::string w; words >> w;) groups.back().push_back(w);
  }
  return groups;
}

int64_t Find(std::map<int64_t, int64_t>& parent, int64_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Items linked by duplicate_of form one group (connected components of the links).
Groups ReadTriageItems(const fs::path& path, std::map<std::string, int>& categories) {
  nlohmann::json doc = nlohmann::json::parse(std::ifstream(path));
  const nlohmann::json& items = doc.is_array() ? doc : doc.at("items");
  std::map<int64_t, std::string> names;
  std::map<int64_t, int64_t> parent;
  for (const auto& item : items) {
    const int64_t id = item.at("id").get<int64_t>();
    names[id] = item.value("original_name", "");
    parent.try_emplace(id, id);
    ++categories[item.contains("category") && item["category"].is_string() ? item["category"].get<std::string>()
                                                                           : "(none)"];
  }
  for (const auto& item : items) {
    if (!item.contains("duplicate_of") || !item["duplicate_of"].is_number_integer()) continue;
    const int64_t other = item["duplicate_of"].get<int64_t>();
    parent.try_emplace(other, other);
    parent[Find(parent, item.at("id").get<int64_t>())] = Find(parent, other);
  }
  std::map<int64_t, std::vector<std::string>> components;
  for (const auto& [id, name] : names) components[Find(parent, id)].push_back(name);
  Groups groups;
  for (auto& [root, members] : components) groups.push_back(std::move(members));
  return groups;
}

struct Score {
  std::string tool;
  bool timing_only = false;  // the floor: time only, it finds no duplicates
  double seconds = 0;
  size_t predicted = 0, true_positive = 0;
  int unknown = 0;
  std::map<std::string, std::pair<int, int>> by_variant;  // variant -> (found, total) pairs with its original
  std::map<std::string, int> false_by_kind;               // false pairs by what kind of negative they are
};

// What kind of different-picture pair this is: a derived negative (mirror, recolour, sepia, smooth, night) of the
// other's picture, another framing of the same photo, or unrelated pictures (low-texture ones named as such).
std::string NegativeKind(const Truth& truth, const Pair& p) {
  const auto a = static_cast<size_t>(p.first), b = static_cast<size_t>(p.second);
  const bool same_photo = truth.source[a] >= 0 && truth.source[a] == truth.source[b];
  auto original = [&](size_t i) -> std::string {
    for (size_t j = 0; j < truth.group.size(); ++j) {
      if (truth.group[j] == truth.group[i] && IsOriginal(truth.variant[j])) return truth.variant[j];
    }
    return "base";
  };
  const std::string ka = original(a), kb = original(b);
  const bool low_texture = ka == "smooth" || ka == "gradient" || kb == "smooth" || kb == "gradient";
  if (same_photo) {
    if (ka != "base" && ka == kb) return ka + "-" + kb;
    if (ka != "base") return ka;
    if (kb != "base") return kb;
    return "framing";
  }
  return low_texture ? "low-texture" : "unrelated";
}

Score Evaluate(const std::string& tool, double seconds, const Groups& groups, const Truth& truth,
               const std::set<Pair>& truth_pairs) {
  Score score;
  score.tool = tool;
  score.seconds = seconds;
  const std::set<Pair> predicted = PredictedPairs(groups, truth, score.unknown);
  score.predicted = predicted.size();
  for (const Pair& p : predicted) {
    if (truth_pairs.count(p)) {
      ++score.true_positive;
    } else {
      ++score.false_by_kind[NegativeKind(truth, p)];
    }
  }
  for (const Pair& p : truth_pairs) {
    const std::string& a = truth.variant[static_cast<size_t>(p.first)];
    const std::string& b = truth.variant[static_cast<size_t>(p.second)];
    const std::string kind = IsOriginal(a) ? b : IsOriginal(b) ? a : "var-var";
    auto& [found, total] = score.by_variant[kind];
    found += predicted.count(p) > 0 ? 1 : 0;
    ++total;
  }
  return score;
}

void Print(const std::vector<Score>& scores, size_t images, size_t truth_pairs) {
  std::printf("\n%zu images, %zu same-picture pairs\n", images, truth_pairs);
  std::printf("%-15s %9s %9s %9s %9s %9s %9s\n", "tool", "wall s", "images/s", "pairs", "precision", "recall",
              "unknown");
  for (const Score& s : scores) {
    const double precision = s.predicted ? static_cast<double>(s.true_positive) / static_cast<double>(s.predicted) : 0;
    const double recall = truth_pairs ? static_cast<double>(s.true_positive) / static_cast<double>(truth_pairs) : 0;
    if (s.timing_only) {
      std::printf("%-15s %9.2f %9.1f %9s %9s %9s %9s\n", s.tool.c_str(), s.seconds,
                  s.seconds > 0 ? static_cast<double>(images) / s.seconds : 0, "-", "-", "-", "-");
      continue;
    }
    std::printf("%-15s %9.2f %9.1f %9zu %9.3f %9.3f %9d\n", s.tool.c_str(), s.seconds,
                s.seconds > 0 ? static_cast<double>(images) / s.seconds : 0, s.predicted, precision, recall, s.unknown);
  }
  std::printf("\nrecall of (original, variant) pairs by variant; var-var: pairs of two variants:\n%-15s", "tool");
  const auto judged = std::find_if(scores.begin(), scores.end(), [](const Score& s) { return !s.timing_only; });
  if (judged != scores.end()) {
    for (const auto& [variant, counts] : judged->by_variant) std::printf(" %9s", variant.c_str());
  }
  std::printf("\n");
  for (const Score& s : scores) {
    if (s.timing_only) continue;
    std::printf("%-15s", s.tool.c_str());
    for (const auto& [variant, counts] : s.by_variant) {
      std::printf(" %4d/%-4d", counts.first, counts.second);
    }
    std::printf("\n");
  }
  std::printf("\nfalse pairs by kind of negative:\n");
  for (const Score& s : scores) {
    if (s.timing_only) continue;
    std::printf("%-15s", s.tool.c_str());
    for (const auto& [kind, n] : s.false_by_kind) std::printf(" %s=%d", kind.c_str(), n);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path truth_path;
  std::vector<std::tuple<std::string, fs::path, double>> tools;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--truth" && i + 1 < argc) {
      truth_path = argv[++i];
    } else if (flag.rfind("--", 0) == 0 && i + 2 < argc) {
      tools.emplace_back(flag.substr(2), argv[i + 1], std::stod(argv[i + 2]));
      i += 2;
    } else {
      std::fprintf(stderr, "usage: dedup_score --truth truth.tsv [--TOOL output SECONDS]...\n");
      return 2;
    }
  }
  const Truth truth = ReadTruth(truth_path);
  const std::set<Pair> truth_pairs = TruthPairs(truth);
  std::vector<Score> scores;
  std::map<std::string, int> categories;
  for (const auto& [tool, output, seconds] : tools) {
    if (tool.rfind("floor", 0) == 0) {  // floor, floor-copy: timed only
      Score floor;
      floor.tool = tool;
      floor.seconds = seconds;
      floor.timing_only = true;
      scores.push_back(floor);
      continue;
    }
    Groups groups = tool == "triage"   ? ReadTriageItems(output, categories)
                    : tool == "jdupes" ? ReadJdupes(output)
                                       : ReadFindimagedupes(output);
    scores.push_back(Evaluate(tool, seconds, groups, truth, truth_pairs));
  }
  if (scores.empty()) return 0;
  Print(scores, truth.group.size(), truth_pairs.size());
  if (!categories.empty()) {
    std::printf("\ntriage items by category:");
    for (const auto& [category, n] : categories) std::printf(" %s=%d", category.c_str(), n);
    std::printf("\n");
  }
  double triage_s = 0, fid_s = 0, floor_s = 0, floor_copy_s = 0;
  for (const Score& s : scores) {
    if (s.tool == "triage") triage_s = s.seconds;
    if (s.tool == "findimagedupes") fid_s = s.seconds;
    if (s.tool == "floor") floor_s = s.seconds;
    if (s.tool == "floor-copy") floor_copy_s = s.seconds;
  }
  if (triage_s > 0 && fid_s > 0) {
    std::printf("throughput triage / findimagedupes: %.2fx\n", fid_s / triage_s);
  }
  if (triage_s > 0 && floor_s > 0) {
    std::printf("throughput triage / floor: %.2f (target >= 0.8)\n", floor_s / triage_s);
  }
  if (triage_s > 0 && floor_copy_s > 0) {
    std::printf("throughput triage / floor with durable copies: %.2f\n", floor_copy_s / triage_s);
  }
  return 0;
}
