// Loader for TensorFlow.js "layers" weight files: a weights_manifest.json naming tensors (name, shape, dtype,
// optional uint8/uint16 quantization) and the .bin shards holding their bytes back to back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::faces {

// A dequantized tensor. int32 tensors are stored converted to float.
struct Tensor {
  std::string name;
  std::vector<int> shape;
  std::vector<float> values;  // product(shape) elements, row-major in `shape` order
};

// Every tensor of one manifest. Immutable once loaded; thread-safe to read.
class TfjsWeights {
 public:
  // Reads the manifest and every shard it lists (paths relative to the manifest's folder). Fails with kNotFound
  // when a file is missing and kCorrupt, naming the tensor, when the manifest is malformed, a dtype or
  // quantization is unsupported, a shard is too short for a tensor, or bytes are left over after the last one.
  static base::Result<TfjsWeights> Load(const std::filesystem::path& manifest_path);

  // The tensor called `name`, which must have exactly `shape`; kCorrupt naming it when it is absent or shaped
  // otherwise. The pointer stays valid as long as this object.
  base::Result<const Tensor*> Get(const std::string& name, const std::vector<int>& shape) const;

  size_t size() const { return tensors_.size(); }

 private:
  std::map<std::string, Tensor> tensors_;
};

// "[3, 3, 32, 64]".
std::string ShapeToString(const std::vector<int>& shape);

}  // namespace triage::faces
