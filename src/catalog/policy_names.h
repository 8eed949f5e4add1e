// The routing policy with the persons' names as they are written, read from the catalog.
#pragma once

#include "base/status.h"
#include "catalog/catalog.h"
#include "model/decision.h"

namespace triage::catalog {

// `policy` with person_names filled from the catalog's persons (those whose written name differs from the folder
// name), so that decide()'s reasons say "Sheldon Cooper", not "sheldon_cooper". A catalog error is returned.
base::Result<model::Policy> PolicyWithNames(Catalog& catalog, model::Policy policy);

}  // namespace triage::catalog
