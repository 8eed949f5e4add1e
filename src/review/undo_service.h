// Undo: every decision leaves a token, and redeeming it runs the inverse registered for the decision's kind.
// Features register their inverses (review decisions, person edits, reference removal; later cluster naming,
// proposals) in one registry; tokens live in the catalog (catalog::UndoStore), single-use and expiring.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/undo_store.h"

namespace triage::review {

// How to revert one kind of change, given the payload recorded with it.
struct Inverse {
  // Whether it can still be reverted: kConflict naming what changed meanwhile (nothing is changed either way).
  std::function<base::Status(const nlohmann::json& payload)> check;
  // Reverts it as `actor`, audited as "undo". Checks first and changes nothing when the check fails.
  std::function<base::Status(const nlohmann::json& payload, const std::string& actor, int64_t now)> revert;
};

// Kind → inverse. Thread-safe.
class UndoRegistry {
 public:
  // REQUIRES: `kind` is not registered yet; both functions set.
  void Register(const std::string& kind, Inverse inverse);
  // The inverse of `kind`; kNotFound when none is registered.
  base::Result<Inverse> Find(const std::string& kind) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Inverse> inverses_;
};

// What redeeming a token did.
struct Undone {
  std::string kind;
  std::string summary;  // the sentence recorded with the change ("approved a.jpg as penny")
  std::string actor;    // who made the change
};

// One token per change. Thread-safe (the store is; an undo claims its token before reverting).
class UndoService {
 public:
  static constexpr int64_t kDefaultTtlS = 24 * 3600;  // how long a token can be redeemed, seconds
  // An undo under way for this long was left by a process that died: another may take it over. An undo takes
  // seconds (a bulk of a thousand photos well under a minute).
  static constexpr int64_t kUndoStaleAfterS = 120;

  explicit UndoService(catalog::UndoStore& store, int64_t ttl_s = kDefaultTtlS) : store_(store), ttl_s_(ttl_s) {}

  UndoRegistry& registry() { return registry_; }
  catalog::UndoStore& store() { return store_; }

  // Stores a token for a change of `kind` made by `actor`, which `payload` lets the kind's inverse revert.
  // REQUIRES: `kind` is registered. Returns the token.
  base::Result<std::string> Record(const std::string& kind, const std::string& actor, const nlohmann::json& payload,
                                   const std::string& summary, int64_t now);

  // Reverts the change `token` names, as `actor`. `may_undo_others`: whether `actor` may revert another user's change.
  // kNotFound (no such token, or it expired), kPermissionDenied (another user's change), kConflict (undone already,
  // or what it changed has changed since: nothing is changed, and the token stays redeemable).
  base::Result<Undone> Undo(const std::string& token, const std::string& actor, bool may_undo_others, int64_t now);

 private:
  catalog::UndoStore& store_;
  int64_t ttl_s_;
  UndoRegistry registry_;
};

}  // namespace triage::review
