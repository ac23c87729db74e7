/*
 * store.c - the node's SQLite database: opening it (connection, pragmas,
 * every statement prepared once), closing it, transactions, and the helpers
 * every store_*.c file shares (errors, binding, stepping, copied rows). The
 * schema and its migrations are store_schema.c; entries, outbox, deliveries,
 * cursors and certificates store_entry.c.
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

#define BUSY_TIMEOUT_MS 5000

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
int store_query_int(struct lia_store *s, const char *sql, int64_t *v, const char *what, char *err)
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
int store_exec(struct lia_store *s, const char *sql, const char *what, char *err)
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
		r = store_exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
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
	    "(schema version %d)", i - 1, file, STORE_SCHEMA_VERSION);
}

int store_prepare_all(struct lia_store *s, char *err)
{
	int rc = prepare_table(s, store_entry_sql, s->st, ST_COUNT, "store_entry.c", err);

	if (rc == 0)
		rc = prepare_table(s, store_log_sql, s->lg, SL_COUNT, "store_log.c", err);
	if (rc == 0)
		rc = prepare_table(s, store_view_sql, s->vw, SV_COUNT, "store_view.c", err);
	if (rc == 0)
		rc = prepare_table(s, store_deadline_sql, s->dl, SD_COUNT, "store_deadline.c", err);
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
	if ((rc = connect_db(s, err)) < 0 || (rc = store_schema_check(s, &version, err)) < 0 ||
	    (rc = configure(s, err)) < 0)
		goto out;
	rc = version < STORE_SCHEMA_VERSION ? store_schema_upgrade(s, err) : store_prepare_all(s, err);
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
