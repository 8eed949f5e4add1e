// Synthetic face embeddings for clustering tests and benchmarks: persons as random centres far apart, their faces as
// small random offsets around them (well inside the cluster distance), strangers as lone random points.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace triage::faces::testing {

class PlantedFaces {
 public:
  // Centre spread 0.1 per dimension puts centres ~1.6 apart in 128 dimensions; face spread 0.012 puts a person's
  // faces ~0.19 from each other.
  explicit PlantedFaces(uint32_t seed, size_t dimensions = 128, double centre_spread = 0.1, double face_spread = 0.012)
      : rng_(seed), dims_(dimensions), centre_spread_(centre_spread), face_spread_(face_spread) {}

  std::vector<float> Centre() { return Random(centre_spread_); }
  std::vector<float> FaceNear(const std::vector<float>& centre) {
    std::vector<float> v = Random(face_spread_);
    for (size_t i = 0; i < dims_; ++i) v[i] += centre[i];
    return v;
  }
  // A point between two centres (fraction t of the way from a to b), with face noise.
  std::vector<float> Between(const std::vector<float>& a, const std::vector<float>& b, double t) {
    std::vector<float> mid(dims_);
    for (size_t i = 0; i < dims_; ++i) mid[i] = static_cast<float>(a[i] + (b[i] - a[i]) * t);
    return FaceNear(mid);
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::vector<float> Random(double spread) {
    std::normal_distribution<float> d(0.f, static_cast<float>(spread));
    std::vector<float> v(dims_);
    for (float& x : v) x = d(rng_);
    return v;
  }
  std::mt19937 rng_;
  size_t dims_;
  double centre_spread_;
  double face_spread_;
};

}  // namespace triage::faces::testing
