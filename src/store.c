/*
 * store.c - the node's SQLite database: schema, transactions and every query.
 *
 * The only file that speaks SQL. One connection used from one thread. Every
 * statement is prepared once at open and reset after each use; values are
 * always bound, never spliced into SQL. Each SQLite failure becomes one
 * sentence naming the database path and the operation; a full disk (or a
 * write refused for ENOSPC or EFBIG) becomes LIA_EFULL.
 *
 * Assumptions: entries were validated by the entry module before they are
 * stored; own entries are exactly those stored with LIA_DIR_OUT and all carry
 * the node's own origin, so an own entry is named by its seq alone (outbox
 * and deliveries hold only the seq, and a unique partial index keeps one own
 * entry per seq). Entries are never deleted, so the rowid alias `n` grows
 * with arrival and gives the stored order; (origin, seq) is the entry's key,
 * declared UNIQUE because `n` has to be the INTEGER PRIMARY KEY to stay
 * stable across VACUUM.
 */
#include "store.h"
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

#define SCHEMA_VERSION 1
#define APPLICATION_ID 0x4c494131 /* "LIA1" at offset 68 of the file header */
#define BUSY_TIMEOUT_MS 5000
#define STR(x) STR_(x)
#define STR_(x) #x

static const char schema_sql[] =
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
	"INSERT INTO meta (key, value) VALUES ('next_seq', 1);"
	"PRAGMA application_id = " STR(APPLICATION_ID) ";"
	"PRAGMA user_version = " STR(SCHEMA_VERSION) ";";

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_NEXT_SEQ, ST_ADD_ENTRY, ST_GET_ENTRY, ST_OWN_TYPE,
	ST_QUEUE, ST_SCAN_OUTBOX, ST_OUTBOX_COUNT, ST_PEER_SEEN, ST_GET_CURSOR, ST_SET_CURSOR,
	ST_ADD_DELIVERY, ST_MARK_DELIVERED, ST_HAS_DELIVERY, ST_FIND_ACK, ST_PUT_CERT,
	ST_GET_CERT, ST_SCAN_REFS, ST_LIST_MESSAGES, ST_GET_MESSAGE, ST_DELIVERIES, ST_ACKS,
	ST_COUNTS, ST_COUNT
};

/*
 * A unary + keeps a term off the index: lookups by reference must use
 * entries_ref, never scan every ack through entries_list (which the planner
 * would otherwise pick without ANALYZE statistics).
 */

/* Columns of a message row, in the order message_row reads them. */
#define MSG_COLS "origin, seq, to_name, precedence, time_ms, lang, text, dir, stored_ms"

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
		" WHERE dir = 0 AND seq = ?1 AND type = 1 ON CONFLICT DO NOTHING",
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
	[ST_LIST_MESSAGES] = "SELECT " MSG_COLS " FROM (SELECT n, " MSG_COLS " FROM entries"
		" WHERE type = 1 AND dir = ?1 ORDER BY n DESC LIMIT ?2) ORDER BY n",
	[ST_GET_MESSAGE] = "SELECT " MSG_COLS " FROM entries"
		" WHERE origin = ?1 AND seq = ?2 AND type = 1",
	[ST_DELIVERIES] = "SELECT dest, receipt_seq, delivered_ms FROM deliveries"
		" WHERE seq = ?1 ORDER BY dest",
	[ST_ACKS] = "SELECT origin, seq, operator, time_ms, dir FROM entries"
		" WHERE ref_origin = ?1 AND ref_seq = ?2 AND +type = 3 ORDER BY n",
	[ST_COUNTS] = "SELECT (SELECT count(*) FROM entries),"
		" (SELECT count(*) FROM entries WHERE type = 1 AND dir = 1),"
		" (SELECT count(*) FROM entries WHERE type = 1 AND dir = 0),"
		" (SELECT count(*) FROM outbox),"
		" (SELECT count(*) FROM entries AS m WHERE m.type = 1 AND m.dir = 1 AND NOT EXISTS"
		"  (SELECT 1 FROM entries AS a WHERE a.ref_origin = m.origin AND a.ref_seq = m.seq"
		"   AND +a.type = 3 AND +a.dir = 0))",
};

struct lia_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
};

/* One row copied out of a scan, so callbacks run with no statement active. */
struct row {
	char *origin;
	uint64_t seq;
	uint8_t *cose;
	size_t len;
};

struct rows {
	struct row *v;
	size_t n, cap;
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

	vsnprintf(what, sizeof(what), fmt, ap);
	lia_err_set(err, "%s: cannot %s: %s%s%s%s", s->path, what,
	    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), sys ? " (" : "",
	    sys ? strerror(sys) : "", sys ? ")" : "");
	return is_full(s, rc) ? LIA_EFULL : LIA_ERROR;
}

__attribute__((format(printf, 4, 5)))
static int fail(struct lia_store *s, int rc, char *err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(s, rc, err, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * Steps st unless brc (a bind result) already failed: 1 for a row, 0 when
 * done, or a negative LIA code with the sentence "cannot <fmt...>".
 */
__attribute__((format(printf, 5, 6)))
static int step(struct lia_store *s, sqlite3_stmt *st, int brc, char *err, const char *fmt, ...)
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

/* Resets st and drops its bindings so it holds no pointer into the caller's memory. */
static void finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/*
 * Binds parameters from index first on: 's' text (NULL binds NULL), 'i'
 * int64_t, 'u' uint64_t sequence number (one past INT64_MAX binds -1, which
 * matches no stored seq), 'U' uint64_t bound (clamped to INT64_MAX), 'b'
 * blob as (const void *, size_t). Returns an SQLite result code.
 */
static int bind(sqlite3_stmt *st, int first, const char *fmt, ...)
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

static uint8_t *copy_blob(const void *p, size_t len)
{
	uint8_t *out = malloc(len ? len : 1);

	if (out != NULL && len > 0)
		memcpy(out, p, len);
	return out;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].origin);
		free(r->v[i].cose);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Appends a copy of the current row's (origin column or NULL, seq, cose) to r; -1 on no memory. */
static int rows_add(struct rows *r, sqlite3_stmt *st, int origin_col, int seq_col, int cose_col)
{
	struct row *w;
	const char *origin = NULL;
	const void *cose = sqlite3_column_blob(st, cose_col);
	size_t len = (size_t)sqlite3_column_bytes(st, cose_col);

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	w = &r->v[r->n];
	memset(w, 0, sizeof(*w));
	w->seq = (uint64_t)sqlite3_column_int64(st, seq_col);
	w->len = len;
	w->cose = copy_blob(cose, len);
	if (origin_col >= 0 && (origin = (const char *)sqlite3_column_text(st, origin_col)) != NULL)
		w->origin = strdup(origin);
	r->n++;
	return w->cose == NULL || (origin != NULL && w->origin == NULL) ? -1 : 0;
}

/* Runs a one-row query that yields an integer (pragmas, counts) into *v. */
static int query_int(struct lia_store *s, const char *sql, int64_t *v, const char *what, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	int r = rc == SQLITE_OK ? step(s, st, SQLITE_OK, err, "%s", what) :
	    fail(s, rc, err, "%s", what);

	if (r == 1)
		*v = sqlite3_column_int64(st, 0);
	else if (r == 0)
		r = fail(s, SQLITE_ERROR, err, "%s (no result)", what);
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

/* Runs SQL with no parameters and no rows of interest (pragmas, the schema). */
static int exec(struct lia_store *s, const char *sql, const char *what, char *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc, err, "%s", what);
}

static int connect_db(struct lia_store *s, char *err)
{
	int rc = sqlite3_open_v2(s->path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK)
		return fail(s, rc, err, "open the database");
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
	int r = rc == SQLITE_OK ? step(s, st, SQLITE_OK, err, "set WAL journal mode") :
	    fail(s, rc, err, "set WAL journal mode");
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

/* Creates the schema in one transaction unless another process did it first. */
static int create_schema(struct lia_store *s, char *err)
{
	int64_t version = 0, tables = 0;
	int rc = exec(s, "BEGIN IMMEDIATE", "begin creating the schema", err);

	if (rc < 0 || (rc = check_version(s, &version, err)) < 0)
		goto out;
	if (version == 0) {
		if ((rc = query_int(s, "SELECT count(*) FROM sqlite_schema", &tables,
		    "read the schema", err)) < 0)
			goto out;
		if (tables > 0) {
			lia_err_set(err, "%s: not a Liaison database (it has tables but no schema "
			    "version)", s->path);
			rc = LIA_ERROR;
			goto out;
		}
		if ((rc = exec(s, schema_sql, "create the schema", err)) < 0)
			goto out;
	}
	rc = exec(s, "COMMIT", "commit the new schema", err);
out:
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int prepare_all(struct lia_store *s, char *err)
{
	int rc = SQLITE_OK, i;

	for (i = 0; rc == SQLITE_OK && i < ST_COUNT; i++)
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->st[i], NULL);
	return rc == SQLITE_OK ? 0 : fail(s, rc, err, "prepare query %d of schema version %d",
	    i - 1, SCHEMA_VERSION);
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
	if ((rc = connect_db(s, err)) < 0 || (rc = check_version(s, &version, err)) < 0 ||
	    (rc = configure(s, err)) < 0)
		goto out;
	if (version == 0 && (rc = create_schema(s, err)) < 0)
		goto out;
	rc = prepare_all(s, err);
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
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int lia_store_begin(struct lia_store *s, char *err)
{
	int r = step(s, s->st[ST_BEGIN], SQLITE_OK, err, "begin a transaction");

	sqlite3_reset(s->st[ST_BEGIN]);
	return r < 0 ? r : 0;
}

int lia_store_commit(struct lia_store *s, char *err)
{
	int r = step(s, s->st[ST_COMMIT], SQLITE_OK, err, "commit a transaction");

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
	int r = step(s, st, SQLITE_OK, err, "take the next sequence number");
	int64_t v = r == 1 ? sqlite3_column_int64(st, 0) : 0;

	if (r >= 0 && v < 1) {
		lia_err_set(err, "%s: cannot take the next sequence number: meta.next_seq is "
		    "missing or damaged", s->path);
		r = LIA_ERROR;
	}
	finish(st);
	if (r >= 0)
		*seq = (uint64_t)v;
	return r < 0 ? r : 0;
}

static int bind_entry(sqlite3_stmt *st, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t hash[32], const uint8_t *cose, size_t cose_len, int64_t stored_ms)
{
	int rc = bind(st, 1, "suiibbii", e->origin, e->seq, (int64_t)e->type, (int64_t)dir,
	    (const void *)hash, (size_t)32, (const void *)cose, cose_len, e->time_ms, stored_ms);

	if (rc == SQLITE_OK && e->type == LIA_ENTRY_MESSAGE)
		rc = bind(st, 9, "siss", e->to, (int64_t)e->precedence, e->lang, e->text);
	else if (rc == SQLITE_OK)
		rc = bind(st, 13, "sus", e->ref_origin, e->ref_seq,
		    e->type == LIA_ENTRY_ACK ? e->operator_name : NULL);
	return rc;
}

int lia_store_add_entry(struct lia_store *s, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t *cose, size_t cose_len, int64_t stored_ms, char *err)
{
	sqlite3_stmt *st = s->st[ST_ADD_ENTRY];
	uint8_t hash[32];
	unsigned int hlen = sizeof(hash);
	int r = LIA_ERROR, changed = 0;

	if (cose == NULL || cose_len == 0 || e->seq < 1 || e->seq > INT64_MAX ||
	    e->ref_seq > INT64_MAX || (dir != LIA_DIR_OUT && dir != LIA_DIR_IN)) {
		lia_err_set(err, "%s: cannot store entry %s/%" PRIu64 ": empty COSE bytes, "
		    "direction or sequence number out of range", s->path, e->origin, e->seq);
		goto out;
	}
	if (EVP_Digest(cose, cose_len, hash, &hlen, EVP_sha256(), NULL) != 1) {
		lia_err_set(err, "%s: cannot store entry %s/%" PRIu64 ": SHA-256 failed",
		    s->path, e->origin, e->seq);
		lia_err_add_openssl(err);
		goto out;
	}
	r = step(s, st, bind_entry(st, e, dir, hash, cose, cose_len, stored_ms), err,
	    "store entry %s/%" PRIu64, e->origin, e->seq);
	changed = r == 0 ? sqlite3_changes(s->db) : 0;
	finish(st);
	if (r == 0 && changed == 0) {
		lia_err_set(err, "%s: entry %s/%" PRIu64 " is already stored", s->path,
		    e->origin, e->seq);
		r = LIA_EDUP;
	}
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
	if (cose != NULL && (*cose = copy_blob(sqlite3_column_blob(st, 0), len)) == NULL) {
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
	int r = step(s, st, bind(st, 1, "su", origin, seq), err, "read entry %s/%" PRIu64,
	    origin, seq);

	if (r == 0) {
		lia_err_set(err, "%s: no entry %s/%" PRIu64, s->path, origin, seq);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = entry_out(s, st, cose, cose_len, dir, hash, err);
	}
	finish(st);
	return r < 0 ? r : 0;
}

/* Type of own entry seq into *type: 1 when it exists, 0 when not, negative on error. */
static int own_type(struct lia_store *s, uint64_t seq, int *type, char *err)
{
	sqlite3_stmt *st = s->st[ST_OWN_TYPE];
	int r = step(s, st, bind(st, 1, "u", seq), err, "look up own entry %" PRIu64, seq);

	if (r == 1)
		*type = sqlite3_column_int(st, 0);
	finish(st);
	return r;
}

int lia_store_queue(struct lia_store *s, const char *dest, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_QUEUE];
	int type = 0;
	int r = step(s, st, bind(st, 1, "su", dest, seq), err,
	    "queue entry %" PRIu64 " for %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	finish(st);
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
	struct rows rows = {0};
	int r, n = 0;

	r = step(s, st, bind(st, 1, "sUi", dest, after, (int64_t)(limit > 0 ? limit : -1)), err,
	    "scan the outbox for %s", dest);
	while (r == 1) {
		if (rows_add(&rows, st, -1, 0, 1) < 0) {
			lia_err_set(err, "%s: cannot scan the outbox for %s: out of memory",
			    s->path, dest);
			r = LIA_ERROR;
			break;
		}
		r = step(s, st, SQLITE_OK, err, "scan the outbox for %s", dest);
	}
	finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++) {
		n++;
		if (fn(ctx, rows.v[i].seq, rows.v[i].cose, rows.v[i].len) != 0)
			break;
	}
	rows_free(&rows);
	return r < 0 ? r : n;
}

int lia_store_outbox_count(struct lia_store *s, const char *dest, int64_t *n, char *err)
{
	sqlite3_stmt *st = s->st[ST_OUTBOX_COUNT];
	int r = step(s, st, bind(st, 1, "s", dest), err, "count the outbox for %s", dest);

	if (r == 1)
		*n = sqlite3_column_int64(st, 0);
	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_peer_seen(struct lia_store *s, const char *peer, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_PEER_SEEN];
	int r = step(s, st, bind(st, 1, "sU", peer, seq), err,
	    "drop the outbox for %s up to %" PRIu64, peer, seq);

	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_get_cursor(struct lia_store *s, const char *peer, uint64_t *seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_CURSOR];
	int r = step(s, st, bind(st, 1, "s", peer), err, "read the cursor of %s", peer);

	if (r >= 0)
		*seq = r == 1 ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_set_cursor(struct lia_store *s, const char *peer, uint64_t seq, char *err)
{
	sqlite3_stmt *st = s->st[ST_SET_CURSOR];
	int r = step(s, st, bind(st, 1, "su", peer, seq), err,
	    "set the cursor of %s to %" PRIu64, peer, seq);

	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_has_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err)
{
	sqlite3_stmt *st = s->st[ST_HAS_DELIVERY];
	int r = step(s, st, bind(st, 1, "us", seq, dest), err,
	    "look up the delivery of message %" PRIu64 " to %s", seq, dest);

	finish(st);
	return r;
}

int lia_store_add_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err)
{
	sqlite3_stmt *st = s->st[ST_ADD_DELIVERY];
	int r = step(s, st, bind(st, 1, "us", seq, dest), err,
	    "record the delivery of message %" PRIu64 " to %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	finish(st);
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
	int r = step(s, st, bind(st, 1, "usui", seq, dest, receipt_seq, when_ms), err,
	    "mark message %" PRIu64 " delivered to %s", seq, dest);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	finish(st);
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
	int r = step(s, st, bind(st, 1, "sus", origin, seq, by), err,
	    "look up an ack of %s/%" PRIu64 " by %s", origin, seq, by);

	if (r == 1 && ack_seq != NULL)
		*ack_seq = (uint64_t)sqlite3_column_int64(st, 0);
	if (r == 0) {
		lia_err_set(err, "%s: no ack of %s/%" PRIu64 " by %s", s->path, origin, seq, by);
		r = LIA_ENOTFOUND;
	}
	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_put_cert(struct lia_store *s, const char *node, const uint8_t *der, size_t len,
    char *err)
{
	sqlite3_stmt *st = s->st[ST_PUT_CERT];
	int r = step(s, st, bind(st, 1, "sb", node, (const void *)der, len), err,
	    "store the certificate of %s", node);

	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_get_cert(struct lia_store *s, const char *node, uint8_t **der, size_t *len,
    char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_CERT];
	int r = step(s, st, bind(st, 1, "s", node), err, "read the certificate of %s", node);

	if (r == 0) {
		lia_err_set(err, "%s: no certificate of %s", s->path, node);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((*der = copy_blob(sqlite3_column_blob(st, 0), *len)) == NULL) {
			lia_err_set(err, "%s: cannot read the certificate of %s: out of memory",
			    s->path, node);
			r = LIA_ERROR;
		}
	}
	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_scan_refs(struct lia_store *s, const char *origin, uint64_t seq,
    lia_store_ref_fn fn, void *ctx, char *err)
{
	sqlite3_stmt *st = s->st[ST_SCAN_REFS];
	struct rows rows = {0};
	int r = step(s, st, bind(st, 1, "su", origin, seq), err,
	    "scan the references to %s/%" PRIu64, origin, seq);

	while (r == 1) {
		if (rows_add(&rows, st, 0, 1, 2) < 0) {
			lia_err_set(err, "%s: cannot scan the references to %s/%" PRIu64
			    ": out of memory", s->path, origin, seq);
			r = LIA_ERROR;
			break;
		}
		r = step(s, st, SQLITE_OK, err, "scan the references to %s/%" PRIu64, origin, seq);
	}
	finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++)
		if (fn(ctx, rows.v[i].origin, rows.v[i].seq, rows.v[i].cose, rows.v[i].len) != 0)
			break;
	rows_free(&rows);
	return r < 0 ? r : 0;
}

/* JSON helpers: each returns -1 when jansson could not allocate (or text was not UTF-8). */
static int put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

static json_t *id_json(const char *origin, int64_t seq)
{
	char id[96];

	snprintf(id, sizeof(id), "%s/%" PRId64, origin, seq);
	return json_string(id);
}

static json_t *time_json(int64_t ms)
{
	char t[LIA_TIME_LEN];

	lia_time_format(ms, t);
	return json_string(t);
}

static json_t *text_json(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t != NULL ? json_string(t) : json_null();
}

/* The fields of a message row (MSG_COLS) without deliveries, acks or state. */
static json_t *message_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	int64_t seq = sqlite3_column_int64(st, 1);
	int bad = o == NULL || origin == NULL;

	if (!bad)
		bad = put(o, "id", id_json(origin, seq)) | put(o, "origin", json_string(origin)) |
		    put(o, "seq", json_integer(seq)) | put(o, "to", text_json(st, 2)) |
		    put(o, "precedence", json_string(lia_precedence_name(
			(enum lia_precedence)sqlite3_column_int(st, 3)))) |
		    put(o, "time", time_json(sqlite3_column_int64(st, 4))) |
		    put(o, "lang", text_json(st, 5)) | put(o, "text", text_json(st, 6)) |
		    put(o, "direction", json_string(sqlite3_column_int(st, 7) == LIA_DIR_IN ?
			"in" : "out")) |
		    put(o, "stored", time_json(sqlite3_column_int64(st, 8)));
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *delivery_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	const char *dest = (const char *)sqlite3_column_text(st, 0);
	int done = sqlite3_column_type(st, 1) != SQLITE_NULL;
	int bad = o == NULL || dest == NULL;

	if (!bad)
		bad = put(o, "node", json_string(dest)) |
		    put(o, "state", json_string(done ? "delivered" : "queued")) |
		    put(o, "receipt", done ? id_json(dest, sqlite3_column_int64(st, 1)) : json_null()) |
		    put(o, "delivered", done ? time_json(sqlite3_column_int64(st, 2)) : json_null());
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *ack_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	int bad = o == NULL || origin == NULL;

	if (!bad)
		bad = put(o, "id", id_json(origin, sqlite3_column_int64(st, 1))) |
		    put(o, "node", json_string(origin)) | put(o, "operator", text_json(st, 2)) |
		    put(o, "time", time_json(sqlite3_column_int64(st, 3)));
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/*
 * Appends one object per row of st (bound with result brc) to arr via make; *pending
 * counts deliveries without receipt, *own counts acks made here (dir out).
 */
static int collect(struct lia_store *s, sqlite3_stmt *st, int brc,
    json_t *(*make)(sqlite3_stmt *), json_t *arr, int *pending, int *own, const char *what,
    char *err)
{
	int r = step(s, st, brc, err, "%s", what);

	while (r == 1) {
		if (json_array_append_new(arr, make(st)) != 0) {
			lia_err_set(err, "%s: cannot %s: out of memory or text not UTF-8", s->path, what);
			r = LIA_ERROR;
			break;
		}
		if (pending != NULL && sqlite3_column_type(st, 1) == SQLITE_NULL)
			(*pending)++;
		if (own != NULL && sqlite3_column_int(st, 4) == LIA_DIR_OUT)
			(*own)++;
		r = step(s, st, SQLITE_OK, err, "%s", what);
	}
	finish(st);
	return r;
}

/* out: acknowledged (any ack), delivered (all receipted), else queued; in: acked here or not. */
static const char *message_state(int dir, size_t deliveries, int pending, size_t acks, int own)
{
	if (dir == LIA_DIR_IN)
		return own > 0 ? "acknowledged" : "received";
	if (acks > 0)
		return "acknowledged";
	return deliveries > 0 && pending == 0 ? "delivered" : "queued";
}

/* The whole message object of the current row of st (MSG_COLS). */
static int message_build(struct lia_store *s, sqlite3_stmt *st, json_t **out, char *err)
{
	char what[128];
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	int64_t seq = sqlite3_column_int64(st, 1);
	int dir = sqlite3_column_int(st, 7), pending = 0, own = 0, r = LIA_ERROR;
	json_t *o = message_row(st), *dl = json_array(), *acks = json_array();
	sqlite3_stmt *dq = s->st[ST_DELIVERIES], *aq = s->st[ST_ACKS];

	snprintf(what, sizeof(what), "build the view of message %s/%" PRId64,
	    origin ? origin : "?", seq);
	if (o == NULL || dl == NULL || acks == NULL)
		goto nomem;
	if (dir == LIA_DIR_OUT && (r = collect(s, dq, bind(dq, 1, "i", seq), delivery_row, dl,
	    &pending, NULL, what, err)) < 0)
		goto out;
	if ((r = collect(s, aq, bind(aq, 1, "si", origin, seq), ack_row, acks, NULL, &own,
	    what, err)) < 0)
		goto out;
	r = put(o, "state", json_string(message_state(dir, json_array_size(dl), pending,
	    json_array_size(acks), own))) | put(o, "deliveries", json_incref(dl)) |
	    put(o, "acks", json_incref(acks));
	if (r == 0)
		goto out;
nomem:
	lia_err_set(err, "%s: cannot %s: out of memory or text not UTF-8", s->path, what);
	r = LIA_ERROR;
out:
	json_decref(dl);
	json_decref(acks);
	if (r == 0)
		*out = o;
	else
		json_decref(o);
	return r;
}

int lia_store_list_messages(struct lia_store *s, enum lia_dir dir, int limit,
    json_t **out, char *err)
{
	sqlite3_stmt *st = s->st[ST_LIST_MESSAGES];
	json_t *arr = json_array(), *m = NULL;
	int r = arr == NULL ? LIA_ERROR : step(s, st, bind(st, 1, "ii", (int64_t)dir,
	    (int64_t)(limit > 0 ? limit : -1)), err, "list messages");

	if (arr == NULL)
		lia_err_set(err, "%s: cannot list messages: out of memory", s->path);
	while (r == 1) {
		if ((r = message_build(s, st, &m, err)) < 0)
			break;
		if (json_array_append_new(arr, m) != 0) {
			lia_err_set(err, "%s: cannot list messages: out of memory", s->path);
			r = LIA_ERROR;
			break;
		}
		r = step(s, st, SQLITE_OK, err, "list messages");
	}
	finish(st);
	if (r == 0)
		*out = arr;
	else
		json_decref(arr);
	return r < 0 ? r : 0;
}

int lia_store_message_json(struct lia_store *s, const char *origin, uint64_t seq,
    json_t **out, char *err)
{
	sqlite3_stmt *st = s->st[ST_GET_MESSAGE];
	int r = step(s, st, bind(st, 1, "su", origin, seq), err,
	    "read message %s/%" PRIu64, origin, seq);

	if (r == 0) {
		lia_err_set(err, "%s: no message %s/%" PRIu64, s->path, origin, seq);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = message_build(s, st, out, err);
	}
	finish(st);
	return r < 0 ? r : 0;
}

int lia_store_counts(struct lia_store *s, json_t **out, char *err)
{
	static const char *const keys[] = {"entries", "messages_in", "messages_out", "outbox",
	    "unacknowledged"};
	sqlite3_stmt *st = s->st[ST_COUNTS];
	json_t *o = json_object();
	int r = step(s, st, SQLITE_OK, err, "count entries");

	if (r == 0)
		r = fail(s, SQLITE_ERROR, err, "count entries (no result)");
	for (int i = 0; r == 1 && i < 5; i++) {
		if (o == NULL || put(o, keys[i], json_integer(sqlite3_column_int64(st, i))) != 0) {
			lia_err_set(err, "%s: cannot count entries: out of memory", s->path);
			r = LIA_ERROR;
		}
	}
	finish(st);
	if (r == 1)
		*out = o;
	else
		json_decref(o);
	return r == 1 ? 0 : r;
}
