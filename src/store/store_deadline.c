/*
 * store_deadline.c - the deadlines table (schema version 6): answers awaited
 * by a deadline, their steps once overdue, and the overdue views.
 *
 * Part of the store module (store_internal.h). The deadline module decides
 * what falls due and when; this file only keeps it, so every change happens
 * in the caller's transaction beside the entries it belongs to. Rows are
 * copied out before any caller code runs, so callers may write in between.
 */
#include "store.h"
#include "store_internal.h"
#include "clock.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define COLUMNS "origin, seq, node, kind, precedence, due_ms, next_ms, step, overdue_ms, met_ms"

const char *const store_deadline_sql[SD_COUNT] = {
	[SD_ADD] = "INSERT INTO deadlines (origin, seq, node, kind, precedence, due_ms, next_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING",
	[SD_MET] = "UPDATE deadlines SET met_ms = ?5, next_ms = NULL"
		" WHERE origin = ?1 AND seq = ?2 AND (?3 IS NULL OR node = ?3) AND kind = ?4"
		" AND met_ms IS NULL RETURNING " COLUMNS,
	[SD_NEXT] = "SELECT min(next_ms) FROM deadlines WHERE next_ms IS NOT NULL",
	[SD_DUE] = "SELECT " COLUMNS " FROM deadlines WHERE next_ms IS NOT NULL AND next_ms <= ?1"
		" ORDER BY next_ms LIMIT ?2",
	[SD_STEP] = "UPDATE deadlines SET step = max(step, ?5), overdue_ms = coalesce(overdue_ms, ?6),"
		" next_ms = ?7 WHERE origin = ?1 AND seq = ?2 AND node = ?3 AND kind = ?4",
	[SD_HEARD] = "INSERT INTO deadlines (origin, seq, node, kind, precedence, due_ms, step,"
		" overdue_ms, met_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?7 = 0 THEN ?8 END)"
		" ON CONFLICT DO UPDATE SET step = max(step, excluded.step),"
		" overdue_ms = coalesce(overdue_ms, excluded.overdue_ms),"
		" met_ms = coalesce(met_ms, excluded.met_ms),"
		" next_ms = CASE WHEN excluded.met_ms IS NULL THEN next_ms END",
	[SD_OVERDUE] = "SELECT " COLUMNS " FROM deadlines WHERE overdue_ms IS NOT NULL"
		" AND met_ms IS NULL ORDER BY due_ms, origin, seq, node, kind",
	[SD_OF_MESSAGE] = "SELECT " COLUMNS " FROM deadlines WHERE origin = ?1 AND seq = ?2"
		" AND overdue_ms IS NOT NULL AND met_ms IS NULL ORDER BY node, kind",
};

static int64_t column_or_none(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

/* The current row (COLUMNS order) into r. */
static void row_out(sqlite3_stmt *st, struct lia_deadline_row *r)
{
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	const char *node = (const char *)sqlite3_column_text(st, 2);

	memset(r, 0, sizeof(*r));
	snprintf(r->origin, sizeof(r->origin), "%s", origin ? origin : "");
	r->seq = (uint64_t)sqlite3_column_int64(st, 1);
	snprintf(r->node, sizeof(r->node), "%s", node ? node : "");
	r->kind = sqlite3_column_int(st, 3) == LIA_DEADLINE_ACK ? LIA_DEADLINE_ACK :
	    LIA_DEADLINE_RECEIPT;
	r->precedence = (enum lia_precedence)(sqlite3_column_int(st, 4) & 3);
	r->due_ms = sqlite3_column_int64(st, 5);
	r->next_ms = column_or_none(st, 6);
	r->step = (uint32_t)sqlite3_column_int64(st, 7);
	r->overdue_ms = column_or_none(st, 8);
	r->met_ms = column_or_none(st, 9);
}

/* Steps st (bound by brc) to the end, copying up to max rows into out[]. */
static int collect(struct lia_store *s, sqlite3_stmt *st, int brc, struct lia_deadline_row *out,
    int max, int *n, const char *what, char *err)
{
	int r = store_step(s, st, brc, err, "%s", what);

	*n = 0;
	while (r == 1) {
		if (*n < max)
			row_out(st, &out[(*n)++]);
		r = store_step(s, st, SQLITE_OK, err, "%s", what);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_deadline_add(struct lia_store *s, const struct lia_deadline_row *r, char *err)
{
	sqlite3_stmt *st = s->dl[SD_ADD];
	int rc = store_step(s, st, store_bind(st, 1, "susiii", r->origin, r->seq, r->node,
	    (int64_t)r->kind, (int64_t)r->precedence, r->due_ms), err,
	    "add the %s deadline of %s/%" PRIu64 " for %s", lia_deadline_kind_name(r->kind),
	    r->origin, r->seq, r->node);

	store_finish(st);
	return rc < 0 ? rc : 0;
}

int lia_store_deadline_met(struct lia_store *s, const char *origin, uint64_t seq,
    const char *node, enum lia_deadline_kind kind, int64_t when_ms,
    struct lia_deadline_row *out, int max, int *n, char *err)
{
	sqlite3_stmt *st = s->dl[SD_MET];

	return collect(s, st, store_bind(st, 1, "susii", origin, seq, node, (int64_t)kind, when_ms),
	    out, max, n, "mark a deadline met", err);
}

int lia_store_deadline_next(struct lia_store *s, int64_t *next_ms, char *err)
{
	sqlite3_stmt *st = s->dl[SD_NEXT];
	int r = store_step(s, st, SQLITE_OK, err, "find the next deadline");

	if (r == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*next_ms = sqlite3_column_int64(st, 0);
	else if (r >= 0)
		r = LIA_ENOTFOUND;
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_deadline_due(struct lia_store *s, int64_t now_ms, struct lia_deadline_row *out,
    int max, int *n, char *err)
{
	sqlite3_stmt *st = s->dl[SD_DUE];

	return collect(s, st, store_bind(st, 1, "ii", now_ms, (int64_t)max), out, max, n,
	    "read the deadlines due", err);
}

int lia_store_deadline_step(struct lia_store *s, const struct lia_deadline_row *r, char *err)
{
	sqlite3_stmt *st = s->dl[SD_STEP];
	int brc = store_bind(st, 1, "susiii", r->origin, r->seq, r->node, (int64_t)r->kind,
	    (int64_t)r->step, r->overdue_ms);
	int rc;

	if (brc == SQLITE_OK)
		brc = r->next_ms < 0 ? sqlite3_bind_null(st, 7) : sqlite3_bind_int64(st, 7, r->next_ms);
	rc = store_step(s, st, brc, err, "record step %" PRIu32 " of the %s deadline of %s/%"
	    PRIu64 " for %s", r->step, lia_deadline_kind_name(r->kind), r->origin, r->seq, r->node);
	store_finish(st);
	return rc < 0 ? rc : 0;
}

int lia_store_deadline_heard(struct lia_store *s, const struct lia_deadline_row *r,
    int64_t when_ms, char *err)
{
	sqlite3_stmt *st = s->dl[SD_HEARD];
	int rc = store_step(s, st, store_bind(st, 1, "susiiiii", r->origin, r->seq, r->node,
	    (int64_t)r->kind, (int64_t)r->precedence, r->due_ms, (int64_t)r->step, when_ms), err,
	    "record a notice about the %s deadline of %s/%" PRIu64 " for %s",
	    lia_deadline_kind_name(r->kind), r->origin, r->seq, r->node);

	store_finish(st);
	return rc < 0 ? rc : 0;
}

static json_t *row_json(const struct lia_deadline_row *r, int64_t now_ms)
{
	char id[LIA_NAME_MAX + 24], due[LIA_TIME_LEN], since[LIA_TIME_LEN];
	int64_t late = now_ms > r->due_ms ? (now_ms - r->due_ms) / 1000 : 0;

	snprintf(id, sizeof(id), "%s/%" PRIu64, r->origin, r->seq);
	lia_time_format(r->due_ms, due);
	lia_time_format(r->overdue_ms, since);
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
	    "id", id, "origin", r->origin, "seq", (json_int_t)r->seq, "node", r->node,
	    "deadline", lia_deadline_kind_name(r->kind),
	    "precedence", lia_precedence_name(r->precedence), "due", due, "overdue_since", since,
	    "late_s", (json_int_t)late, "steps", (json_int_t)r->step);
}

/* Every row of st (bound by brc) as JSON into *out. */
static int rows_json(struct lia_store *s, sqlite3_stmt *st, int brc, int64_t now_ms,
    json_t **out, const char *what, char *err)
{
	struct lia_deadline_row row;
	json_t *a = json_array();
	int r = store_step(s, st, brc, err, "%s", what);

	while (r == 1) {
		row_out(st, &row);
		if (a == NULL || json_array_append_new(a, row_json(&row, now_ms)) != 0) {
			lia_err_set(err, "%s: cannot %s: out of memory", s->path, what);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "%s", what);
	}
	store_finish(st);
	if (r == 0)
		*out = a;
	else
		json_decref(a);
	return r < 0 ? r : 0;
}

int lia_store_overdue_json(struct lia_store *s, int64_t now_ms, json_t **out, char *err)
{
	return rows_json(s, s->dl[SD_OVERDUE], SQLITE_OK, now_ms, out, "list what is overdue", err);
}

int lia_store_overdue_of(struct lia_store *s, const char *origin, uint64_t seq, int64_t now_ms,
    json_t **out, char *err)
{
	sqlite3_stmt *st = s->dl[SD_OF_MESSAGE];

	return rows_json(s, st, store_bind(st, 1, "su", origin, seq), now_ms, out,
	    "list what is overdue of a message", err);
}
