/*
 * bundle_cosig.c - the record verifier's checks on what witnesses signed:
 * a signature line of a log checkpoint counts as a witness's when it is a
 * valid c2sp.org/tlog-cosignature/v1 by a node of another party of the
 * charter, under the key name "<mechanism>/<witness>" and the key ID of the
 * witness's certificate key. Lines of unknown keys, lines that do not verify
 * and repeats are ignored and named (c2sp.org/signed-note); a valid line by a
 * node of the log's own party is carried, not counted. The checkpoints of other logs this node cosigned ("witnessed") must
 * carry their log's signature and this node's cosignature, without forks, in
 * ascending size. Also the warnings of a record that verified: entries not
 * yet under a checkpoint, parties that did not cosign the latest checkpoint.
 *
 * Assumes bundle_checkpoint.c read and checked every checkpoint of the log.
 */
#include "bundle_internal.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT_LEN 96   /* "checkpoint 12 (size 345)" and the like */

/* The witness node that line s names as "<mechanism>/<node>", or NULL. */
static const char *witness_name(const struct lia_bundle_ctx *ctx, const struct lia_note_sig *s)
{
	const char *mech = ctx->charter->mechanism;
	size_t len = strlen(mech);

	return strncmp(s->name, mech, len) == 0 && s->name[len] == '/' ? s->name + len + 1 : NULL;
}

/*
 * The node in ctx->nodes whose cosignature key line s is, or -1 after recording why the line is
 * ignored. c2sp.org/signed-note "Signatures": a key is a name and a key ID, and a verifier MUST
 * ignore lines of keys it does not know, even under a known name; so a line under a name that is
 * no charter node, by a node without a certificate here, or with another key ID, proves nothing
 * and fails nothing.
 */
static int witness_find(struct lia_bundle_ctx *ctx, const char *at, const struct lia_note_sig *s)
{
	struct lia_bundle_report *r = ctx->report;
	const char *w = witness_name(ctx, s);
	const struct lia_node_def *def = w != NULL ? lia_charter_node(ctx->charter, w) : NULL;
	char err[LIA_ERR_LEN] = "";
	uint32_t id = 0;
	int k = -1, found = -1;

	if (strcmp(s->name, r->origin) == 0)
		lia_bundle_report_ignore(r, "%s: a second line as %s (key ID %08" PRIx32 ") ignored: "
		    "the log's own line is the first valid one", at, s->name, s->key_id);
	else if (def == NULL)
		lia_bundle_report_ignore(r, "%s: line by \"%.80s\" ignored: an unknown key (no node of "
		    "the charter)", at, s->name);
	else if ((k = lia_bundle_node_find(ctx, w)) < 0)
		lia_bundle_report_ignore(r, "%s: line by %s ignored: certs has no certificate for %s", at,
		    w, w);
	else if (lia_note_key_id(s->name, LIA_NOTE_COSIG_V1, ctx->nodes[k].raw, &id, err) != 0 ||
	    id != s->key_id)
		lia_bundle_report_ignore(r, "%s: line as %s by key ID %08" PRIx32 " ignored: an unknown "
		    "key, not the cosignature key of %s (%08" PRIx32 ")", at, s->name, s->key_id, w, id);
	else
		found = k;
	return found;
}

/* c2sp.org/tlog-cosignature: line j of checkpoint c, alone, verifies as witness k's cosignature/v1. */
static int cosig_valid(const struct lia_bundle_cp *c, size_t j, const struct lia_bundle_node *w,
    char *err)
{
	struct lia_note_sig sig = c->note.sigs[j];
	struct lia_note one = c->note;
	uint64_t when = 0;

	/* Verify this line on its own, so that every line is judged, not just the first. */
	one.sigs = &sig;
	one.nsigs = 1;
	return lia_cosig_verify(&one, sig.name, w->raw, &when, err);
}

/*
 * Line j of checkpoint c. Only a valid cosignature of a node of another party counts, once per
 * node and checkpoint; one of the log's own party is carried but not counted (docs/record.md
 * "Witnesses"); everything else is ignored and named in the report. Never fails.
 */
static void cosig_line(struct lia_bundle_ctx *ctx, const char *at, const struct lia_bundle_cp *c,
    size_t j, unsigned *mask, uint8_t *counted)
{
	struct lia_bundle_report *r = ctx->report;
	char err[LIA_ERR_LEN] = "";
	const struct lia_bundle_node *w;
	int k = witness_find(ctx, at, &c->note.sigs[j]);

	w = k >= 0 ? &ctx->nodes[k] : NULL;
	if (w == NULL) {
		/* witness_find named why the line is ignored */
	} else if (cosig_valid(c, j, w, err) != 0) {
		lia_bundle_report_ignore(r, "%s: line by %s ignored: %s", at, w->name, err);
	} else if (counted[k]) {
		lia_bundle_report_ignore(r, "%s: a second valid line by %s ignored", at, w->name);
	} else if (w->party == ctx->nodes[ctx->self].party) {
		counted[k] = 1;
		r->parties[w->party].carried++;
		lia_bundle_report_ignore(r, "%s: cosignature by %s carried, not counted: %s is of the "
		    "log's own party %s, and witnesses are other parties' nodes", at, w->name, w->name,
		    r->parties[w->party].name);
	} else {
		counted[k] = 1;
		*mask |= 1u << w->party;
		r->parties[w->party].cosignatures++;
	}
}

int lia_bundle_cosig_check(struct lia_bundle_ctx *ctx)
{
	struct lia_bundle_report *r = ctx->report;
	uint8_t counted[LIA_MAX_NODES];
	unsigned all = 0;
	char at[AT_LEN];

	for (int p = 0; p < r->n_parties; p++)
		if (!r->parties[p].is_log_party)
			all |= 1u << p;
	for (size_t i = 0; i < ctx->n_cps; i++) {
		const struct lia_bundle_cp *c = &ctx->cps[i];
		unsigned mask = 0;
		memset(counted, 0, sizeof(counted));
		snprintf(at, sizeof(at), "checkpoint %zu (size %" PRIu64 ")", i, c->cp.size);
		for (size_t j = 0; j < c->note.nsigs; j++)
			if (j != c->log_sig)
				cosig_line(ctx, at, c, j, &mask, counted);
		r->cps[i].cosigned = mask;
		/* Nothing of the log up to this size can be dropped or altered unseen by every party. */
		if (all != 0 && (mask & all) == all)
			r->cosigned_size = c->cp.size;
	}
	return 0;
}

void lia_bundle_cosig_warnings(struct lia_bundle_ctx *ctx)
{
	struct lia_bundle_report *r = ctx->report;
	unsigned mask = r->checkpoints > 0 ? r->cps[r->checkpoints - 1].cosigned : 0;

	if (r->checkpoints == 0 && ctx->n_entries > 0)
		lia_bundle_report_warn(r, "no checkpoint: none of the %zu entries is under a signed "
		    "checkpoint yet", ctx->n_entries);
	else if (r->covered < ctx->n_entries)
		lia_bundle_report_warn(r, "%" PRIu64 " entries (%" PRIu64 "..%zu) are not yet under a "
		    "checkpoint", (uint64_t)ctx->n_entries - r->covered, r->covered, ctx->n_entries - 1);
	for (int p = 0; p < r->n_parties; p++) {
		r->parties[p].cosigned_latest = (mask >> p) & 1;
		if (r->checkpoints > 0 && !r->parties[p].is_log_party && !r->parties[p].cosigned_latest)
			lia_bundle_report_warn(r, "the latest checkpoint (size %" PRIu64 ") is not cosigned "
			    "by %s", r->covered, r->parties[p].name);
	}
}

/* ---- other logs' checkpoints this node cosigned ---- */

/* Witnessed checkpoint c carries this node's own valid cosignature. */
static int witnessed_cosigned(struct lia_bundle_ctx *ctx, const char *what, size_t i,
    const struct lia_bundle_cp *c)
{
	const struct lia_bundle_node *self = &ctx->nodes[ctx->self];
	char err[LIA_ERR_LEN] = "";
	uint64_t when = 0;
	int rc = -1;

	if (lia_cosig_verify(&c->note, ctx->report->origin, self->raw, &when, err) != 0)
		lia_bundle_report_fail(ctx->report, "witnessed", "%s %zu (size %" PRIu64 "): no valid "
		    "cosignature by %s: %s", what, i, c->cp.size, self->name, err);
	else
		rc = 0;
	return rc;
}

/* Sizes strictly ascend (forks were ruled out before, so an equal size is a repeat). */
static int witnessed_order(struct lia_bundle_ctx *ctx, const char *what,
    const struct lia_bundle_cp *cps, size_t n)
{
	int rc = 0;

	for (size_t i = 1; i < n && rc == 0; i++) {
		if (cps[i].cp.size <= cps[i - 1].cp.size)
			rc = lia_bundle_report_fail(ctx->report, "witnessed", "%s %zu (size %" PRIu64 ") %s "
			    "%s %zu (size %" PRIu64 "): sizes must ascend", what, i, cps[i].cp.size,
			    cps[i].cp.size == cps[i - 1].cp.size ? "repeats" : "comes after", what, i - 1,
			    cps[i - 1].cp.size);
	}
	return rc;
}

/* The peer's log can be named and checked: a charter node other than this one, with a certificate. */
static int witnessed_peer(struct lia_bundle_ctx *ctx, const char *peer, const json_t *arr, int *k)
{
	struct lia_bundle_report *r = ctx->report;
	int rc = -1;

	if (!json_is_array(arr))
		lia_bundle_report_fail(r, "witnessed", "witnessed member \"%.40s\" is not an array", peer);
	else if (strcmp(peer, r->node) == 0)
		lia_bundle_report_fail(r, "witnessed", "witnessed lists %s, the node's own log", peer);
	else if ((*k = lia_bundle_node_find(ctx, peer)) < 0)
		lia_bundle_report_fail(r, "witnessed", "witnessed lists \"%.40s\", but certs has no "
		    "certificate for it", peer);
	else
		rc = 0;
	return rc;
}

/* Checks witnessed[peer]: each checkpoint signed by the peer and cosigned by this node, no fork, ascending. */
static int witnessed_log(struct lia_bundle_ctx *ctx, const char *peer, const json_t *arr)
{
	size_t n = json_array_size(arr), got = 0;
	struct lia_bundle_cp *cps = NULL;
	char origin[LIA_NOTE_NAME_MAX + 1], what[AT_LEN];
	int k = -1, rc = -1;

	if (witnessed_peer(ctx, peer, arr, &k) != 0)
		goto out;
	snprintf(origin, sizeof(origin), "%s/%s", ctx->charter->mechanism, ctx->nodes[k].name);
	snprintf(what, sizeof(what), "%s's checkpoint", ctx->nodes[k].name);
	if ((cps = calloc(n > 0 ? n : 1, sizeof(*cps))) == NULL) {
		lia_bundle_oom(ctx, "holding witnessed checkpoints");
		goto out;
	}
	for (got = 0; got < n; got++)
		if (lia_bundle_checkpoint_read(ctx, "witnessed", what, got, json_array_get(arr, got),
		    origin, ctx->nodes[k].raw, &cps[got]) != 0 ||
		    witnessed_cosigned(ctx, what, got, &cps[got]) != 0)
			goto out;
	if (lia_bundle_checkpoint_forks(ctx, "witnessed", what, cps, n) != 0 ||
	    witnessed_order(ctx, what, cps, n) != 0)
		goto out;
	ctx->report->witnessed += n;
	rc = 0;
out:
	/* A checkpoint that failed after it was read still holds its note. */
	lia_bundle_checkpoint_free(cps, got < n ? got + 1 : n);
	return rc;
}

int lia_bundle_cosig_witnessed(struct lia_bundle_ctx *ctx)
{
	const char *peer;
	json_t *arr;
	int rc = 0;

	json_object_foreach(json_object_get(ctx->root, "witnessed"), peer, arr) {
		if ((rc = witnessed_log(ctx, peer, arr)) != 0)
			break;
	}
	return rc;
}
