/*
 * store_entry.c - entries as stored, and their delivery: adding and reading
 * entries, the own sequence counter, the outbox per peer, deliveries and
 * their receipts, peers' cursors, certificates, and the entries that refer
 * to one entry.
 *
 * Entries were validated by the entry module before they are stored; own
 * entries are those stored with LIA_DIR_OUT and are named by their seq alone
 * (store.c's header says why).
 */
#include "store.h"
#include "store_internal.h"
#include "clock.h"
#include "err.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/*
 * A unary + keeps a term off the index: lookups by reference must use
 * entries_ref, never scan every ack through entries_list (which the planner
 * would otherwise pick without ANALYZE statistics).
 */
const char *const store_entry_sql[ST_COUNT] = {
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
	else if (rc == SQLITE_OK && e->type == LIA_ENTRY_INCIDENT) {
		rc = store_bind(st, 9, "s", e->to); /* the rest is in incident_steps */
		if (rc == SQLITE_OK)  /* the operator who made it (key 11, optional), or NULL */
			rc = store_bind(st, 15, "s", e->operator_name[0] ? e->operator_name : NULL);
	}
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


