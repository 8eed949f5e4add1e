// Helpers of the decision value types.
#include "model/decision.h"

#include <algorithm>

namespace triage::model {

bool IsReviewCategory(const std::string& name) {
  const auto& all = ReviewCategories();
  return std::find(all.begin(), all.end(), name) != all.end();
}

std::string Decision::Summary() const {
  std::string out;
  for (const Reason& r : reasons) {
    if (!out.empty()) out += " ";
    out += r.text;
  }
  return out;
}

const char* DestinationName(Destination d) {
  switch (d) {
    case Destination::kLibrary: return "library";
    case Destination::kReview: return "review";
  }
  return "review";
}

}  // namespace triage::model
