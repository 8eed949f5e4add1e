// Whole-program specification of `triage user add|list|remove|passwd|role`: managing the web users from the CLI.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

class UserCliTest : public ::testing::Test {
 protected:
  void SetUp() override { InitLibrary(lib(), {{"analysis", {{"faces", false}}}}); }
  fs::path lib() const { return dir_ / "lib"; }
  RunResult Triage(std::vector<std::string> args, const std::optional<std::string>& input = std::nullopt) {
    args.push_back("--library");
    args.push_back(lib().string());
    return RunTriageWithInput(args, input);
  }
  // One text value (or "" when no row) from the library's catalog.
  std::string Query(const std::string& sql) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open((lib() / ".triage/catalog.db").c_str(), &db) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
  }
  // A login session of `user`, as the server stores one.
  void AddSession(const std::string& user, const std::string& token_hash) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((lib() / ".triage/catalog.db").c_str(), &db), SQLITE_OK);
    const std::string sql =
        "INSERT INTO sessions (token_hash, user_name, csrf_token, created_at, expires_at) VALUES ('" + token_hash +
        "', '" + user + "', 'csrf', 1, 4000000000)";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  std::string SessionsOf(const std::string& user) {
    return Query("SELECT COUNT(*) FROM sessions WHERE user_name = '" + user + "'");
  }
  void AddUser(const std::string& name, const std::string& role) {
    RunResult r = Triage({"user", "add", name, "--role", role}, "correct horse\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_{"user_cli"};
};

// The first user ends single-user mode: a plain user alone would leave nobody who may change the settings or manage
// persons, so the first one must be an admin.
TEST_F(UserCliTest, TheFirstUserMustBeAnAdmin) {
  RunResult first = Triage({"user", "add", "bob", "--role", "user"}, "correct horse\n");
  EXPECT_EQ(first.exit_code, 2) << first.err;
  EXPECT_NE(first.err.find("add an admin first (triage user add NAME --role admin)"), std::string::npos) << first.err;
  EXPECT_EQ(Triage({"user", "list", "--json"}).Json(), json::array()) << "nothing was added";
  AddUser("alice", "admin");
  AddUser("bob", "user");
  AddUser("dora", "superadmin");
  EXPECT_EQ(Triage({"user", "list", "--json"}).Json().size(), 3u);
}

// Names that differ only in capitals would be two accounts that read as one in the audit log.
TEST_F(UserCliTest, ANameThatDiffersOnlyInCapitalsIsRefused) {
  AddUser("alice", "admin");
  RunResult twin = Triage({"user", "add", "ALICE", "--role", "admin"}, "correct horse\n");
  EXPECT_EQ(twin.exit_code, 2) << twin.err;
  EXPECT_NE(twin.err.find("there is a user alice already"), std::string::npos) << twin.err;
  EXPECT_EQ(Triage({"user", "list", "--json"}).Json().size(), 1u);
  RunResult again = Triage({"user", "add", "alice", "--role", "admin"}, "correct horse\n");
  EXPECT_NE(again.exit_code, 0) << "the same name is refused as before";
}

TEST_F(UserCliTest, ListShowsNamesRolesAndWhenAddedButNeverAHash) {
  RunResult empty = Triage({"user", "list"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("no users yet"), std::string::npos) << empty.out;
  EXPECT_EQ(Triage({"user", "list", "--json"}).Json(), json::array());
  AddUser("alice", "admin");
  AddUser("bob", "user");
  const std::string hash = Query("SELECT password_hash FROM users WHERE name = 'alice'");
  ASSERT_FALSE(hash.empty());
  RunResult text = Triage({"user", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("alice"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("admin"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("added 20"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(hash.substr(0, 16)), std::string::npos) << text.out;
  RunResult listed = Triage({"user", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json users = listed.Json();
  ASSERT_EQ(users.size(), 2u) << listed.out;
  EXPECT_EQ(users[0]["name"], "alice");
  EXPECT_EQ(users[0]["role"], "admin");
  EXPECT_GT(users[0]["created_at"].get<int64_t>(), 1'600'000'000);
  EXPECT_EQ(users[1]["name"], "bob");
  EXPECT_EQ(users[1]["role"], "user");
  EXPECT_EQ(listed.out.find(hash.substr(0, 16)), std::string::npos) << listed.out;
  EXPECT_FALSE(users[0].contains("password_hash"));
}

TEST_F(UserCliTest, RemoveEndsTheUsersSessionsAndKeepsTheLastAdmin) {
  AddUser("alice", "admin");
  AddUser("bob", "user");
  AddSession("bob", "b1");
  AddSession("alice", "a1");
  RunResult removed = Triage({"user", "remove", "bob", "--json"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.Json()["user"], "bob");
  EXPECT_EQ(removed.Json()["removed"], true);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM users WHERE name = 'bob'"), "0");
  EXPECT_EQ(SessionsOf("bob"), "0");
  EXPECT_EQ(SessionsOf("alice"), "1");  // only that user's sessions end
  // The last admin: refused as a conflict (exit 5), and nothing changes.
  RunResult last = Triage({"user", "remove", "alice"});
  EXPECT_EQ(last.exit_code, 5);
  EXPECT_NE(last.err.find("alice is the last admin: give another user the role admin first"), std::string::npos)
      << last.err;
  EXPECT_EQ(Query("SELECT role FROM users WHERE name = 'alice'"), "admin");
  EXPECT_EQ(SessionsOf("alice"), "1");
  RunResult last_json = Triage({"user", "remove", "alice", "--json"});
  EXPECT_EQ(last_json.exit_code, 5);
  EXPECT_EQ(last_json.Json()["error"], "conflict");
  // Nobody by that name: not found (exit 3), with where to see the names.
  RunResult nobody = Triage({"user", "remove", "carol"});
  EXPECT_EQ(nobody.exit_code, 3);
  EXPECT_NE(nobody.err.find("no user named carol (triage user list shows the users)"), std::string::npos) << nobody.err;
  // With a second admin, the first may go.
  AddUser("dora", "superadmin");
  RunResult now = Triage({"user", "remove", "alice"});
  EXPECT_EQ(now.exit_code, 0) << now.err;
  EXPECT_NE(now.out.find("removed user alice; their sessions ended"), std::string::npos) << now.out;
  EXPECT_EQ(SessionsOf("alice"), "0");
}

TEST_F(UserCliTest, PasswdReadsTheNewPasswordFromStdinAndEndsTheUsersSessions) {
  AddUser("alice", "admin");
  AddSession("alice", "a1");
  const std::string before = Query("SELECT password_hash FROM users WHERE name = 'alice'");
  RunResult weak = Triage({"user", "passwd", "alice"}, "short\n");  // the rule of `user add`
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("the password must have at least 8 characters"), std::string::npos) << weak.err;
  EXPECT_EQ(Query("SELECT password_hash FROM users WHERE name = 'alice'"), before);
  EXPECT_EQ(SessionsOf("alice"), "1");
  RunResult nobody = Triage({"user", "passwd", "carol"}, "a fine password\n");
  EXPECT_EQ(nobody.exit_code, 3);
  EXPECT_NE(nobody.err.find("no user named carol"), std::string::npos) << nobody.err;
  RunResult changed = Triage({"user", "passwd", "alice", "--json"}, "a fine password\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(changed.Json()["password_changed"], true);
  const std::string after = Query("SELECT password_hash FROM users WHERE name = 'alice'");
  EXPECT_NE(after, before);
  EXPECT_EQ(after.find("a fine password"), std::string::npos);
  EXPECT_EQ(SessionsOf("alice"), "0");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM audit WHERE action = 'user' AND reason LIKE 'password of user alice%'"), "1");
}

TEST_F(UserCliTest, RoleChangesTheRoleButNeverDemotesTheLastAdmin) {
  AddUser("alice", "admin");
  AddUser("bob", "user");
  RunResult last = Triage({"user", "role", "alice", "user"});
  EXPECT_EQ(last.exit_code, 5);
  EXPECT_NE(last.err.find("alice is the last admin"), std::string::npos) << last.err;
  EXPECT_EQ(Query("SELECT role FROM users WHERE name = 'alice'"), "admin");
  RunResult unknown = Triage({"user", "role", "bob", "root"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("role \"root\" is unknown; use user, admin or superadmin"), std::string::npos)
      << unknown.err;
  RunResult nobody = Triage({"user", "role", "carol", "admin"});
  EXPECT_EQ(nobody.exit_code, 3);
  EXPECT_NE(nobody.err.find("no user named carol"), std::string::npos) << nobody.err;
  RunResult promoted = Triage({"user", "role", "bob", "admin", "--json"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_EQ(promoted.Json(), json({{"user", "bob"}, {"role", "admin"}, {"was", "user"}}));
  RunResult demoted = Triage({"user", "role", "alice", "user"});
  ASSERT_EQ(demoted.exit_code, 0) << demoted.err;
  EXPECT_NE(demoted.out.find("alice now has the role user (was admin)"), std::string::npos) << demoted.out;
  EXPECT_EQ(Query("SELECT role FROM users WHERE name = 'alice'"), "user");
  RunResult missing = Triage({"user", "role", "alice"});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace triage::e2e
