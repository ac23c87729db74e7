/*
 * store_log.c - the joint record in the store: the append-only log of every
 * entry stored, its RFC 9162 Merkle tree, our checkpoints and their
 * cosignatures, the peers' checkpoints we witnessed, and evidence.
 *
 * Leaf idx of the log is one entries row; tree holds the complete subtree
 * nodes that merkle.c reads and writes through the get/put callbacks below,
 * so an append writes the leaf and the O(log n) parents it completes, and a
 * root or proof reads O(log n) nodes. Appends run inside the transaction that
 * stores the entry (store.c); nothing here commits. A node that cannot be
 * read or written fails the whole operation with the store's own sentence
 * and code (LIA_EFULL on a full disk), never merkle.c's generic one.
 *
 * Assumes the caller of lia_store_add_checkpoint signed the note over this
 * log's (size, root); the store checks the root, not the signature.
 */
#include "store.h"
#include "store_internal.h"
#include "err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define HLEN LIA_MERKLE_HASH_LEN

const char *const store_log_sql[SL_COUNT] = {
	[SL_SIZE] = "SELECT idx FROM log ORDER BY idx DESC LIMIT 1",
	/* idx is the rowid: no RETURNING, whose trigger would need a statement journal. */
	[SL_APPEND] = "INSERT INTO log (idx, entry_n) VALUES"
		" (coalesce((SELECT idx FROM log ORDER BY idx DESC LIMIT 1) + 1, 0), ?1)",
	[SL_TREE_GET] = "SELECT hash FROM tree WHERE level = ?1 AND idx = ?2",
	[SL_TREE_PUT] = "INSERT INTO tree (level, idx, hash) VALUES (?1, ?2, ?3)",
	[SL_INDEX] = "SELECT l.idx FROM entries AS e JOIN log AS l ON l.entry_n = e.n"
		" WHERE e.origin = ?1 AND e.seq = ?2",
	[SL_ENTRY] = "SELECT e.cose FROM log AS l JOIN entries AS e ON e.n = l.entry_n"
		" WHERE l.idx = ?1",
	[SL_ADD_CHECKPOINT] = "INSERT INTO checkpoints (size, root, note, made_ms)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (size) DO NOTHING",
	[SL_LATEST_CHECKPOINT] = "SELECT size, root, note FROM checkpoints"
		" ORDER BY size DESC LIMIT 1",
	[SL_CHECKPOINT] = "SELECT size, root, note FROM checkpoints WHERE size = ?1",
	[SL_CHECKPOINTS_FROM] = "SELECT size, root FROM checkpoints ORDER BY size",
	[SL_ADD_COSIG] = "INSERT INTO cosignatures (size, witness, line, received_ms)"
		" SELECT size, ?2, ?3, ?4 FROM checkpoints WHERE size = ?1 ON CONFLICT DO NOTHING",
	[SL_HAS_COSIG] = "SELECT 1 FROM cosignatures WHERE size = ?1 AND witness = ?2",
	[SL_SCAN_COSIGS] = "SELECT witness, received_ms, line FROM cosignatures"
		" WHERE size = ?1 ORDER BY witness",
	[SL_COSIGNED_SIZE] = "SELECT max(size) FROM cosignatures WHERE witness = ?1",
	[SL_GET_WITNESSED] = "SELECT size, root, note FROM witnessed WHERE peer = ?1",
	[SL_SET_WITNESSED] = "INSERT INTO witnessed (peer, size, root, note, updated_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (peer) DO UPDATE SET size = excluded.size,"
		" root = excluded.root, note = excluded.note, updated_ms = excluded.updated_ms",
	[SL_ADD_EVIDENCE] = "INSERT INTO evidence (peer, reason, note_old, note_new, found_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[SL_CHECK_SCAN] = "SELECT l.idx, e.cose, e.hash, t.hash FROM log AS l"
		" LEFT JOIN entries AS e ON e.n = l.entry_n"
		" LEFT JOIN tree AS t ON t.level = 0 AND t.idx = l.idx ORDER BY l.idx",
	[SL_ENTRY_COUNT] = "SELECT count(*) FROM entries",
	[SL_READ_BEGIN] = "BEGIN DEFERRED",
	[SL_SCAN_CHECKPOINTS] = "SELECT size, note FROM checkpoints ORDER BY size",
};

/*
 * A root, a proof or the check reads many nodes: outside the caller's
 * transaction they share one read transaction, so they see one snapshot and
 * take the WAL read lock once. Returns 1 when it began one (end it with
 * read_end), 0 when the caller holds a transaction, negative on failure.
 */
static int read_begin(struct lia_store *s, char *err)
{
	int r;

	if (!sqlite3_get_autocommit(s->db))
		return 0;
	r = store_step(s, s->lg[SL_READ_BEGIN], SQLITE_OK, err, "begin reading the log");
	sqlite3_reset(s->lg[SL_READ_BEGIN]);
	return r < 0 ? r : 1;
}

static void read_end(struct lia_store *s, int began)
{
	if (began == 1)
		lia_store_rollback(s);
}

/* merkle.c's view of the tree table; the first failure's sentence and code are kept. */
struct tree_ctx {
	struct lia_store *s;
	int rc;
	int missing; /* a node asked for is not there (or not 32 bytes): damage, not an I/O error */
	char err[LIA_ERR_LEN];
};

static void tree_failed(struct tree_ctx *t, int rc)
{
	if (t->rc == 0)
		t->rc = rc;
}

static int tree_get(void *ctx, unsigned level, uint64_t idx, uint8_t out[HLEN])
{
	struct tree_ctx *t = ctx;
	sqlite3_stmt *st = t->s->lg[SL_TREE_GET];
	int r = store_step(t->s, st, store_bind(st, 1, "iU", (int64_t)level, idx), t->err,
	    "read Merkle tree node (level %u, index %" PRIu64 ")", level, idx);

	if (r == 1 && sqlite3_column_bytes(st, 0) == HLEN) {
		memcpy(out, sqlite3_column_blob(st, 0), HLEN);
		r = 0;
	} else if (r >= 0) {
		lia_err_set(t->err, "%s: Merkle tree node (level %u, index %" PRIu64 ") is missing "
		    "or damaged", t->s->path, level, idx);
		t->missing = 1;
		r = LIA_ERROR;
	}
	store_finish(st);
	if (r < 0)
		tree_failed(t, r);
	return r;
}

static int tree_put(void *ctx, unsigned level, uint64_t idx, const uint8_t h[HLEN])
{
	struct tree_ctx *t = ctx;
	sqlite3_stmt *st = t->s->lg[SL_TREE_PUT];
	int r = store_step(t->s, st, store_bind(st, 1, "iUb", (int64_t)level, idx,
	    (const void *)h, (size_t)HLEN), t->err,
	    "store Merkle tree node (level %u, index %" PRIu64 ")", level, idx);

	store_finish(st);
	if (r < 0)
		tree_failed(t, r);
	return r;
}

static struct lia_merkle_store tree_store(struct tree_ctx *t, struct lia_store *s)
{
	struct lia_merkle_store m = {tree_get, tree_put, t};

	t->s = s;
	t->rc = 0;
	t->missing = 0;
	t->err[0] = '\0';
	return m;
}

/* After merkle.c failed (mrc < 0): the tree's own sentence and code, else "cannot <what>: <merkle's>". */
__attribute__((format(printf, 5, 6)))
static int tree_result(struct tree_ctx *t, int mrc, const char *merr, char *err,
    const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (mrc >= 0)
		return 0;
	if (t->rc < 0) {
		lia_err_set(err, "%s", t->err);
		return t->rc;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	lia_err_set(err, "%s: cannot %s: %s", t->s->path, what, merr);
	return LIA_ERROR;
}

int store_log_append(struct lia_store *s, int64_t n, const uint8_t *cose, size_t cose_len,
    char *err)
{
	sqlite3_stmt *st = s->lg[SL_APPEND];
	struct tree_ctx t;
	struct lia_merkle_store m = tree_store(&t, s);
	char merr[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN];
	uint64_t idx;
	int r;

	if (lia_merkle_leaf_hash(cose, cose_len, leaf, merr) != 0) {
		lia_err_set(err, "%s: cannot append entry row %" PRId64 " to the log: %s", s->path,
		    n, merr);
		return LIA_ERROR;
	}
	r = store_step(s, st, store_bind(st, 1, "i", n), err,
	    "append entry row %" PRId64 " to the log", n);
	idx = (uint64_t)sqlite3_last_insert_rowid(s->db);
	store_finish(st);
	if (r < 0)
		return r;
	return tree_result(&t, lia_merkle_append(&m, idx, leaf, merr), merr, err,
	    "add log leaf %" PRIu64 " to the Merkle tree", idx);
}

int store_log_rebuild(struct lia_store *s, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT n, cose FROM entries ORDER BY n", -1, &st,
	    NULL);
	int r = rc == SQLITE_OK ? store_step(s, st, SQLITE_OK, err, "read the entries to log") :
	    store_fail(s, rc, err, "read the entries to log");

	while (r == 1) {
		if ((r = store_log_append(s, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), err)) < 0)
			break;
		r = store_step(s, st, SQLITE_OK, err, "read the entries to log");
	}
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int lia_store_log_size(struct lia_store *s, uint64_t *size, char *err)
{
	sqlite3_stmt *st = s->lg[SL_SIZE];
	int r = store_step(s, st, SQLITE_OK, err, "read the log size");

	if (r >= 0)
		*size = r == 1 ? (uint64_t)sqlite3_column_int64(st, 0) + 1 : 0;
	store_finish(st);
	return r < 0 ? r : 0;
}

/* 0 when the log holds at least size leaves; else LIA_ENOTFOUND "cannot <what>: ..." or an error. */
static int need_size(struct lia_store *s, uint64_t size, const char *what, char *err)
{
	uint64_t have = 0;
	int r = lia_store_log_size(s, &have, err);

	if (r == 0 && size > have) {
		lia_err_set(err, "%s: cannot %s: the log has %" PRIu64 " entries, not %" PRIu64,
		    s->path, what, have, size);
		r = LIA_ENOTFOUND;
	}
	return r;
}

int lia_store_log_root(struct lia_store *s, uint64_t size, uint8_t root[static 32], char *err)
{
	struct tree_ctx t;
	struct lia_merkle_store m = tree_store(&t, s);
	char merr[LIA_ERR_LEN] = "", what[64];
	int r, began;

	snprintf(what, sizeof(what), "compute the log root at size %" PRIu64, size);
	if ((began = read_begin(s, err)) < 0)
		return began;
	if ((r = need_size(s, size, what, err)) == 0)
		r = tree_result(&t, lia_merkle_root(&m, size, root, merr), merr, err, "%s", what);
	read_end(s, began);
	return r;
}

int lia_store_log_index(struct lia_store *s, const char *origin, uint64_t seq, uint64_t *idx,
    char *err)
{
	sqlite3_stmt *st = s->lg[SL_INDEX];
	int r = store_step(s, st, store_bind(st, 1, "su", origin, seq), err,
	    "look up the log index of %s/%" PRIu64, origin, seq);

	if (r == 1)
		*idx = (uint64_t)sqlite3_column_int64(st, 0);
	else if (r == 0) {
		lia_err_set(err, "%s: entry %s/%" PRIu64 " is not in the log", s->path, origin, seq);
		r = LIA_ENOTFOUND;
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_log_entry(struct lia_store *s, uint64_t idx, uint8_t **cose, size_t *len,
    char *err)
{
	sqlite3_stmt *st = s->lg[SL_ENTRY];
	int r = store_step(s, st, store_bind(st, 1, "u", idx), err, "read log entry %" PRIu64, idx);

	if (r == 0) {
		lia_err_set(err, "%s: no log entry %" PRIu64, s->path, idx);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((*cose = store_copy_blob(sqlite3_column_blob(st, 0), *len)) == NULL) {
			lia_err_set(err, "%s: cannot read log entry %" PRIu64 ": out of memory",
			    s->path, idx);
			r = LIA_ERROR;
		}
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_inclusion_proof(struct lia_store *s, uint64_t idx, uint64_t size,
    struct lia_merkle_proof *proof, char *err)
{
	struct tree_ctx t;
	struct lia_merkle_store m = tree_store(&t, s);
	char merr[LIA_ERR_LEN] = "", what[96];
	int r, began;

	proof->len = 0;
	snprintf(what, sizeof(what), "prove log entry %" PRIu64 " in the tree of size %" PRIu64,
	    idx, size);
	if ((began = read_begin(s, err)) < 0)
		return began;
	if ((r = need_size(s, size, what, err)) == 0)
		r = tree_result(&t, lia_merkle_inclusion_proof(&m, idx, size, proof, merr), merr,
		    err, "%s", what);
	read_end(s, began);
	return r;
}

int lia_store_consistency_proof(struct lia_store *s, uint64_t old, uint64_t new_size,
    struct lia_merkle_proof *proof, char *err)
{
	struct tree_ctx t;
	struct lia_merkle_store m = tree_store(&t, s);
	char merr[LIA_ERR_LEN] = "", what[96];
	int r, began;

	proof->len = 0;
	snprintf(what, sizeof(what), "prove the log of size %" PRIu64 " extends size %" PRIu64,
	    new_size, old);
	if ((began = read_begin(s, err)) < 0)
		return began;
	if ((r = need_size(s, new_size, what, err)) == 0)
		r = tree_result(&t, lia_merkle_consistency_proof(&m, old, new_size, proof, merr),
		    merr, err, "%s", what);
	read_end(s, began);
	return r;
}

/* Copies column col's text into *out (caller frees) unless out is NULL. */
static int text_out(struct lia_store *s, sqlite3_stmt *st, int col, char **out,
    const char *what, char *err)
{
	if (out == NULL)
		return 0;
	*out = (char *)store_copy_blob(sqlite3_column_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
	if (*out != NULL)
		return 0;
	lia_err_set(err, "%s: cannot read %s: out of memory", s->path, what);
	return LIA_ERROR;
}

/* Copies a 32-byte root column into root unless root is NULL. */
static int root_out(struct lia_store *s, sqlite3_stmt *st, int col, uint8_t *root,
    const char *what, char *err)
{
	if (sqlite3_column_bytes(st, col) != 32) {
		lia_err_set(err, "%s: the root of %s is not 32 bytes (damaged database)", s->path,
		    what);
		return LIA_ERROR;
	}
	if (root != NULL)
		memcpy(root, sqlite3_column_blob(st, col), 32);
	return 0;
}

int lia_store_add_checkpoint(struct lia_store *s, uint64_t size, const uint8_t root[static 32],
    const char *note, int64_t made_ms, char *err)
{
	sqlite3_stmt *st = s->lg[SL_ADD_CHECKPOINT];
	uint8_t want[32];
	int r = lia_store_log_root(s, size, want, err), changed = 0;

	if (r < 0)
		return r;
	if (note == NULL || memcmp(want, root, 32) != 0) {
		lia_err_set(err, "%s: cannot keep the checkpoint of size %" PRIu64 ": %s", s->path,
		    size, note == NULL ? "no note" : "its root is not the log's root at that size");
		return LIA_ERROR;
	}
	r = store_step(s, st, store_bind(st, 1, "ubsi", size, (const void *)root, (size_t)32, note,
	    made_ms), err, "keep the checkpoint of size %" PRIu64, size);
	changed = r == 0 ? sqlite3_changes(s->db) : 0;
	store_finish(st);
	if (r == 0 && changed == 0) {
		lia_err_set(err, "%s: a checkpoint of size %" PRIu64 " is already kept", s->path,
		    size);
		r = LIA_EDUP;
	}
	return r < 0 ? r : 0;
}

/* Reads (size, root, note) from the current row of a checkpoint query. */
static int checkpoint_out(struct lia_store *s, sqlite3_stmt *st, uint64_t *size, uint8_t *root,
    char **note, char *err)
{
	int r = root_out(s, st, 1, root, "a checkpoint", err);

	if (r == 0 && size != NULL)
		*size = (uint64_t)sqlite3_column_int64(st, 0);
	if (r == 0)
		r = text_out(s, st, 2, note, "a checkpoint", err);
	return r;
}

int lia_store_latest_checkpoint(struct lia_store *s, uint64_t *size, uint8_t root[32],
    char **note, char *err)
{
	sqlite3_stmt *st = s->lg[SL_LATEST_CHECKPOINT];
	int r = store_step(s, st, SQLITE_OK, err, "read the latest checkpoint");

	if (r == 0) {
		lia_err_set(err, "%s: no checkpoint kept yet", s->path);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = checkpoint_out(s, st, size, root, note, err);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_checkpoint(struct lia_store *s, uint64_t size, char **note, char *err)
{
	sqlite3_stmt *st = s->lg[SL_CHECKPOINT];
	int r = store_step(s, st, store_bind(st, 1, "u", size), err,
	    "read the checkpoint of size %" PRIu64, size);

	if (r == 0) {
		lia_err_set(err, "%s: no checkpoint of size %" PRIu64, s->path, size);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = checkpoint_out(s, st, NULL, NULL, note, err);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_add_cosignature(struct lia_store *s, uint64_t size, const char *witness,
    const char *line, int64_t received_ms, char *err)
{
	sqlite3_stmt *st = s->lg[SL_ADD_COSIG];
	int r = store_step(s, st, store_bind(st, 1, "ussi", size, witness, line, received_ms), err,
	    "keep %s's cosignature of checkpoint %" PRIu64, witness, size);
	int changed = r == 0 ? sqlite3_changes(s->db) : 0;

	store_finish(st);
	if (r == 0 && changed == 0) {
		st = s->lg[SL_HAS_COSIG];
		r = store_step(s, st, store_bind(st, 1, "us", size, witness), err,
		    "look up %s's cosignature of checkpoint %" PRIu64, witness, size);
		store_finish(st);
		if (r == 1)
			lia_err_set(err, "%s: %s's cosignature of checkpoint %" PRIu64 " is already "
			    "kept", s->path, witness, size);
		else if (r == 0)
			lia_err_set(err, "%s: cannot keep %s's cosignature: no checkpoint of size %"
			    PRIu64, s->path, witness, size);
		r = r == 1 ? LIA_EDUP : r == 0 ? LIA_ENOTFOUND : r;
	}
	return r < 0 ? r : 0;
}

int lia_store_scan_cosignatures(struct lia_store *s, uint64_t size, lia_store_cosig_fn fn,
    void *ctx, char *err)
{
	sqlite3_stmt *st = s->lg[SL_SCAN_COSIGS];
	struct store_rows rows = {0};
	int r = store_step(s, st, store_bind(st, 1, "u", size), err,
	    "scan the cosignatures of checkpoint %" PRIu64, size);

	while (r == 1) {
		if (store_rows_add(&rows, st, 0, 1, 2) < 0) {
			lia_err_set(err, "%s: cannot scan the cosignatures of checkpoint %" PRIu64
			    ": out of memory", s->path, size);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "scan the cosignatures of checkpoint %"
		    PRIu64, size);
	}
	store_finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++)
		if (fn(ctx, rows.v[i].text ? rows.v[i].text : "", (const char *)rows.v[i].blob,
		    (int64_t)rows.v[i].num) != 0)
			break;
	store_rows_free(&rows);
	return r < 0 ? r : 0;
}

int lia_store_scan_checkpoints(struct lia_store *s, lia_store_checkpoint_fn fn, void *ctx,
    char *err)
{
	sqlite3_stmt *st = s->lg[SL_SCAN_CHECKPOINTS];
	struct store_rows rows = {0};
	int r = store_step(s, st, SQLITE_OK, err, "scan the checkpoints");

	while (r == 1) {
		if (store_rows_add(&rows, st, -1, 0, 1) < 0) {
			lia_err_set(err, "%s: cannot scan the checkpoints: out of memory", s->path);
			r = LIA_ERROR;
			break;
		}
		r = store_step(s, st, SQLITE_OK, err, "scan the checkpoints");
	}
	store_finish(st);
	for (size_t i = 0; r == 0 && i < rows.n; i++)
		if (fn(ctx, rows.v[i].num, (const char *)rows.v[i].blob) != 0)
			break;
	store_rows_free(&rows);
	return r < 0 ? r : 0;
}

int lia_store_cosigned_size(struct lia_store *s, const char *witness, uint64_t *size, char *err)
{
	sqlite3_stmt *st = s->lg[SL_COSIGNED_SIZE];
	int r = store_step(s, st, store_bind(st, 1, "s", witness), err,
	    "read the largest checkpoint %s cosigned", witness);

	if (r >= 0)
		*size = r == 1 ? (uint64_t)sqlite3_column_int64(st, 0) : 0; /* NULL reads 0 */
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_get_witnessed(struct lia_store *s, const char *peer, uint64_t *size,
    uint8_t root[32], char **note, char *err)
{
	sqlite3_stmt *st = s->lg[SL_GET_WITNESSED];
	int r = store_step(s, st, store_bind(st, 1, "s", peer), err,
	    "read the checkpoint of %s we witnessed", peer);

	if (r == 0) {
		lia_err_set(err, "%s: no checkpoint of %s witnessed yet", s->path, peer);
		r = LIA_ENOTFOUND;
	} else if (r == 1) {
		r = checkpoint_out(s, st, size, root, note, err);
	}
	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_set_witnessed(struct lia_store *s, const char *peer, uint64_t size,
    const uint8_t root[static 32], const char *note, int64_t when_ms, char *err)
{
	sqlite3_stmt *st = s->lg[SL_SET_WITNESSED];
	int r = store_step(s, st, store_bind(st, 1, "subsi", peer, size, (const void *)root,
	    (size_t)32, note, when_ms), err, "record the checkpoint of %s at size %" PRIu64
	    " as witnessed", peer, size);

	store_finish(st);
	return r < 0 ? r : 0;
}

int lia_store_add_evidence(struct lia_store *s, const char *peer, const char *reason,
    const char *note_old, const char *note_new, int64_t found_ms, char *err)
{
	sqlite3_stmt *st = s->lg[SL_ADD_EVIDENCE];
	int r = store_step(s, st, store_bind(st, 1, "ssssi", peer, reason, note_old, note_new,
	    found_ms), err, "keep evidence against %s", peer);

	store_finish(st);
	return r < 0 ? r : 0;
}

/*
 * lia_store_log_check's walk: the log's leaves in order, folded as merkle.c
 * would append them but from the recomputed leaf hashes, so every complete
 * node can be compared with the stored one and every checkpoint's root
 * recomputed without trusting the tree. stack holds the complete subtrees of
 * the prefix read so far, largest first (one per set bit of size).
 */
struct check {
	struct lia_store *s;
	struct tree_ctx t;
	uint8_t stack[64][HLEN];
	size_t depth;
	uint64_t size;        /* leaves folded so far */
	uint64_t vouched;     /* size of the last checkpoint whose root matched */
	sqlite3_stmt *cp;     /* checkpoints by size, stepped alongside the leaves */
	int cp_row;           /* 1 while cp is on a row */
	uint64_t bad;
	char *err;
};

/* Damage found: 1, with *bad and the sentence. */
__attribute__((format(printf, 3, 4)))
static int damaged(struct check *c, uint64_t bad, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	c->bad = bad;
	lia_err_set(c->err, "%s: the joint record is damaged: %s", c->s->path, what);
	return 1;
}

/* MTH of the first c->size leaves from the stack (RFC 9162 section 2.1.1). */
static int check_root(struct check *c, uint8_t out[static HLEN])
{
	if (c->depth == 0)
		return EVP_Digest("", 0, out, NULL, c->s->sha256, NULL) == 1 ? 0 : -1;
	memcpy(out, c->stack[c->depth - 1], HLEN);
	for (size_t i = c->depth - 1; i > 0; i--)
		if (lia_merkle_node_hash(c->stack[i - 1], out, out, NULL) != 0)
			return -1;
	return 0;
}

/* Compares every checkpoint of size c->size with the recomputed root. */
static int check_checkpoints(struct check *c)
{
	uint8_t root[HLEN];
	uint64_t size;
	int r = 0;

	while (r == 0 && c->cp_row == 1 &&
	    (size = (uint64_t)sqlite3_column_int64(c->cp, 0)) <= c->size) {
		if (check_root(c, root) != 0) {
			lia_err_set(c->err, "%s: cannot check the log: SHA-256 failed", c->s->path);
			return LIA_ERROR;
		}
		if (sqlite3_column_bytes(c->cp, 1) != HLEN ||
		    memcmp(root, sqlite3_column_blob(c->cp, 1), HLEN) != 0)
			return damaged(c, c->vouched, "the first %" PRIu64 " entries do not have the "
			    "root of the checkpoint of that size; entries from index %" PRIu64
			    " on may have been changed", size, c->vouched);
		c->vouched = size;
		c->cp_row = store_step(c->s, c->cp, SQLITE_OK, c->err, "read the checkpoints");
		r = c->cp_row < 0 ? c->cp_row : 0;
	}
	return r;
}

/* Folds leaf idx (its recomputed hash) into the stack, comparing each node it completes. */
static int check_leaf(struct check *c, uint64_t idx, const uint8_t leaf[static HLEN])
{
	struct lia_merkle_store m = tree_store(&c->t, c->s);
	uint8_t h[HLEN], stored[HLEN];
	unsigned level = 0;

	memcpy(h, leaf, HLEN);
	for (uint64_t i = idx; i & 1; i >>= 1) {
		if (c->depth == 0 || lia_merkle_node_hash(c->stack[--c->depth], h, h, NULL) != 0) {
			lia_err_set(c->err, "%s: cannot check the log at index %" PRIu64, c->s->path,
			    idx);
			return LIA_ERROR;
		}
		level++;
		if (m.get(m.ctx, level, idx >> level, stored) != 0) {
			if (!c->t.missing) {
				lia_err_set(c->err, "%s", c->t.err);
				return c->t.rc;
			}
			return damaged(c, (idx >> level) << level, "Merkle tree node (level %u, "
			    "index %" PRIu64 ") is missing or damaged", level, idx >> level);
		}
		if (memcmp(h, stored, HLEN) != 0)
			return damaged(c, (idx >> level) << level, "Merkle tree node (level %u, "
			    "index %" PRIu64 ") does not match the leaves below it", level,
			    idx >> level);
	}
	memcpy(c->stack[c->depth++], h, HLEN);
	c->size = idx + 1;
	return check_checkpoints(c);
}

/* Checks the current row of SL_CHECK_SCAN (idx, cose, entry hash, leaf hash) as leaf c->size. */
static int check_row(struct check *c, sqlite3_stmt *st)
{
	uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
	const uint8_t *cose = sqlite3_column_blob(st, 1);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	uint8_t leaf[HLEN], hash[HLEN];

	if (idx != c->size)
		return damaged(c, c->size, "log index %" PRIu64 " is missing", c->size);
	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		return damaged(c, idx, "the entry of log index %" PRIu64 " is missing", idx);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_bytes(st, 3) != HLEN)
		return damaged(c, idx, "the leaf hash of log index %" PRIu64 " is missing", idx);
	if (lia_merkle_leaf_hash(cose, len, leaf, NULL) != 0 ||
	    EVP_Digest(cose, len, hash, NULL, c->s->sha256, NULL) != 1) {
		lia_err_set(c->err, "%s: cannot check the log: SHA-256 failed", c->s->path);
		return LIA_ERROR;
	}
	if (memcmp(leaf, sqlite3_column_blob(st, 3), HLEN) != 0)
		return damaged(c, idx, "the COSE bytes of log index %" PRIu64 " do not match its "
		    "leaf hash", idx);
	if (sqlite3_column_bytes(st, 2) != HLEN || memcmp(hash, sqlite3_column_blob(st, 2),
	    HLEN) != 0)
		return damaged(c, idx, "the COSE bytes of log index %" PRIu64 " do not match the "
		    "entry's hash", idx);
	return check_leaf(c, idx, leaf);
}

/* After the last leaf: checkpoints beyond the log, entries outside it. */
static int check_end(struct check *c)
{
	int64_t entries = 0;
	sqlite3_stmt *st = c->s->lg[SL_ENTRY_COUNT];
	int r;

	if (c->cp_row == 1)
		return damaged(c, c->size, "a checkpoint of size %" PRIu64 " is kept but the log "
		    "has %" PRIu64 " entries", (uint64_t)sqlite3_column_int64(c->cp, 0), c->size);
	r = store_step(c->s, st, SQLITE_OK, c->err, "count the entries");
	entries = r == 1 ? sqlite3_column_int64(st, 0) : 0;
	store_finish(st);
	if (r < 0)
		return r;
	if ((uint64_t)entries != c->size)
		return damaged(c, c->size, "%" PRId64 " entries are stored but the log has %"
		    PRIu64, entries, c->size);
	return 0;
}

int lia_store_log_check(struct lia_store *s, uint64_t *bad_idx, char *err)
{
	struct check *c = calloc(1, sizeof(*c));
	sqlite3_stmt *st = s->lg[SL_CHECK_SCAN];
	int r, began;

	if (c == NULL) {
		lia_err_set(err, "%s: cannot check the log: out of memory", s->path);
		return LIA_ERROR;
	}
	c->s = s;
	c->err = err;
	c->cp = s->lg[SL_CHECKPOINTS_FROM];
	if ((began = read_begin(s, err)) < 0) {
		free(c);
		return began;
	}
	c->cp_row = store_step(s, c->cp, SQLITE_OK, err, "read the checkpoints");
	r = c->cp_row < 0 ? c->cp_row : check_checkpoints(c); /* size 0 */
	if (r == 0)
		r = store_step(s, st, SQLITE_OK, err, "read the log");
	while (r == 1) {
		if ((r = check_row(c, st)) != 0)
			break;
		r = store_step(s, st, SQLITE_OK, err, "read the log");
	}
	store_finish(st);
	if (r == 0)
		r = check_end(c);
	store_finish(c->cp);
	read_end(s, began);
	*bad_idx = r == 1 ? c->bad : c->size;
	free(c);
	return r;
}
