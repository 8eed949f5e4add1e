// Names of face value types.
#include "model/face.h"

#include <charconv>
#include <string_view>

namespace triage::model {

const char* MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kUnknown:
      return "unknown";
    case MatchKind::kLowConfidence:
      return "low_confidence";
    case MatchKind::kKnown:
      return "known";
  }
  return "unknown";
}

std::string ReferenceSource(int64_t item_id, int face_index) {
  std::string out = "item:" + std::to_string(item_id);
  if (face_index >= 0) out += ":face:" + std::to_string(face_index);
  return out;
}

ReferenceOrigin ParseReferenceSource(const std::string& source) {
  if (source.rfind("item:", 0) != 0) return {};
  const char* end = source.data() + source.size();
  int64_t id = 0;
  auto [rest, ec] = std::from_chars(source.data() + 5, end, id);
  if (ec != std::errc() || id <= 0) return {};
  if (rest == end) return {id, -1};
  constexpr std::string_view kFace = ":face:";
  if (std::string_view(rest, end - rest).substr(0, kFace.size()) != kFace) return {};
  int face = -1;
  auto [last, ec2] = std::from_chars(rest + kFace.size(), end, face);
  if (ec2 != std::errc() || last != end || face < 0) return {};
  return {id, face};
}

void ScaleFaces(std::vector<Face>& faces, double to_full) {
  auto scale = [to_full](float v) { return static_cast<float>(v * to_full); };
  for (Face& f : faces) {
    f.box = {scale(f.box.x), scale(f.box.y), scale(f.box.width), scale(f.box.height)};
    for (Point& p : f.landmarks) p = {scale(p.x), scale(p.y)};
  }
}

}  // namespace triage::model
