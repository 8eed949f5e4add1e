// Names of face value types.
#include "model/face.h"

namespace triage::model {

const char* MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kUnknown: return "unknown";
    case MatchKind::kLowConfidence: return "low_confidence";
    case MatchKind::kKnown: return "known";
  }
  return "unknown";
}

}  // namespace triage::model
