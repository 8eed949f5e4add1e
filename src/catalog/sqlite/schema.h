// The SQLite schema as numbered migrations; applied in order, recorded in schema_version.
#pragma once

#include <vector>

namespace triage::catalog::sqlite {

inline const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {
      // 1: items, faces, persons, references, review queue, audit, applied journal entries.
      R"sql(
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  original_name TEXT NOT NULL,
  original_path TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  phash INTEGER,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  format TEXT NOT NULL DEFAULT '',
  taken_at TEXT NOT NULL DEFAULT '',
  camera TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL CHECK (location IN ('library', 'review', 'trash')),
  category TEXT NOT NULL DEFAULT '',
  person TEXT NOT NULL DEFAULT '',
  duplicate_of INTEGER,
  reasons TEXT NOT NULL DEFAULT '[]',
  auto_sorted INTEGER NOT NULL DEFAULT 0,
  faces_detected INTEGER NOT NULL DEFAULT 0,
  sharpness REAL NOT NULL DEFAULT 0,
  exposure REAL NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX items_sha256 ON items (sha256);
CREATE INDEX items_location ON items (location, category, id);
CREATE INDEX items_person ON items (person, id);
CREATE INDEX items_created ON items (created_at);
CREATE TABLE faces (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  x REAL, y REAL, w REAL, h REAL,
  score REAL,
  landmarks TEXT NOT NULL DEFAULT '[]',
  embedding BLOB,
  person TEXT NOT NULL DEFAULT '',
  match_kind TEXT NOT NULL DEFAULT 'unknown',
  distance REAL,
  confidence REAL,
  eye_aspect_ratio REAL
);
CREATE INDEX faces_item ON faces (item_id);
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE person_references (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  embedding BLOB NOT NULL,
  source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE review_queue (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  reason TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  faces_detected INTEGER NOT NULL DEFAULT 0,
  suggested_person TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  reviewed_at INTEGER,
  reviewed_by TEXT,
  action TEXT
);
CREATE INDEX review_pending ON review_queue (reviewed_at, category, queued_at, id);
CREATE INDEX review_item ON review_queue (item_id);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  item_id INTEGER,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_item ON audit (item_id, id);
CREATE INDEX audit_at ON audit (at);
CREATE TABLE applied_journal (
  id TEXT PRIMARY KEY,
  item_id INTEGER,
  at INTEGER NOT NULL
);
)sql",
      // 2: web users (name, role, PBKDF2 password hash) and their sessions (token hash, CSRF token, expiry);
      //    an index for the review queue across categories (location = ? ORDER BY id), which the server pages.
      R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin', 'superadmin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX items_location_id ON items (location, id);
)sql",
      // 3: the perceptual hash of each image's centre, which finds crops (see pipeline/analyse.cc).
      R"sql(
ALTER TABLE items ADD COLUMN phash_center INTEGER;
)sql",
      // 4: the review queue's order: an item's rank is its id when it arrives and moves past every other
      //    item when it is skipped, so that "skip" means "later" in every listing.
      R"sql(
ALTER TABLE items ADD COLUMN queue_rank INTEGER NOT NULL DEFAULT 0;
UPDATE items SET queue_rank = id;
CREATE INDEX items_queue ON items (location, category, queue_rank, id);
CREATE INDEX items_queue_all ON items (location, queue_rank, id);
)sql",
      // 5: each item's whole analysis (model::StoredAnalysis as JSON) for explain and policy simulation; and a log of
      //    every change to the set of perceptual hashes (insert, move to or from trash, delete), written by triggers
      //    so that every process's near-duplicate index can catch up with changes made by any other process.
      R"sql(
CREATE TABLE analyses (
  item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  analysis TEXT NOT NULL
);
CREATE TABLE hash_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id INTEGER NOT NULL
);
CREATE TRIGGER hash_log_insert AFTER INSERT ON items BEGIN
  INSERT INTO hash_log (item_id) VALUES (NEW.id);
END;
CREATE TRIGGER hash_log_update AFTER UPDATE OF location, phash, phash_center ON items BEGIN
  INSERT INTO hash_log (item_id) VALUES (NEW.id);
END;
CREATE TRIGGER hash_log_delete AFTER DELETE ON items BEGIN
  INSERT INTO hash_log (item_id) VALUES (OLD.id);
END;
)sql",
      // 6: each item's near-duplicate signature (a 64 px grey and a 16 px colour raster, vision/near_duplicate_check.h)
      //    that verifies candidates the hashes propose; a change to it is logged like a change to the hashes, so that
      //    every process's index drops what it cached.
      R"sql(
ALTER TABLE items ADD COLUMN signature BLOB;
DROP TRIGGER hash_log_update;
CREATE TRIGGER hash_log_update AFTER UPDATE OF location, phash, phash_center, signature ON items BEGIN
  INSERT INTO hash_log (item_id) VALUES (NEW.id);
END;
)sql",
      // 7: face clusters (an incremental density clustering of the stored faces, faces/face_clustering.h): each face's
      //    cluster, how many faces lie within the cluster distance of it (-1: not clustered yet) and whether that makes
      //    it a core face, whether a person placed it there, its size; clusters with the person they were named as;
      //    "not this person" per face; and the log of people
      //    actions (name, merge, split, ...) with what undoing each one needs.
      R"sql(
ALTER TABLE faces ADD COLUMN cluster_id INTEGER;
ALTER TABLE faces ADD COLUMN neighbours INTEGER NOT NULL DEFAULT -1;
ALTER TABLE faces ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN core INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN size_px REAL NOT NULL DEFAULT 0;
CREATE INDEX faces_cluster ON faces (cluster_id, id);
CREATE INDEX faces_person ON faces (person, id);
CREATE TABLE face_clusters (
  id INTEGER PRIMARY KEY,
  person TEXT NOT NULL DEFAULT '',
  hidden INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX face_clusters_person ON face_clusters (person);
CREATE TABLE face_rejections (
  face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (face_id, person)
);
CREATE TABLE people_actions (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  undo TEXT NOT NULL,
  undone_at INTEGER
);
UPDATE faces SET size_px = MIN(w, h) WHERE w IS NOT NULL AND h IS NOT NULL;
)sql",
      // 8: proposals (another image suggested for a slot, decided by an admin), community votes and flags, the items an
      //    admin marked public; and the archive (.triage/archive/) as a place for items, where an approved proposal
      //    puts the image it replaced. SQLite cannot alter a CHECK constraint, so the items table's definition is
      //    edited in place (the documented route for loosening a constraint; every existing row satisfies the new one).
      R"sql(
CREATE TABLE proposals (
  id INTEGER PRIMARY KEY,
  slot TEXT NOT NULL,
  current_item_id INTEGER NOT NULL,
  proposed_item_id INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  current_width INTEGER NOT NULL DEFAULT 0,
  current_height INTEGER NOT NULL DEFAULT 0,
  current_score REAL NOT NULL DEFAULT -1,
  current_size INTEGER NOT NULL DEFAULT 0,
  current_sharpness REAL NOT NULL DEFAULT 0,
  proposed_width INTEGER NOT NULL DEFAULT 0,
  proposed_height INTEGER NOT NULL DEFAULT 0,
  proposed_score REAL NOT NULL DEFAULT -1,
  proposed_size INTEGER NOT NULL DEFAULT 0,
  proposed_sharpness REAL NOT NULL DEFAULT 0,
  proposed_by TEXT NOT NULL,
  proposed_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'denied', 'archived', 'stale', 'reverted')),
  reviewed_by TEXT NOT NULL DEFAULT '',
  reviewed_at INTEGER NOT NULL DEFAULT 0,
  review_notes TEXT NOT NULL DEFAULT '',
  applied_at INTEGER NOT NULL DEFAULT 0,
  rule TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposals_status ON proposals (status, proposed_at);
CREATE INDEX proposals_current ON proposals (current_item_id);
CREATE INDEX proposals_proposed ON proposals (proposed_item_id);
CREATE TABLE votes (
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  value INTEGER NOT NULL CHECK (value IN (-1, 1)),
  at INTEGER NOT NULL,
  PRIMARY KEY (item_id, voter)
);
CREATE INDEX votes_at ON votes (at);
CREATE TABLE flags (
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL CHECK (reason IN ('wrong_subject', 'poor_quality', 'wrong_person', 'other')),
  details TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  PRIMARY KEY (item_id, voter)
);
CREATE INDEX flags_at ON flags (at);
CREATE TABLE public_items (
  item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  marked_by TEXT NOT NULL,
  marked_at INTEGER NOT NULL
);
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''review'', ''trash'')', '''review'', ''trash'', ''archive'')')
  WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = RESET;
)sql",
      // 9: undo tokens: each decision leaves one (catalog/undo_store.h); single-use (used_at) and expiring.
      R"sql(
CREATE TABLE undo_tokens (
  token TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  payload TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX undo_tokens_expiry ON undo_tokens (expires_at);
)sql",
      // 10: the gallery: each item's facts from its stored analysis (capture time in ms, quality category, aggregate,
      //    closed eyes, lens) and its per-dimension scores, to filter and sort on; bursts and duplicate groups
      //    (one row per member and kind); the change-log position the stored groups reflect.
      R"sql(
CREATE TABLE gallery_facts (
  item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  taken_at_ms INTEGER,
  quality_category TEXT NOT NULL DEFAULT '',
  aggregate REAL,
  eyes_closed INTEGER NOT NULL DEFAULT 0,
  lens TEXT NOT NULL DEFAULT '',
  sharpness_score REAL,
  composition_score REAL
);
CREATE INDEX gallery_facts_aggregate ON gallery_facts (aggregate, item_id);
CREATE INDEX gallery_facts_taken ON gallery_facts (taken_at_ms, item_id);
CREATE TABLE dimension_scores (
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  dimension TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (item_id, dimension)
) WITHOUT ROWID;
CREATE INDEX dimension_scores_sort ON dimension_scores (dimension, score, item_id);
CREATE TABLE item_groups (
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('burst', 'duplicate')),
  group_id INTEGER NOT NULL,
  is_lead INTEGER NOT NULL DEFAULT 0,
  rank_score REAL NOT NULL DEFAULT 0,
  relation TEXT NOT NULL DEFAULT '',
  distance INTEGER NOT NULL DEFAULT 0,
  why TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (item_id, kind)
);
CREATE INDEX item_groups_group ON item_groups (kind, group_id);
CREATE TABLE group_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cursor INTEGER NOT NULL,
  rules TEXT NOT NULL
);
)sql",
      // 11: the hash change log keeps one entry per item, its latest: readers look up the item's present state for
      //    every entry after their cursor, so an older entry of the same item tells them nothing the latest does not.
      //    Without this the log grew by a row for every move, trash, restore and purge, forever.
      R"sql(
CREATE INDEX hash_log_item ON hash_log (item_id, seq);
DELETE FROM hash_log WHERE seq NOT IN (SELECT MAX(seq) FROM hash_log GROUP BY item_id);
CREATE TRIGGER hash_log_compact AFTER INSERT ON hash_log BEGIN
  DELETE FROM hash_log WHERE item_id = NEW.item_id AND seq < NEW.seq;
END;
)sql",
      // 12: what a reviewer said about each face of a photo in review (per-face naming): the enrolled person it shows,
      //    or that it shows nobody tracked. The matcher's own columns (person, distance) stay as measured.
      R"sql(
ALTER TABLE faces ADD COLUMN named_as TEXT NOT NULL DEFAULT '';
ALTER TABLE faces ADD COLUMN untracked INTEGER NOT NULL DEFAULT 0;
)sql",
      // 13: person covers: the library image that stands for a person on the People and Persons pages, set by
      //    approving a cover proposal (slot "cover:<person>") and put back by reverting it. Beside the proposals.
      R"sql(
CREATE TABLE person_covers (
  person TEXT PRIMARY KEY,
  item_id INTEGER NOT NULL,
  set_at INTEGER NOT NULL,
  set_by TEXT NOT NULL
);
)sql",
      // 14: a count of the changes to the items that the review queue shows (added, moved, recategorised, renamed to a
      //    person, deleted), moved by triggers in the writing transaction: the change feed (sqlite_change_feed.h) reads
      //    it when the file's data version moved, so that other writes (sessions, votes, audit) do not count.
      R"sql(
CREATE TABLE item_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO item_changes (id, n) VALUES (1, 0);
CREATE TRIGGER item_changes_insert AFTER INSERT ON items BEGIN
  UPDATE item_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER item_changes_update AFTER UPDATE OF location, category, person ON items BEGIN
  UPDATE item_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER item_changes_delete AFTER DELETE ON items BEGIN
  UPDATE item_changes SET n = n + 1 WHERE id = 1;
END;
)sql",
      // 15: a person's name as it was typed ("Bernadette Rostenkowski"), shown wherever the person is named; the
      //    name column stays the key and the folder name (bernadette_rostenkowski). '' when it adds nothing to it.
      R"sql(
ALTER TABLE persons ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
)sql",
      // 16: the copies filed of an item (review::StandingOriginal looks for the one kept once the item left the
      //    library), found without reading every item.
      R"sql(
CREATE INDEX items_duplicate_of ON items (duplicate_of);
)sql",
  };
  return kMigrations;
}

}  // namespace triage::catalog::sqlite
