// TF.js weights manifest parsing and dequantization (value = q * scale + min).
#include "faces/tfjs_weights.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "base/files.h"

namespace triage::faces {
namespace {

using nlohmann::json;

// How one manifest entry is stored in the shard bytes.
struct Entry {
  Tensor tensor;
  std::string dtype;         // "float32" or "int32"
  std::string quantized_as;  // "", "uint8" or "uint16"
  double scale = 1;
  double min = 0;
  size_t count = 0;  // elements
  size_t bytes_per_value = 4;
};

base::Status Bad(const std::string& manifest, const std::string& tensor, const std::string& what) {
  return base::Status::Corrupt("weights manifest " + manifest + ", tensor '" + tensor + "': " + what);
}

base::Result<Entry> ParseEntry(const json& j, const std::string& manifest) {
  Entry e;
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) {
    return base::Status::Corrupt("weights manifest " + manifest + ": an entry has no name");
  }
  e.tensor.name = j["name"].get<std::string>();
  if (!j.contains("shape") || !j["shape"].is_array()) return Bad(manifest, e.tensor.name, "no shape");
  e.count = 1;
  for (const json& dim : j["shape"]) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0 || dim.get<int64_t>() > (1 << 24)) {
      return Bad(manifest, e.tensor.name, "bad dimension in shape");
    }
    e.tensor.shape.push_back(dim.get<int>());
    e.count *= static_cast<size_t>(dim.get<int>());
    if (e.count > (size_t{1} << 28)) return Bad(manifest, e.tensor.name, "implausibly large tensor");
  }
  e.dtype = j.value("dtype", "");
  if (e.dtype != "float32" && e.dtype != "int32") return Bad(manifest, e.tensor.name, "unsupported dtype " + e.dtype);
  if (j.contains("quantization")) {
    const json& q = j["quantization"];
    e.quantized_as = q.value("dtype", "");
    if (e.quantized_as == "uint8") {
      e.bytes_per_value = 1;
    } else if (e.quantized_as == "uint16") {
      e.bytes_per_value = 2;
    } else {
      return Bad(manifest, e.tensor.name, "unsupported quantization " + e.quantized_as);
    }
    if (!q.contains("scale") || !q["scale"].is_number() || !q.contains("min") || !q["min"].is_number()) {
      return Bad(manifest, e.tensor.name, "quantization without scale and min");
    }
    e.scale = q["scale"].get<double>();
    e.min = q["min"].get<double>();
  }
  return e;
}

// Decodes `e.count` values starting at `data`; the caller has checked that enough bytes remain.
void DecodeValues(const unsigned char* data, Entry* e) {
  std::vector<float>& out = e->tensor.values;
  out.resize(e->count);
  for (size_t i = 0; i < e->count; ++i) {
    if (e->quantized_as == "uint8") {
      out[i] = static_cast<float>(data[i] * e->scale + e->min);
    } else if (e->quantized_as == "uint16") {
      uint16_t q;
      std::memcpy(&q, data + 2 * i, 2);
      out[i] = static_cast<float>(q * e->scale + e->min);
    } else if (e->dtype == "int32") {
      int32_t v;
      std::memcpy(&v, data + 4 * i, 4);
      out[i] = static_cast<float>(v);
    } else {
      std::memcpy(&out[i], data + 4 * i, 4);
    }
  }
}

// The group's shards, concatenated in manifest order.
base::Result<std::string> ReadShards(const json& group, const std::filesystem::path& folder,
                                     const std::string& manifest) {
  if (!group.contains("paths") || !group["paths"].is_array()) {
    return base::Status::Corrupt("weights manifest " + manifest + ": a group lists no paths");
  }
  std::string bytes;
  for (const json& path : group["paths"]) {
    if (!path.is_string()) return base::Status::Corrupt("weights manifest " + manifest + ": a path is not a string");
    base::Result<std::string> shard = base::ReadFile(folder / path.get<std::string>());
    if (!shard.ok()) return shard.status();
    bytes += shard.value();
  }
  return bytes;
}

}  // namespace

base::Result<TfjsWeights> TfjsWeights::Load(const std::filesystem::path& manifest_path) {
  const std::string manifest = manifest_path.string();
  base::Result<std::string> text = base::ReadFile(manifest_path);
  if (!text.ok()) return text.status();
  const json root = json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_array()) {
    return base::Status::Corrupt("weights manifest " + manifest + " is not a JSON array of groups");
  }
  TfjsWeights weights;
  for (const json& group : root) {
    base::Result<std::string> bytes = ReadShards(group, manifest_path.parent_path(), manifest);
    if (!bytes.ok()) return bytes.status();
    if (!group.contains("weights") || !group["weights"].is_array()) {
      return base::Status::Corrupt("weights manifest " + manifest + ": a group has no weights list");
    }
    size_t offset = 0;
    for (const json& j : group["weights"]) {
      base::Result<Entry> entry = ParseEntry(j, manifest);
      if (!entry.ok()) return entry.status();
      const size_t need = entry->count * entry->bytes_per_value;
      if (bytes->size() - offset < need) {
        return Bad(manifest, entry->tensor.name,
                   "needs " + std::to_string(need) + " bytes at offset " + std::to_string(offset) +
                       " but the weights file holds " + std::to_string(bytes->size()) + " (truncated?)");
      }
      DecodeValues(reinterpret_cast<const unsigned char*>(bytes->data()) + offset, &entry.value());
      offset += need;
      const std::string name = entry->tensor.name;
      if (!weights.tensors_.emplace(name, std::move(entry->tensor)).second) {
        return Bad(manifest, name, "listed twice");
      }
    }
    if (offset != bytes->size()) {
      return base::Status::Corrupt("weights manifest " + manifest + ": " + std::to_string(bytes->size() - offset) +
                                   " bytes left over after the last tensor (weights file does not match)");
    }
  }
  return weights;
}

base::Result<const Tensor*> TfjsWeights::Get(const std::string& name, const std::vector<int>& shape) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return base::Status::Corrupt("tensor '" + name + "' is missing from the weights");
  if (it->second.shape != shape) {
    return base::Status::Corrupt("tensor '" + name + "' has shape " + ShapeToString(it->second.shape) + ", expected " +
                                 ShapeToString(shape));
  }
  return &it->second;
}

std::string ShapeToString(const std::vector<int>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace triage::faces
