#include "catalog/policy_names.h"

namespace triage::catalog {

base::Result<model::Policy> PolicyWithNames(Catalog& catalog, model::Policy policy) {
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  policy.person_names.clear();
  for (const model::PersonRecord& p : *persons) {
    if (!p.display_name.empty() && p.display_name != p.name) policy.person_names[p.name] = p.display_name;
  }
  return policy;
}

std::string WrittenName(Catalog& catalog, const std::string& key) {
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return key;
  for (const model::PersonRecord& p : *persons) {
    if (p.name == key) return p.shown_name();
  }
  return key;
}

}  // namespace triage::catalog
