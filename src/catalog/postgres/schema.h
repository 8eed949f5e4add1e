// The PostgreSQL schema as numbered migrations; applied in order, recorded in schema_version. The first holds what
// the SQLite schema reached by its sixth migration (this backend began there); later ones are appended.
#pragma once

#include <vector>

namespace triage::catalog::postgres {

inline const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {
      // 1: items, faces, persons, references, review queue, audit, applied journal entries, analyses, users and
      //    sessions, and the log of changes to the set of perceptual hashes.
      R"sql(
CREATE TABLE items (
  id BIGSERIAL PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  original_name TEXT NOT NULL,
  original_path TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  phash BIGINT,
  size_bytes BIGINT NOT NULL DEFAULT 0,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  format TEXT NOT NULL DEFAULT '',
  taken_at TEXT NOT NULL DEFAULT '',
  camera TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL CHECK (location IN ('library', 'review', 'trash')),
  category TEXT NOT NULL DEFAULT '',
  person TEXT NOT NULL DEFAULT '',
  duplicate_of BIGINT,
  reasons TEXT NOT NULL DEFAULT '[]',
  auto_sorted INTEGER NOT NULL DEFAULT 0,
  faces_detected INTEGER NOT NULL DEFAULT 0,
  sharpness DOUBLE PRECISION NOT NULL DEFAULT 0,
  exposure DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  phash_center BIGINT,
  queue_rank BIGINT NOT NULL DEFAULT 0,
  signature BYTEA
);
CREATE INDEX items_sha256 ON items (sha256);
CREATE INDEX items_location ON items (location, category, id);
CREATE INDEX items_location_id ON items (location, id);
CREATE INDEX items_person ON items (person, id);
CREATE INDEX items_created ON items (created_at);
CREATE INDEX items_queue ON items (location, category, queue_rank, id);
CREATE INDEX items_queue_all ON items (location, queue_rank, id);
CREATE TABLE faces (
  id BIGSERIAL PRIMARY KEY,
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  x DOUBLE PRECISION, y DOUBLE PRECISION, w DOUBLE PRECISION, h DOUBLE PRECISION,
  score DOUBLE PRECISION,
  landmarks TEXT NOT NULL DEFAULT '[]',
  embedding BYTEA,
  person TEXT NOT NULL DEFAULT '',
  match_kind TEXT NOT NULL DEFAULT 'unknown',
  distance DOUBLE PRECISION,
  confidence DOUBLE PRECISION,
  eye_aspect_ratio DOUBLE PRECISION
);
CREATE INDEX faces_item ON faces (item_id);
CREATE TABLE persons (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE person_references (
  id BIGSERIAL PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  embedding BYTEA NOT NULL,
  source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE review_queue (
  id BIGSERIAL PRIMARY KEY,
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  reason TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  faces_detected INTEGER NOT NULL DEFAULT 0,
  suggested_person TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  reviewed_at BIGINT,
  reviewed_by TEXT,
  action TEXT
);
CREATE INDEX review_pending ON review_queue (reviewed_at, category, queued_at, id);
CREATE INDEX review_item ON review_queue (item_id);
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  item_id BIGINT,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_item ON audit (item_id, id);
CREATE INDEX audit_at ON audit (at);
CREATE TABLE applied_journal (
  id TEXT PRIMARY KEY,
  item_id BIGINT,
  at BIGINT NOT NULL
);
CREATE TABLE analyses (
  item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  analysis BYTEA NOT NULL
);
CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin', 'superadmin')),
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE TABLE hash_log (
  seq BIGSERIAL PRIMARY KEY,
  item_id BIGINT NOT NULL
);
-- Sequence numbers are handed out before commit, so two writers could commit them out of order and a reader that
-- saw the higher one would never look back for the lower. Writers of the log therefore take a transaction lock:
-- their commits, and so the numbers readers see, follow the order of the numbers.
CREATE FUNCTION log_hash_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7461726961);
  INSERT INTO hash_log (item_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END $$;
CREATE TRIGGER hash_log_insert AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_hash_change();
CREATE TRIGGER hash_log_update AFTER UPDATE OF location, phash, phash_center, signature ON items
  FOR EACH ROW EXECUTE FUNCTION log_hash_change();
CREATE TRIGGER hash_log_delete AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION log_hash_change();
)sql",
      // 2: jobs that worker processes claim (SELECT ... FOR UPDATE SKIP LOCKED), the workers with their heartbeats,
      //    and a log of every claim and end for audits.
      R"sql(
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  worker TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  claimed_at BIGINT,
  heartbeat_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX jobs_open ON jobs (id) WHERE state IN ('queued', 'running');
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);
CREATE TABLE job_log (
  seq BIGSERIAL PRIMARY KEY,
  job_id BIGINT NOT NULL,
  worker TEXT NOT NULL,
  event TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX job_log_job ON job_log (job_id, seq);
)sql",
      // 3: the hash change log keeps one entry per item, its latest (readers look up the item's present state for
      //    every entry after their cursor, so an older entry of the same item tells them nothing the latest does not).
      R"sql(
CREATE INDEX hash_log_item ON hash_log (item_id, seq);
DELETE FROM hash_log l WHERE EXISTS (SELECT 1 FROM hash_log n WHERE n.item_id = l.item_id AND n.seq > l.seq);
CREATE OR REPLACE FUNCTION log_hash_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
  PERFORM pg_advisory_xact_lock(7461726961);
  DELETE FROM hash_log WHERE item_id = changed;
  INSERT INTO hash_log (item_id) VALUES (changed);
  RETURN NULL;
END $$;
)sql",
      // 4: what a reviewer said about each face of a photo in review (per-face naming), as in the SQLite catalog.
      R"sql(
ALTER TABLE faces ADD COLUMN named_as TEXT NOT NULL DEFAULT '';
ALTER TABLE faces ADD COLUMN untracked INTEGER NOT NULL DEFAULT 0;
)sql",
      // 5: what the SQLite catalog holds beside the items (its migrations 7 to 10 and 13), so that every store runs
      //    here too: the gallery's facts per item, per-dimension scores, bursts and duplicate groups and their state;
      //    undo tokens; face clusters (each face's cluster, density and size), "not this person" and the people
      //    actions log; proposals, votes, flags, public marks and person covers; and the archive as a place for items.
      R"sql(
ALTER TABLE items DROP CONSTRAINT items_location_check;
ALTER TABLE items ADD CONSTRAINT items_location_check CHECK (location IN ('library', 'review', 'trash', 'archive'));
CREATE TABLE gallery_facts (
  item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  taken_at_ms BIGINT,
  quality_category TEXT NOT NULL DEFAULT '',
  aggregate DOUBLE PRECISION,
  eyes_closed INTEGER NOT NULL DEFAULT 0,
  lens TEXT NOT NULL DEFAULT '',
  sharpness_score DOUBLE PRECISION,
  composition_score DOUBLE PRECISION
);
CREATE INDEX gallery_facts_aggregate ON gallery_facts (aggregate, item_id);
CREATE INDEX gallery_facts_taken ON gallery_facts (taken_at_ms, item_id);
CREATE TABLE dimension_scores (
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  dimension TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (item_id, dimension)
);
CREATE INDEX dimension_scores_sort ON dimension_scores (dimension, score, item_id);
CREATE TABLE item_groups (
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('burst', 'duplicate')),
  group_id BIGINT NOT NULL,
  is_lead INTEGER NOT NULL DEFAULT 0,
  rank_score DOUBLE PRECISION NOT NULL DEFAULT 0,
  relation TEXT NOT NULL DEFAULT '',
  distance INTEGER NOT NULL DEFAULT 0,
  why TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (item_id, kind)
);
CREATE INDEX item_groups_group ON item_groups (kind, group_id);
CREATE TABLE group_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cursor BIGINT NOT NULL,
  rules TEXT NOT NULL
);
CREATE TABLE undo_tokens (
  token TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  payload TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX undo_tokens_expiry ON undo_tokens (expires_at);
ALTER TABLE faces ADD COLUMN cluster_id BIGINT;
ALTER TABLE faces ADD COLUMN neighbours INTEGER NOT NULL DEFAULT -1;
ALTER TABLE faces ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN core INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN size_px DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE faces SET size_px = LEAST(w, h) WHERE w IS NOT NULL AND h IS NOT NULL;
CREATE INDEX faces_cluster ON faces (cluster_id, id);
CREATE INDEX faces_person ON faces (person, id);
CREATE TABLE face_clusters (
  id BIGSERIAL PRIMARY KEY,
  person TEXT NOT NULL DEFAULT '',
  hidden INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX face_clusters_person ON face_clusters (person);
CREATE TABLE face_rejections (
  face_id BIGINT NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (face_id, person)
);
CREATE TABLE people_actions (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  undo TEXT NOT NULL,
  undone_at BIGINT
);
CREATE TABLE proposals (
  id BIGSERIAL PRIMARY KEY,
  slot TEXT NOT NULL,
  current_item_id BIGINT NOT NULL,
  proposed_item_id BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  current_width INTEGER NOT NULL DEFAULT 0,
  current_height INTEGER NOT NULL DEFAULT 0,
  current_score DOUBLE PRECISION NOT NULL DEFAULT -1,
  current_size BIGINT NOT NULL DEFAULT 0,
  current_sharpness DOUBLE PRECISION NOT NULL DEFAULT 0,
  proposed_width INTEGER NOT NULL DEFAULT 0,
  proposed_height INTEGER NOT NULL DEFAULT 0,
  proposed_score DOUBLE PRECISION NOT NULL DEFAULT -1,
  proposed_size BIGINT NOT NULL DEFAULT 0,
  proposed_sharpness DOUBLE PRECISION NOT NULL DEFAULT 0,
  proposed_by TEXT NOT NULL,
  proposed_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'denied', 'archived', 'stale', 'reverted')),
  reviewed_by TEXT NOT NULL DEFAULT '',
  reviewed_at BIGINT NOT NULL DEFAULT 0,
  review_notes TEXT NOT NULL DEFAULT '',
  applied_at BIGINT NOT NULL DEFAULT 0,
  rule TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposals_status ON proposals (status, proposed_at);
CREATE INDEX proposals_current ON proposals (current_item_id);
CREATE INDEX proposals_proposed ON proposals (proposed_item_id);
CREATE TABLE votes (
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  value INTEGER NOT NULL CHECK (value IN (-1, 1)),
  at BIGINT NOT NULL,
  PRIMARY KEY (item_id, voter)
);
CREATE INDEX votes_at ON votes (at);
CREATE TABLE flags (
  item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL CHECK (reason IN ('wrong_subject', 'poor_quality', 'wrong_person', 'other')),
  details TEXT NOT NULL DEFAULT '',
  at BIGINT NOT NULL,
  PRIMARY KEY (item_id, voter)
);
CREATE INDEX flags_at ON flags (at);
CREATE TABLE public_items (
  item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  marked_by TEXT NOT NULL,
  marked_at BIGINT NOT NULL
);
CREATE TABLE person_covers (
  person TEXT PRIMARY KEY,
  item_id BIGINT NOT NULL,
  set_at BIGINT NOT NULL,
  set_by TEXT NOT NULL
);
)sql",
      // 6: a job handed back to the host whose dead worker may have left its input in that host's open journal
      //    (only a worker of that host claims it: only that host recovers its own journal); open jobs found by
      //    their payload (an equal job is not enqueued twice).
      R"sql(
ALTER TABLE jobs ADD COLUMN host TEXT;
CREATE INDEX jobs_open_payload ON jobs (kind, md5(payload)) WHERE state IN ('queued', 'running');
)sql",
      // 7: every statement that adds, moves, recategorises or deletes items notifies channel triage_changes
      //    (pg_change_feed.h's kChangesChannel) when its transaction commits, so that a server LISTENing tells open
      //    browsers; PostgreSQL folds a transaction's equal notifications into one.
      R"sql(
CREATE FUNCTION notify_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('triage_changes', '');
  RETURN NULL;
END $$;
CREATE TRIGGER items_changed AFTER INSERT OR DELETE OR UPDATE OF location, category, person ON items
  FOR EACH STATEMENT EXECUTE FUNCTION notify_items_changed();
)sql",
      // 8: a person's name as it was typed, shown wherever the person is named (SQLite migration 15).
      R"sql(
ALTER TABLE persons ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
)sql",
      // 9: the lease a worker heart-beats under, on its row and on each job it claims: a worker is taken for dead when
      //    its own lease has lapsed, not a claimer's shorter one.
      R"sql(
ALTER TABLE jobs ADD COLUMN lease_s BIGINT;
ALTER TABLE workers ADD COLUMN lease_s BIGINT;
)sql",
      // 10: the copies filed of an item, found without reading every item (SQLite migration 16).
      R"sql(
CREATE INDEX items_duplicate_of ON items (duplicate_of);
)sql",
  };
  return kMigrations;
}

}  // namespace triage::catalog::postgres
