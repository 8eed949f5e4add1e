// Specification of GET /api/changes (live updates): the version and the review counts, a long poll that answers when
// another process changes the catalog, waits bounded in time and in number, and ended by the server's shutdown.
#include <thread>

#include "server/api_test_support.h"

namespace triage::server {
namespace {

class ChangesApiTest : public ApiTest {
 protected:
  json Changes(const std::string& query, const TestSession& s) {
    auto r = Get("/api/changes" + query, &s);
    EXPECT_TRUE(r);
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r);
  }
  // Restarts the server with other options.
  void Restart(int max_wait_s, int max_waiting) {
    StopServer();
    options_.changes_max_wait_s = max_wait_s;
    options_.changes_max_waiting = max_waiting;
    StartServer();
  }
};

TEST_F(ChangesApiTest, AnswersAtOnceWithTheVersionAndTheReviewCounts) {
  TestSession s = Login("alice");
  json now = Changes("", s);
  EXPECT_TRUE(now["version"].is_number_integer());
  EXPECT_EQ(now["changed"], false);
  EXPECT_EQ(now["total_pending"], 0);
  EXPECT_EQ(now["counts"]["unidentified"], 0);
  EXPECT_EQ(now["poll_after_s"], 0);
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["version"], now["version"]) << "the queue says which version it shows";
  EXPECT_EQ(Get("/api/changes")->status, 401);
}

TEST_F(ChangesApiTest, ALongPollAnswersWhenAnotherProcessAddsToReview) {
  TestSession s = Login("alice");
  const int64_t since = Changes("", s)["version"];
  ASSERT_EQ(Body(Get("/api/review/queue", &s))["total"], 0);
  json answer;
  std::thread poll([&] {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(120, 0);
    auto r = client.Get("/api/changes?since=" + std::to_string(since) + "&wait=25", {{"Cookie", s.cookie}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    answer = Body(r);
  });
  AddToReviewElsewhere("worker.jpg");
  poll.join();
  EXPECT_EQ(answer["changed"], true);
  EXPECT_NE(answer["version"], since);
  EXPECT_EQ(answer["total_pending"], 1) << "the counts are made at the new version, not the cached ones";
  EXPECT_EQ(answer["counts"]["unidentified"], 1);
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 1);
  // Asked again with the version it has, a client learns nothing new (and waits up to `wait`: 0 here).
  EXPECT_EQ(Changes("?since=" + answer["version"].dump() + "&wait=0", s)["changed"], false);
}

TEST_F(ChangesApiTest, AnOldVersionAnswersAtOnce) {
  TestSession s = Login("alice");
  const int64_t now = Changes("", s)["version"];
  json answer = Changes("?since=" + std::to_string(now - 1) + "&wait=3600", s);  // e.g. from before a restart
  EXPECT_EQ(answer["changed"], true);
  EXPECT_EQ(answer["version"], now);
}

TEST_F(ChangesApiTest, TheWaitIsCappedByTheServer) {
  Restart(/*max_wait_s=*/1, /*max_waiting=*/2);
  TestSession s = Login("alice");
  const int64_t since = Changes("", s)["version"];
  json answer = Changes("?since=" + std::to_string(since) + "&wait=3600", s);
  EXPECT_EQ(answer["changed"], false);
  EXPECT_EQ(answer["version"], since);
  EXPECT_EQ(answer["poll_after_s"], 0);
}

TEST_F(ChangesApiTest, BeyondTheWaitingBoundARequestAnswersAtOnceAndSaysWhenToAskAgain) {
  Restart(/*max_wait_s=*/3600, /*max_waiting=*/0);
  TestSession s = Login("alice");
  const int64_t since = Changes("", s)["version"];
  json answer = Changes("?since=" + std::to_string(since) + "&wait=3600", s);
  EXPECT_EQ(answer["changed"], false);
  EXPECT_GT(answer["poll_after_s"], 0);
}

TEST_F(ChangesApiTest, StoppingTheServerEndsAWaitingRequest) {
  Restart(/*max_wait_s=*/3600, /*max_waiting=*/1);
  TestSession s = Login("alice");
  const std::string since = Changes("", s)["version"].dump();
  json answer;
  std::thread poll([&] {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(3600, 0);
    do {  // until this request is the one that waits
      auto r = client.Get("/api/changes?since=" + since + "&wait=3600", {{"Cookie", s.cookie}});
      ASSERT_TRUE(r);
      answer = Body(r);
    } while (answer["poll_after_s"] != 0);
  });
  // The one waiting place is the other thread's once a request here is told to ask again later.
  while (Changes("?since=" + since + "&wait=1", s)["poll_after_s"] == 0) {
  }
  StopServer();  // would hang here for an hour if the wait went on
  poll.join();
  EXPECT_EQ(answer["changed"], false);
  EXPECT_EQ(answer["version"].dump(), since);
}

TEST_F(ChangesApiTest, RefusesABadSinceOrWaitNamingIt) {
  TestSession s = Login("alice");
  for (const char* query : {"?since=abc", "?since=-5", "?since=1&wait=x", "?since=1&wait=-1", "?since=1&wait=99999"}) {
    auto r = Get(std::string("/api/changes") + query, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << query;
    const std::string named = std::string(query).find("wait") != std::string::npos ? "wait" : "since";
    EXPECT_NE(Body(r)["message"].get<std::string>().find("query parameter " + named), std::string::npos) << r->body;
  }
}

}  // namespace
}  // namespace triage::server
