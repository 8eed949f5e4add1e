// Writes a duplicate-detection corpus: distinct photo-sized base pictures plus exact copies and near
// duplicates of some of them, and truth.tsv naming the picture each file shows.
//
// Usage: make_corpus --out DIR [--count N=200] [--sources DIR] [--width 3464] [--height 2309] [--seed 1]
//                    [--threads 2] [--no-check]
// Without --sources the base pictures are synthesised (smooth colour fields, shapes, blur, grain; each seeded
// differently); with --sources the first N photos of that folder (sorted) are the bases. Files land in
// DIR/images with neutral names (IMG_ and ten hex digits) so names say nothing about groups; DIR/truth.tsv has one
// line per file: name, group, variant. Unless --no-check, the perceptual hash (OpenCV pHash) of every file
// is compared and the distances between different bases and between each variant and its base printed.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Args {
  fs::path out;
  fs::path sources;
  int count = 200;
  int width = 3464;
  int height = 2309;
  uint64_t seed = 1;
  int threads = 2;
  bool check = true;
};

struct Written {
  std::string name;
  int group = 0;
  std::string variant;
  uint64_t phash = 0;
};

const std::vector<std::string> kVariants = {"exact", "quality60", "half", "crop5", "bright10", "rot2", "png"};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (flag == "--out")
      args.out = next();
    else if (flag == "--sources")
      args.sources = next();
    else if (flag == "--count")
      args.count = std::stoi(next());
    else if (flag == "--width")
      args.width = std::stoi(next());
    else if (flag == "--height")
      args.height = std::stoi(next());
    else if (flag == "--seed")
      args.seed = std::stoull(next());
    else if (flag == "--threads")
      args.threads = std::clamp(std::stoi(next()), 1, 2);
    else if (flag == "--no-check")
      args.check = false;
    else
      return false;
  }
  return !args.out.empty() && args.count > 0;
}

cv::Scalar RandomColor(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> c(0, 255);
  return cv::Scalar(c(rng), c(rng), c(rng));
}

// Large smooth colour fields: a few random colours on a coarse grid, upscaled bicubically.
cv::Mat SmoothField(int width, int height, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> cells(2, 6);
  cv::Mat coarse(cells(rng), cells(rng), CV_8UC3);
  for (int y = 0; y < coarse.rows; ++y) {
    for (int x = 0; x < coarse.cols; ++x) {
      const cv::Scalar c = RandomColor(rng);
      coarse.at<cv::Vec3b>(y, x) = cv::Vec3b(c[0], c[1], c[2]);
    }
  }
  cv::Mat field;
  cv::resize(coarse, field, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  return field;
}

void DrawShape(cv::Mat& canvas, std::mt19937_64& rng) {
  const int w = canvas.cols, h = canvas.rows;
  std::uniform_int_distribution<int> px(-w / 10, w + w / 10), py(-h / 10, h + h / 10), size(w / 40, w / 4);
  const cv::Scalar color = RandomColor(rng);
  switch (rng() % 4) {
    case 0:
      cv::circle(canvas, {px(rng), py(rng)}, size(rng), color, cv::FILLED, cv::LINE_AA);
      break;
    case 1:
      cv::ellipse(canvas, {px(rng), py(rng)}, {size(rng), size(rng) / 2}, static_cast<double>(rng() % 180), 0, 360,
                  color, cv::FILLED, cv::LINE_AA);
      break;
    case 2: {
      std::vector<cv::Point> poly;
      for (int k = 0; k < 3 + static_cast<int>(rng() % 4); ++k) poly.emplace_back(px(rng), py(rng));
      cv::fillPoly(canvas, std::vector<std::vector<cv::Point>>{poly}, color, cv::LINE_AA);
      break;
    }
    default:
      cv::line(canvas, {px(rng), py(rng)}, {px(rng), py(rng)}, color, 1 + size(rng) / 12, cv::LINE_AA);
  }
}

// A synthetic "photo": colour fields, 12-40 shapes, a soft blur (lens), fine stripes and grain (texture).
cv::Mat SynthesisePhoto(int width, int height, uint64_t seed) {
  std::mt19937_64 rng(seed);
  cv::Mat image = SmoothField(width, height, rng);
  const int shapes = 12 + static_cast<int>(rng() % 29);
  // Shapes are drawn four to a layer and each layer blended in partly transparent (cheaper than per shape).
  for (int i = 0; i < shapes; i += 4) {
    cv::Mat layer = image.clone();
    for (int k = i; k < std::min(shapes, i + 4); ++k) DrawShape(layer, rng);
    const double alpha = 0.4 + static_cast<double>(rng() % 60) / 100.0;
    cv::addWeighted(layer, alpha, image, 1.0 - alpha, 0, image);
  }
  cv::GaussianBlur(image, image, cv::Size(0, 0), 1.0 + static_cast<double>(rng() % 30) / 10.0);
  cv::Mat grain(image.size(), CV_16SC3);
  cv::randn(grain, 0, 4 + static_cast<double>(rng() % 6));
  cv::Mat image16;
  image.convertTo(image16, CV_16SC3);
  cv::add(image16, grain, image16);
  image16.convertTo(image, CV_8UC3);
  return image;
}

cv::Mat MakeVariant(const cv::Mat& base, const std::string& variant) {
  cv::Mat out;
  if (variant == "half") {
    cv::resize(base, out, cv::Size(base.cols / 2, base.rows / 2), 0, 0, cv::INTER_AREA);
  } else if (variant == "crop5") {
    const int dx = base.cols * 5 / 200, dy = base.rows * 5 / 200;  // 5% of each dimension, split over both sides
    out = base(cv::Rect(dx, dy, base.cols - 2 * dx, base.rows - 2 * dy)).clone();
  } else if (variant == "bright10") {
    base.convertTo(out, -1, 1.10, 0);
  } else if (variant == "rot2") {
    const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(base.cols / 2.0f, base.rows / 2.0f), 2.0, 1.0);
    cv::warpAffine(base, out, m, base.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  } else {
    out = base;  // exact, quality60 and png keep the pixels (copied or re-encoded)
  }
  return out;
}

uint64_t PerceptualHash(const cv::Mat& image) {
  cv::Mat small, hash;
  cv::resize(image, small, cv::Size(256, 256 * image.rows / image.cols), 0, 0, cv::INTER_AREA);
  cv::img_hash::pHash(small, hash);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(hash.at<uint8_t>(0, i)) << (8 * i);
  return bits;
}

// Chooses 0-3 variants for a base: half of the bases have none, the rest one to three distinct kinds.
std::vector<std::string> ChooseVariants(std::mt19937_64& rng) {
  std::vector<std::string> chosen;
  if (rng() % 2 == 0) return chosen;
  std::vector<std::string> kinds = kVariants;
  std::shuffle(kinds.begin(), kinds.end(), rng);
  const int n = 1 + static_cast<int>(rng() % 3);
  chosen.assign(kinds.begin(), kinds.begin() + n);
  return chosen;
}

std::string NeutralName(std::mt19937_64& rng, const std::string& ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "IMG_%010llx.%s", static_cast<unsigned long long>(rng() & 0xFFFFFFFFFFull),
                ext.c_str());
  return buf;
}

class Generator {
 public:
  Generator(const Args& args, std::vector<fs::path> sources) : args_(args), sources_(std::move(sources)) {}

  void Run() {
    std::vector<std::thread> workers;
    for (int t = 0; t < args_.threads; ++t) workers.emplace_back([this] { Work(); });
    for (auto& w : workers) w.join();
  }

  std::vector<Written> Results() {
    std::sort(written_.begin(), written_.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return written_;
  }

 private:
  void Work() {
    for (int i = next_.fetch_add(1); i < args_.count; i = next_.fetch_add(1)) {
      MakeGroup(i);
      const int done = ++done_;
      if (done % 50 == 0) std::fprintf(stderr, "  %d/%d pictures\n", done, args_.count);
    }
  }

  cv::Mat Base(int group) const {
    if (!sources_.empty()) return cv::imread(sources_[static_cast<size_t>(group)].string(), cv::IMREAD_COLOR);
    return SynthesisePhoto(args_.width, args_.height, args_.seed * 1'000'003 + static_cast<uint64_t>(group));
  }

  void MakeGroup(int group) {
    std::mt19937_64 rng(args_.seed * 7'919 + static_cast<uint64_t>(group));
    const cv::Mat base = Base(group);
    if (base.empty()) return;
    const fs::path dir = args_.out / "images";
    const std::string base_name = NeutralName(rng, "jpg");
    cv::imwrite((dir / base_name).string(), base, {cv::IMWRITE_JPEG_QUALITY, 92});
    Record(base_name, group, "base", base);
    for (const std::string& variant : ChooseVariants(rng)) {
      const std::string name = NeutralName(rng, variant == "png" ? "png" : "jpg");
      const cv::Mat pixels = MakeVariant(base, variant);
      if (variant == "exact") {
        fs::copy_file(dir / base_name, dir / name);
      } else if (variant == "png") {
        cv::imwrite((dir / name).string(), pixels, {cv::IMWRITE_PNG_COMPRESSION, 1});
      } else {
        cv::imwrite((dir / name).string(), pixels, {cv::IMWRITE_JPEG_QUALITY, variant == "quality60" ? 60 : 90});
      }
      Record(name, group, variant, pixels);
    }
  }

  void Record(const std::string& name, int group, const std::string& variant, const cv::Mat& pixels) {
    Written w{name, group, variant, args_.check ? PerceptualHash(pixels) : 0};
    std::lock_guard<std::mutex> lock(mu_);
    written_.push_back(std::move(w));
  }

  const Args& args_;
  const std::vector<fs::path> sources_;
  std::atomic<int> next_{0};
  std::atomic<int> done_{0};
  std::mutex mu_;
  std::vector<Written> written_;
};

void PrintHashCheck(const std::vector<Written>& files) {
  std::vector<uint64_t> bases;
  std::map<int, uint64_t> base_of_group;
  for (const auto& f : files) {
    if (f.variant == "base") {
      bases.push_back(f.phash);
      base_of_group[f.group] = f.phash;
    }
  }
  int min_d = 64;
  double sum = 0;
  size_t pairs = 0, close = 0;
  for (size_t i = 0; i < bases.size(); ++i) {
    for (size_t j = i + 1; j < bases.size(); ++j) {
      const int d = std::popcount(bases[i] ^ bases[j]);
      min_d = std::min(min_d, d);
      sum += d;
      ++pairs;
      close += d <= 10 ? 1 : 0;
    }
  }
  std::printf("pHash between different pictures: %zu pairs, min %d, mean %.1f bits, %zu pairs within 10 bits\n", pairs,
              min_d, pairs ? sum / static_cast<double>(pairs) : 0.0, close);
  std::map<std::string, std::pair<double, int>> by_variant;
  for (const auto& f : files) {
    if (f.variant == "base") continue;
    auto& [total, n] = by_variant[f.variant];
    total += std::popcount(f.phash ^ base_of_group[f.group]);
    ++n;
  }
  for (const auto& [variant, stat] : by_variant) {
    std::printf("pHash variant %-9s vs its base: mean %.1f bits over %d files\n", variant.c_str(),
                stat.first / stat.second, stat.second);
  }
}

std::vector<fs::path> ListSources(const fs::path& dir, int count) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() &&
        (ext == ".jpg" || ext == ".jpeg" || ext == ".JPG" || ext == ".JPEG" || ext == ".png")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.size() > static_cast<size_t>(count)) files.resize(static_cast<size_t>(count));
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: make_corpus --out DIR [--count N] [--sources DIR] [--width W] [--height H] "
                 "[--seed S] [--threads 1|2] [--no-check]\n");
    return 2;
  }
  cv::setNumThreads(1);  // our own workers are the only parallelism (at most two cores)
  std::vector<fs::path> sources;
  if (!args.sources.empty()) {
    sources = ListSources(args.sources, args.count);
    args.count = static_cast<int>(sources.size());
  }
  fs::create_directories(args.out / "images");
  Generator generator(args, std::move(sources));
  generator.Run();
  const std::vector<Written> files = generator.Results();
  std::ofstream truth(args.out / "truth.tsv");
  truth << "name\tgroup\tvariant\n";
  for (const auto& f : files) truth << f.name << '\t' << f.group << '\t' << f.variant << '\n';
  std::printf("wrote %zu files showing %d pictures to %s\n", files.size(), args.count, (args.out / "images").c_str());
  if (args.check) PrintHashCheck(files);
  return 0;
}
