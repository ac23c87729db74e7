/*
 * bundle_checkpoint.c - the record verifier's checks on the log's
 * checkpoints (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note): each
 * parses, names this log as its origin and carries the node's Ed25519 note
 * signature; no two of them give one size two roots (a fork); their sizes
 * ascend and stay within the log; each root is the RFC 9162 section 2.1.1
 * Merkle Tree Hash of the first `size` entries (leaf = 0x00 || exact COSE
 * bytes); and each is shown consistent with the one before by an RFC 9162
 * section 2.1.4 consistency proof made and checked as a witness would.
 *
 * Assumes bundle_log.c kept every entry's bytes; the tree lives in memory,
 * as complete subtrees in merkle.h's layout, for this run only.
 */
#include "bundle_internal.h"
#include "err.h"
#include "merkle.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define HLEN LIA_MERKLE_HASH_LEN
#define MAX_LEVELS 64

/* A Merkle tree in memory: level l holds the complete nodes of 2^l leaves. */
struct mem_tree {
	uint8_t (*level[MAX_LEVELS])[HLEN];
	uint64_t cap;              /* leaves it has room for */
	uint64_t size;             /* leaves appended so far */
};

/* ---- the in-memory tree (merkle.h node storage) ---- */

static int tree_get(void *arg, unsigned level, uint64_t index, uint8_t out[HLEN])
{
	struct mem_tree *t = arg;
	int rc = -1;

	if (level < MAX_LEVELS && t->level[level] != NULL && index < (t->size >> level)) {
		memcpy(out, t->level[level][index], HLEN);
		rc = 0;
	}
	return rc;
}

static int tree_put(void *arg, unsigned level, uint64_t index, const uint8_t h[HLEN])
{
	struct mem_tree *t = arg;
	int rc = -1;

	if (level < MAX_LEVELS && t->level[level] != NULL && index < (t->cap >> level)) {
		memcpy(t->level[level][index], h, HLEN);
		rc = 0;
	}
	return rc;
}

static void tree_finish(struct mem_tree *t)
{
	for (unsigned l = 0; l < MAX_LEVELS; l++)
		free(t->level[l]);
	memset(t, 0, sizeof(*t));
}

/* Room for cap leaves: level l gets cap >> l nodes. 0, or -1 when out of memory. */
static int tree_init(struct mem_tree *t, uint64_t cap)
{
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->cap = cap;
	for (unsigned l = 0; l < MAX_LEVELS && (cap >> l) > 0 && rc == 0; l++)
		if ((t->level[l] = calloc((size_t)(cap >> l), HLEN)) == NULL)
			rc = -1;
	if (rc != 0)
		tree_finish(t);
	return rc;
}

/* Appends the log's entries as leaves until the tree holds size of them. */
static int tree_grow(struct lia_bundle_ctx *ctx, struct mem_tree *t,
    const struct lia_merkle_store *st, uint64_t size)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN];
	int rc = 0;

	while (t->size < size && rc == 0) {
		const struct lia_bundle_entry *e = &ctx->entries[t->size];
		/* RFC 9162 section 2.1.1: leaf hash = SHA-256(0x00 || entry bytes). */
		if (lia_merkle_leaf_hash(e->cose, e->len, leaf, err) != 0) {
			rc = -1;
			break;
		}
		t->size++;
		rc = lia_merkle_append(st, t->size - 1, leaf, err);
	}
	if (rc != 0) {
		ctx->internal = 1;
		lia_bundle_report_fail(ctx->report, "verifier", "cannot build the Merkle tree: %s", err);
	}
	return rc;
}

/* ---- reading and forks ---- */

/* The first valid signature line of note by (name, pub as type 0x01); lia_note_verify found one. */
static size_t log_sig_line(const struct lia_note *note, const char *name, const uint8_t pub[32])
{
	struct lia_note_key key = { name, LIA_NOTE_ED25519, pub };
	size_t j = note->nsigs;

	if (lia_note_find(note, &key, &j, NULL, NULL) != 0)
		j = note->nsigs;
	return j;
}

int lia_bundle_checkpoint_read(struct lia_bundle_ctx *ctx, const char *check, const char *what,
    size_t i, const json_t *v, const char *origin, const uint8_t pub[static 32],
    struct lia_bundle_cp *out)
{
	struct lia_bundle_report *r = ctx->report;
	char err[LIA_ERR_LEN] = "";
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!json_is_string(v) || json_string_length(v) > LIA_NOTE_MAX) {
		lia_bundle_report_fail(r, check, "%s %zu is not a string of at most %d bytes", what, i,
		    LIA_NOTE_MAX);
	} else if (lia_note_parse(json_string_value(v), json_string_length(v), &out->note, err) != 0) {
		lia_bundle_report_fail(r, check, "%s %zu is not a signed note: %s", what, i, err);
	} else if (lia_checkpoint_parse(out->note.body, out->note.body_len, &out->cp, err) != 0) {
		lia_bundle_report_fail(r, check, "%s %zu is not a checkpoint: %s", what, i, err);
	} else if (strcmp(out->cp.origin, origin) != 0) {
		lia_bundle_report_fail(r, check, "%s %zu (size %" PRIu64 "): origin \"%.80s\" is not %s",
		    what, i, out->cp.size, out->cp.origin, origin);
	} else if (lia_note_verify(&out->note, origin, pub, err) != 0) {
		/* c2sp.org/signed-note: the log's own key must have signed the note text. */
		lia_bundle_report_fail(r, check, "%s %zu (size %" PRIu64 "): not signed by the key of %s "
		    "in the charter: %s", what, i, out->cp.size, origin, err);
	} else {
		out->log_sig = log_sig_line(&out->note, origin, pub);
		rc = 0;
	}
	if (rc != 0)
		lia_note_finish(&out->note);
	return rc;
}

void lia_bundle_checkpoint_free(struct lia_bundle_cp *cps, size_t n)
{
	for (size_t i = 0; cps != NULL && i < n; i++)
		lia_note_finish(&cps[i].note);
	free(cps);
}

struct fork_key {
	uint64_t size;
	size_t index;
};

static int fork_cmp(const void *a, const void *b)
{
	const struct fork_key *x = a, *y = b;
	int c = (x->size > y->size) - (x->size < y->size);

	return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

int lia_bundle_checkpoint_forks(struct lia_bundle_ctx *ctx, const char *check, const char *what,
    const struct lia_bundle_cp *cps, size_t n)
{
	struct fork_key *keys = calloc(n > 0 ? n : 1, sizeof(*keys));
	int rc = -1;

	if (keys == NULL) {
		lia_bundle_oom(ctx, "sorting checkpoints");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct fork_key){ cps[i].cp.size, i };
	qsort(keys, n, sizeof(*keys), fork_cmp);
	for (size_t k = 1; k < n; k++) {
		const struct fork_key *a = &keys[k - 1], *b = &keys[k];
		/* Two signed views of one size that differ: the log showed two histories. */
		if (a->size == b->size && memcmp(cps[a->index].cp.root, cps[b->index].cp.root, HLEN) != 0) {
			lia_bundle_report_fail(ctx->report, check, "%ss %zu and %zu: two checkpoints for size "
			    "%" PRIu64 " with different roots: fork", what, a->index, b->index, a->size);
			goto out;
		}
	}
	rc = 0;
out:
	free(keys);
	return rc;
}

/* ---- sizes, roots, consistency ---- */

/* Checkpoint i's size ascends from the one before and stays within the log. */
static int cp_size(struct lia_bundle_ctx *ctx, size_t i)
{
	const struct lia_checkpoint *cp = &ctx->cps[i].cp, *prev = i > 0 ? &ctx->cps[i - 1].cp : NULL;
	struct lia_bundle_report *r = ctx->report;
	int rc = -1;

	if (prev != NULL && cp->size == prev->size)
		lia_bundle_report_fail(r, "checkpoints", "checkpoint %zu (size %" PRIu64 ") repeats "
		    "checkpoint %zu", i, cp->size, i - 1);
	else if (prev != NULL && cp->size < prev->size)
		lia_bundle_report_fail(r, "checkpoints", "checkpoint %zu (size %" PRIu64 ") comes after "
		    "checkpoint %zu (size %" PRIu64 "): sizes must ascend", i, cp->size, i - 1, prev->size);
	else if (cp->size > ctx->n_entries)
		lia_bundle_report_fail(r, "checkpoints", "checkpoint %zu (size %" PRIu64 ") covers more "
		    "entries than the record's %zu: entries were dropped after it was signed", i, cp->size,
		    ctx->n_entries);
	else
		rc = 0;
	return rc;
}

/* RFC 9162 section 2.1.4: a proof from the tree itself that checkpoint i extends i - 1. */
static int cp_consistent(struct lia_bundle_ctx *ctx, const struct lia_merkle_store *st, size_t i)
{
	const struct lia_checkpoint *cp = &ctx->cps[i].cp, *prev = &ctx->cps[i - 1].cp;
	struct lia_merkle_proof proof;
	char err[LIA_ERR_LEN] = "";
	int rc = -1;

	if (lia_merkle_consistency_proof(st, prev->size, cp->size, &proof, err) != 0 ||
	    lia_merkle_verify_consistency(prev->size, cp->size, prev->root, cp->root, &proof, err) != 0)
		lia_bundle_report_fail(ctx->report, "checkpoints", "checkpoint %zu (size %" PRIu64 ") is "
		    "not consistent with checkpoint %zu (size %" PRIu64 "): %s", i, cp->size, i - 1,
		    prev->size, err);
	else
		rc = 0;
	return rc;
}

/* Checkpoint i: size, root over the entries, consistency with i - 1; counted when all hold. */
static int cp_check(struct lia_bundle_ctx *ctx, struct mem_tree *t,
    const struct lia_merkle_store *st, size_t i)
{
	const struct lia_checkpoint *cp = &ctx->cps[i].cp;
	struct lia_bundle_report *r = ctx->report;
	char err[LIA_ERR_LEN] = "";
	uint8_t root[HLEN];
	int rc = -1;

	if (cp_size(ctx, i) != 0 || tree_grow(ctx, t, st, cp->size) != 0)
		goto out;
	if (lia_merkle_root(st, cp->size, root, err) != 0) {
		ctx->internal = 1;
		lia_bundle_report_fail(r, "verifier", "cannot compute the Merkle root: %s", err);
		goto out;
	}
	if (memcmp(root, cp->root, HLEN) != 0) {
		if (cp->size == 0)
			lia_bundle_report_fail(r, "checkpoints", "checkpoint %zu (size 0): root is not the "
			    "empty log's", i);
		else
			lia_bundle_report_fail(r, "checkpoints", "checkpoint %zu (size %" PRIu64 "): root does "
			    "not match entries 0..%" PRIu64 " \xe2\x80\x94 the log was altered after it was "
			    "signed", i, cp->size, cp->size - 1);
		goto out;
	}
	if (i > 0 && ctx->cps[i - 1].cp.size > 0 && cp_consistent(ctx, st, i) != 0)
		goto out;
	r->cps[r->checkpoints].size = cp->size;
	r->checkpoints++;
	r->covered = cp->size;
	rc = 0;
out:
	return rc;
}

/* Reads every checkpoint of the log (parse, origin, signature) into ctx->cps. */
static int read_all(struct lia_bundle_ctx *ctx)
{
	json_t *arr = json_object_get(ctx->root, "checkpoints");
	const struct lia_bundle_node *self = &ctx->nodes[ctx->self];
	size_t n = json_array_size(arr);
	int rc = -1;

	ctx->cps = calloc(n > 0 ? n : 1, sizeof(*ctx->cps));
	ctx->report->cps = calloc(n > 0 ? n : 1, sizeof(*ctx->report->cps));
	if (ctx->cps == NULL || ctx->report->cps == NULL) {
		lia_bundle_oom(ctx, "holding the checkpoints");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (lia_bundle_checkpoint_read(ctx, "checkpoints", "checkpoint", i, json_array_get(arr, i),
		    ctx->report->origin, self->raw, &ctx->cps[i]) != 0)
			goto out;
		ctx->n_cps++;
	}
	rc = 0;
out:
	return rc;
}

int lia_bundle_checkpoint_check(struct lia_bundle_ctx *ctx)
{
	struct mem_tree t;
	struct lia_merkle_store st = { tree_get, tree_put, &t };
	int rc = -1;

	memset(&t, 0, sizeof(t));
	if (read_all(ctx) != 0 ||
	    lia_bundle_checkpoint_forks(ctx, "checkpoints", "checkpoint", ctx->cps, ctx->n_cps) != 0)
		goto out;
	if (tree_init(&t, ctx->n_entries) != 0) {
		lia_bundle_oom(ctx, "holding the Merkle tree");
		goto out;
	}
	for (size_t i = 0; i < ctx->n_cps; i++)
		if (cp_check(ctx, &t, &st, i) != 0)
			goto out;
	rc = 0;
out:
	tree_finish(&t);
	return rc;
}
