// A nearest-neighbour index over face embeddings (hnswlib's HNSW graph, Euclidean distance), keyed by face id, saved
// to and loaded from one file. A view of the catalog's faces: FaceClustering rebuilds it when it is missing or stale.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "base/status.h"

namespace triage::faces {

struct Neighbour {
  int64_t id = 0;
  double distance = 0;  // Euclidean
};

// Thread-safe: searches run concurrently; adds are serialised against them.
class FaceIndex {
 public:
  // An empty index for `dimensions`-float vectors.
  static std::unique_ptr<FaceIndex> Create(size_t dimensions);
  // Reads a file written by Save. kNotFound when it does not exist, kCorrupt when it cannot be read.
  static base::Result<std::unique_ptr<FaceIndex>> Load(const std::filesystem::path& file, size_t dimensions);
  ~FaceIndex();
  FaceIndex(const FaceIndex&) = delete;
  FaceIndex& operator=(const FaceIndex&) = delete;

  // Writes the index to `file` (through a temporary file and a rename: a crash leaves the old file or the new one).
  base::Status Save(const std::filesystem::path& file) const;

  // Adds (or replaces) the vector of face `id`. kInvalidArgument when its size is not `dimensions`.
  base::Status Add(int64_t id, const std::vector<float>& embedding);
  // Adds many faces at once on `threads` threads (a rebuild). kInvalidArgument (nothing added) when a vector's size
  // is not `dimensions` or the lists differ in length.
  base::Status AddBatch(const std::vector<int64_t>& ids, const std::vector<std::vector<float>>& embeddings,
                        size_t threads);
  // Forgets face `id` (no error when absent).
  void Remove(int64_t id);
  // Up to `k` nearest faces, nearest first (approximate: HNSW with a search breadth of at least 64).
  std::vector<Neighbour> Nearest(const std::vector<float>& embedding, size_t k) const;
  // The stored vector of face `id`; empty when absent.
  std::vector<float> Vector(int64_t id) const;
  bool Contains(int64_t id) const;
  // Every face id present.
  std::vector<int64_t> Ids() const;

  size_t size() const;  // faces present
  size_t dimensions() const { return dimensions_; }
  // Bytes the index holds in memory (vectors and graph).
  size_t MemoryBytes() const;

 private:
  struct Impl;
  FaceIndex(size_t dimensions, std::unique_ptr<Impl> impl);
  size_t dimensions_;
  std::unique_ptr<Impl> impl_;
  mutable std::shared_mutex mu_;
};

}  // namespace triage::faces
