// The face index on hnswlib.
#include "faces/face_index.h"

#include <fmt/format.h>
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace triage::faces {
namespace {

constexpr size_t kInitialCapacity = 1024;
constexpr size_t kLinksPerNode = 16;   // hnswlib's M
constexpr size_t kBuildBreadth = 100;  // ef_construction
constexpr size_t kSearchBreadth = 64;  // ef at search time (at least k)

// hnswlib trusts its file; check that the header's counts fit the file before handing it over.
base::Status CheckHeader(const std::filesystem::path& file, size_t dimensions) {
  constexpr size_t kHeaderBytes = 96;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  // offset of level 0, max elements, element count, bytes per element, label offset, vector offset
  uint64_t header[6] = {};
  std::ifstream in(file, std::ios::binary);
  if (ec || bytes < kHeaderBytes || !in.read(reinterpret_cast<char*>(header), sizeof(header))) {
    return base::Status::Corrupt(fmt::format("{}: too short to be a face index", file.string()));
  }
  const uint64_t count = header[2], per_element = header[3], label_offset = header[4], vector_offset = header[5];
  if (per_element == 0 || label_offset + sizeof(hnswlib::labeltype) != per_element || label_offset < vector_offset ||
      label_offset - vector_offset != dimensions * sizeof(float) || count > (bytes - kHeaderBytes) / per_element) {
    return base::Status::Corrupt(fmt::format("{}: not a face index of {}-value vectors", file.string(), dimensions));
  }
  return base::Status::Ok();
}

}  // namespace

struct FaceIndex::Impl {
  explicit Impl(size_t dimensions) : space(dimensions) {}
  hnswlib::L2Space space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  std::unordered_set<int64_t> present;
};

FaceIndex::FaceIndex(size_t dimensions, std::unique_ptr<Impl> impl) : dimensions_(dimensions), impl_(std::move(impl)) {}
FaceIndex::~FaceIndex() = default;

std::unique_ptr<FaceIndex> FaceIndex::Create(size_t dimensions) {
  auto impl = std::make_unique<Impl>(dimensions);
  impl->graph =
      std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, kInitialCapacity, kLinksPerNode, kBuildBreadth);
  impl->graph->setEf(kSearchBreadth);
  return std::unique_ptr<FaceIndex>(new FaceIndex(dimensions, std::move(impl)));
}

base::Result<std::unique_ptr<FaceIndex>> FaceIndex::Load(const std::filesystem::path& file, size_t dimensions) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return base::Status::NotFound(fmt::format("{} does not exist", file.string()));
  TRIAGE_RETURN_IF_ERROR(CheckHeader(file, dimensions));
  auto impl = std::make_unique<Impl>(dimensions);
  try {
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(&impl->space, file.string());
    for (const auto& [label, internal] : impl->graph->label_lookup_) {
      if (!impl->graph->isMarkedDeleted(internal)) impl->present.insert(static_cast<int64_t>(label));
    }
  } catch (const std::exception& e) {
    return base::Status::Corrupt(fmt::format("{}: cannot be read as a face index ({})", file.string(), e.what()));
  }
  impl->graph->setEf(kSearchBreadth);
  return std::unique_ptr<FaceIndex>(new FaceIndex(dimensions, std::move(impl)));
}

base::Status FaceIndex::Save(const std::filesystem::path& file) const {
  std::shared_lock lock(mu_);
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  try {
    impl_->graph->saveIndex(tmp.string());
  } catch (const std::exception& e) {
    return base::Status::Io(fmt::format("writing {}: {}", tmp.string(), e.what()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return base::Status::Io(fmt::format("renaming {} to {}: {}", tmp.string(), file.string(), ec.message()));
  return base::Status::Ok();
}

base::Status FaceIndex::Add(int64_t id, const std::vector<float>& embedding) {
  if (embedding.size() != dimensions_) {
    return base::Status::InvalidArgument(
        fmt::format("face {}: embedding has {} values, the index holds {}", id, embedding.size(), dimensions_));
  }
  std::unique_lock lock(mu_);
  auto& g = *impl_->graph;
  try {
    if (g.cur_element_count >= g.max_elements_) g.resizeIndex(std::max(kInitialCapacity, g.max_elements_ * 2));
    const auto label = static_cast<hnswlib::labeltype>(id);
    auto found = g.label_lookup_.find(label);
    if (found != g.label_lookup_.end() && g.isMarkedDeleted(found->second)) g.unmarkDelete(label);
    g.addPoint(embedding.data(), label);
  } catch (const std::exception& e) {
    return base::Status::Io(fmt::format("adding face {} to the index: {}", id, e.what()));
  }
  impl_->present.insert(id);
  return base::Status::Ok();
}

base::Status FaceIndex::AddBatch(const std::vector<int64_t>& ids, const std::vector<std::vector<float>>& embeddings,
                                 size_t threads) {
  if (ids.size() != embeddings.size()) return base::Status::InvalidArgument("ids and embeddings differ in number");
  for (size_t i = 0; i < ids.size(); ++i) {
    if (embeddings[i].size() != dimensions_) {
      return base::Status::InvalidArgument(fmt::format("face {}: embedding has {} values, the index holds {}", ids[i],
                                                       embeddings[i].size(), dimensions_));
    }
  }
  std::unique_lock lock(mu_);
  auto& g = *impl_->graph;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex error_mu;
  try {
    if (g.cur_element_count + ids.size() > g.max_elements_) {
      g.resizeIndex(std::max(kInitialCapacity, g.cur_element_count + ids.size()));
    }
  } catch (const std::exception& e) {
    return base::Status::Io(fmt::format("growing the face index: {}", e.what()));
  }
  // hnswlib's addPoint may run concurrently (it locks per node) as long as the index does not grow meanwhile.
  auto work = [&] {
    for (size_t i = next++; i < ids.size() && !failed; i = next++) {
      try {
        g.addPoint(embeddings[i].data(), static_cast<hnswlib::labeltype>(ids[i]));
      } catch (const std::exception& e) {
        std::lock_guard guard(error_mu);
        error = e.what();
        failed = true;
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t t = 1; t < std::max<size_t>(1, threads); ++t) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  if (failed) return base::Status::Io(fmt::format("adding faces to the index: {}", error));
  impl_->present.insert(ids.begin(), ids.end());
  return base::Status::Ok();
}

void FaceIndex::Remove(int64_t id) {
  std::unique_lock lock(mu_);
  if (impl_->present.erase(id) == 0) return;
  impl_->graph->markDelete(static_cast<hnswlib::labeltype>(id));
}

std::vector<Neighbour> FaceIndex::Nearest(const std::vector<float>& embedding, size_t k) const {
  std::vector<Neighbour> out;
  if (embedding.size() != dimensions_ || k == 0) return out;
  std::shared_lock lock(mu_);
  if (impl_->present.empty()) return out;
  auto found = impl_->graph->searchKnn(embedding.data(), std::min(k, impl_->present.size()));
  out.resize(found.size());
  for (size_t i = found.size(); i-- > 0; found.pop()) {
    out[i] = {static_cast<int64_t>(found.top().second), std::sqrt(static_cast<double>(found.top().first))};
  }
  return out;
}

std::vector<float> FaceIndex::Vector(int64_t id) const {
  std::shared_lock lock(mu_);
  if (!impl_->present.count(id)) return {};
  return impl_->graph->getDataByLabel<float>(static_cast<hnswlib::labeltype>(id));
}

bool FaceIndex::Contains(int64_t id) const {
  std::shared_lock lock(mu_);
  return impl_->present.count(id) > 0;
}

std::vector<int64_t> FaceIndex::Ids() const {
  std::shared_lock lock(mu_);
  return {impl_->present.begin(), impl_->present.end()};
}

size_t FaceIndex::size() const {
  std::shared_lock lock(mu_);
  return impl_->present.size();
}

size_t FaceIndex::MemoryBytes() const {
  std::shared_lock lock(mu_);
  const auto& g = *impl_->graph;
  size_t level0 = g.max_elements_ * g.size_data_per_element_;
  size_t upper = 0;
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    if (g.element_levels_[i] > 0) upper += g.size_links_per_element_ * g.element_levels_[i] + 1;
  }
  return level0 + upper + g.max_elements_ * sizeof(void*) + impl_->present.size() * 32;
}

}  // namespace triage::faces
