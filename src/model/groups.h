// Bursts and duplicate groups as values: the rules that find them (triage.json "burst_detection", "burst_scoring",
// "duplicate_detection"), what each candidate photo brings (GroupCandidate) and the groups found (ItemGroup).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace triage::model {

struct GroupingRules {
  // burst_detection: frames within time_window_minutes of the previous frame whose pHashes are at least this
  // similar, or any frames within rapid_burst_seconds of it, form one burst.
  double burst_similarity_percent = 70;  // 0..100; 70% = at most 19 of 64 bits differ
  double burst_window_minutes = 0.8;     // 0..60
  double rapid_burst_seconds = 0.4;      // 0..60
  // burst_scoring: the best frame has the highest weighted sum (the weights sum to 1.0; each part on 0..10).
  double weight_aggregate = 0.4;   // the quality aggregate
  double weight_aesthetic = 0.25;  // the composition score (what stands in for an aesthetic model)
  double weight_sharpness = 0.2;   // the sharpness score
  double weight_blink = 0.15;      // 10 with eyes open (or no face), 0 with eyes closed
  // duplicate_detection: photos at least this similar (pHash) are one duplicate group.
  double duplicate_similarity_percent = 90;  // 0..100; 90% = at most 6 of 64 bits differ

  int64_t BurstWindowMs() const { return static_cast<int64_t>(burst_window_minutes * 60'000 + 0.5); }
  int64_t RapidBurstMs() const { return static_cast<int64_t>(rapid_burst_seconds * 1000 + 0.5); }
  int BurstMaxDistance() const { return MaxDistance(burst_similarity_percent); }
  int DuplicateMaxDistance() const { return MaxDistance(duplicate_similarity_percent); }
  // Bits of 64 that may differ at `percent` similarity: 90 -> 6, 70 -> 19.
  static int MaxDistance(double percent) { return static_cast<int>(64 * (100 - percent) / 100 + 1e-9); }
};

// What grouping needs to know about one photo, read from the catalog (no decoding).
struct GroupCandidate {
  int64_t id = 0;
  std::optional<int64_t> taken_at_ms;  // capture time (EXIF), ms since 1970 read as UTC; none when unknown
  bool has_phash = false;
  uint64_t phash = 0;
  std::string sha256;
  bool scored = false;
  double aggregate = 0;    // 0..10
  double sharpness = 0;    // sharpness dimension score 0..10
  double composition = 0;  // composition dimension score 0..10
  bool eyes_closed = false;
  // The item ingest found this one duplicates (hashes, then the near-duplicate check on both signatures), if any.
  std::optional<int64_t> duplicate_of;
  // False for an item stored before signatures existed: only its pHash can say what it duplicates.
  bool has_signature = false;
  std::string camera;  // EXIF make and model; "" when unknown. Frames of a burst come from one camera.
};

enum class GroupKind { kBurst, kDuplicate };
const char* GroupKindName(GroupKind kind);  // "burst" | "duplicate"

struct GroupMember {
  int64_t item_id = 0;
  bool lead = false;      // the best frame of a burst, the best-scored member of a duplicate group
  double rank_score = 0;  // what the lead was chosen by (burst score or aggregate), 0..10
  std::string relation;   // "lead", "burst_frame", "exact_copy" (same bytes as the lead), "near_duplicate"
  int distance = 0;       // pHash bits differing from the lead
};

struct ItemGroup {
  GroupKind kind = GroupKind::kBurst;
  int64_t id = 0;                    // the smallest member id: stable while the group keeps that member
  std::vector<GroupMember> members;  // lead first, then by falling rank_score
  std::string why;                   // why the lead leads, for people
  int64_t lead() const { return members.empty() ? 0 : members.front().item_id; }
};

// "2019-05-01T12:00:00" or "2019-05-01T12:00:00.45" (EXIF DateTimeOriginal with SubSecTimeOriginal) as ms since
// 1970, the wall-clock time read as UTC; none when the text is not such a time.
std::optional<int64_t> CaptureTimeMs(const std::string& taken_at);

// Whether two capture times (CaptureTimeMs) name one instant: equal to the millisecond when both state sub-seconds,
// else within the same whole second (a copy may lose SubSecTimeOriginal). A copy keeps its original's capture time;
// frames of a burst differ in it, unless the camera writes whole seconds only (then frames of one second share it).
bool SameCaptureInstant(int64_t a_ms, int64_t b_ms);
// Two shots, not one picture and its copy: both capture times are known and they name different instants.
bool DifferentShots(const std::optional<int64_t>& a_ms, const std::optional<int64_t>& b_ms);
// The same, from the capture times as written (ImageInfo::taken_at): a time that states its sub-seconds (".00" too)
// is compared to the millisecond with another that does. From the milliseconds alone a frame taken at .00 read as
// one whose file lost them, and so as a copy of every frame taken in that second.
bool DifferentShots(const std::string& a_taken_at, const std::string& b_taken_at);

}  // namespace triage::model
