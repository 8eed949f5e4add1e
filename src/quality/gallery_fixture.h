// Test support (header only, for tests that link triage_catalog_test_backends): a catalog on one backend (SQLite in a
// temporary folder, or a database in the tests' PostgreSQL cluster) and photos added with the stored facts grouping
// and the gallery read (capture time, pHash, score, dimensions, eyes).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "catalog/test_backends.h"
#include "model/quality.h"

namespace triage::quality {

struct FixturePhoto {
  FixturePhoto(std::string taken, uint64_t hash, double score, double sharp = 5, double comp = 5)
      : taken_at(std::move(taken)), phash(hash), aggregate(score), sharpness(sharp), composition(comp) {}
  std::string taken_at;  // EXIF form as stored: "2024-06-01T10:00:00.25", or "" when unknown
  uint64_t phash = 0;
  double aggregate = 5;  // < 0: not scored
  std::string category = "others";
  double sharpness = 5;  // the sharpness dimension's score
  double composition = 5;
  bool eyes_closed = false;
  std::string sha256;  // "" = unique
  std::string person;
  std::string camera;
  std::string lens;
  std::string location = "library";
};

// The change that adds `p` as the n-th fixture photo (n unique per catalog; bulk loads go through ApplyAll).
inline catalog::CatalogChange FixtureChange(const FixturePhoto& p, int n) {
  catalog::CatalogChange c;
  c.journal_id = "fixture-" + std::to_string(n);
  model::ItemRecord& r = c.item;
  r.path = (p.location == "review" ? "review/low_quality/" : "photos/2024/06/") + std::to_string(n) + ".jpg";
  r.original_name = std::to_string(n) + ".jpg";
  r.fingerprint.sha256 = p.sha256.empty() ? "sha-" + std::to_string(n) : p.sha256;
  r.fingerprint.has_phash = true;
  r.fingerprint.phash = p.phash;
  r.fingerprint.phash_center = p.phash;
  r.info.taken_at = p.taken_at;
  r.info.camera = p.camera;
  r.location = p.location;
  r.category = p.location == "review" ? "low_quality" : "";
  r.person = p.person;
  c.at = 1'700'000'000 + n;
  model::StoredAnalysis s;
  s.analysis.readable = true;
  s.analysis.fingerprint = r.fingerprint;
  s.analysis.info = r.info;
  s.analysis.info.lens = p.lens;
  model::QualityScore& q = s.analysis.quality;
  q.scored = p.aggregate >= 0;
  q.aggregate = p.aggregate;
  q.category = p.category;
  q.eyes_closed = p.eyes_closed;
  for (const std::string& d : model::QualityDimensions()) {
    double score = d == "sharpness" ? p.sharpness : d == "composition" ? p.composition : p.aggregate;
    q.dimensions.push_back({d, score, score, 10, score / 10});
  }
  c.analysis = s;
  return c;
}

class GalleryFixture {
 public:
  // `backend`: "sqlite" or "postgres" (catalog::TestBackend::Names()).
  explicit GalleryFixture(const std::string& backend = "sqlite") : backend_(catalog::TestBackend::Make(backend)) {
    auto opened = backend_->Open();
    if (!opened.ok()) throw std::runtime_error("opening the test catalog: " + opened.status().ToString());
    catalog_ = std::move(*opened);
    store_ = backend_->Gallery(*catalog_);
  }
  ~GalleryFixture() {
    store_.reset();
    catalog_.reset();
  }

  catalog::Catalog& catalog() { return *catalog_; }
  catalog::GalleryStore& store() { return *store_; }

  int64_t Add(const FixturePhoto& p) { return *catalog_->Apply(FixtureChange(p, ++added_)); }

 private:
  std::unique_ptr<catalog::TestBackend> backend_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<catalog::GalleryStore> store_;
  int added_ = 0;
};

}  // namespace triage::quality
