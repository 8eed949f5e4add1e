// Reading and writing the normalisation reference.
#include "quality/reference_store.h"

#include <fmt/format.h>

#include "base/files.h"

namespace triage::quality {

using nlohmann::json;

std::filesystem::path ReferenceFile(const std::filesystem::path& state_dir) {
  return state_dir / "quality_reference.json";
}

json ReferenceToJson(const model::QualityReference& ref) {
  return {{"samples", ref.samples},
          {"items", ref.items},
          {"overall", ref.overall},
          {"category_samples", ref.category_samples},
          {"by_category", ref.by_category}};
}

model::QualityReference ReferenceFromJson(const json& j) {
  model::QualityReference ref;
  if (!j.is_object()) return ref;
  ref.samples = j.value("samples", 0);
  ref.items = j.value("items", int64_t{0});
  ref.overall = j.value("overall", std::map<std::string, double>());
  ref.category_samples = j.value("category_samples", std::map<std::string, int>());
  ref.by_category = j.value("by_category", std::map<std::string, std::map<std::string, double>>());
  return ref;
}

base::Result<model::QualityReference> LoadReference(const std::filesystem::path& state_dir) {
  auto path = ReferenceFile(state_dir);
  auto text = base::ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == base::Code::kNotFound) return model::QualityReference();
    return text.status();
  }
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return base::Status::Corrupt(
        fmt::format("{}: not valid JSON; run `triage recompute` to rebuild it", path.string()));
  }
  try {
    return ReferenceFromJson(j);
  } catch (const json::exception& e) {
    return base::Status::Corrupt(fmt::format("{}: {}; run `triage recompute` to rebuild it", path.string(), e.what()));
  }
}

base::Status SaveReference(const std::filesystem::path& state_dir, const model::QualityReference& ref) {
  return base::WriteFileDurably(ReferenceFile(state_dir), ReferenceToJson(ref).dump(1) + "\n");
}

}  // namespace triage::quality
