// An item row as the catalog's queries select it (internal to catalog/sqlite): the column list over the table
// `items` (unaliased) and its reader. Columns 0..26; a query may select more after them.
#pragma once

#include "catalog/sqlite/statement.h"
#include "model/item.h"

namespace triage::catalog::sqlite {

extern const char* const kItemColumns;
model::ItemRecord ReadItem(const Statement& s);

}  // namespace triage::catalog::sqlite
