// `triage serve`: the HTTP API under /api and the web UI, in one process over an open library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/change_feed.h"
#include "catalog/gallery_store.h"
#include "catalog/proposal_store.h"
#include "catalog/user_store.h"
#include "config/config_store.h"
#include "pipeline/ingestor.h"
#include "review/person_service.h"
#include "review/proposal_scheduler.h"
#include "review/proposal_service.h"
#include "review/review_service.h"

namespace triage::catalog {
class FaceStore;
}  // namespace triage::catalog
namespace triage::faces {
class FaceClustering;
}  // namespace triage::faces
namespace triage::review {
class PeopleService;
}  // namespace triage::review

namespace triage::server {

// Whether `host` (an address to listen on) is a loopback one: localhost, an IPv4 address in 127.0.0.0/8, ::1.
// A name that only starts like one ("127.example.com") is not.
bool IsLoopbackAddress(std::string_view host);
// Whether a Host header's value ("localhost:8080", "127.0.0.1", "[::1]:80") names a loopback address.
bool HostHeaderNamesLoopback(std::string_view host_header);

struct ServerOptions {
  std::string host = "127.0.0.1";          // address to listen on; --no-auth only on loopback addresses
  int port = 8080;                         // 0 = any free port (see Server::port())
  bool no_auth = false;                    // no login: every request acts as "local" (superadmin)
  bool loopback_names_only = false;        // answer only requests whose Host header names a loopback address (also
                                           // always with no_auth): a page of another site that reaches the server
                                           // through a name resolving to 127.0.0.1 (DNS rebinding) is refused
  std::string single_user_password;        // password of single-user mode (no users exist); "" = generate one
  bool show_single_user_login = false;     // the login page shows single-user mode's user and password (the demo's
                                           // known password, `serve --demo-login`; never a generated one)
  int64_t session_ttl_s = 7 * 86400;       // session lifetime, seconds
  int64_t max_upload_bytes = 200'000'000;  // largest request body (uploads); 1 KB .. 10 GB
  int login_max_failures = 5;              // failed logins per (client address, user name); 4x per address ...
  int64_t login_window_s = 60;             // ... within this many seconds lock it out (429) for this long,
                                           // doubling with each further lock-out (at most a day)
  bool proposal_schedule = true;  // run the proposal workflows (proposals.schedule_minutes) and the daily stale sweep
                                  // while serving (review::ProposalScheduler)
  int changes_max_wait_s = 25;    // GET /api/changes waits at most this long for a change (a larger ?wait is capped)
  int changes_max_waiting = 2;    // requests of GET /api/changes waiting at once (each holds one of the server's
                                  // threads); beyond that they answer at once with poll_after_s set
};

// What the server works on; owned by the caller and outliving the Server.
struct ServerContext {
  config::ConfigStore& config;  // read per request; edits go through it (and reach triage.json)
  catalog::Catalog& catalog;
  catalog::UserStore& users;
  catalog::GalleryStore& gallery;  // gallery queries, bursts and duplicate groups
  review::ReviewService& review;   // reads the same store at call time
  review::PersonService& persons;
  pipeline::Ingestor& ingestor;            // used by one request at a time
  std::filesystem::path staging_dir;       // where uploads are written before ingesting (the journal's staging)
  catalog::ProposalStore& proposal_store;  // votes, flags, public marks
  review::ProposalService& proposals;
  review::UndoService& undo;  // redeems the tokens decisions hand out (review and persons record them)
  // Faces, clusters and people actions; null when face clustering is not running (its routes answer 503).
  catalog::FaceStore* faces = nullptr;
  faces::FaceClustering* clustering = nullptr;
  review::PeopleService* people = nullptr;
  // The catalog's change feed (GET /api/changes; the review counts recount when it moves); null: live updates off
  // (that route answers 503). Waits on it end when Stop() is called.
  catalog::ChangeFeed* changes = nullptr;
};

// One API route as documented: method ("get", "post", "put"), OpenAPI path and the permission it needs.
struct RouteInfo {
  std::string method;
  std::string path;
  std::string permission;  // "public", "view", "review", "manage_persons", "change_config", "manage_users",
                           // "decide_proposals"
  int max_concurrent = 0;  // requests served at once (more are answered 503); 0 = no bound
};

// Thread-safe: Stop() may be called from any thread (e.g. a signal-watching one) while Run() blocks.
class Server {
 public:
  // Binds the address (so port() is known) but does not serve yet. kInvalidArgument for --no-auth on a
  // non-loopback address, kUnavailable when the address cannot be bound.
  static base::Result<std::unique_ptr<Server>> Create(const ServerOptions& options, ServerContext context);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until Stop(). Returns an error if serving failed.
  base::Status Run();
  // Stops serving and the proposal scheduler (its thread joined; a pass under way finishes first); Run() returns.
  // Idempotent.
  void Stop();
  // Whether the proposal scheduler's thread is alive (from Run() until Stop()), and what it has done.
  bool SchedulerRunning() const;
  review::SchedulerCounts scheduler_counts() const;
  // Blocks until Run() is accepting connections (for tests and callers that start Run() on a thread).
  void WaitUntilReady();

  int port() const;
  // Every API route (for the OpenAPI check and the table-driven API tests).
  std::vector<RouteInfo> routes() const;
  // "http://127.0.0.1:8080/"
  std::string url() const;
  // Describes how to log in: "user admin, password ..." (single-user), "users from `triage user add`", "no login".
  std::string LoginHint() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Hashes `password` and adds the user (what `triage user add NAME --role R` does; the password comes from stdin
// there). kInvalidArgument for a bad name (letters, digits, '.', '_', '-'; 1..64), an unknown role or a password
// shorter than 8 characters; kAlreadyExists when the name is taken. Audited as action "user".
base::Status AddUser(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                     const std::string& role, const std::string& password, const std::string& actor);

// Removes a user and ends their sessions (`triage user remove NAME`). kNotFound; kConflict when they are the last
// admin (catalog::UserStore::RemoveUser). Audited as action "user".
base::Status RemoveUser(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                        const std::string& actor);

// Gives a user a new password (the same rule as AddUser's) and ends their sessions (`triage user passwd NAME`).
// kNotFound; kInvalidArgument for a password shorter than 8 characters. Audited as action "user".
base::Status SetUserPassword(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                             const std::string& password, const std::string& actor);

// Gives a user another role (`triage user role NAME ROLE`); the same role again changes nothing. kNotFound;
// kInvalidArgument for an unknown role; kConflict when it would demote the last admin. Audited as action "user".
base::Status SetUserRole(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                         const std::string& role, const std::string& actor);

}  // namespace triage::server
