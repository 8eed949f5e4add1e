// Undo tokens: recorded with each change, redeemed once through the registered inverse.
#include "review/undo_service.h"

#include <fmt/format.h>

#include <cassert>

#include "base/clock.h"
#include "base/ids.h"

namespace triage::review {

void UndoRegistry::Register(const std::string& kind, Inverse inverse) {
  assert(inverse.check && inverse.revert);
  std::lock_guard lock(mu_);
  bool added = inverses_.emplace(kind, std::move(inverse)).second;
  assert(added);
  static_cast<void>(added);
}

base::Result<Inverse> UndoRegistry::Find(const std::string& kind) const {
  std::lock_guard lock(mu_);
  auto it = inverses_.find(kind);
  if (it == inverses_.end()) return base::Status::NotFound(fmt::format("no undo is known for \"{}\"", kind));
  return it->second;
}

base::Result<std::string> UndoService::Record(const std::string& kind, const std::string& actor,
                                              const nlohmann::json& payload, const std::string& summary, int64_t now) {
  auto inverse = registry_.Find(kind);
  if (!inverse.ok()) return inverse.status();
  catalog::UndoRecord record{
      base::RandomId() + base::RandomId(), kind, actor, payload.dump(), summary, now, now + ttl_s_, 0};
  TRIAGE_RETURN_IF_ERROR(store_.AddUndo(record));
  // Old tokens go as new ones come: the table holds about a day of decisions.
  static_cast<void>(store_.RemoveExpiredUndo(now - ttl_s_));
  return record.token;
}

base::Result<Undone> UndoService::Undo(const std::string& token, const std::string& actor, bool may_undo_others,
                                       int64_t now) {
  auto record = store_.FindUndo(token);
  if (!record.ok()) return record.status();
  if (record->actor != actor && !may_undo_others) {
    return base::Status::PermissionDenied(
        fmt::format("this change was made by {}; only they (or an admin) can undo it", record->actor));
  }
  if (record->used_at > 0) {
    return base::Status::Conflict(
        fmt::format("this change was undone already (at {})", base::IsoTime(record->used_at)));
  }
  // An undo under way since less than kUndoStaleAfterS is another caller's; one older was left by a process that
  // died while undoing (its moves were finished or rolled back by recovery): it may be taken over and run again.
  const int64_t stale_before = now - kUndoStaleAfterS;
  if (record->used_at < 0 && -record->used_at >= stale_before) {
    return base::Status::Conflict(
        fmt::format("this change is being undone (since {}); try again in a minute", base::IsoTime(-record->used_at)));
  }
  if (record->expires_at <= now) {
    return base::Status::NotFound(fmt::format("this undo expired at {}", base::IsoTime(record->expires_at)));
  }
  auto inverse = registry_.Find(record->kind);
  if (!inverse.ok()) return inverse.status();
  auto claimed = store_.ClaimUndo(token, now, stale_before);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return base::Status::Conflict("this change is being undone or was undone already");
  base::Status st = base::Status::Ok();
  try {
    nlohmann::json payload = nlohmann::json::parse(record->payload);
    // Taken over from a process that died while undoing: what it had moved back (recovery finished its journaled
    // moves) is left as it is, the rest is taken back.
    if (record->used_at < 0 && payload.is_object()) payload["resumed"] = true;
    st = inverse->revert(payload, actor, now);
  } catch (const nlohmann::json::exception& e) {
    st = base::Status::Corrupt(fmt::format("undo token {} holds an unreadable payload: {}", token, e.what()));
  }
  if (!st.ok()) {
    static_cast<void>(store_.ReleaseUndo(token));  // nothing changed: it may be redeemed later
    return st;
  }
  TRIAGE_RETURN_IF_ERROR(store_.FinishUndo(token, now));
  return Undone{record->kind, record->summary, record->actor};
}

}  // namespace triage::review
