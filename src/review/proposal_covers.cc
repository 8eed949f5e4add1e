// Cover proposals: a better library photo of a person proposed as the person's cover (slot "cover:<person>").
// Approving one sets the cover and moves no file; reverting it puts the previous cover back.
#include <fmt/format.h>

#include <algorithm>

#include "review/proposal_service.h"

namespace triage::review {
namespace {

using catalog::ProposalRecord;

int64_t Pixels(const catalog::ImageFigures& f) { return int64_t{f.width} * f.height; }

// Whether `a` makes a better cover than `b`: a higher quality score, else more pixels.
bool BetterCover(const catalog::ImageFigures& a, const catalog::ImageFigures& b) {
  if (a.score != b.score) return a.score > b.score;
  return Pixels(a) > Pixels(b);
}

}  // namespace

base::Result<ProposalRecord> ProposalService::ProposeCover(const std::string& person, int64_t proposed_item_id,
                                                           const std::string& reason, const std::string& proposed_by,
                                                           int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckReason(reason));
  auto proposed = catalog_.GetItem(proposed_item_id);
  if (!proposed.ok()) return proposed.status();
  if (person.empty() || proposed->location != "library" || proposed->person != person) {
    return base::Status::InvalidArgument(fmt::format(
        "item {} is not a library photo of \"{}\"; only one can be that person's cover", proposed->id, person));
  }
  auto cover = store_.CoverOf(person);
  if (!cover.ok()) return cover.status();
  if (*cover == proposed->id) {
    return base::Status::InvalidArgument(fmt::format("item {} is {}'s cover already", proposed->id, person));
  }
  ProposalRecord p;
  p.slot = catalog::CoverSlot(person);
  p.current_item_id = *cover;
  if (*cover != 0) {
    auto current = catalog_.GetItem(*cover);
    if (current.ok()) p.current = FiguresOf(*current);
  }
  p.proposed_item_id = proposed->id;
  p.proposed = FiguresOf(*proposed);
  p.reason = reason;
  p.proposed_by = proposed_by;
  p.proposed_at = now;
  auto id = store_.AddProposal(p);
  if (!id.ok()) return id.status();
  return store_.GetProposal(*id);
}

base::Result<std::string> ProposalService::CoverStaleBecause(const ProposalRecord& p) {
  const std::string person = catalog::CoverPerson(p.slot);
  auto cover = store_.CoverOf(person);
  if (!cover.ok()) return cover.status();
  if (*cover != p.current_item_id) return fmt::format("{}'s cover changed since the proposal was made", person);
  auto proposed = catalog_.GetItem(p.proposed_item_id);
  if (!proposed.ok() && proposed.status().code() != base::Code::kNotFound) return proposed.status();
  if (!proposed.ok() || proposed->location != "library" || proposed->person != person) {
    return fmt::format("item {} (the proposed cover) is no longer a library photo of {}", p.proposed_item_id, person);
  }
  return std::string();
}

// The best library photo of `person` at least min_width x min_height, or nullopt.
base::Result<std::optional<model::ItemRecord>> ProposalService::BestPhotoOf(const std::string& person) {
  const config::ProposalOptions options = config_.Current()->proposals;
  catalog::ItemFilter filter;
  filter.location = "library";
  filter.person = person;
  filter.limit = 500;
  std::optional<model::ItemRecord> best;
  for (;;) {
    auto items = catalog_.ListItems(filter);
    if (!items.ok()) return items.status();
    for (const model::ItemRecord& item : *items) {
      const catalog::ImageFigures f = FiguresOf(item);
      if (f.width < options.min_width || f.height < options.min_height) continue;
      if (!best || BetterCover(f, FiguresOf(*best))) best = item;
    }
    if (static_cast<int>(items->size()) < filter.limit) return best;
    filter.after_id = items->back().id;
  }
}

base::Result<int> ProposalService::ProposeFromCovers(int64_t now) {
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  int proposed = 0;
  for (const model::PersonRecord& person : *persons) {
    auto cover = store_.CoverOf(person.name);
    if (!cover.ok()) return cover.status();
    if (*cover == 0) continue;  // a first cover is chosen by a person (a manual cover proposal)
    auto best = BestPhotoOf(person.name);
    if (!best.ok()) return best.status();
    if (!*best || *cover == (*best)->id) continue;
    std::string reason = "better_quality";  // also when the cover left the library: the best photo there is
    auto current = catalog_.GetItem(*cover);
    if (current.ok() && current->location == "library") {
      if (!BetterCover(FiguresOf(**best), FiguresOf(*current))) continue;
      if (FiguresOf(**best).score == FiguresOf(*current).score) reason = "higher_resolution";
    }
    catalog::ProposalFilter seen;  // proposed for this slot once already (decided or not): not again
    seen.item_id = (*best)->id;
    seen.limit = 1000;
    auto earlier = store_.ListProposals(seen);
    if (!earlier.ok()) return earlier.status();
    const std::string slot = catalog::CoverSlot(person.name);
    if (std::any_of(earlier->begin(), earlier->end(), [&](const ProposalRecord& p) { return p.slot == slot; })) {
      continue;
    }
    auto p = ProposeCover(person.name, (*best)->id, reason, "workflow:covers", now);
    if (p.ok())
      ++proposed;
    else if (p.status().code() != base::Code::kAlreadyExists)
      return p.status();
  }
  return proposed;
}

}  // namespace triage::review
