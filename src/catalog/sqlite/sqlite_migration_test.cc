// The SQLite catalog's migrations: a database left at any earlier schema version (an older triage made it) is brought
// up to the same schema a new one gets, keeping its rows, and holds every column `db copy` moves.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "catalog/sqlite/schema.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

namespace fs = std::filesystem;

bool Next(Statement& s) {
  auto row = s.Step();
  return row.ok() && *row;
}

// Every table's and index's definition (columns as table_info lists them), to compare two databases' schemas.
std::map<std::string, std::string> SchemaOf(SqliteCatalog& catalog) {
  auto lock = catalog.Lock();
  std::map<std::string, std::string> out;
  Statement objects(catalog.handle(), "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
  while (Next(objects)) {
    std::string name = objects.Text(1);
    std::string& shape = out[objects.Text(0) + " " + name];
    if (objects.Text(0) != "table") continue;
    Statement cols(
        catalog.handle(),
        ("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('" + name + "') ORDER BY cid").c_str());
    while (Next(cols)) {
      for (int c = 0; c < 5; ++c) shape += (cols.IsNull(c) ? std::string("NULL") : cols.Text(c)) + " ";
      shape += "; ";
    }
  }
  return out;
}

class SqliteMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqlite_migration_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A database as a triage that knew `version` migrations left it, holding one item and one person when it can.
  void MakeAtVersion(const fs::path& path, size_t version) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_TRUE(Exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL)").ok());
    for (size_t v = 0; v < version; ++v) {
      ASSERT_TRUE(Exec(db, "BEGIN").ok());
      ASSERT_TRUE(Exec(db, Migrations()[v]).ok()) << "migration " << v + 1 << ": " << sqlite3_errmsg(db);
      ASSERT_TRUE(Exec(db, ("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")").c_str()).ok());
      ASSERT_TRUE(Exec(db, "COMMIT").ok());
    }
    if (version >= 1) {
      ASSERT_TRUE(Exec(db,
                       "INSERT INTO items (id, path, original_name, sha256, location, category, created_at, updated_at)"
                       " VALUES (7, 'review/unidentified/a.jpg', 'a.jpg', 'abc', 'review', 'unidentified', 1, 1);"
                       "INSERT INTO faces (item_id, x, y, w, h) VALUES (7, 1, 2, 30, 40);"
                       "INSERT INTO persons (name, created_at) VALUES ('ada', 1)")
                      .ok());
    }
    sqlite3_close(db);
  }

  fs::path dir_;
};

TEST_F(SqliteMigrationTest, UpgradesFromEmptyAndFromEachEarlierVersionToTheSchemaOfANewCatalog) {
  auto fresh = SqliteCatalog::Open(dir_ / "fresh.db");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  const auto latest = SchemaOf(**fresh);
  for (size_t version = 0; version < Migrations().size(); ++version) {
    const fs::path path = dir_ / ("at" + std::to_string(version) + ".db");
    MakeAtVersion(path, version);
    auto catalog = SqliteCatalog::Open(path);
    ASSERT_TRUE(catalog.ok()) << "from version " << version << ": " << catalog.status().ToString();
    EXPECT_EQ(*(*catalog)->SchemaVersion(), static_cast<int64_t>(Migrations().size()));
    EXPECT_EQ(SchemaOf(**catalog), latest) << "from version " << version;
    const bool filled = version >= 1;
    EXPECT_EQ((*catalog)->ListPersons()->size(), filled ? 1u : 0u) << "from version " << version;
    auto item = (*catalog)->GetItem(7);
    EXPECT_EQ(item.ok(), filled) << "from version " << version;
    if (filled) {
      EXPECT_EQ(item->path, "review/unidentified/a.jpg");
      EXPECT_EQ((*catalog)->FacesOf(7)->size(), 1u) << "from version " << version;
    }
    for (const TableSpec& table : CopiedTables()) {
      EXPECT_TRUE((*catalog)->ReadRows(table, std::nullopt, 0).ok()) << table.name << " from version " << version;
    }
  }
}

TEST_F(SqliteMigrationTest, NewerSchemaThanThisBuildIsRefused) {
  MakeAtVersion(dir_ / "newer.db", 0);
  {
    auto catalog = SqliteCatalog::Open(dir_ / "newer.db");
    ASSERT_TRUE(catalog.ok());
    auto lock = (*catalog)->Lock();
    ASSERT_TRUE(Exec((*catalog)->handle(), "INSERT INTO schema_version VALUES (999)").ok());
  }
  auto again = SqliteCatalog::Open(dir_ / "newer.db");
  EXPECT_EQ(again.status().code(), base::Code::kUnavailable);
  EXPECT_NE(again.status().message().find("newer than this triage knows"), std::string::npos);
}

}  // namespace
}  // namespace triage::catalog::sqlite
