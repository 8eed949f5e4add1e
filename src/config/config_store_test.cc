// Specification of the config store: snapshots, edits from other processes, and locked read-modify-write.
#include "config/config_store.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/files.h"

namespace triage::config {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("triage_config_store_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(SaveConfigJson(dir_, DefaultConfigJson()).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<ConfigStore> OpenStore() {
    auto store = ConfigStore::Open(dir_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }

  fs::path dir_;
};

TEST_F(ConfigStoreTest, SeesAnEditSavedByAnotherProcess) {
  auto server = OpenStore();
  uint64_t before = server->Current()->version;
  json doc = DefaultConfigJson();
  doc["thresholds"]["min_confidence"] = 0.3;
  ASSERT_TRUE(SaveConfigJson(dir_, doc).ok());  // what the CLI does in another process
  auto now = server->Current();
  EXPECT_DOUBLE_EQ(now->policy.min_confidence, 0.3);
  EXPECT_GT(now->version, before);
}

TEST_F(ConfigStoreTest, TwoWritersKeepEachOthersEdits) {
  auto server = OpenStore();
  auto cli = OpenStore();
  ASSERT_TRUE(server->Current());  // the server read the file before the CLI's edit
  ASSERT_TRUE(cli->Update([](json& d) {
                   d["whitelist"] = json::array({"penny"});
                   return base::Status::Ok();
                 })
                  .ok());
  ASSERT_TRUE(server
                  ->Update([](json& d) {
                    d["thresholds"]["min_confidence"] = 0.8;
                    return base::Status::Ok();
                  })
                  .ok());
  auto reread = LoadConfig(dir_);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->policy.whitelist, std::vector<std::string>{"penny"});
  EXPECT_DOUBLE_EQ(reread->policy.min_confidence, 0.8);
  EXPECT_EQ(server->Current()->policy.whitelist, std::vector<std::string>{"penny"});
}

TEST_F(ConfigStoreTest, RefusedEditChangesNothing) {
  auto store = OpenStore();
  auto before = store->Current();
  auto updated = store->Update([](json& d) {
    d["thresholds"]["min_confidence"] = 7;
    return base::Status::Ok();
  });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(updated.status().message().find("thresholds.min_confidence"), std::string::npos);
  EXPECT_EQ(store->Current(), before);
  EXPECT_DOUBLE_EQ(LoadConfig(dir_)->policy.min_confidence, 0.6);
}

TEST_F(ConfigStoreTest, BrokenHandEditKeepsTheLastGoodSnapshot) {
  auto store = OpenStore();
  auto before = store->Current();
  ASSERT_TRUE(base::WriteFileDurably(dir_ / "triage.json", "{\"thresholds\": {\"min_confidence\": \"high\"}}").ok());
  EXPECT_EQ(store->Current(), before);
  EXPECT_NE(store->last_reload_error().find("thresholds.min_confidence"), std::string::npos);
}

// A long-running process says once that an edit was not taken: each refused version of the file is reported once.
TEST_F(ConfigStoreTest, ARefusedEditIsReportedOncePerVersionOfTheFile) {
  auto store = OpenStore();
  std::vector<std::string> said;
  store->OnReloadRefused([&](const std::string& why) { said.push_back(why); });
  ASSERT_TRUE(base::WriteFileDurably(dir_ / "triage.json", "{\"thresholds\": {\"min_confidence\": 7}}").ok());
  store->Current();
  store->Current();
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find("thresholds.min_confidence"), std::string::npos) << said[0];
  ASSERT_TRUE(base::WriteFileDurably(dir_ / "triage.json", "").ok());
  store->Current();
  EXPECT_EQ(said.size(), 2u);
}

TEST_F(ConfigStoreTest, PreviewWritesNothing) {
  auto store = OpenStore();
  auto preview = store->Preview([](json& d) {
    d["thresholds"]["min_confidence"] = 0.1;
    return base::Status::Ok();
  });
  ASSERT_TRUE(preview.ok());
  EXPECT_DOUBLE_EQ(preview->policy.min_confidence, 0.1);
  EXPECT_DOUBLE_EQ(store->Current()->policy.min_confidence, 0.6);
}

TEST_F(ConfigStoreTest, ReadersAndWritersRunConcurrently) {
  auto store = OpenStore();
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto c = store->Current();
      ASSERT_GE(c->policy.min_confidence, 0.0);
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store
                    ->Update([i](json& d) {
                      d["thresholds"]["min_confidence"] = i / 100.0;
                      return base::Status::Ok();
                    })
                    .ok());
  }
  stop = true;
  reader.join();
  EXPECT_DOUBLE_EQ(store->Current()->policy.min_confidence, 0.19);
}

}  // namespace
}  // namespace triage::config
