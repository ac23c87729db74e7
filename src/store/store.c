/*
 * store.c - the node's SQLite database: schema and its migrations,
 * transactions, entries, outbox, deliveries, cursors and certificates.
 *
 * With store_log.c (the joint record) and store_view.c (the JSON views), the
 * only files that speak SQL; store_internal.h holds what they share. One
 * connection used from one thread. Every statement is prepared once at open
 * and reset after each use; values are always bound, never spliced into SQL.
 * Each SQLite failure becomes one sentence naming the database path and the
 * operation; a full disk (or a write refused for ENOSPC or EFBIG) becomes
 * LIA_EFULL.
 *
 * Assumptions: entries were validated by the entry module before they are
 * stored; own entries are exactly those stored with LIA_DIR_OUT and all carry
 * the node's own origin, so an own entry is named by its seq alone (outbox
 * and deliveries hold only the seq, and a unique partial index keeps one own
 * entry per seq). Entries are never deleted, so the rowid alias `n` grows
 * with arrival and gives the stored order; (origin, seq) is the entry's key,
 * declared UNIQUE because `n` has to be the INTEGER PRIMARY KEY to stay
 * stable across VACUUM. Every stored entry is also a leaf of the log, in the
 * same transaction (store_log.c).
 */
#include "store.h"
#include "store_internal.h"
#include "clock.h"
#include "err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

/*
 * Version 1: entries, outbox, deliveries, cursors, certs, meta.
 * Version 2: the joint record (log, tree, checkpoints, cosignatures,
 * witnessed, evidence) and triggers that keep what is recorded unchanged.
 * A version-1 database is migrated in place at open, in one transaction.
 * Version 3: entries of type 4 (signal) are allowed (the CHECK on type).
 * Version 4: entries of types 5 to 31 are allowed (reserved in entry.h), so
 * that new kinds of entry do not each need their own loosening.
 * Version 5: incidents and their steps (store_incident.c), derived from
 * incident entries (type 5) as they are stored; no entry of type 5 could be
 * stored before, so the new tables start empty.
 * Version 6: deadlines (store_deadline.c).
 */
#define SCHEMA_VERSION 7
#define APPLICATION_ID 0x4c494131 /* "LIA1" at offset 68 of the file header */
#define BUSY_TIMEOUT_MS 5000
#define STR(x) STR_(x)
#define STR_(x) #x

/* Version 1, exactly as liaisond 0.1 created it. */
static const char schema_v1_sql[] =
	"CREATE TABLE entries ("
	" n INTEGER PRIMARY KEY,"
	" origin TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
	" type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 3),"
	" dir INTEGER NOT NULL CHECK (dir IN (0, 1)),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32), cose BLOB NOT NULL,"
	" time_ms INTEGER NOT NULL, stored_ms INTEGER NOT NULL,"
	" to_name TEXT, precedence INTEGER, lang TEXT, text TEXT,"
	" ref_origin TEXT, ref_seq INTEGER, operator TEXT,"
	" UNIQUE (origin, seq));"
	"CREATE UNIQUE INDEX entries_own ON entries (seq) WHERE dir = 0;"
	"CREATE INDEX entries_ref ON entries (ref_origin, ref_seq) WHERE ref_origin IS NOT NULL;"
	/* The rowid n is the index's implicit last column: messages by arrival. */
	"CREATE INDEX entries_list ON entries (type, dir);"
	"CREATE TABLE outbox (dest TEXT NOT NULL, seq INTEGER NOT NULL,"
	" PRIMARY KEY (dest, seq)) WITHOUT ROWID;"
	"CREATE TABLE deliveries (seq INTEGER NOT NULL, dest TEXT NOT NULL,"
	" receipt_seq INTEGER CHECK (receipt_seq >= 1), delivered_ms INTEGER,"
	" PRIMARY KEY (seq, dest)) WITHOUT ROWID;"
	"CREATE TABLE cursors (peer TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 0))"
	" WITHOUT ROWID;"
	"CREATE TABLE certs (node TEXT PRIMARY KEY, der BLOB NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('next_seq', 1);";

/* Refuses a change to what a table records (the triggers below). */
#define KEEP(name, event, table, what) \
	"CREATE TRIGGER " name " BEFORE " event " ON " table \
	" BEGIN SELECT RAISE(ABORT, '" what " cannot be changed or removed'); END;"

/*
 * Version 2: the joint record. Leaf idx of the log is entry entry_n; tree
 * holds every complete subtree node (merkle.h's (level, idx); level 0 is the
 * leaf hash of the entry's exact COSE bytes). Notes are the signed note
 * texts; a cosignature is kept as its signature line. Evidence is kept
 * forever. Large rows (notes) stay in rowid tables; small ones are WITHOUT
 * ROWID.
 */
static const char schema_v2_sql[] =
	"CREATE TABLE log (idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
	" entry_n INTEGER NOT NULL UNIQUE REFERENCES entries (n));"
	"CREATE TABLE tree (level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),"
	" idx INTEGER NOT NULL CHECK (idx >= 0), hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE checkpoints (size INTEGER PRIMARY KEY CHECK (size >= 0),"
	" root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,"
	" made_ms INTEGER NOT NULL);"
	"CREATE TABLE cosignatures (size INTEGER NOT NULL REFERENCES checkpoints (size),"
	" witness TEXT NOT NULL, line TEXT NOT NULL, received_ms INTEGER NOT NULL,"
	" PRIMARY KEY (size, witness)) WITHOUT ROWID;"
	"CREATE INDEX cosignatures_witness ON cosignatures (witness, size);"
	"CREATE TABLE witnessed (peer TEXT PRIMARY KEY, size INTEGER NOT NULL CHECK (size >= 0),"
	" root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL);"
	"CREATE TABLE evidence (n INTEGER PRIMARY KEY, peer TEXT NOT NULL, reason TEXT NOT NULL,"
	" note_old TEXT, note_new TEXT, found_ms INTEGER NOT NULL);"
	/* Against bugs, not against someone with the file: lia_store_log_check is for that. */
	KEEP("entries_fixed", "UPDATE OF origin, seq, type, dir, hash, cose", "entries",
	    "a stored entry")
	KEEP("entries_kept", "DELETE", "entries", "a stored entry")
	KEEP("log_fixed", "UPDATE", "log", "the log")
	KEEP("log_kept", "DELETE", "log", "the log")
	KEEP("tree_fixed", "UPDATE", "tree", "the Merkle tree")
	KEEP("tree_kept", "DELETE", "tree", "the Merkle tree")
	KEEP("checkpoints_fixed", "UPDATE", "checkpoints", "a checkpoint")
	KEEP("checkpoints_kept", "DELETE", "checkpoints", "a checkpoint")
	KEEP("cosignatures_fixed", "UPDATE", "cosignatures", "a cosignature")
	KEEP("cosignatures_kept", "DELETE", "cosignatures", "a cosignature")
	KEEP("evidence_fixed", "UPDATE", "evidence", "evidence")
	KEEP("evidence_kept", "DELETE", "evidence", "evidence");

/*
 * Version 3 loosens entries' CHECK (type BETWEEN 1 AND 3) to 4 (signal
 * entries). Every stored row satisfies the new constraint, so the table's
 * text is edited in place as SQLite's ALTER TABLE page allows for a relaxed
 * CHECK ("making other kinds of table schema changes"), the schema cookie
 * bumped in the same transaction (apply_v3).
 */
static const char schema_v3_sql[] =
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (type BETWEEN 1 AND 3)',"
	" 'CHECK (type BETWEEN 1 AND 4)') WHERE type = 'table' AND name = 'entries';";

/* Version 4 loosens the same CHECK to every type entry.h reserves (1 to 31), as version 3 did. */
static const char schema_v4_sql[] =
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (type BETWEEN 1 AND 4)',"
	" 'CHECK (type BETWEEN 1 AND 31)') WHERE type = 'table' AND name = 'entries';";

/* Version 5: incidents, and each incident entry as a step of one (store_incident.c). */
static const char schema_v5_sql[] =
	"CREATE TABLE incidents (origin TEXT NOT NULL, seq INTEGER NOT NULL,"
	" title TEXT NOT NULL, party_a TEXT NOT NULL, party_b TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2),"
	" opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
	" PRIMARY KEY (origin, seq), FOREIGN KEY (origin, seq) REFERENCES entries (origin, seq))"
	" WITHOUT ROWID;"
	"CREATE TABLE incident_steps (origin TEXT NOT NULL, seq INTEGER NOT NULL,"
	" inc_origin TEXT NOT NULL, inc_seq INTEGER NOT NULL,"
	" action INTEGER NOT NULL CHECK (action BETWEEN 0 AND 4), party TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL, state INTEGER, text TEXT, subj_origin TEXT, subj_seq INTEGER,"
	" PRIMARY KEY (origin, seq), FOREIGN KEY (origin, seq) REFERENCES entries (origin, seq),"
	" FOREIGN KEY (inc_origin, inc_seq) REFERENCES incidents (origin, seq)) WITHOUT ROWID;"
	"CREATE INDEX incident_steps_time ON incident_steps (inc_origin, inc_seq, time_ms);"
	"CREATE INDEX incident_steps_subject ON incident_steps (subj_origin, subj_seq)"
	" WHERE subj_origin IS NOT NULL;"
	KEEP("incident_steps_fixed", "UPDATE", "incident_steps", "an incident step")
	KEEP("incident_steps_kept", "DELETE", "incident_steps", "an incident step")
	KEEP("incidents_kept", "DELETE", "incidents", "an incident");
/*
 * Version 6: one row per answer awaited by a deadline: (origin, seq) the
 * message, node whose answer (kind 0 receipt, 1 ack) is due at due_ms.
 * next_ms is when the deadline timer must look at it again (NULL: nothing
 * more to do); step counts the overdue notices made (at the sender) or heard
 * (elsewhere); overdue_ms is when it was marked overdue here, met_ms when the
 * answer (or a closing notice) came. Messages stored before version 6 have
 * no rows: their deadlines are not tracked.
 */
static const char schema_v6_sql[] =
	"CREATE TABLE deadlines (origin TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
	" node TEXT NOT NULL, kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"
	" precedence INTEGER NOT NULL CHECK (precedence BETWEEN 0 AND 3),"
	" due_ms INTEGER NOT NULL, next_ms INTEGER,"
	" step INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),"
	" overdue_ms INTEGER, met_ms INTEGER,"
	" PRIMARY KEY (origin, seq, node, kind)) WITHOUT ROWID;"
	"CREATE INDEX deadlines_next ON deadlines (next_ms) WHERE next_ms IS NOT NULL;"
	"CREATE INDEX deadlines_overdue ON deadlines (overdue_ms)"
	" WHERE overdue_ms IS NOT NULL AND met_ms IS NULL;";

static const char schema_version_sql[] =
	"PRAGMA application_id = " STR(APPLICATION_ID) ";"
	"PRAGMA user_version = " STR(SCHEMA_VERSION) ";";

/*
 * A unary + keeps a term off the index: lookups by reference must use
 * entries_ref, never scan every ack through entries_list (which the planner
 * would otherwise pick without ANALYZE statistics).
 */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_NEXT_SEQ] = "UPDATE meta SET value = value + 1 WHERE key = 'next_seq' RETURNING value - 1",
	[ST_ADD_ENTRY] = "INSERT INTO entries (origin, seq, type, dir, hash, cose, time_ms,"
		" stored_ms, to_name, precedence, lang, text, ref_origin, ref_seq, operator)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
		" ON CONFLICT (origin, seq) DO NOTHING",
	[ST_GET_ENTRY] = "SELECT cose, dir, hash FROM entries WHERE origin = ?1 AND seq = ?2",
	[ST_OWN_TYPE] = "SELECT type FROM entries WHERE dir = 0 AND seq = ?1",
	[ST_QUEUE] = "INSERT INTO outbox (dest, seq) SELECT ?1, seq FROM entries"
		" WHERE dir = 0 AND seq = ?2 ON CONFLICT DO NOTHING",
	[ST_SCAN_OUTBOX] = "SELECT o.seq, e.cose FROM outbox AS o"
		" JOIN entries AS e ON e.dir = 0 AND e.seq = o.seq"
		" WHERE o.dest = ?1 AND o.seq > ?2 ORDER BY o.seq LIMIT ?3",
	[ST_OUTBOX_COUNT] = "SELECT count(*) FROM outbox WHERE dest = ?1",
	[ST_PEER_SEEN] = "DELETE FROM outbox WHERE dest = ?1 AND seq <= ?2",
	[ST_GET_CURSOR] = "SELECT seq FROM cursors WHERE peer = ?1",
	[ST_SET_CURSOR] = "INSERT INTO cursors (peer, seq) VALUES (?1, ?2)"
		" ON CONFLICT (peer) DO UPDATE SET seq = excluded.seq",
	[ST_ADD_DELIVERY] = "INSERT INTO deliveries (seq, dest) SELECT seq, ?2 FROM entries"
		" WHERE dir = 0 AND seq = ?1 AND type IN (1, 4, 9) ON CONFLICT DO NOTHING",
	[ST_MARK_DELIVERED] = "UPDATE deliveries SET receipt_seq = ?3, delivered_ms = ?4"
		" WHERE seq = ?1 AND dest = ?2 AND receipt_seq IS NULL",
	[ST_HAS_DELIVERY] = "SELECT 1 FROM deliveries WHERE seq = ?1 AND dest = ?2",
	[ST_FIND_ACK] = "SELECT seq FROM entries WHERE ref_origin = ?1 AND ref_seq = ?2"
		" AND +type = 3 AND origin = ?3 ORDER BY n LIMIT 1",
	[ST_PUT_CERT] = "INSERT INTO certs (node, der) VALUES (?1, ?2)"
		" ON CONFLICT (node) DO UPDATE SET der = excluded.der",
	[ST_GET_CERT] = "SELECT der FROM certs WHERE node = ?1",
	[ST_SCAN_REFS] = "SELECT origin, seq, cose FROM entries"
		" WHERE ref_origin = ?1 AND ref_seq = ?2 ORDER BY n",
};

static int is_full(struct lia_store *s, int rc)
{
	int sys = s->db != NULL ? sqlite3_system_errno(s->db) : 0;

	return (rc & 0xff) == SQLITE_FULL ||
	    ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG));
}

/* "path: cannot <what>: <sqlite's reason>"; returns LIA_EFULL or LIA_ERROR. */
__attribute__((format(printf, 4, 0)))
static int vfail(struct lia_store *s, int rc, char *err, const char *fmt, va_list ap)
{
	char what[160];
	int sys = s->db != NULL && (rc & 0xff) == SQLITE_IOERR ? sqlite3_system_errno(s->db) : 0;

	if (fmt != NULL) /* never NULL; said so for GCC's sanitizer builds, which cannot tell */
		vsnprintf(what, sizeof(what), fmt, ap);
	else
		what[0] = '\0';
	lia_err_set(err, "%s: cannot %s: %s%s%s%s", s->path, what,
	    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), sys ? " (" : "",
	    sys ? strerror(sys) : "", sys ? ")" : "");
	return is_full(s, rc) ? LIA_EFULL : LIA_ERROR;
}

int store_fail(struct lia_store *s, int rc, char *err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(s, rc, err, fmt, ap);
	va_end(ap);
	return ret;
}

int store_step(struct lia_store *s, sqlite3_stmt *st, int brc, char *err, const char *fmt, ...)
{
	va_list ap;
	int rc = brc == SQLITE_OK ? sqlite3_step(st) : brc;

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	va_start(ap, fmt);
	rc = vfail(s, rc, err, fmt, ap);
	va_end(ap);
	return rc;
}

void store_finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/*
 * 's' text (NULL binds NULL), 'i' int64_t, 'u' uint64_t sequence number (one
 * past INT64_MAX binds -1, which matches no stored seq), 'U' uint64_t bound
 * (clamped to INT64_MAX), 'b' blob as (const void *, size_t). Returns an
 * SQLite result code.
 */
int store_bind(sqlite3_stmt *st, int first, const char *fmt, ...)
{
	va_list ap;
	int rc = SQLITE_OK, i = first;
	uint64_t u;
	const void *p;

	va_start(ap, fmt);
	for (; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 's':
			p = va_arg(ap, const char *);
			rc = p ? sqlite3_bind_text(st, i, p, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'u':
			u = va_arg(ap, uint64_t);
			rc = sqlite3_bind_int64(st, i, u > INT64_MAX ? -1 : (sqlite3_int64)u);
			break;
		case 'U':
			u = va_arg(ap, uint64_t);
			rc = sqlite3_bind_int64(st, i, u > INT64_MAX ? INT64_MAX : (sqlite3_int64)u);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			rc = sqlite3_bind_blob64(st, i, p, va_arg(ap, size_t), SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	va_end(ap);
	return rc;
}

uint8_t *store_copy_blob(const void *p, size_t len)
{
	uint8_t *out = malloc(len + 1);

	if (out != NULL && len > 0)
		memcpy(out, p, len);
	if (out != NULL)
		out[len] = 0;
	return out;
}

void store_rows_free(struct store_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].text);
		free(r->v[i].blob);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int store_rows_add(struct store_rows *r, sqlite3_stmt *st, int text_col, int num_col,
    int blob_col)
{
	struct store_row *w;
	const char *text = NULL;
	const void *blob = sqlite3_column_blob(st, blob_col);
	size_t len = (size_t)sqlite3_column_bytes(st, blob_col);

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct store_row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	w = &r->v[r->n];
	memset(w, 0, sizeof(*w));
	w->num = (uint64_t)sqlite3_column_int64(st, num_col);
	w->len = len;
	w->blob = store_copy_blob(blob, len);
	if (text_col >= 0 && (text = (const char *)sqlite3_column_text(st, text_col)) != NULL)
		w->text = strdup(text);
	r->n++;
	return w->blob == NULL || (text != NULL && w->text == NULL) ? -1 : 0;
}

/* Runs a one-row query that yields an integer (pragmas, counts) into *v. */
static int query_int(struct lia_store *s, const char *sql, int64_t *v, const char *what, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	int r = rc == SQLITE_OK ? store_step(s, st, SQLITE_OK, err, "%s", what) :
	    store_fail(s, rc, err, "%s", what);

	if (r == 1)
		*v = sqlite3_column_int64(st, 0);
	else if (r == 0)
		r = store_fail(s, SQLITE_ERROR, err, "%s (no result)", what);
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

/* Runs SQL with no parameters and no rows of interest (pragmas, the schema). */
static int exec(struct lia_store *s, const char *sql, const char *what, char *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, err, "%s", what);
}

static int connect_db(struct lia_store *s, char *err)
{
	int rc = sqlite3_open_v2(s->path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK)
		return store_fail(s, rc, err, "open the database");
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	return 0;
}

/* Refuses a file that is not a database, not ours, or from a newer liaisond. */
static int check_version(struct lia_store *s, int64_t *version, char *err)
{
	int64_t app = 0;
	int rc = -1;

	if (query_int(s, "PRAGMA user_version", version, "read the schema version", err) < 0 ||
	    query_int(s, "PRAGMA application_id", &app, "read the application id", err) < 0)
		goto out;
	if (*version > SCHEMA_VERSION) {
		lia_err_set(err, "%s: database schema version %" PRId64 " is newer than this "
		    "liaisond supports (%d); run a newer liaisond", s->path, *version, SCHEMA_VERSION);
		goto out;
	}
	if (*version > 0 && app != APPLICATION_ID) {
		lia_err_set(err, "%s: not a Liaison database (application id %" PRId64 ")",
		    s->path, app);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* journal_mode answers with the mode it ended in: WAL for a file, "memory" for ":memory:". */
static int configure(struct lia_store *s, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	int r = rc == SQLITE_OK ? store_step(s, st, SQLITE_OK, err, "set WAL journal mode") :
	    store_fail(s, rc, err, "set WAL journal mode");
	const char *mode = r == 1 ? (const char *)sqlite3_column_text(st, 0) : NULL;

	if (r == 1 && (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0))) {
		lia_err_set(err, "%s: cannot set WAL journal mode (the database stays in %s mode)",
		    s->path, mode ? mode : "an unknown");
		r = LIA_ERROR;
	}
	sqlite3_finalize(st);
	if (r >= 0)
		r = exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
		    "set synchronous and foreign_keys", err);
	return r < 0 ? r : 0;
}

static int prepare_table(struct lia_store *s, const char *const *sql, sqlite3_stmt **st, int n,
    const char *file, char *err)
{
	int rc = SQLITE_OK, i;

	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL);
	return rc == SQLITE_OK ? 0 : store_fail(s, rc, err, "prepare query %d of %s "
	    "(schema version %d)", i - 1, file, SCHEMA_VERSION);
}

static int prepare_all(struct lia_store *s, char *err)
{
	int rc = prepare_table(s, stmt_sql, s->st, ST_COUNT, "store.c", err);

	if (rc == 0)
		rc = prepare_table(s, store_log_sql, s->lg, SL_COUNT, "store_log.c", err);
	if (rc == 0)
		rc = prepare_table(s, store_view_sql, s->vw, SV_COUNT, "store_view.c", err);
	if (rc == 0)
		rc = prepare_table(s, store_deadline_sql, s->dl, SD_COUNT, "store_deadline.c", err);
	return rc;
}

/* Version 0 (a new file): 1 when it holds no tables at all, 0 when it has some, negative on error. */
static int is_empty(struct lia_store *s, char *err)
{
	int64_t tables = 0;
	int rc = query_int(s, "SELECT count(*) FROM sqlite_schema", &tables, "read the schema", err);

	if (rc == 0 && tables > 0)
		lia_err_set(err, "%s: not a Liaison database (it has tables but no schema version)",
		    s->path);
	return rc < 0 ? rc : tables == 0;
}

/* Inside the upgrade's transaction: an edit of the stored schema text, then a new schema cookie so the change is seen. */
static int apply_schema_edit(struct lia_store *s, const char *edit_sql, const char *what,
    char *err)
{
	int64_t cookie = 0;
	char sql[96];
	int rc = query_int(s, "PRAGMA schema_version", &cookie, "read the schema cookie", err);

	if (rc == 0)
		rc = exec(s, edit_sql, what, err);
	snprintf(sql, sizeof(sql), "PRAGMA schema_version = %" PRId64 ";"
	    "PRAGMA writable_schema = OFF", cookie + 1);
	if (rc == 0)
		rc = exec(s, sql, "bump the schema cookie", err);
	else
		sqlite3_exec(s->db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	return rc;
}

/*
 * Brings the schema to SCHEMA_VERSION and prepares the statements, in one
 * transaction that re-reads the version (another process may have done it
 * first): a new file gets every table, a version-1 database the joint
 * record's tables and a log of its entries in stored order. A failure rolls
 * everything back and leaves the file as it was.
 */
static int upgrade_schema(struct lia_store *s, char *err)
{
	int64_t version = 0;
	int rc = exec(s, "BEGIN IMMEDIATE", "begin upgrading the schema", err);

	if (rc < 0 || (rc = check_version(s, &version, err)) < 0)
		goto out;
	if (version == 0 && (rc = is_empty(s, err)) <= 0) {
		rc = rc < 0 ? rc : LIA_ERROR;
		goto out;
	}
	if (version == 0 && (rc = exec(s, schema_v1_sql, "create the schema", err)) < 0)
		goto out;
	if (version < 2 && (rc = exec(s, schema_v2_sql, "create the joint record's tables",
	    err)) < 0)
		goto out;
	if (version < 3 && (rc = apply_schema_edit(s, schema_v3_sql,
	    "allow signal entries (schema version 3)", err)) < 0)
		goto out;
	if (version < 4 && (rc = apply_schema_edit(s, schema_v4_sql,
	    "allow entry types up to 31 (schema version 4)", err)) < 0)
		goto out;
	if (version < 5 && (rc = exec(s, schema_v5_sql, "create the incident tables", err)) < 0)
		goto out;
	if (version < 6 && (rc = exec(s, schema_v6_sql, "create the deadlines table", err)) < 0)
		goto out;
	if (version < 7 && (rc = exec(s, store_operator_schema_sql,
	    "create the console's operator and audit tables", err)) < 0)
		goto out;
	if ((rc = prepare_all(s, err)) < 0)
		goto out;
	if (version == 1 && (rc = store_log_rebuild(s, err)) < 0)
		goto out;
	if (version < SCHEMA_VERSION && (rc = exec(s, schema_version_sql,
	    "set the schema version", err)) < 0)
		goto out;
	rc = exec(s, "COMMIT", version == 0 ? "commit the new schema" :
	    "commit the migration to schema version " STR(SCHEMA_VERSION), err);
out:
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int lia_store_open(const char *path, struct lia_store **out, char *err)
{
	struct lia_store *s = calloc(1, sizeof(*s));
	int64_t version = 0;
	int rc = -1;

	*out = NULL;
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		lia_err_set(err, "%s: cannot open the database: out of memory", path);
		goto out;
	}
	if ((s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		lia_err_set(err, "%s: cannot open the database: SHA-256 is not available", path);
		lia_err_add_openssl(err);
		goto out;
	}
	if ((rc = connect_db(s, err)) < 0 || (rc = check_version(s, &version, err)) < 0 ||
	    (rc = configure(s, err)) < 0)
		goto out;
	rc = version < SCHEMA_VERSION ? upgrade_schema(s, err) : prepare_all(s, err);
out:
	if (rc < 0)
		lia_store_close(s);
	else
		*out = s;
	return rc < 0 ? rc : 0;
}

void lia_store_close(struct lia_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < SL_COUNT; i++)
		sqlite3_finalize(s->lg[i]);
	for (int i = 0; i < SV_COUNT; i++)
		sqlite3_finalize(s->vw[i]);
	for (int i = 0; i < SI_COUNT; i++)
		sqlite3_finalize(s->inc[i]);
	for (int i = 0; i < SD_COUNT; i++)
		sqlite3_finalize(s->dl[i]);
	sqlite3_close_v2(s->db);
	EVP_MD_free(s->sha256);
	free(s->path);
	free(s);
}

int lia_store_begin(struct lia_store *s, char *err)
{
	int r = store_step(s, s->st[ST_BEGIN], SQLITE_OK, err, "begin a transaction");

	sqlite3_reset(s->st[ST_BEGIN]);
	return r < 0 ? r : 0;
}

int lia_store_commit(struct lia_store *s, char *err)
{
	int r = store_step(s, s->st[ST_COMMIT], SQLITE_OK, err, "commit a transaction");

	sqlite3_reset(s->st[ST_COMMIT]);
	/* A commit that failed leaves nothing behind: the caller sees one outcome. */
	if (r < 0)
		lia_store_rollback(s);
	return r < 0 ? r : 0;
}

void lia_store_rollback(struct lia_store *s)
{
	if (s == NULL || sqlite3_get_autocommit(s->db))
		return;
	sqlite3_step(s->st[ST_ROLLBACK]);
	sqlite3_reset(s->st[ST_ROLLBACK]);
}

int lia_store_next_seq(struct lia_store *s, uint64_t *seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_NEXT_SEQ];
	int r = store_step(s, st, SQLITE_OK, err, "take the next sequence number");
	int64_t v = r == 1 ? sqlite3_column_int64(st, 0) : 0;

	if (r >= 0 && v < 1) {
		lia_err_set(err, "%s: cannot take the next sequence number: meta.next_seq is "
		    "missing or damaged", s->path);
		r = LIA_ERROR;
	}
	store_finish(st);
	if (r >= 0)
		*seq = (uint64_t)v;
	return r < 0 ? r : 0;
}

static int bind_entry(sqlite3_stmt *st, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t hash[32], const uint8_t *cose, size_t cose_len, int64_t stored_ms)
{
	int rc = store_bind(st, 1, "suiibbii", e->origin, e->seq, (int64_t)e->type, (int64_t)dir,
	    (const void *)hash, (size_t)32, (const void *)cose, cose_len, e->time_ms, stored_ms);

	if (rc == SQLITE_OK && e->type == LIA_ENTRY_MESSAGE) {
		rc = store_bind(st, 9, "siss", e->to, (int64_t)e->precedence, e->lang, e->text);
		if (rc == SQLITE_OK)  /* the sending operator (key 32), or NULL */
			rc = store_bind(st, 15, "s", e->sender_operator[0] ? e->sender_operator : NULL);
	} else if (rc == SQLITE_OK && (e->type == LIA_ENTRY_SIGNAL || e->type == LIA_ENTRY_LINKTEST))
		rc = store_bind(st, 9, "s", e->to);
	else if (rc == SQLITE_OK && e->type == LIA_ENTRY_INCIDENT)
		rc = store_bind(st, 9, "s", e->to); /* the rest is in incident_steps */
	else if (rc == SQLITE_OK)
		rc = store_bind(st, 13, "sus", e->ref_origin, e->ref_seq,
		    e->type == LIA_ENTRY_ACK ? e->operator_name : NULL);
	return rc;
}

/* Inserts the entry row and appends it to the log: one transaction must hold both. */
static int add_entry_row(struct lia_store *s, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t hash[32], const uint8_t *cose, size_t cose_len, int64_t stored_ms, char *err)
{
	sqlite3_stmt *st = s->st[ST_ADD_ENTRY];
	int r = store_step(s, st, bind_entry(st, e, dir, hash, cose, cose_len, stored_ms), err,
	    "store entry %s/%" PRIu64, e->origin, e->seq);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;
	int64_t n = sqlite3_last_insert_rowid(s->db);

	store_finish(st);
	if (r == 0 && changed == 0) {
		lia_err_set(err, "%s: entry %s/%" PRIu64 " is already stored", s->path,
		    e->origin, e->seq);
		r = LIA_EDUP;
	} else if (r == 0) {
		r = store_log_append(s, n, cose, cose_len, err);
	}
	return r;
}

int lia_store_add_entry(struct lia_store *s, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t *cose, size_t cose_len, int64_t stored_ms, char *err)
{
	uint8_t hash[32];
	unsigned int hlen = sizeof(hash);
	int r = LIA_ERROR, own = 0;

	if (cose == NULL || cose_len == 0 || e->seq < 1 || e->seq > INT64_MAX ||
	    e->ref_seq > INT64_MAX || (dir != LIA_DIR_OUT && dir != LIA_DIR_IN)) {
		lia_err_set(err, "%s: cannot store entry %s/%" PRIu64 ": empty COSE bytes, "
		    "direction or sequence number out of range", s->path, e->origin, e->seq);
		goto out;
	}
	if (EVP_Digest(cose, cose_len, hash, &hlen, s->sha256, NULL) != 1) {
		lia_err_set(err, "%s: cannot store entry %s/%" PRIu64 ": SHA-256 failed",
		    s->path, e->origin, e->seq);
		lia_err_add_openssl(err);
		goto out;
	}
	/* Outside the caller's transaction, one of our own keeps row and leaf together. */
	own = sqlite3_get_autocommit(s->db);
	if (own && (r = lia_store_begin(s, err)) < 0)
		goto out;
	r = add_entry_row(s, e, dir, hash, cose, cose_len, stored_ms, err);
	if (own && r == 0)
		r = lia_store_commit(s, err);
	else if (own)
		lia_store_rollback(s);
out:
	return r < 0 ? r : 0;
}

static int entry_out(struct lia_store *s, sqlite3_stmt *st, uint8_t **cose, size_t *cose_len,
    enum lia_dir *dir, uint8_t hash[32], char *err)
{
	size_t len = (size_t)sqlite3_column_bytes(st, 0);

	if (sqlite3_column_bytes(st, 2) != 32) {
		lia_err_set(err, "%s: the stored hash is not 32 bytes (damaged database)", s->path);
		return LIA_ERROR;
	}
	if (cose != NULL && (*cose = store_copy_blob(sqlite3_column_blob(st, 0), len)) == NULL) {
		lia_err_set(err, "%s: cannot read an entry: out of memory", s->path);
		return LIA_ERROR;
	}
	if (cose_len != NULL)
		*cose_len = len;
	if (dir != NULL)
		*dir = sqlite3_column_int(st, 1) == LIA_DIR_IN ? LIA_DIR_IN : LIA_DIR_OUT;
	if (hash != NULL)
		memcpy(hash, sqlite3_column_blob(st, 2), 32);
	return 0;
}

int lia_store_get_entry(struct lia_store *s, const char *origin, uint64_t seq,
    uint8_t **cose, size_t *cose_len, enum lia_dir *dir, uint8_t hash[32], char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_ENTRY];
	int r = store_step(s, st, store_bind(st, 1, "su", origin, seq), err, "read entry %s/%" PRIu64,
	    origin, seq);

	if (r == 0) {
		lia_err_set(err, "%s: no entry %s/%" PRIu64, s->path, origin, seq);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = entry_out(s, st, cose, cose_len, dir, hash, err);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

/* Type of own entry seq into *type: 1 when it exists, 0 when not, negative on error. */
static int own_type(struct lia_store *s, uint64_t seq, int *type, char *err)
{
	sqlite3_stmt *st = s->st[ST_OWN_TYPE];
	int r = store_step(s, st, store_bind(st, 1, "u", seq), err, "look up own entry %" PRIu64, seq);

	if (r == 1)
		*type = sqlite3_column_int(st, 0);
	store_finish(st);
	return r;
}

int lia_store_queue(struct lia_store *s, const char *dest, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_QUEUE];
	int type = 0;
	int r = store_step(s, st, store_bind(st, 1, "su", dest, seq), err,
	    "queue entry %" PRIu64 " for %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	store_finish(st);
	/* Nothing inserted: already queued (fine), or no own entry has that seq. */
	if (r == 0 && changed == 0 && (r = own_type(s, seq, &type, err)) == 0) {
		lia_err_set(err, "%s: cannot queue entry %" PRIu64 " for %s: no own entry with "
		    "that sequence number", s->path, seq, dest);
		r = LIA_ENOTFOUND;
	}
	return r < 0 ? r : 0;
}

int lia_store_scan_outbox(struct lia_store *s, const char *dest, uint64_t after, int limit,
    lia_store_entry_fn fn, void *ctx, char *err)
{
	sqlite3_stmt *st = s->st[ST_SCAN_OUTBOX];
	struct store_rows rows = {0};
	int r, n = 0;

	r = store_step(s, st, store_bind(st, 1, "sUi", dest, after, (int64_t)(limit > 0 ? limit : -1)), err,
	    "scan the outbox for %s", dest);
	while (r == 1) {
		if (store_rows_add(&rows, st, -1, 0, 1) < 0) {
			lia_err_set(err, "%s: cannot scan the outbox for %s: out of memory",
			    s->path, dest);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "scan the outbox for %s", dest);
	}
	store_finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++) {
		n++;
		if (fn(ctx, rows.v[i].num, rows.v[i].blob, rows.v[i].len) != 0)
			break;
	}
	store_rows_free(&rows);
	return r < 0 ? r : n;
}

int lia_store_outbox_count(struct lia_store *s, const char *dest, int64_t *n, char *err)
{
	sqlite3_stmt *st = s->st[ST_OUTBOX_COUNT];
	int r = store_step(s, st, store_bind(st, 1, "s", dest), err, "count the outbox for %s", dest);

	if (r == 1)
		*n = sqlite3_column_int64(st, 0);
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_peer_seen(struct lia_store *s, const char *peer, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_PEER_SEEN];
	int r = store_step(s, st, store_bind(st, 1, "sU", peer, seq), err,
	    "drop the outbox for %s up to %" PRIu64, peer, seq);

	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_get_cursor(struct lia_store *s, const char *peer, uint64_t *seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_CURSOR];
	int r = store_step(s, st, store_bind(st, 1, "s", peer), err, "read the cursor of %s", peer);

	if (r >= 0)
		*seq = r == 1 ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_set_cursor(struct lia_store *s, const char *peer, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_SET_CURSOR];
	int r = store_step(s, st, store_bind(st, 1, "su", peer, seq), err,
	    "set the cursor of %s to %" PRIu64, peer, seq);

	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_has_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err)
{
	sqlite3_stmt *st = s->st[ST_HAS_DELIVERY];
	int r = store_step(s, st, store_bind(st, 1, "us", seq, dest), err,
	    "look up the delivery of message %" PRIu64 " to %s", seq, dest);

	store_finish(st);
	return r;
}

int lia_store_add_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err)
{
	sqlite3_stmt *st = s->st[ST_ADD_DELIVERY];
	int r = store_step(s, st, store_bind(st, 1, "us", seq, dest), err,
	    "record the delivery of message %" PRIu64 " to %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	store_finish(st);
	if (r == 0 && changed == 0) {
		r = lia_store_has_delivery(s, seq, dest, err);
		if (r == 1) {
			lia_err_set(err, "%s: the delivery of message %" PRIu64 " to %s is already "
			    "recorded", s->path, seq, dest);
			r = LIA_EDUP;
		} else if (r == 0) {
			lia_err_set(err, "%s: cannot record the delivery of message %" PRIu64
			    " to %s: no own message with that sequence number", s->path, seq, dest);
			r = LIA_ENOTFOUND;
		}
	}
	return r < 0 ? r : 0;
}

int lia_store_mark_delivered(struct lia_store *s, uint64_t seq, const char *dest,
    uint64_t receipt_seq, int64_t when_ms, char *err)
{
	sqlite3_stmt *st = s->st[ST_MARK_DELIVERED];
	int r = store_step(s, st, store_bind(st, 1, "usui", seq, dest, receipt_seq, when_ms), err,
	    "mark message %" PRIu64 " delivered to %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	store_finish(st);
	if (r == 0 && changed == 0) {
		r = lia_store_has_delivery(s, seq, dest, err);
		if (r == 1) {
			lia_err_set(err, "%s: message %" PRIu64 " is already receipted by %s",
			    s->path, seq, dest);
			r = LIA_EDUP;
		} else if (r == 0) {
			lia_err_set(err, "%s: no delivery of message %" PRIu64 " to %s awaits a "
			    "receipt", s->path, seq, dest);
			r = LIA_ENOTFOUND;
		}
	}
	return r < 0 ? r : 0;
}

int lia_store_find_ack(struct lia_store *s, const char *origin, uint64_t seq, const char *by,
    uint64_t *ack_seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_FIND_ACK];
	int r = store_step(s, st, store_bind(st, 1, "sus", origin, seq, by), err,
	    "look up an ack of %s/%" PRIu64 " by %s", origin, seq, by);

	if (r == 1 && ack_seq != NULL)
		*ack_seq = (uint64_t)sqlite3_column_int64(st, 0);
	if (r == 0) {
		lia_err_set(err, "%s: no ack of %s/%" PRIu64 " by %s", s->path, origin, seq, by);
		r = LIA_ENOTFOUND;
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_put_cert(struct lia_store *s, const char *node, const uint8_t *der, size_t len,
    char *err)
{
	sqlite3_stmt *st = s->st[ST_PUT_CERT];
	int r = store_step(s, st, store_bind(st, 1, "sb", node, (const void *)der, len), err,
	    "store the certificate of %s", node);

	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_get_cert(struct lia_store *s, const char *node, uint8_t **der, size_t *len,
    char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_CERT];
	int r = store_step(s, st, store_bind(st, 1, "s", node), err, "read the certificate of %s", node);

	if (r == 0) {
		lia_err_set(err, "%s: no certificate of %s", s->path, node);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((*der = store_copy_blob(sqlite3_column_blob(st, 0), *len)) == NULL) {
			lia_err_set(err, "%s: cannot read the certificate of %s: out of memory",
			    s->path, node);
			r = LIA_ERROR;
		}
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_scan_refs(struct lia_store *s, const char *origin, uint64_t seq,
    lia_store_ref_fn fn, void *ctx, char *err)
{
	sqlite3_stmt *st = s->st[ST_SCAN_REFS];
	struct store_rows rows = {0};
	int r = store_step(s, st, store_bind(st, 1, "su", origin, seq), err,
	    "scan the references to %s/%" PRIu64, origin, seq);

	while (r == 1) {
		if (store_rows_add(&rows, st, 0, 1, 2) < 0) {
			lia_err_set(err, "%s: cannot scan the references to %s/%" PRIu64
			    ": out of memory", s->path, origin, seq);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "scan the references to %s/%" PRIu64, origin, seq);
	}
	store_finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++)
		if (fn(ctx, rows.v[i].text, rows.v[i].num, rows.v[i].blob, rows.v[i].len) != 0)
			break;
	store_rows_free(&rows);
	return r < 0 ? r : 0;
}

