/*
 * bundle_log.c - the record verifier's checks on the log's entries: each is
 * canonical base64 of a COSE_Sign1 entry signed by its origin's certificate
 * key; the node's own entries run tokyo/1, tokyo/2, ... in log order with no
 * gap or repeat; every other origin's entries ascend (a node receives only
 * what is addressed to it, so their seqs may skip); every receipt in the log
 * names the exact bytes the log holds for the entry it answers.
 *
 * Assumes bundle.c checked the format and certificates: "entries" is an
 * array and ctx->nodes holds every certificate the charter accepted. Keeps
 * the exact COSE bytes of every entry for the Merkle checks that follow.
 */
#include "bundle_internal.h"
#include "cert.h"
#include "cose.h"
#include "encoding.h"
#include "entry.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64_MAX LIA_BASE64_LEN(LIA_COSE_MAX) /* base64 of the largest entry */

/* Canonical padded base64 (encoding.h) into a buffer of its own; *out is the caller's. */
static int b64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *buf = malloc(len / 4 * 3 + 1);
	int rc = -1;

	if (buf != NULL && lia_base64_decode(in, len, buf, len / 4 * 3, out_len) == 0) {
		*out = buf;
		buf = NULL;
		rc = 0;
	}
	free(buf);
	return rc;
}

/* Keeps e's hash and the entries parsed names by hash: a receipt's (ack, overdue, test answer) and an incident's subject. */
static void keep_refs(struct lia_bundle_entry *e, const struct lia_entry *parsed)
{
	int has_ref = parsed->type == LIA_ENTRY_RECEIPT || parsed->type == LIA_ENTRY_ACK ||
	    parsed->type == LIA_ENTRY_OVERDUE || parsed->type == LIA_ENTRY_LINKTEST_ANSWER;

	lia_entry_hash(e->cose, e->len, e->hash);
	if (has_ref) {
		snprintf(e->refs[e->n_refs].origin, sizeof(e->refs[0].origin), "%s", parsed->ref_origin);
		e->refs[e->n_refs].seq = parsed->ref_seq;
		memcpy(e->refs[e->n_refs++].hash, parsed->ref_hash, 32);
	}
	if (parsed->type == LIA_ENTRY_INCIDENT && parsed->subj_origin[0] != '\0') {
		snprintf(e->refs[e->n_refs].origin, sizeof(e->refs[0].origin), "%s", parsed->subj_origin);
		e->refs[e->n_refs].seq = parsed->subj_seq;
		memcpy(e->refs[e->n_refs++].hash, parsed->subj_hash, 32);
	}
}

/* Decodes entries[i] into *e, checking its COSE and its origin's signature. */
static int entry_read(struct lia_bundle_ctx *ctx, size_t i, const json_t *v,
    struct lia_bundle_entry *e)
{
	struct lia_bundle_report *r = ctx->report;
	struct lia_entry parsed;
	char err[LIA_ERR_LEN] = "";
	int rc = -1;

	memset(&parsed, 0, sizeof(parsed));
	if (!json_is_string(v) || json_string_length(v) > B64_MAX ||
	    b64_decode(json_string_value(v), json_string_length(v), &e->cose, &e->len) != 0) {
		lia_bundle_report_fail(r, "entries", "entry %zu is not the base64 of at most %d bytes",
		    i, LIA_COSE_MAX);
	} else if (lia_entry_open(e->cose, e->len, &parsed, err) != 0) {
		lia_bundle_report_fail(r, "entries", "entry %zu is not a signed entry: %s", i, err);
	} else if ((e->node = lia_bundle_node_find(ctx, parsed.origin)) < 0) {
		lia_bundle_report_fail(r, "entries", "entry %zu (%s/%" PRIu64 "): certs has no "
		    "certificate for its origin %s", i, parsed.origin, parsed.seq, parsed.origin);
	} else {
		e->seq = parsed.seq;
		lia_entry_finish(&parsed);
		if (lia_entry_verify(e->cose, e->len, ctx->nodes[e->node].pub, &parsed, err) != 0)
			lia_bundle_report_fail(r, "entries", "entry %zu (%s/%" PRIu64 "): signature does not "
			    "verify", i, ctx->nodes[e->node].name, e->seq);
		/* A certificate vouches for what was signed while it was valid, not for ever. */
		else if (lia_cert_valid_at(ctx->nodes[e->node].cert, parsed.time_ms, err) != 0)
			lia_bundle_report_fail(r, "entries", "entry %zu (%s/%" PRIu64 "): signed at a time "
			    "outside its certificate: %s", i, ctx->nodes[e->node].name, e->seq, err);
		else
			rc = 0;
	}
	if (rc == 0)
		keep_refs(e, &parsed);
	lia_entry_finish(&parsed);
	return rc;
}

int lia_bundle_log_entries(struct lia_bundle_ctx *ctx)
{
	json_t *entries = json_object_get(ctx->root, "entries");
	size_t n = json_array_size(entries);
	struct lia_bundle_entry e;
	int rc = -1;

	ctx->entries = calloc(n > 0 ? n : 1, sizeof(*ctx->entries));
	if (ctx->entries == NULL) {
		lia_bundle_oom(ctx, "holding the entries");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		if (entry_read(ctx, i, json_array_get(entries, i), &e) != 0) {
			free(e.cose);
			goto out;
		}
		ctx->entries[ctx->n_entries++] = e;
		ctx->report->entries++;
		ctx->report->own_entries += e.node == ctx->self;
	}
	rc = 0;
out:
	return rc;
}

/* ---- order ---- */

/* The first entry from from on whose id is (node, seq), or SIZE_MAX. */
static size_t entry_find(const struct lia_bundle_ctx *ctx, size_t from, int node, uint64_t seq)
{
	size_t found = SIZE_MAX;

	for (size_t j = from; j < ctx->n_entries && found == SIZE_MAX; j++)
		if (ctx->entries[j].node == node && ctx->entries[j].seq == seq)
			found = j;
	return found;
}

/* Names what is wrong when the node's entry i is not tokyo/<expect>. Returns -1. */
static int own_out_of_order(struct lia_bundle_ctx *ctx, size_t i, uint64_t expect)
{
	const char *me = ctx->nodes[ctx->self].name;
	uint64_t seq = ctx->entries[i].seq;
	size_t later = seq > expect ? entry_find(ctx, i + 1, ctx->self, expect) : SIZE_MAX;

	if (seq < expect)
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " repeats "
		    "entry %zu", i, me, seq, entry_find(ctx, 0, ctx->self, seq));
	else if (later != SIZE_MAX)
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " comes "
		    "before %s/%" PRIu64 " (entry %zu): entries reordered", i, me, seq, me, expect, later);
	else if (expect == 1)
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " is the "
		    "node's first entry: %s/1 is missing (dropped or reordered)", i, me, seq, me);
	else
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " follows "
		    "%s/%" PRIu64 ": %s/%" PRIu64 " is missing (dropped or reordered)", i, me, seq, me,
		    expect - 1, me, expect);
	return -1;
}

/* Another origin's entries ascend: entry i must be above the last one seen from it. */
static int peer_in_order(struct lia_bundle_ctx *ctx, size_t i)
{
	const struct lia_bundle_entry *e = &ctx->entries[i];
	struct lia_bundle_node *n = &ctx->nodes[e->node];
	int rc = -1;

	if (n->last_seq != 0 && e->seq == n->last_seq) {
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " repeats entry %zu",
		    i, n->name, e->seq, n->last_index);
	} else if (n->last_seq != 0 && e->seq < n->last_seq) {
		lia_bundle_report_fail(ctx->report, "order", "entry %zu: %s/%" PRIu64 " comes after "
		    "%s/%" PRIu64 " (entry %zu): entries from %s reordered", i, n->name, e->seq, n->name,
		    n->last_seq, n->last_index, n->name);
	} else {
		n->last_seq = e->seq;
		n->last_index = i;
		rc = 0;
	}
	return rc;
}

int lia_bundle_log_order(struct lia_bundle_ctx *ctx)
{
	uint64_t expect = 1;
	int rc = 0;

	for (size_t i = 0; i < ctx->n_entries && rc == 0; i++) {
		if (ctx->entries[i].node != ctx->self)
			rc = peer_in_order(ctx, i);
		else if (ctx->entries[i].seq == expect)
			expect++;
		else
			rc = own_out_of_order(ctx, i, expect);
		ctx->report->entries_in_order += rc == 0;
	}
	return rc;
}

/* ---- receipts ---- */

struct id_key {
	int node;
	uint64_t seq;
	size_t index;
};

static int id_cmp(const void *a, const void *b)
{
	const struct id_key *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Short hex of the first 8 bytes of h for a sentence. */
static void short_hex(const uint8_t h[32], char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/*
 * A receipt is the receiver's signed word on the exact bytes it got (docs/wire.md: ref-hash is
 * the SHA-256 of the referenced COSE bytes). When the log holds both, they must agree: an entry
 * changed after its receipt was signed, and re-signed by its origin, fails here even where no
 * checkpoint covers it yet.
 */
static int ref_check(struct lia_bundle_ctx *ctx, const struct id_key *ids, size_t i, int r)
{
	const struct lia_bundle_entry *e = &ctx->entries[i];
	int node = lia_bundle_node_find(ctx, e->refs[r].origin);
	struct id_key want = { node, e->refs[r].seq, 0 }, *hit;
	char a[17], b[17];
	int rc = 0;

	hit = node < 0 ? NULL : bsearch(&want, ids, ctx->n_entries, sizeof(*ids), id_cmp);
	/*
	 * The node logs each of its own entries when it makes it, before anyone can answer it, so
	 * an answer to an own entry the record lacks shows that entry was dropped. Another node's
	 * entry may simply never have been sent here: nothing to hold it against.
	 */
	if (hit == NULL && node == ctx->self)
		rc = lia_bundle_report_fail(ctx->report, "receipts", "entry %zu (%s/%" PRIu64 ") names "
		    "%s/%" PRIu64 ", which the record does not hold: the node's own entry was dropped",
		    i, ctx->nodes[e->node].name, e->seq, e->refs[r].origin, e->refs[r].seq);
	if (hit == NULL)
		goto out;
	ctx->report->receipts++;
	if (memcmp(ctx->entries[hit->index].hash, e->refs[r].hash, 32) != 0) {
		short_hex(e->refs[r].hash, a);
		short_hex(ctx->entries[hit->index].hash, b);
		rc = lia_bundle_report_fail(ctx->report, "receipts", "entry %zu (%s/%" PRIu64 ") names "
		    "%s/%" PRIu64 " with hash %s..., but entry %zu of the record hashes to %s...: it was "
		    "altered after %s signed for it", i, ctx->nodes[e->node].name, e->seq,
		    e->refs[r].origin, e->refs[r].seq, a, hit->index, b, ctx->nodes[e->node].name);
	}
out:
	return rc;
}

int lia_bundle_log_receipts(struct lia_bundle_ctx *ctx)
{
	struct id_key *ids = calloc(ctx->n_entries > 0 ? ctx->n_entries : 1, sizeof(*ids));
	int rc = -1;

	if (ids == NULL) {
		lia_bundle_oom(ctx, "indexing the entries");
		goto out;
	}
	for (size_t i = 0; i < ctx->n_entries; i++)
		ids[i] = (struct id_key){ ctx->entries[i].node, ctx->entries[i].seq, i };
	/* The order check ruled out repeats, so each (origin, seq) is there once. */
	qsort(ids, ctx->n_entries, sizeof(*ids), id_cmp);
	for (size_t i = 0; i < ctx->n_entries; i++)
		for (int r = 0; r < ctx->entries[i].n_refs; r++)
			if (ref_check(ctx, ids, i, r) != 0)
				goto out;
	rc = 0;
out:
	free(ids);
	return rc;
}
