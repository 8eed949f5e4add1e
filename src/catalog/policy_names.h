// The routing policy with the persons' names as they are written, read from the catalog.
#pragma once

#include "base/status.h"
#include "catalog/catalog.h"
#include "model/decision.h"

namespace triage::catalog {

// `policy` with person_names filled from the catalog's persons (those whose written name differs from the folder
// name), so that decide()'s reasons say "Sheldon Cooper", not "sheldon_cooper". A catalog error is returned.
base::Result<model::Policy> PolicyWithNames(Catalog& catalog, model::Policy policy);

// The name of person `key` (its folder name) as it was written ("Sheldon Cooper" for sheldon_cooper), for the words
// people read: summaries, toasts, audit lines. The key itself when the person has no other name, is unknown (removed
// meanwhile) or the catalog cannot be read: a name is never worth failing a decision that is already made.
std::string WrittenName(Catalog& catalog, const std::string& key);

}  // namespace triage::catalog
