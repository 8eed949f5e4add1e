// A fixture for API tests: a temporary library (face analysis off unless a subclass says WithFaces) whose catalog is on
// SQLite (or PostgreSQL, when a subclass says so), three users (alice: user, bob: admin, carol: superadmin), the server
// on 127.0.0.1 with a random port, and an httplib client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "catalog/test_backends.h"
#include "commit/committer.h"
#include "commit/journal.h"
#include "config/config_store.h"
#include "pipeline/face_stage.h"
#include "pipeline/ingestor.h"
#include "review/people_service.h"
#include "review/person_service.h"
#include "review/review_service.h"
#include "server/server.h"

namespace triage::server {

namespace fs = std::filesystem;
using nlohmann::json;

// A logged-in client's credentials.
struct TestSession {
  std::string cookie;  // "triage_session=..."
  std::string csrf;
};

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  // True: face analysis on, with the real models (TRIAGE_MODEL_DIR, else <source>/.cache/npm).
  virtual bool WithFaces() const { return false; }
  // False: the catalog holds no users (SetUp adds alice, bob and carol otherwise).
  virtual bool WithUsers() const { return true; }
  // The catalog backend: "sqlite" (a file in a temporary folder) or "postgres" (a database in the tests' cluster).
  virtual std::string Backend() const { return "sqlite"; }
  void SetUp() override;
  void TearDown() override;

  // Starts the server (tests may change options_ before calling; SetUp calls it with the defaults).
  void StartServer();
  void StopServer();

  // Logs in as alice, bob or carol (password "<name>-secret-pw").
  TestSession Login(const std::string& user);
  httplib::Result Get(const std::string& path, const TestSession* session = nullptr);
  // POST/PUT a JSON body; sends the CSRF token unless `with_csrf` is false.
  httplib::Result Post(const std::string& path, const json& body, const TestSession* session, bool with_csrf = true);
  httplib::Result Put(const std::string& path, const json& body, const TestSession* session, bool with_csrf = true);
  // DELETE with no body; sends the CSRF token unless `with_csrf` is false.
  httplib::Result Delete(const std::string& path, const TestSession* session, bool with_csrf = true);
  static json Body(const httplib::Result& r);

  // Copies fixture photos (tests/fixtures/faces/<name>) into the library through the ingest pipeline.
  std::vector<int64_t> Ingest(const std::vector<std::string>& fixture_names);
  static fs::path Fixture(const std::string& name);
  // A photo (obama.jpg's bytes) waiting in review/unidentified as unidentified, with one face per embedding (boxes side
  // by side, from x = 100), stored with its analysis and clustered. Returns its item id.
  int64_t WaitingWithFaces(const std::vector<std::vector<float>>& embeddings);
  // Puts an item (no file) into review/unidentified through another connection to the catalog's database, as a worker
  // process would. Returns its id.
  int64_t AddToReviewElsewhere(const std::string& name);
  // Audit entries about an item, newest first.
  std::vector<model::AuditEntry> AuditOf(int64_t item_id);

  fs::path root_;
  ServerOptions options_;
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::TestBackend> backend_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<catalog::UserStore> users_;
  std::unique_ptr<catalog::GalleryStore> gallery_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<review::ReviewService> review_;
  std::unique_ptr<review::PersonService> persons_;
  std::unique_ptr<catalog::UndoStore> undo_store_;
  std::unique_ptr<review::UndoService> undo_;
  std::unique_ptr<catalog::ProposalStore> proposal_store_;
  std::unique_ptr<review::ProposalService> proposals_;
  std::unique_ptr<pipeline::FaceStage> faces_;
  std::unique_ptr<pipeline::Ingestor> ingestor_;
  std::unique_ptr<catalog::FaceStore> face_store_;
  std::unique_ptr<faces::FaceClustering> clustering_;
  std::unique_ptr<review::PeopleService> people_;
  std::unique_ptr<catalog::ChangeFeed> changes_;  // the catalog's change feed (GET /api/changes)
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
  int waiting_photos_ = 0;                 // photos made by WaitingWithFaces
  static std::string password_hashes_[3];  // alice, bob, carol (hashed once per suite: PBKDF2 is slow)
};

}  // namespace triage::server
