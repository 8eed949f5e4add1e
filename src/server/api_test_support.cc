// The API test fixture.
#include "server/api_test_support.h"

#include <unistd.h>

#include <atomic>

#include "base/clock.h"
#include "server/password.h"

namespace triage::server {

std::string ApiTest::password_hashes_[3];

void ApiTest::SetUpTestSuite() {
  const char* names[] = {"alice", "bob", "carol"};
  for (int i = 0; i < 3; ++i) {
    if (password_hashes_[i].empty()) password_hashes_[i] = *HashPassword(std::string(names[i]) + "-secret-pw");
  }
}

void ApiTest::SetUp() {
  static std::atomic<int> counter{0};
  root_ =
      fs::temp_directory_path() / ("triage_api_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(root_);
  fs::create_directories(root_);
  json doc = config::DefaultConfigJson();
  doc["analysis"]["faces"] = WithFaces();
  ASSERT_TRUE(config::SaveConfigJson(root_, doc).ok());
  auto store = config::ConfigStore::Open(root_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  config_ = std::move(*store);
  auto cfg = config_->Current();
  for (const char* d : {"staging", "journal", "trash", "thumbs"}) fs::create_directories(cfg->StateDir() / d);
  backend_ = catalog::TestBackend::Make(Backend());
  auto catalog = backend_->Open();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  catalog_ = std::move(*catalog);
  users_ = backend_->Users(*catalog_);
  gallery_ = backend_->Gallery(*catalog_);
  auto journal = commit::Journal::Open(cfg->StateDir());
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  journal_ = std::move(*journal);
  committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, cfg->library);
  review_ = std::make_unique<review::ReviewService>(*config_, *catalog_, *committer_);
  persons_ = std::make_unique<review::PersonService>(*config_, *catalog_);
  undo_store_ = backend_->Undo(*catalog_);
  undo_ = std::make_unique<review::UndoService>(*undo_store_);
  review_->EnableUndo(*undo_);
  persons_->EnableUndo(*undo_);
  proposal_store_ = backend_->Proposals(*catalog_);
  proposals_ = std::make_unique<review::ProposalService>(*config_, *catalog_, *proposal_store_, *committer_);
  proposals_->EnableUndo(*undo_);
  if (WithFaces()) {
    const char* env = std::getenv("TRIAGE_MODEL_DIR");
    auto faces = pipeline::FaceStage::Open(*cfg, env && *env ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm");
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    faces_ = std::move(*faces);
    review_->OnReferencesChanged([this] { ASSERT_TRUE(faces_->LoadReferences(*catalog_).ok()); });
    persons_->OnReferencesChanged([this] { ASSERT_TRUE(faces_->LoadReferences(*catalog_).ok()); });
  }
  ingestor_ = std::make_unique<pipeline::Ingestor>(*config_, *catalog_, *committer_, faces_.get());
  face_store_ = backend_->Faces(*catalog_);
  auto clustering = faces::FaceClustering::Open(*face_store_, cfg->StateDir() / "faces.hnsw", {}, base::UnixNow());
  ASSERT_TRUE(clustering.ok()) << clustering.status().ToString();
  clustering_ = std::move(*clustering);
  people_ = std::make_unique<review::PeopleService>(*config_, *catalog_, *face_store_, *clustering_, *committer_);
  review_->AssignFacesThrough(*people_);  // as the composition root does (cli/library.cc)
  ingestor_->SetAfterCommit([this](int64_t id) { return clustering_->AddItem(id, base::UnixNow()); });
  auto changes = backend_->Changes();
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  changes_ = std::move(*changes);
  const char* names[] = {"alice", "bob", "carol"};
  const char* roles[] = {"user", "admin", "superadmin"};
  for (int i = 0; i < 3 && WithUsers(); ++i) {
    ASSERT_TRUE(users_->AddUser({0, names[i], roles[i], password_hashes_[i], 1}).ok());
  }
  options_.host = "127.0.0.1";
  options_.port = 0;
  options_.proposal_schedule = false;  // the proposal scheduler's tests turn it on (its sweep would race the others)
  StartServer();
}

void ApiTest::StartServer() {
  ServerContext context{*config_,         *catalog_,   *users_,    *gallery_,
                        *review_,         *persons_,   *ingestor_, journal_->staging_dir(),
                        *proposal_store_, *proposals_, *undo_};
  context.faces = face_store_.get();
  context.clustering = clustering_.get();
  context.people = people_.get();
  context.changes = changes_.get();
  auto server = Server::Create(options_, context);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(*server);
  thread_ = std::thread([this] { ASSERT_TRUE(server_->Run().ok()); });
  server_->WaitUntilReady();
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  client_->set_read_timeout(120, 0);  // generous: the ThreadSanitizer build runs the face models 5-15x slower
}

void ApiTest::StopServer() {
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
  client_.reset();
  server_.reset();
}

void ApiTest::TearDown() {
  StopServer();
  changes_.reset();
  people_.reset();
  clustering_.reset();
  face_store_.reset();
  ingestor_.reset();
  faces_.reset();
  persons_.reset();
  proposals_.reset();
  proposal_store_.reset();
  review_.reset();
  undo_.reset();
  undo_store_.reset();
  committer_.reset();
  journal_.reset();
  users_.reset();
  gallery_.reset();
  catalog_.reset();
  backend_.reset();
  fs::remove_all(root_);
}

TestSession ApiTest::Login(const std::string& user) {
  json body = {{"username", user}, {"password", user + "-secret-pw"}};
  auto r = client_->Post("/api/auth/login", body.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
  if (!r || r->status != 200) return {};
  std::string set_cookie = r->get_header_value("Set-Cookie");
  return {set_cookie.substr(0, set_cookie.find(';')), Body(r)["csrf_token"]};
}

httplib::Result ApiTest::Get(const std::string& path, const TestSession* session) {
  httplib::Headers headers;
  if (session) headers.emplace("Cookie", session->cookie);
  return client_->Get(path.c_str(), headers);
}

httplib::Result ApiTest::Post(const std::string& path, const json& body, const TestSession* session, bool with_csrf) {
  httplib::Headers headers;
  if (session) headers.emplace("Cookie", session->cookie);
  if (session && with_csrf) headers.emplace("X-CSRF-Token", session->csrf);
  return client_->Post(path.c_str(), headers, body.dump(), "application/json");
}

httplib::Result ApiTest::Put(const std::string& path, const json& body, const TestSession* session, bool with_csrf) {
  httplib::Headers headers;
  if (session) headers.emplace("Cookie", session->cookie);
  if (session && with_csrf) headers.emplace("X-CSRF-Token", session->csrf);
  return client_->Put(path.c_str(), headers, body.dump(), "application/json");
}

httplib::Result ApiTest::Delete(const std::string& path, const TestSession* session, bool with_csrf) {
  httplib::Headers headers;
  if (session) headers.emplace("Cookie", session->cookie);
  if (session && with_csrf) headers.emplace("X-CSRF-Token", session->csrf);
  return client_->Delete(path.c_str(), headers);
}

json ApiTest::Body(const httplib::Result& r) {
  if (!r) return json();
  return json::parse(r->body, nullptr, false);
}

fs::path ApiTest::Fixture(const std::string& name) {
  return fs::path(TRIAGE_SOURCE_DIR) / "tests" / "fixtures" / "faces" / name;
}

int64_t ApiTest::WaitingWithFaces(const std::vector<std::vector<float>>& embeddings) {
  const std::string name = "w" + std::to_string(++waiting_photos_) + ".jpg";
  fs::create_directories(root_ / "in");
  fs::copy_file(Fixture("obama.jpg"), root_ / "in" / name);
  auto staged = committer_->StageCopy(root_ / "in" / name, nullptr);
  EXPECT_TRUE(staged.ok());
  catalog::CatalogChange c;
  c.item.original_name = name;
  c.item.fingerprint.sha256 = name;
  c.item.location = "review";
  c.item.category = "unidentified";
  c.item.reasons = {{"unknown_person", "The face matches nobody enrolled."}};
  c.item.faces_detected = static_cast<int>(embeddings.size());
  model::StoredAnalysis stored;
  stored.analysis.readable = true;
  stored.analysis.faces_analysed = true;
  for (size_t i = 0; i < embeddings.size(); ++i) {
    model::Face face;
    face.box = {100.0f + 150.0f * static_cast<float>(i), 60, 120, 140};
    face.detection_score = 0.95f;
    stored.analysis.faces.push_back(face);  // stored analyses keep no embeddings
    face.embedding = embeddings[i];
    c.faces.push_back(face);
  }
  c.analysis = stored;
  c.at = 100;
  auto placed = committer_->Place(*staged, root_ / "review/unidentified", name, c);
  EXPECT_TRUE(placed.ok()) << placed.status().ToString();
  if (!placed.ok()) return 0;
  EXPECT_TRUE(clustering_->AddItem(placed->item_id, 100).ok());
  return placed->item_id;
}

std::vector<int64_t> ApiTest::Ingest(const std::vector<std::string>& fixture_names) {
  // Each input is a copy with its own name, so the same fixture twice is two files with the same content.
  static std::atomic<int> copies{0};
  fs::path incoming = root_ / "incoming";
  fs::create_directories(incoming);
  std::vector<fs::path> paths;
  for (const auto& n : fixture_names) {
    paths.push_back(incoming / (std::to_string(copies++) + "_" + n));
    fs::copy_file(Fixture(n), paths.back());
  }
  pipeline::IngestOptions options;
  options.source = "fixtures";
  auto summary = ingestor_->IngestPaths(paths, options);
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  std::vector<int64_t> ids;
  if (!summary.ok()) return ids;
  for (const auto& item : summary->items) {
    EXPECT_TRUE(item.ok) << item.input << ": " << item.error.ToString();
    ids.push_back(item.item_id);
  }
  return ids;
}

std::vector<model::AuditEntry> ApiTest::AuditOf(int64_t item_id) {
  auto entries = catalog_->ListAudit(item_id, "", 100, 0);
  EXPECT_TRUE(entries.ok());
  return entries.ok() ? *entries : std::vector<model::AuditEntry>{};
}

int64_t ApiTest::AddToReviewElsewhere(const std::string& name) {
  auto other = backend_->Open();
  EXPECT_TRUE(other.ok()) << other.status().ToString();
  if (!other.ok()) return 0;
  catalog::CatalogChange c;
  c.journal_id = "elsewhere:" + name;
  c.item.path = "review/unidentified/" + name;
  c.item.original_name = name;
  c.item.fingerprint.sha256 = std::string(64, 'e') + name;
  c.item.location = "review";
  c.item.category = "unidentified";
  c.reason = "no known face";
  c.action = "ingest";
  c.at = base::UnixNow();
  auto id = (*other)->Apply(c);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : 0;
}

}  // namespace triage::server
