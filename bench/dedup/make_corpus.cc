// Writes a duplicate-detection corpus from real photos: distinct pictures, exact copies and near duplicates of them
// (several per picture, so that pairs between two variants occur), and hard negatives that must NOT match: other
// framings of the same scene, mirrored and recoloured versions, and low-texture look-alikes (smooth skies, gradients,
// sepia scenes). truth.tsv names the picture each file shows.
//
// Usage: make_corpus --out DIR [--sources DIR]... [--count N=400] [--seed 1] [--threads 2] [--no-check]
// Each source photo (long side scaled to at most 1600 px) gives five pictures: the whole frame and four windows of
// 55% per side at the corners (windows 45% apart: different framings, not crops of one another). One picture in four
// also gets a reframing: a window of 85%, 88%, 90% or 92% of it per side (centred or at a corner), close to a crop yet
// another framing, and so a different picture (a 5% crop is a near duplicate); one in eight a version darkened by 2.2
// stops with grain into a night scene, an edit and so another picture too. The near duplicates vary as found in the
// wild: a 5% crop centred or from one corner; a 2 degree turn either way, its corners reflected, on a canvas grown to
// hold it (black or white corners) or zoomed to fill the frame; 10% brighter by exposure (x1.1) or by added light
// (+25 levels). A source folder
// with a MANIFEST.tsv contributes only the files whose license column is cleared. Without sources the pictures are
// synthesised. Files land in DIR/images with neutral names; DIR/truth.tsv has name, group, variant and source (the
// photo a file derives from, to tell related negatives from unrelated ones). Unless --no-check, the pHash distances
// between the pictures are summarised.
#include <algorithm>
#include <array>
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
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Args {
  fs::path out;
  std::vector<fs::path> sources;
  int count = 400;
  uint64_t seed = 1;
  int threads = 2;
  bool check = true;
};

// How a picture is derived from its source photo. Every kind but kWindow/kWhole is a hard negative for the picture
// it is made from (its own group); each still gets near duplicates of its own.
enum class Kind { kWhole, kWindow, kMirror, kRecolour, kSepia, kSmooth, kGradient, kReframe, kNight };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kWhole:
      return "base";
    case Kind::kWindow:
      return "base";
    case Kind::kMirror:
      return "mirror";
    case Kind::kRecolour:
      return "recolour";
    case Kind::kSepia:
      return "sepia";
    case Kind::kSmooth:
      return "smooth";
    case Kind::kGradient:
      return "gradient";
    case Kind::kReframe:
      return "reframe";
    case Kind::kNight:
      return "night";
  }
  return "?";
}

struct Job {
  int group = 0;
  int source = -1;  // index into the loaded photos; -1 for synthetic gradients
  int window = 0;   // 0 = whole frame, 1-4 = corner windows
  Kind kind = Kind::kWhole;
};

struct Written {
  std::string name;
  int group = 0;
  std::string variant;
  int source = -1;
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
      args.sources.emplace_back(next());
    else if (flag == "--count")
      args.count = std::stoi(next());
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

cv::Mat Window(const cv::Mat& photo, int window) {
  if (window == 0) return photo;
  const int w = photo.cols * 55 / 100, h = photo.rows * 55 / 100;
  const int x = (window == 2 || window == 4) ? photo.cols - w : 0;
  const int y = (window >= 3) ? photo.rows - h : 0;
  return photo(cv::Rect(x, y, w, h)).clone();
}

cv::Mat AddGrain(const cv::Mat& image, double sigma, uint64_t seed) {
  cv::theRNG().state = seed;
  cv::Mat grain(image.size(), CV_16SC3), image16;
  cv::randn(grain, 0, sigma);
  image.convertTo(image16, CV_16SC3);
  cv::add(image16, grain, image16);
  cv::Mat out;
  image16.convertTo(out, CV_8UC3);
  return out;
}

cv::Mat HueShift(const cv::Mat& bgr, int degrees) {
  cv::Mat hsv;
  cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV_FULL);
  std::vector<cv::Mat> ch;
  cv::split(hsv, ch);
  ch[0].convertTo(ch[0], CV_16S);
  cv::add(ch[0], cv::Scalar(degrees * 256 / 360), ch[0]);
  ch[0].forEach<int16_t>([](int16_t& h, const int*) { h = static_cast<int16_t>(h & 255); });
  ch[0].convertTo(ch[0], CV_8U);
  cv::merge(ch, hsv);
  cv::Mat out;
  cv::cvtColor(hsv, out, cv::COLOR_HSV2BGR_FULL);
  return out;
}

cv::Mat Sepia(const cv::Mat& bgr) {
  const cv::Matx33f m(0.131f, 0.534f, 0.272f,   // B from (B, G, R)
                      0.168f, 0.686f, 0.349f,   // G
                      0.189f, 0.769f, 0.393f);  // R
  cv::Mat out;
  cv::transform(bgr, out, m);
  return out;
}

// A smooth two-colour field: what skies and studio backdrops look like to a 32x32 hash. Angles and colours come
// from narrow ranges so that many of them share a pHash.
cv::Mat Gradient(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> angle(-0.35, 0.35), u(0, 1);
  const double a = 1.5708 + angle(rng);  // mostly top-to-bottom, like a sky
  const cv::Vec3d top(200 + 40 * u(rng), 120 + 60 * u(rng), 40 + 60 * u(rng));
  const cv::Vec3d bottom(230 + 25 * u(rng), 200 + 40 * u(rng), 150 + 80 * u(rng));
  const double bend = 0.6 + 0.8 * u(rng);
  cv::Mat out(1000, 1500, CV_8UC3);
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      double t = (std::cos(a) * (x - 750) + std::sin(a) * (y - 500)) / 1100.0 + 0.5;
      t = std::pow(std::clamp(t, 0.0, 1.0), bend);
      const cv::Vec3d c = top * (1 - t) + bottom * t;
      out.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
                                          cv::saturate_cast<uint8_t>(c[2]));
    }
  }
  return AddGrain(out, 2.0, seed);
}

// Turned by `degrees` about the centre: corners reflected (how = 0), on a canvas grown to hold the whole picture with
// black (1) or white (2) corners, or zoomed just enough to fill the frame (3).
cv::Mat Turned(const cv::Mat& base, double degrees, int how) {
  const double a = std::abs(degrees) * CV_PI / 180, c = std::cos(a), s = std::sin(a);
  const double aspect = std::max(base.cols, base.rows) / static_cast<double>(std::min(base.cols, base.rows));
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(base.cols / 2.0f, base.rows / 2.0f), degrees,
                                      how == 3 ? c + aspect * s : 1.0);
  cv::Size size = base.size();
  if (how == 1 || how == 2) {
    size = cv::Size(static_cast<int>(std::ceil(base.cols * c + base.rows * s)),
                    static_cast<int>(std::ceil(base.rows * c + base.cols * s)));
    m.at<double>(0, 2) += (size.width - base.cols) / 2.0;
    m.at<double>(1, 2) += (size.height - base.rows) / 2.0;
  }
  cv::Mat out;
  cv::warpAffine(base, out, m, size, cv::INTER_LINEAR, how == 0 ? cv::BORDER_REFLECT : cv::BORDER_CONSTANT,
                 cv::Scalar::all(how == 2 ? 255 : 0));
  return out;
}

// `choice` picks among the ways a variant is found made (a random number, the same for the same corpus).
cv::Mat MakeVariant(const cv::Mat& base, const std::string& variant, uint64_t choice) {
  cv::Mat out;
  if (variant == "half") {
    cv::resize(base, out, cv::Size(base.cols / 2, base.rows / 2), 0, 0, cv::INTER_AREA);
  } else if (variant == "crop5") {
    // 5% of each dimension, split over both sides or taken from one corner.
    const int dx = base.cols * 5 / 100, dy = base.rows * 5 / 100, at = static_cast<int>(choice % 5);
    const int x = at == 0 ? dx / 2 : (at % 2 == 0 ? dx : 0), y = at == 0 ? dy / 2 : (at >= 3 ? dy : 0);
    out = base(cv::Rect(x, y, base.cols - dx, base.rows - dy)).clone();
  } else if (variant == "bright10") {
    // +10% four ways: exposure (multiplied), a brightness slider (added), HSL lightness (ImageMagick's -modulate
    // 110: hue and saturation kept) and gamma 1.15.
    switch (choice % 4) {
      case 0:
        base.convertTo(out, -1, 1.10, 0);
        break;
      case 1:
        base.convertTo(out, -1, 1.0, 25);
        break;
      case 2: {
        cv::Mat hls;
        cv::cvtColor(base, hls, cv::COLOR_BGR2HLS_FULL);
        hls.forEach<cv::Vec3b>([](cv::Vec3b& p, const int*) { p[1] = cv::saturate_cast<uint8_t>(p[1] * 1.10); });
        cv::cvtColor(hls, out, cv::COLOR_HLS2BGR_FULL);
        break;
      }
      default: {
        cv::Mat lut(1, 256, CV_8U);
        for (int i = 0; i < 256; ++i)
          lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255 * std::pow(i / 255.0, 1 / 1.15));
        cv::LUT(base, lut, out);
      }
    }
  } else if (variant == "rot2") {
    out = Turned(base, (choice / 4) % 2 == 0 ? 2.0 : -2.0, static_cast<int>(choice % 4));
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

// A third of the pictures have no duplicate, the rest one to four distinct kinds (so pairs between variants occur).
std::vector<std::string> ChooseVariants(std::mt19937_64& rng) {
  std::vector<std::string> chosen;
  if (rng() % 3 == 0) return chosen;
  std::vector<std::string> kinds = kVariants;
  std::shuffle(kinds.begin(), kinds.end(), rng);
  const int n = 1 + static_cast<int>(rng() % 4);
  chosen.assign(kinds.begin(), kinds.begin() + n);
  return chosen;
}

std::string NeutralName(std::mt19937_64& rng, const std::string& ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "IMG_%010llx.%s", static_cast<unsigned long long>(rng() & 0xFFFFFFFFFFull),
                ext.c_str());
  return buf;
}

// Pictures from each photo, then the negatives made from some of them, up to `count` groups in all.
// A hue shift of a nearly grey photo leaves it as it was: such photos get no recoloured version.
std::vector<bool> Colourful(const std::vector<cv::Mat>& photos) {
  std::vector<bool> out;
  for (const cv::Mat& photo : photos) {
    cv::Mat hsv;
    cv::cvtColor(photo, hsv, cv::COLOR_BGR2HSV);
    out.push_back(cv::mean(hsv)[1] > 40);
  }
  return out;
}

std::vector<Job> PlanJobs(const std::vector<bool>& colourful, int count, uint64_t seed) {
  const int photos = static_cast<int>(colourful.size());
  std::mt19937_64 rng(seed);
  std::vector<Job> jobs;
  auto add = [&](int source, int window, Kind kind) {
    if (static_cast<int>(jobs.size()) < count) jobs.push_back({static_cast<int>(jobs.size()), source, window, kind});
  };
  for (int s = 0; s < photos; ++s) {
    for (int w = 0; w <= 4; ++w) add(s, w, w == 0 ? Kind::kWhole : Kind::kWindow);
  }
  const size_t pictures = jobs.size();
  for (size_t i = 0; i < pictures; ++i) {
    const Job p = jobs[i];
    if (rng() % 4 == 0) add(p.source, p.window, Kind::kMirror);
    if (rng() % 4 == 0 && colourful[static_cast<size_t>(p.source)]) add(p.source, p.window, Kind::kRecolour);
    if (rng() % 6 == 0) add(p.source, p.window, Kind::kSepia);
    if (rng() % 3 == 0) add(p.source, p.window, Kind::kSmooth);
  }
  const int gradients = std::max(8, static_cast<int>(pictures) / 6);
  for (int g = 0; g < gradients; ++g) add(-1, 0, Kind::kGradient);
  // Last, from their own generator, so that the pictures above are the same as in corpora made before reframings.
  std::mt19937_64 reframe_rng(seed * 104'729 + 17);
  for (size_t i = 0; i < pictures; ++i) {
    if (reframe_rng() % 4 == 0) add(jobs[i].source, jobs[i].window, Kind::kReframe);
  }
  std::mt19937_64 night_rng(seed * 7'561 + 29);
  for (size_t i = 0; i < pictures; ++i) {
    if (night_rng() % 8 == 0) add(jobs[i].source, jobs[i].window, Kind::kNight);
  }
  return jobs;
}

cv::Mat Synthesise(uint64_t seed) {  // when no photo is given: smooth fields and discs with grain
  std::mt19937_64 rng(seed);
  cv::Mat coarse(3 + static_cast<int>(rng() % 4), 3 + static_cast<int>(rng() % 4), CV_8UC3);
  cv::randu(coarse, 0, 255);
  cv::Mat image;
  cv::resize(coarse, image, cv::Size(1600, 1067), 0, 0, cv::INTER_CUBIC);
  for (int i = 0; i < 30; ++i) {
    cv::circle(image, {static_cast<int>(rng() % 1600), static_cast<int>(rng() % 1067)},
               20 + static_cast<int>(rng() % 200), cv::Scalar(rng() % 256, rng() % 256, rng() % 256), cv::FILLED,
               cv::LINE_AA);
  }
  return AddGrain(image, 5, seed);
}

class Generator {
 public:
  Generator(const Args& args, std::vector<cv::Mat> photos, std::vector<Job> jobs)
      : args_(args), photos_(std::move(photos)), jobs_(std::move(jobs)) {}

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
    for (size_t i = next_.fetch_add(1); i < jobs_.size(); i = next_.fetch_add(1)) {
      MakeGroup(jobs_[i]);
      const int done = ++done_;
      if (done % 100 == 0) std::fprintf(stderr, "  %d/%zu pictures\n", done, jobs_.size());
    }
  }

  cv::Mat Picture(const Job& job) const {
    const uint64_t seed = args_.seed * 1'000'003 + static_cast<uint64_t>(job.group);
    if (job.kind == Kind::kGradient) return Gradient(seed);
    const cv::Mat picture = Window(photos_[static_cast<size_t>(job.source)], job.window);
    cv::Mat out;
    switch (job.kind) {
      case Kind::kMirror:
        cv::flip(picture, out, 1);
        return out;
      case Kind::kRecolour:
        return HueShift(picture, 90 + static_cast<int>(seed % 120));  // colourful pictures only
      case Kind::kSepia:
        return Sepia(picture);
      case Kind::kReframe: {  // 85-92% of the picture per side, centred or at one of its corners
        const int keep = std::array{85, 88, 90, 92}[(seed / 5) % 4];
        const int w = picture.cols * keep / 100, h = picture.rows * keep / 100, at = static_cast<int>(seed % 5);
        const int x = at == 0 ? (picture.cols - w) / 2 : (at % 2 == 0 ? picture.cols - w : 0);
        const int y = at == 0 ? (picture.rows - h) / 2 : (at >= 3 ? picture.rows - h : 0);
        return picture(cv::Rect(x, y, w, h)).clone();
      }
      case Kind::kNight:  // 2.2 stops darker, with grain
        picture.convertTo(out, -1, 0.22, 0);
        return AddGrain(out, 3.0, seed);
      case Kind::kSmooth: {
        cv::GaussianBlur(picture, out, cv::Size(0, 0), picture.cols * 0.05);
        return AddGrain(out, 1.5, seed);
      }
      default:
        return picture;
    }
  }

  void MakeGroup(const Job& job) {
    std::mt19937_64 rng(args_.seed * 7'919 + static_cast<uint64_t>(job.group));
    const cv::Mat base = Picture(job);
    const fs::path dir = args_.out / "images";
    const std::string base_name = NeutralName(rng, "jpg");
    cv::imwrite((dir / base_name).string(), base, {cv::IMWRITE_JPEG_QUALITY, 92});
    Record(base_name, job, KindName(job.kind), base);
    std::mt19937_64 choices(args_.seed * 6'007 + static_cast<uint64_t>(job.group));
    for (const std::string& variant : ChooseVariants(rng)) {
      const std::string name = NeutralName(rng, variant == "png" ? "png" : "jpg");
      const cv::Mat pixels = MakeVariant(base, variant, choices());
      if (variant == "exact") {
        fs::copy_file(dir / base_name, dir / name);
      } else if (variant == "png") {
        cv::imwrite((dir / name).string(), pixels, {cv::IMWRITE_PNG_COMPRESSION, 1});
      } else {
        cv::imwrite((dir / name).string(), pixels, {cv::IMWRITE_JPEG_QUALITY, variant == "quality60" ? 60 : 90});
      }
      Record(name, job, variant, pixels);
    }
  }

  void Record(const std::string& name, const Job& job, const std::string& variant, const cv::Mat& pixels) {
    Written w{name, job.group, variant, job.source, args_.check ? PerceptualHash(pixels) : 0};
    std::lock_guard<std::mutex> lock(mu_);
    written_.push_back(std::move(w));
  }

  const Args& args_;
  const std::vector<cv::Mat> photos_;
  const std::vector<Job> jobs_;
  std::atomic<size_t> next_{0};
  std::atomic<int> done_{0};
  std::mutex mu_;
  std::vector<Written> written_;
};

void PrintHashCheck(const std::vector<Written>& files) {
  std::map<int, uint64_t> base_of_group;
  for (const auto& f : files) {
    if (kVariants.end() == std::find(kVariants.begin(), kVariants.end(), f.variant)) base_of_group[f.group] = f.phash;
  }
  std::vector<uint64_t> bases;
  for (const auto& [g, h] : base_of_group) bases.push_back(h);
  size_t pairs = 0, close = 0;
  for (size_t i = 0; i < bases.size(); ++i) {
    for (size_t j = i + 1; j < bases.size(); ++j, ++pairs) close += std::popcount(bases[i] ^ bases[j]) <= 10 ? 1 : 0;
  }
  std::printf("pHash between different pictures: %zu pairs, %zu within 10 bits\n", pairs, close);
}

// Cleared files of a folder: all images, less those its MANIFEST.tsv (first column path, a "license" column) marks
// NOT CLEARED or of unknown provenance.
std::vector<fs::path> ListSources(const fs::path& dir) {
  std::set<std::string> refused;
  std::ifstream manifest(dir / "MANIFEST.tsv");
  std::string line;
  int license_column = -1;
  for (bool header = true; std::getline(manifest, line); header = false) {
    std::vector<std::string> cols;
    std::istringstream fields(line);
    for (std::string c; std::getline(fields, c, '\t');) cols.push_back(c);
    if (header) {
      for (size_t i = 0; i < cols.size(); ++i)
        license_column = cols[i] == "license" ? static_cast<int>(i) : license_column;
      continue;
    }
    if (license_column < 0 || static_cast<int>(cols.size()) <= license_column) continue;
    const std::string& license = cols[static_cast<size_t>(license_column)];
    if (license.rfind("NOT CLEARED", 0) == 0 || license.rfind("UNKNOWN", 0) == 0) refused.insert(cols[0]);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (!entry.is_regular_file() || (ext != ".jpg" && ext != ".jpeg" && ext != ".png")) continue;
    if (refused.count(fs::relative(entry.path(), dir).string()) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<cv::Mat> LoadPhotos(const std::vector<fs::path>& dirs) {
  std::vector<cv::Mat> photos;
  for (const fs::path& dir : dirs) {
    for (const fs::path& file : ListSources(dir)) {
      cv::Mat photo = cv::imread(file.string(), cv::IMREAD_COLOR);
      if (photo.empty() || std::min(photo.cols, photo.rows) < 300) continue;
      const double scale = 1600.0 / std::max(photo.cols, photo.rows);
      if (scale < 1) cv::resize(photo, photo, cv::Size(), scale, scale, cv::INTER_AREA);
      photos.push_back(photo);
    }
  }
  return photos;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: make_corpus --out DIR [--sources DIR]... [--count N] [--seed S] [--threads 1|2] "
                 "[--no-check]\n");
    return 2;
  }
  cv::setNumThreads(1);  // our own workers are the only parallelism (at most two cores)
  std::vector<cv::Mat> photos = LoadPhotos(args.sources);
  if (photos.empty()) {
    for (int i = 0; i < std::max(1, args.count / 8); ++i) photos.push_back(Synthesise(args.seed * 31 + i));
  }
  std::vector<Job> jobs = PlanJobs(Colourful(photos), args.count, args.seed);
  fs::create_directories(args.out / "images");
  Generator generator(args, std::move(photos), std::move(jobs));
  generator.Run();
  const std::vector<Written> files = generator.Results();
  std::ofstream truth(args.out / "truth.tsv");
  truth << "name\tgroup\tvariant\tsource\n";
  std::set<int> groups;
  for (const auto& f : files) {
    truth << f.name << '\t' << f.group << '\t' << f.variant << '\t' << f.source << '\n';
    groups.insert(f.group);
  }
  std::printf("wrote %zu files showing %zu pictures to %s\n", files.size(), groups.size(),
              (args.out / "images").c_str());
  if (args.check) PrintHashCheck(files);
  return 0;
}
