/*
 * store_view.c - the store's JSON views for the API: messages with their
 * deliveries, acknowledgements and state, counts, the log, evidence and the
 * history of link tests.
 *
 * Reads only; every object is built from the rows of one prepared statement
 * (and, for a message, its deliveries and acks), with text as SQLite holds
 * it: jansson refuses text that is not UTF-8, which is reported as an error.
 */
#include "store.h"
#include "store_internal.h"
#include "clock.h"
#include "encoding.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Columns of a message row, in the order message_row reads them; the log index follows them. */
#define MSG_COLS "origin, seq, to_name, precedence, time_ms, lang, text, dir, stored_ms"
#define MSG_LOG_COL 9
#define MSG_OPERATOR_COL 10  /* the sending operator (wire key 32), NULL when the message names none */

const char *const store_view_sql[SV_COUNT] = {
	[SV_LIST_MESSAGES] = "SELECT " MSG_COLS ", (SELECT idx FROM log WHERE entry_n = m.n), operator"
		" FROM (SELECT n, " MSG_COLS ", operator FROM entries"
		" WHERE type = 1 AND dir = ?1 ORDER BY n DESC LIMIT ?2) AS m ORDER BY n",
	[SV_GET_MESSAGE] = "SELECT " MSG_COLS ", (SELECT idx FROM log WHERE entry_n = entries.n), operator"
		" FROM entries WHERE origin = ?1 AND seq = ?2 AND type = 1",
	[SV_DELIVERIES] = "SELECT dest, receipt_seq, delivered_ms FROM deliveries"
		" WHERE seq = ?1 ORDER BY dest",
	/* A unary + keeps the term off entries_list: lookups by reference use entries_ref. */
	[SV_ACKS] = "SELECT origin, seq, operator, time_ms, dir FROM entries"
		" WHERE ref_origin = ?1 AND ref_seq = ?2 AND +type = 3 ORDER BY n",
	[SV_COUNTS] = "SELECT (SELECT count(*) FROM entries),"
		" (SELECT count(*) FROM entries WHERE type = 1 AND dir = 1),"
		" (SELECT count(*) FROM entries WHERE type = 1 AND dir = 0),"
		" (SELECT count(*) FROM outbox),"
		" (SELECT count(*) FROM entries AS m WHERE m.type = 1 AND m.dir = 1 AND NOT EXISTS"
		"  (SELECT 1 FROM entries AS a WHERE a.ref_origin = m.origin AND a.ref_seq = m.seq"
		"   AND +a.type = 3 AND +a.dir = 0))",
	[SV_LOG] = "SELECT l.idx, e.origin, e.seq, e.type, e.dir, t.hash FROM log AS l"
		" JOIN entries AS e ON e.n = l.entry_n"
		" LEFT JOIN tree AS t ON t.level = 0 AND t.idx = l.idx"
		" WHERE l.idx >= ?1 ORDER BY l.idx LIMIT ?2",
	[SV_EVIDENCE] = "SELECT n, peer, reason, note_old, note_new, found_ms FROM evidence"
		" ORDER BY n",
	[SV_SIGNALS] = "SELECT origin, seq, cose FROM (SELECT n, origin, seq, cose FROM entries"
		" WHERE type = 4 ORDER BY n DESC LIMIT ?1) ORDER BY n",
	/* Own link tests to peer ?2, newest first, with when the peer's first answer was stored. */
	[SV_LINKTESTS] = "SELECT t.seq, t.time_ms, t.stored_ms, (SELECT min(a.stored_ms) FROM entries AS a"
		" WHERE a.ref_origin = ?1 AND a.ref_seq = t.seq AND a.origin = ?2 AND +a.type = 8"
		" AND +a.dir = 1) FROM entries AS t WHERE t.type = 7 AND t.dir = 0 AND t.to_name = ?2"
		" ORDER BY t.n DESC LIMIT ?3",
};

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
		    put(o, "stored", time_json(sqlite3_column_int64(st, 8))) |
		    put(o, "log_index", sqlite3_column_type(st, MSG_LOG_COL) == SQLITE_NULL ?
			json_null() : json_integer(sqlite3_column_int64(st, MSG_LOG_COL)));
	if (!bad && sqlite3_column_type(st, MSG_OPERATOR_COL) != SQLITE_NULL)
		bad = put(o, "operator", text_json(st, MSG_OPERATOR_COL));
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
	int r = store_step(s, st, brc, err, "%s", what);

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
		r = store_step(s, st, SQLITE_OK, err, "%s", what);
	}
	store_finish(st);
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
	sqlite3_stmt *dq = s->vw[SV_DELIVERIES], *aq = s->vw[SV_ACKS];

	snprintf(what, sizeof(what), "build the view of message %s/%" PRId64,
	    origin ? origin : "?", seq);
	if (o == NULL || dl == NULL || acks == NULL)
		goto nomem;
	if (dir == LIA_DIR_OUT && (r = collect(s, dq, store_bind(dq, 1, "i", seq), delivery_row, dl,
	    &pending, NULL, what, err)) < 0)
		goto out;
	if ((r = collect(s, aq, store_bind(aq, 1, "si", origin, seq), ack_row, acks, NULL, &own,
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
	sqlite3_stmt *st = s->vw[SV_LIST_MESSAGES];
	json_t *arr = json_array(), *m = NULL;
	int r = arr == NULL ? LIA_ERROR : store_step(s, st, store_bind(st, 1, "ii", (int64_t)dir,
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
		r = store_step(s, st, SQLITE_OK, err, "list messages");
	}
	store_finish(st);
	if (r == 0)
		*out = arr;
	else
		json_decref(arr);
	return r < 0 ? r : 0;
}

int lia_store_message_json(struct lia_store *s, const char *origin, uint64_t seq,
    json_t **out, char *err)
{
	sqlite3_stmt *st = s->vw[SV_GET_MESSAGE];
	int r = store_step(s, st, store_bind(st, 1, "su", origin, seq), err,
	    "read message %s/%" PRIu64, origin, seq);

	if (r == 0) {
		lia_err_set(err, "%s: no message %s/%" PRIu64, s->path, origin, seq);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = message_build(s, st, out, err);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_counts(struct lia_store *s, json_t **out, char *err)
{
	static const char *const keys[] = {"entries", "messages_in", "messages_out", "outbox",
	    "unacknowledged"};
	sqlite3_stmt *st = s->vw[SV_COUNTS];
	json_t *o = json_object();
	int r = store_step(s, st, SQLITE_OK, err, "count entries");

	if (r == 0)
		r = store_fail(s, SQLITE_ERROR, err, "count entries (no result)");
	for (int i = 0; r == 1 && i < 5; i++) {
		if (o == NULL || put(o, keys[i], json_integer(sqlite3_column_int64(st, i))) != 0) {
			lia_err_set(err, "%s: cannot count entries: out of memory", s->path);
			r = LIA_ERROR;
		}
	}
	store_finish(st);
	if (r == 1)
		*out = o;
	else
		json_decref(o);
	return r == 1 ? 0 : r;
}

static json_t *hex_json(const uint8_t *p, int len)
{
	char hex[2 * 32 + 1];

	if (p == NULL || len != 32)
		return json_null();
	lia_hex_encode(p, 32, hex);
	return json_string(hex);
}

/* A row of SV_LOG: index, origin, seq, type, dir, leaf hash. */
static json_t *log_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	const char *origin = (const char *)sqlite3_column_text(st, 1);
	int bad = o == NULL || origin == NULL;

	if (!bad)
		bad = put(o, "index", json_integer(sqlite3_column_int64(st, 0))) |
		    put(o, "id", id_json(origin, sqlite3_column_int64(st, 2))) |
		    put(o, "type", json_string(lia_entry_type_name(
			(enum lia_entry_type)sqlite3_column_int(st, 3)))) |
		    put(o, "direction", json_string(sqlite3_column_int(st, 4) == LIA_DIR_IN ?
			"in" : "out")) |
		    put(o, "leaf_hash", hex_json(sqlite3_column_blob(st, 5),
			sqlite3_column_bytes(st, 5)));
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A row of SV_EVIDENCE: n, peer, reason, note_old, note_new, found_ms. */
static json_t *evidence_row(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int bad = o == NULL;

	if (!bad)
		bad = put(o, "n", json_integer(sqlite3_column_int64(st, 0))) |
		    put(o, "peer", text_json(st, 1)) | put(o, "reason", text_json(st, 2)) |
		    put(o, "note_old", text_json(st, 3)) | put(o, "note_new", text_json(st, 4)) |
		    put(o, "found", time_json(sqlite3_column_int64(st, 5)));
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* *out = an array of make(row) for every row of st (bound with result brc). */
static int view_array(struct lia_store *s, sqlite3_stmt *st, int brc,
    json_t *(*make)(sqlite3_stmt *), json_t **out, const char *what, char *err)
{
	json_t *arr = json_array();
	int r = LIA_ERROR;

	if (arr == NULL) {
		lia_err_set(err, "%s: cannot %s: out of memory", s->path, what);
		store_finish(st);
	} else {
		r = collect(s, st, brc, make, arr, NULL, NULL, what, err);
	}
	if (r == 0)
		*out = arr;
	else
		json_decref(arr);
	return r < 0 ? r : 0;
}

int lia_store_log_json(struct lia_store *s, uint64_t from_idx, int limit, json_t **out,
    char *err)
{
	sqlite3_stmt *st = s->vw[SV_LOG];

	return view_array(s, st, store_bind(st, 1, "Ui", from_idx,
	    (int64_t)(limit > 0 ? limit : -1)), log_row, out, "list the log", err);
}

int lia_store_evidence_json(struct lia_store *s, json_t **out, char *err)
{
	return view_array(s, s->vw[SV_EVIDENCE], SQLITE_OK, evidence_row, out, "list the evidence",
	    err);
}

int lia_store_scan_signals(struct lia_store *s, int limit, lia_store_ref_fn fn, void *ctx,
    char *err)
{
	sqlite3_stmt *st = s->vw[SV_SIGNALS];
	struct store_rows rows = {0};
	int r = store_step(s, st, store_bind(st, 1, "i", (int64_t)limit), err, "list signals");

	while (r == 1) {
		if (store_rows_add(&rows, st, 0, 1, 2) < 0) {
			lia_err_set(err, "%s: cannot list signals: out of memory", s->path);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "list signals");
	}
	store_finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++)
		if (fn(ctx, rows.v[i].text, rows.v[i].num, rows.v[i].blob, rows.v[i].len) != 0)
			break;
	store_rows_free(&rows);
	return r < 0 ? r : 0;
}

/* One link test of the history: its id, signed time, result and round trip. */
static json_t *linktest_item(sqlite3_stmt *st, const char *self, int64_t now_ms, int timeout_ms)
{
	int64_t stored = sqlite3_column_int64(st, 2), answered = sqlite3_column_int64(st, 3);
	int has_answer = sqlite3_column_type(st, 3) != SQLITE_NULL;
	int64_t rtt = answered - stored;
	const char *result = has_answer ? (rtt <= timeout_ms ? "answered" : "late") :
	    now_ms - stored > timeout_ms ? "failed" : "pending";

	return json_pack("{s:o, s:o, s:s, s:o}", "id", id_json(self, sqlite3_column_int64(st, 0)),
	    "time", time_json(sqlite3_column_int64(st, 1)), "result", result,
	    "rtt_ms", has_answer ? json_integer((json_int_t)(rtt < 0 ? 0 : rtt)) : json_null());
}

int lia_store_linktest_history(struct lia_store *s, const char *self, const char *peer, int limit,
    int64_t now_ms, int timeout_ms, json_t **out, char *err)
{
	sqlite3_stmt *st = s->vw[SV_LINKTESTS];
	json_t *list = json_array(), *item;
	int r = list == NULL ? LIA_ERROR : store_step(s, st, store_bind(st, 1, "ssi", self, peer,
	    (int64_t)limit), err, "list the link tests to %s", peer);

	while (r == 1) {
		item = linktest_item(st, self, now_ms, timeout_ms);
		if (item == NULL || json_array_append_new(list, item) != 0) {
			lia_err_set(err, "%s: cannot list the link tests to %s: out of memory", s->path, peer);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "list the link tests to %s", peer);
	}
	store_finish(st);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}
