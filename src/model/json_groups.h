// JSON shape of bursts and duplicate groups (README "Bursts and duplicate groups"): {id, kind, lead, size, why,
// members: [{id, path, lead, relation, rank_score, distance}]}, the lead first.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "model/groups.h"

namespace triage::model {

// `path_of` gives a member's library path ("" when unknown).
nlohmann::json GroupJson(const ItemGroup& group, const std::function<std::string(int64_t)>& path_of);

}  // namespace triage::model
