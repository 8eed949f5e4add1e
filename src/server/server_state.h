// What the route handlers share: the context, the authenticator, locks, caches, and small helpers for
// mapping catalog values to the API's JSON. Internal to server/.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <stop_token>
#include <string>

#include "review/shown_images.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/login_rate_limiter.h"
#include "server/review_counts.h"
#include "server/server.h"
#include "server/thumbnail_cache.h"

namespace triage::server {

// Thread-safety: the config store and the caches are thread-safe; the lock below guards the (single-threaded)
// ingestor.
struct ServerState {
  ServerState(const ServerOptions& o, ServerContext c)
      : options(o),
        ctx(std::move(c)),
        limiter({o.login_max_failures, o.login_window_s}),
        address_limiter({o.login_max_failures * kAddressFailureFactor, o.login_window_s}),
        thumbs(review::ThumbnailsDir(*ctx.config.Current())),
        vote_session_limiter({ctx.config.Current()->votes.max_per_minute_per_session, 60}),
        vote_address_limiter({ctx.config.Current()->votes.max_per_minute_per_address, 60}) {}

  ServerOptions options;
  ServerContext ctx;
  std::unique_ptr<Authenticator> auth;
  // Failed logins per (client address, user name), and per client address across names (a looser bound, so
  // that one address cannot try a few passwords on every name).
  static constexpr int kAddressFailureFactor = 4;
  LoginRateLimiter limiter;
  LoginRateLimiter address_limiter;
  ThumbnailCache thumbs;
  ReviewCountsCache review_counts;  // invalidated by every decision and ingest made here
  // Votes and flags per anonymous voter session and per client address: the login limiter counting each vote as an
  // attempt, so that a burst past the limit is answered 429 for a minute (longer for repeat bursts).
  LoginRateLimiter vote_session_limiter;
  LoginRateLimiter vote_address_limiter;
  // One ingest at a time (the Ingestor is not thread-safe).
  std::mutex ingest_mu;
  // One regrouping at a time (requests that find the groups current return at once).
  std::mutex groups_mu;
  // Requested by Server::Stop(): ends every wait for a change at once, so that no request holds shutdown up.
  std::stop_source stopping;
  std::atomic<int> change_waiters{0};  // GET /api/changes requests waiting now (ServerOptions::changes_max_waiting)

  // The change feed's version, or ReviewCountsCache::kNoVersion when there is no feed.
  int64_t ChangeVersion() const { return ctx.changes ? ctx.changes->Version() : ReviewCountsCache::kNoVersion; }
};

// The API's shape of an item: the model's JSON plus file_name, reason (a sentence) and the URLs of its images.
nlohmann::json ItemView(const model::ItemRecord& item);

// A person named in a query (`?person=`), by either name ("Ada Lovelace" or ada_lovelace): the folder key of a person
// the library knows. A typo or a name nobody has is kInvalidArgument naming the parameter, not an empty list.
base::Result<std::string> KnownPersonQuery(ServerState& state, const std::string& text);

// The Content-Disposition of a stored file offered to the browser: its name in ASCII (every other byte as '_') and,
// as filename* (RFC 8187), whole in percent-encoded UTF-8.
std::string ContentDisposition(const std::string& file_name);
// Purging cannot be undone: making another user's deletion permanent is, like undoing their change, for a role with
// undo_others. Who moved item `id` to the trash is its latest audit entry's actor, set in `trashed_by` when given.
// kPermissionDenied naming who it was and what to do instead.
base::Status MayPurge(ServerState& state, const Call& call, int64_t id, std::string* trashed_by = nullptr);

// Applies `edit` to triage.json as it is on disk now through the config store (locked read-modify-write, validated
// exactly like the CLI, written durably, swapped in for every later request) and audits it (action "config",
// from -> to). kInvalidArgument with the validator's message when the result is not a valid config.
base::Status UpdateConfig(ServerState& state, const Call& call, const std::string& key,
                          const std::function<base::Status(nlohmann::json& doc)>& edit);

// An item's votes: {up, down, flags, score} (score weighted by proposals.*_weight).
nlohmann::json VotesView(ServerState& state, int64_t item_id);

// Every enrolled person (PersonRecord: name, display_name, ...), sent with a decision that may have added one, so that
// the page writes a new person's name as it was typed; [] when the persons cannot be read (the decision stands).
nlohmann::json PersonsView(ServerState& state);

// A decision's "from": the folder the client saw the item in ("review/unidentified"); "" when not given.
base::Result<std::string> FromField(const nlohmann::json& body);

// An item's faces for the API: [{index, box {x, y, w, h} in the image's pixels, nearest [{person, distance,
// confidence, within_match_distance}], named_as (or null), untracked}].
nlohmann::json FacesView(ServerState& state, int64_t item_id, const std::vector<model::Face>& faces);

// Where a reference face can be seen: {item (ItemView), box} of the face it was learnt from, both null when unknown
// (enrolled from a file, or the item is gone).
nlohmann::json ReferenceFaceView(ServerState& state, const model::PersonReference& ref);

// A decision's body: a JSON object, or nothing at all (then an empty object).
base::Result<nlohmann::json> DecisionBody(const Call& call);

// Sends item `item`'s thumbnail (query ?size, default 320) with its ETag (304 when unchanged).
base::Status SendThumbnail(ServerState& state, Call& call, const model::ItemRecord& item);

// GET /api/review/export: pending items (of ?category, or just ?ids=1,2,3) as CSV.
base::Status ExportReviewCsv(ServerState& state, Call& call);

// Route groups.
void AddAuthRoutes(ApiRouter& router, ServerState& state);
void AddReviewRoutes(ApiRouter& router, ServerState& state);
void AddItemRoutes(ApiRouter& router, ServerState& state);
void AddGalleryRoutes(ApiRouter& router, ServerState& state);  // gallery, item score, bursts, duplicates
void AddControlRoutes(ApiRouter& router, ServerState& state);  // status, enable/disable, config, persons, users
void AddUndoRoutes(ApiRouter& router, ServerState& state);     // undo tokens; a person's reference faces
void AddStatsRoutes(ApiRouter& router, ServerState& state);    // stats, audit
void AddIngestRoutes(ApiRouter& router, ServerState& state);
void AddFaceRoutes(ApiRouter& router, ServerState& state);        // faces, clusters, people actions
void AddProposalRoutes(ApiRouter& router, ServerState& state);    // proposals: list, show, decide, batch, propose
void AddVoteRoutes(ApiRouter& router, ServerState& state);        // votes, leaderboard, the public page's images
void AddReviewFaceRoutes(ApiRouter& router, ServerState& state);  // naming one face of a photo in review
void AddChangeRoutes(ApiRouter& router, ServerState& state);      // the change version (live updates)

}  // namespace triage::server
