// Helpers of the decision value types.
#include "model/decision.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "model/groups.h"

namespace triage::model {

bool IsReviewCategory(const std::string& name) {
  const auto& all = ReviewCategories();
  return std::find(all.begin(), all.end(), name) != all.end();
}

base::Status CheckReviewCategory(const std::string& category) {
  if (category.empty() || IsReviewCategory(category)) return base::Status::Ok();
  return base::Status::InvalidArgument(fmt::format("unknown review category \"{}\"; the review categories are: {}",
                                                   category, fmt::join(ReviewCategories(), ", ")));
}

std::string Decision::Summary() const {
  std::string out;
  for (const Reason& r : reasons) {
    if (!out.empty()) out += " ";
    out += r.text;
  }
  return out;
}

std::string PhotoMonthFolder(const std::string& taken_at) {
  auto digits = [&](size_t from, size_t n) {
    return taken_at.size() >= from + n && std::all_of(taken_at.begin() + from, taken_at.begin() + from + n,
                                                      [](char c) { return c >= '0' && c <= '9'; });
  };
  bool dated = digits(0, 4) && taken_at.size() >= 7 && (taken_at[4] == '-' || taken_at[4] == ':') && digits(5, 2) &&
               taken_at.substr(5, 2) >= "01" && taken_at.substr(5, 2) <= "12" && taken_at.substr(0, 4) != "0000";
  if (dated && taken_at.size() >= 19) {  // a whole time names a real moment, as the gallery and bursts read it
    std::string iso = taken_at.substr(0, 19);
    iso[4] = iso[7] = '-';
    iso[10] = 'T';
    dated = CaptureTimeMs(iso).has_value();
  }
  return dated ? taken_at.substr(0, 4) + "/" + taken_at.substr(5, 2) : "undated";
}

const char* DestinationName(Destination d) {
  switch (d) {
    case Destination::kLibrary:
      return "library";
    case Destination::kReview:
      return "review";
  }
  return "review";
}

}  // namespace triage::model
