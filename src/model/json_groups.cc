// Groups as JSON.
#include "model/json_groups.h"

namespace triage::model {

nlohmann::json GroupJson(const ItemGroup& g, const std::function<std::string(int64_t)>& path_of) {
  nlohmann::json members = nlohmann::json::array();
  for (const GroupMember& m : g.members) {
    members.push_back({{"id", m.item_id},
                       {"path", path_of(m.item_id)},
                       {"lead", m.lead},
                       {"relation", m.relation},
                       {"rank_score", m.rank_score},
                       {"distance", m.distance}});
  }
  return {{"id", g.id},       {"kind", GroupKindName(g.kind)},
          {"lead", g.lead()}, {"size", g.members.size()},
          {"why", g.why},     {"members", members}};
}

}  // namespace triage::model
