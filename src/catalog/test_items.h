// Items that tests put into a catalog directly. Test code only.
#pragma once

#include <string>

#include "catalog/catalog.h"

namespace triage::catalog {

// The insertion of item number `n`, waiting in review/<category> (journal id, path, name and SHA-256 from `n`).
inline CatalogChange ReviewItemChange(int n, const std::string& category = "unidentified") {
  CatalogChange c;
  c.journal_id = "j" + std::to_string(n);
  c.item.path = "review/" + category + "/" + std::to_string(n) + ".jpg";
  c.item.original_name = std::to_string(n) + ".jpg";
  c.item.fingerprint.sha256 = "sha" + std::to_string(n);
  c.item.location = "review";
  c.item.category = category;
  c.at = 1;
  return c;
}

}  // namespace triage::catalog
