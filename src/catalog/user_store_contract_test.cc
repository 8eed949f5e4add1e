// Specification of the user and session store, on every catalog backend (SQLite and the tests' PostgreSQL).
#include <fmt/format.h>

#include <atomic>
#include <thread>

#include "catalog/store_test.h"

namespace triage::catalog {
namespace {

using UserStoreTest = StoreTest<UserStore, &TestBackend::Users>;

TEST_P(UserStoreTest, AddsAndFindsUsers) {
  EXPECT_EQ(*store_->CountUsers(), 0);
  ASSERT_TRUE(store_->AddUser({0, "alice", "admin", "aa:bb", 10}).ok());
  auto alice = store_->GetUser("alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->role, "admin");
  EXPECT_EQ(alice->password_hash, "aa:bb");
  EXPECT_EQ(*store_->CountUsers(), 1);
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
}

TEST_P(UserStoreTest, RefusesDuplicateNamesAndUnknownRoles) {
  ASSERT_TRUE(store_->AddUser({0, "alice", "user", "aa:bb", 10}).ok());
  EXPECT_EQ(store_->AddUser({0, "alice", "user", "cc:dd", 11}).status().code(), base::Code::kAlreadyExists);
  EXPECT_EQ(store_->AddUser({0, "bob", "root", "cc:dd", 11}).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(store_->GetUser("bob").status().code(), base::Code::kNotFound);
}

TEST_P(UserStoreTest, SessionsExpire) {
  ASSERT_TRUE(store_->AddSession({"hash1", "alice", "csrf1", 100, 200}).ok());
  auto s = store_->FindSession("hash1", 150);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->csrf_token, "csrf1");
  EXPECT_EQ(store_->FindSession("hash1", 200).status().code(), base::Code::kNotFound);
  EXPECT_EQ(*store_->RemoveExpiredSessions(300), 1);
}

TEST_P(UserStoreTest, ChangingPasswordOrRemovingUserEndsSessions) {
  ASSERT_TRUE(store_->AddUser({0, "alice", "user", "aa:bb", 10}).ok());
  ASSERT_TRUE(store_->AddSession({"h1", "alice", "c1", 100, 1000}).ok());
  ASSERT_TRUE(store_->SetPassword("alice", "cc:dd").ok());
  EXPECT_FALSE(store_->FindSession("h1", 150).ok());
  ASSERT_TRUE(store_->AddSession({"h2", "alice", "c2", 100, 1000}).ok());
  ASSERT_TRUE(store_->RemoveUser("alice").ok());
  EXPECT_FALSE(store_->FindSession("h2", 150).ok());
  EXPECT_EQ(store_->RemoveUser("alice").code(), base::Code::kNotFound);
}

TEST_P(UserStoreTest, TheLastAdminIsNeitherRemovedNorDemoted) {
  ASSERT_TRUE(store_->AddUser({0, "alice", "admin", "aa:bb", 10}).ok());
  ASSERT_TRUE(store_->AddUser({0, "bob", "user", "aa:bb", 10}).ok());
  ASSERT_TRUE(store_->AddSession({"h1", "alice", "c1", 100, 1000}).ok());
  base::Status removed = store_->RemoveUser("alice");
  EXPECT_EQ(removed.code(), base::Code::kConflict);
  EXPECT_EQ(removed.message(), LastAdminMessage("alice"));
  EXPECT_EQ(store_->SetRole("alice", "user").code(), base::Code::kConflict);
  EXPECT_EQ(store_->GetUser("alice")->role, "admin");
  EXPECT_TRUE(store_->FindSession("h1", 150).ok());  // nothing changed, not even the sessions
  // A user who is no admin goes; with a second admin (a superadmin counts), the first may go too.
  EXPECT_TRUE(store_->SetRole("bob", "superadmin").ok());
  EXPECT_EQ(store_->GetUser("bob")->role, "superadmin");
  EXPECT_TRUE(store_->SetRole("alice", "user").ok());
  EXPECT_EQ(store_->SetRole("bob", "admin").code(), base::Code::kOk);  // admin to admin: still one
  EXPECT_EQ(store_->SetRole("bob", "user").code(), base::Code::kConflict);
  EXPECT_TRUE(store_->RemoveUser("alice").ok());
  EXPECT_EQ(store_->RemoveUser("bob").code(), base::Code::kConflict);
}

// Two admins removed at the same moment: one goes, the other stays (each statement counts the admins left once the
// other's has finished, not as they were when it began). Each round races the admin left by the one before against
// a new one, through two connections (a server and a CLI, or two workers).
TEST_P(UserStoreTest, TwoAdminsRemovedAtOnceLeaveOne) {
  auto second = backend_->Open();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  std::unique_ptr<UserStore> other = backend_->Users(**second);
  std::string left = "admin0";
  ASSERT_TRUE(store_->AddUser({0, left, "admin", "aa:bb", 10}).ok());
  for (int round = 1; round <= 20; ++round) {
    const std::string added = fmt::format("admin{}", round);
    ASSERT_TRUE(store_->AddUser({0, added, "admin", "aa:bb", 10}).ok());
    std::atomic<int> ready{0};
    base::Status removed_left, removed_added;
    auto remove = [&](UserStore* users, const std::string& name, base::Status* out) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      *out = users->RemoveUser(name);
    };
    std::thread t1(remove, store_.get(), left, &removed_left), t2(remove, other.get(), added, &removed_added);
    t1.join();
    t2.join();
    ASSERT_NE(removed_left.ok(), removed_added.ok())
        << "round " << round << ": " << removed_left.ToString() << " / " << removed_added.ToString();
    auto users = store_->ListUsers();
    ASSERT_EQ(users->size(), 1u) << "round " << round;
    EXPECT_EQ(users->front().role, "admin");
    left = users->front().name;
  }
}

TEST_P(UserStoreTest, SetRoleNamesAnUnknownUserOrRole) {
  ASSERT_TRUE(store_->AddUser({0, "alice", "user", "aa:bb", 10}).ok());
  EXPECT_EQ(store_->SetRole("nobody", "admin").code(), base::Code::kNotFound);
  EXPECT_EQ(store_->SetRole("alice", "root").code(), base::Code::kInvalidArgument);
  EXPECT_EQ(store_->GetUser("alice")->role, "user");
  EXPECT_EQ(store_->RemoveUser("nobody").code(), base::Code::kNotFound);
}

TEST_P(UserStoreTest, LogoutRemovesOnlyThatSession) {
  ASSERT_TRUE(store_->AddSession({"h1", "alice", "c1", 100, 1000}).ok());
  ASSERT_TRUE(store_->AddSession({"h2", "alice", "c2", 100, 1000}).ok());
  ASSERT_TRUE(store_->RemoveSession("h1").ok());
  EXPECT_FALSE(store_->FindSession("h1", 150).ok());
  EXPECT_TRUE(store_->FindSession("h2", 150).ok());
}

TRIAGE_ON_EVERY_BACKEND(UserStoreTest);

}  // namespace
}  // namespace triage::catalog
