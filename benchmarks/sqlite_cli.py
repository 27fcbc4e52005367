"""The reference for the SQLite import: ``sqlite3``'s own ``.import`` of the same files.

The databases are migrated first (same tables and indexes as the importer's), then one
``sqlite3`` process ``.import``s each file (tab-separated, ``--skip 1``; ``.mode ascii``
with a tab separator rather than ``.mode tabs``, which would treat the double quotes in
artist names as CSV quoting) into a staging
table and copies it into the service tables with ``INSERT ... SELECT`` (deriving the columns
the files lack: search name, timestamps, placeholder artists, users, popularity). Only that
``sqlite3`` process is timed. ``tags.dat`` is latin-1, which ``sqlite3`` cannot read: a
UTF-8 copy is made first (not timed).
"""

from __future__ import annotations

from pathlib import Path

from catalog.db import MIGRATIONS as CATALOG_MIGRATIONS
from listening.db import MIGRATIONS as LISTENING_MIGRATIONS
from soundstream_common.db import create_db_engine

STAGING = """
CREATE TABLE s_artists(id INTEGER, name TEXT, url TEXT, picture TEXT);
CREATE TABLE s_tags(id INTEGER, value TEXT);
CREATE TABLE s_listens(user_id INTEGER, artist_id INTEGER, weight INTEGER);
CREATE TABLE s_tagged(user_id INTEGER, artist_id INTEGER, tag_id INTEGER,
                      day INTEGER, month INTEGER, year INTEGER);
CREATE TABLE s_friends(user_id INTEGER, friend_id INTEGER);
"""

COPY = """
BEGIN;
INSERT INTO artists(id, name, url, picture_url, search_name, is_placeholder)
  SELECT id, name, nullif(url, ''), nullif(picture, ''), lower(name), 0 FROM s_artists;
INSERT OR IGNORE INTO artists(id, name, url, picture_url, search_name, is_placeholder)
  SELECT DISTINCT artist_id, 'Unknown artist #' || artist_id, NULL, NULL,
         'unknown artist #' || artist_id, 1
  FROM (SELECT artist_id FROM s_tagged UNION SELECT artist_id FROM s_listens)
  WHERE artist_id NOT IN (SELECT id FROM artists);
INSERT INTO tags(id, value) SELECT id, value FROM s_tags;
CREATE TEMP TABLE all_users AS
  SELECT user_id AS id FROM s_listens UNION SELECT user_id FROM s_tagged
  UNION SELECT user_id FROM s_friends UNION SELECT friend_id FROM s_friends;
INSERT INTO user_refs(id) SELECT id FROM all_users;
INSERT OR IGNORE INTO tag_assignments
  (user_id, artist_id, tag_id, timestamp_ms, day, month, year, date_valid)
  SELECT user_id, artist_id, tag_id, ts, day, month, year,
         ts <> 0 AND year BETWEEN 2002 AND 2011
  FROM (SELECT *, coalesce(CAST(round((julianday(printf('%04d-%02d-%02d', year, month, day))
                  - 2440587.5) * 86400000) AS INTEGER), 0) AS ts FROM s_tagged)
  WHERE tag_id IN (SELECT id FROM tags);
INSERT INTO l.users(id) SELECT id FROM all_users;
INSERT INTO l.artist_refs(id) SELECT id FROM artists;
INSERT INTO l.listens(user_id, artist_id, weight)
  SELECT user_id, artist_id, weight FROM s_listens WHERE weight > 0;
INSERT INTO l.friendships(user_id, friend_id)
  SELECT user_id, friend_id FROM s_friends WHERE user_id <> friend_id;
INSERT INTO artist_popularity(artist_id, listeners, plays)
  SELECT a.id, count(x.user_id), coalesce(sum(x.weight), 0)
  FROM artists a LEFT JOIN l.listens x ON x.artist_id = a.id GROUP BY a.id;
DROP TABLE s_artists; DROP TABLE s_tags; DROP TABLE s_listens;
DROP TABLE s_tagged; DROP TABLE s_friends;
COMMIT;
"""


def migrate(catalog_db: Path, listening_db: Path) -> None:
    """Create the service schemas (tables and indexes) with the services' migrations."""
    for path, migrations in (
        (catalog_db, CATALOG_MIGRATIONS),
        (listening_db, LISTENING_MIGRATIONS),
    ):
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            migrations.upgrade(engine)
        finally:
            engine.dispose()


def utf8_tags_copy(data: Path, work: Path) -> Path:
    """A UTF-8 copy of the latin-1 ``tags.dat`` (``sqlite3`` reads UTF-8 only)."""
    copy = work / "tags-utf8.dat"
    copy.write_text((data / "tags.dat").read_text(encoding="latin-1"), encoding="utf-8")
    return copy


def script(data: Path, tags_utf8: Path, listening_db: Path) -> str:
    """The ``sqlite3`` script run against the catalog database."""
    imports = [
        (data / "artists.dat", "s_artists"),
        (tags_utf8, "s_tags"),
        (data / "user_artists.dat", "s_listens"),
        (data / "user_taggedartists.dat", "s_tagged"),
        (data / "user_friends.dat", "s_friends"),
    ]
    lines = [f"ATTACH '{listening_db}' AS l;", STAGING, ".mode ascii", '.separator "\\t" "\\n"']
    lines += [f".import --skip 1 '{path}' {table}" for path, table in imports]
    lines.append(COPY)
    return "\n".join(lines)
