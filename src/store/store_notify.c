/*
 * store_notify.c - which entries each committed transaction added (see
 * store_notify.h), from SQLite's update, commit and rollback hooks.
 *
 * The hooks run inside SQLite's calls on the daemon's one thread; they only
 * copy row numbers between two fixed arrays, never touch the database.
 */
#include "store_notify.h"
#include "store_internal.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PENDING_MAX 64   /* entries one transaction adds that we remember */

struct lia_store_notify {
	struct lia_store *s;             /* borrowed */
	void (*fn)(void *arg);
	void *arg;
	int64_t pending[PENDING_MAX];
	size_t n_pending;
	uint64_t pending_lost;
	int64_t ready[LIA_STORE_NOTIFY_MAX]; /* a ring: ready_start, n_ready */
	size_t ready_start, n_ready;
	uint64_t dropped;
};

static void on_update(void *arg, int op, const char *db, const char *table, sqlite3_int64 row)
{
	struct lia_store_notify *nt = arg;

	(void)db;
	if (op != SQLITE_INSERT || strcmp(table, "entries") != 0)
		return;
	if (nt->n_pending < PENDING_MAX)
		nt->pending[nt->n_pending++] = row;
	else
		nt->pending_lost++;
}

static int on_commit(void *arg)
{
	struct lia_store_notify *nt = arg;
	size_t i;

	if (nt->n_pending == 0 && nt->pending_lost == 0)
		return 0;
	for (i = 0; i < nt->n_pending; i++) {
		if (nt->n_ready == LIA_STORE_NOTIFY_MAX) {
			nt->ready_start = (nt->ready_start + 1) % LIA_STORE_NOTIFY_MAX;
			nt->n_ready--;
			nt->dropped++;
		}
		nt->ready[(nt->ready_start + nt->n_ready++) % LIA_STORE_NOTIFY_MAX] = nt->pending[i];
	}
	nt->dropped += nt->pending_lost;
	nt->n_pending = 0;
	nt->pending_lost = 0;
	nt->fn(nt->arg);
	return 0;  /* nonzero would turn the commit into a rollback */
}

static void on_rollback(void *arg)
{
	struct lia_store_notify *nt = arg;

	nt->n_pending = 0;
	nt->pending_lost = 0;
}

int lia_store_notify_create(struct lia_store *s, void (*fn)(void *arg), void *arg,
    struct lia_store_notify **out, char *err)
{
	struct lia_store_notify *nt = calloc(1, sizeof(*nt));

	*out = NULL;
	if (nt == NULL) {
		lia_err_set(err, "cannot follow the store's arrivals (out of memory)");
		return -1;
	}
	nt->s = s;
	nt->fn = fn;
	nt->arg = arg;
	sqlite3_update_hook(s->db, on_update, nt);
	sqlite3_commit_hook(s->db, on_commit, nt);
	sqlite3_rollback_hook(s->db, on_rollback, nt);
	*out = nt;
	return 0;
}

void lia_store_notify_destroy(struct lia_store_notify *nt)
{
	if (nt == NULL)
		return;
	sqlite3_update_hook(nt->s->db, NULL, NULL);
	sqlite3_commit_hook(nt->s->db, NULL, NULL);
	sqlite3_rollback_hook(nt->s->db, NULL, NULL);
	free(nt);
}

size_t lia_store_notify_take(struct lia_store_notify *nt, int64_t *rows, size_t max,
    uint64_t *dropped)
{
	size_t n = 0;

	for (; n < max && nt->n_ready > 0; n++, nt->n_ready--) {
		rows[n] = nt->ready[nt->ready_start];
		nt->ready_start = (nt->ready_start + 1) % LIA_STORE_NOTIFY_MAX;
	}
	if (dropped != NULL) {
		*dropped = nt->dropped;
		nt->dropped = 0;
	}
	return n;
}

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

int lia_store_entry_brief(struct lia_store *s, int64_t n, struct lia_entry_brief *b, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT type, origin, seq, dir, precedence, to_name,"
	    " ref_origin, ref_seq, time_ms, stored_ms FROM entries WHERE n = ?", -1, &st, NULL);

	memset(b, 0, sizeof(*b));
	if (rc != SQLITE_OK) {
		rc = store_fail(s, rc, err, "prepare to read an entry in brief");
		goto out;
	}
	rc = store_step(s, st, sqlite3_bind_int64(st, 1, n), err, "read entry %lld in brief",
	    (long long)n);
	if (rc == 0) {
		lia_err_set(err, "no entry is stored as row %lld", (long long)n);
		rc = LIA_ENOTFOUND;
	}
	if (rc < 0)
		goto out;
	b->n = n;
	b->type = (enum lia_entry_type)sqlite3_column_int(st, 0);
	copy_text(st, 1, b->origin, sizeof(b->origin));
	b->seq = (uint64_t)sqlite3_column_int64(st, 2);
	b->incoming = sqlite3_column_int(st, 3) == LIA_DIR_IN;
	b->precedence = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
	copy_text(st, 5, b->to, sizeof(b->to));
	copy_text(st, 6, b->ref_origin, sizeof(b->ref_origin));
	b->ref_seq = (uint64_t)sqlite3_column_int64(st, 7);
	b->time_ms = sqlite3_column_int64(st, 8);
	b->stored_ms = sqlite3_column_int64(st, 9);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}
