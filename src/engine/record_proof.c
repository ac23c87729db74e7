/*
 * record_proof.c - inclusion proofs of the joint record (record.h): the
 * proofs this node gives a peer that asks, the ones it asks of a peer for
 * the API, and the check of either against a signed, cosigned checkpoint.
 * A peer's proof is hostile input: the note's signature is checked with the
 * key of the log's node and the proof against the checkpoint's root.
 */
#include "record_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "merkle.h"
#include "note.h"

#define GO_ON 0
#define DROP (-1)

struct cosig_text {
	char *text;
	size_t len;
	int failed;
};

static int append_cosig(void *ctx, const char *witness, const char *line, int64_t received_ms)
{
	struct cosig_text *t = ctx;
	size_t n = strlen(line);
	char *grown = realloc(t->text, t->len + n + 2);

	if (grown == NULL) {
		t->failed = 1;
		return 1;
	}
	memcpy(grown + t->len, line, n);
	grown[t->len + n] = '\n';
	grown[t->len + n + 1] = '\0';
	t->text = grown;
	t->len += n + 1;
	return 0;
}

/* The signed note of own checkpoint size with every cosignature line received for it (caller frees). */
char *lia_record_note_with_cosignatures(struct lia_node *n, uint64_t size, char *err)
{
	struct cosig_text t = {0};

	if (lia_store_checkpoint(n->store, size, &t.text, err) < 0)
		return NULL;
	t.len = strlen(t.text);
	if (lia_store_scan_cosignatures(n->store, size, append_cosig, &t, err) < 0 || t.failed) {
		free(t.text);
		return NULL;
	}
	return t.text;
}

/* The smallest usable checkpoint for index idx: the one `preferred` (if it covers idx), else the latest. */
static int pick_checkpoint(struct lia_node *n, uint64_t idx, uint64_t preferred, uint64_t *size,
    char *err)
{
	uint64_t latest = 0;
	uint8_t root[32];
	char *note = NULL;
	int rc = lia_store_latest_checkpoint(n->store, &latest, root, &note, err);

	free(note);
	*size = 0;
	if (rc < 0 && rc != LIA_ENOTFOUND)
		return -1;
	if (preferred > idx)
		*size = preferred;
	else if (latest > idx)
		*size = latest;
	return 0;
}

int lia_record_handle_proof_request(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err)
{
	struct lia_frame p = {.kind = LIA_FRAME_PROOF, .request = f->request};
	struct lia_merkle_proof proof = {0};
	uint64_t idx = 0, cosigned = 0;
	char *note = NULL;
	int rc = lia_store_log_index(n->store, f->node, f->seq, &idx, err);

	if (rc == 0 && (lia_store_cosigned_size(n->store, io->peer->name, &cosigned, err) < 0 ||
	    pick_checkpoint(n, idx, cosigned, &p.size, err) < 0))
		return DROP;
	if (rc < 0 && rc != LIA_ENOTFOUND)
		return DROP;
	if (rc == 0 && p.size > 0) {
		if (lia_store_inclusion_proof(n->store, idx, p.size, &proof, err) < 0 ||
		    (note = lia_record_note_with_cosignatures(n, p.size, err)) == NULL)
			return DROP;
		p.index = idx;
		p.proof = (uint8_t *)proof.hash;
		p.proof_len = proof.len * 32;
		p.note = (uint8_t *)note;
		p.note_len = strlen(note);
	}
	rc = io->send(io->ctx, &p) < 0 ? DROP : GO_ON;
	free(note);
	return rc;
}

/* Names every node (other than the log's) whose cosignature on note verifies. */
json_t *lia_record_cosigners(struct lia_node *n, const struct lia_note *note, const char *log_node)
{
	json_t *names = json_array();
	char name[LIA_NOTE_NAME_MAX + 1], err[LIA_ERR_LEN];

	for (int i = 0; i < n->charter->n_nodes; i++) {
		const char *who = n->charter->nodes[i].name;
		EVP_PKEY *key = NULL;
		uint8_t pub[32];
		uint64_t when;

		if (strcmp(who, log_node) == 0 || lia_node_public_key(n, who, &key, err) < 0)
			continue;
		lia_record_origin(n, who, name);
		if (lia_record_raw_key(key, pub, err) == 0 && lia_cosig_verify(note, name, pub, &when, err) == 0)
			json_array_append_new(names, json_string(who));
		EVP_PKEY_free(key);
	}
	return names;
}

/* Checks an inclusion proof of cose at index under a signed note of log_node; fills result. */
static void check_inclusion(struct lia_node *n, const char *log_node, const uint8_t *cose,
    size_t cose_len, uint64_t index, uint64_t size, const struct lia_merkle_proof *proof,
    const char *note_text, json_t *result)
{
	char name[LIA_NOTE_NAME_MAX + 1], err[LIA_ERR_LEN] = "";
	struct lia_note note = {0};
	struct lia_checkpoint cp;
	uint8_t leaf[32], pub[32];
	EVP_PKEY *key = NULL;
	int ok = 0;

	lia_record_origin(n, log_node, name);
	if (lia_node_public_key(n, log_node, &key, err) == 0 && lia_record_raw_key(key, pub, err) == 0 &&
	    lia_note_parse(note_text, strlen(note_text), &note, err) == 0 &&
	    lia_note_verify(&note, name, pub, err) == 0 &&
	    lia_checkpoint_parse(note.body, note.body_len, &cp, err) == 0) {
		if (cp.size != size)
			lia_err_set(err, "the checkpoint is of size %" PRIu64 ", the proof of %" PRIu64,
			    cp.size, size);
		else if (lia_merkle_leaf_hash(cose, cose_len, leaf, err) == 0 &&
		    lia_merkle_verify_inclusion(leaf, index, size, proof, cp.root, err) == 0)
			ok = 1;
		json_object_set_new(result, "cosigned_by", lia_record_cosigners(n, &note, log_node));
	}
	json_object_set_new(result, "index", json_integer((json_int_t)index));
	json_object_set_new(result, "checkpoint_size", json_integer((json_int_t)size));
	json_object_set_new(result, "checkpoint", json_string(note_text));
	json_object_set_new(result, "verified", json_boolean(ok));
	if (!ok)
		json_object_set_new(result, "error", json_string(err));
	lia_note_finish(&note);
	EVP_PKEY_free(key);
}

json_t *lia_record_own_proof(struct lia_node *n, const char *origin, uint64_t seq)
{
	json_t *result = json_pack("{s:s}", "node", n->self->name);
	struct lia_merkle_proof proof = {0};
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	uint64_t idx = 0, size = 0;
	char err[LIA_ERR_LEN] = "", *note = NULL;

	if (lia_store_log_index(n->store, origin, seq, &idx, err) < 0 ||
	    lia_store_get_entry(n->store, origin, seq, &cose, &cose_len, NULL, NULL, err) < 0 ||
	    pick_checkpoint(n, idx, 0, &size, err) < 0)
		goto fail;
	if (size == 0) {
		lia_err_set(err, "entry %s/%" PRIu64 " (index %" PRIu64 ") is not yet under a checkpoint",
		    origin, seq, idx);
		goto fail;
	}
	if (lia_store_inclusion_proof(n->store, idx, size, &proof, err) < 0 ||
	    (note = lia_record_note_with_cosignatures(n, size, err)) == NULL)
		goto fail;
	check_inclusion(n, n->self->name, cose, cose_len, idx, size, &proof, note, result);
	goto out;
fail:
	json_object_set_new(result, "verified", json_false());
	json_object_set_new(result, "error", json_string(err));
out:
	free(note);
	free(cose);
	return result;
}

/* ---- asking a peer for a proof ---- */

static void finish_wait(struct lia_proof_wait *w, json_t *result)
{
	lia_record_proof_fn done = w->done;
	void *ctx = w->ctx;

	if (w->timer)
		event_free(w->timer);
	memset(w, 0, sizeof(*w));
	done(ctx, result);
}

/* {"node": peer, "verified": false, "error": "<peer> <what>"}. */
static json_t *proof_error(const char *peer, const char *what)
{
	char text[LIA_ERR_LEN];

	lia_err_set(text, "%s %s", peer, what);
	return json_pack("{s:s, s:b, s:s}", "node", peer, "verified", 0, "error", text);
}

static void wait_timeout_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_proof_wait *w = ctx;

	finish_wait(w, proof_error(w->peer, "did not answer the proof request in time"));
}

void lia_record_ask_proof(struct lia_node *n, const char *peer, const char *origin,
    uint64_t seq, lia_record_proof_fn done, void *ctx)
{
	struct lia_frame f = {.kind = LIA_FRAME_PROOF_REQUEST, .seq = seq};
	struct timeval tv = {LIA_PROOF_TIMEOUT_MS / 1000, 0};
	struct lia_proof_wait *w = NULL;
	int sent;

	for (int i = 0; i < LIA_PROOF_WAITS && w == NULL; i++)
		if (n->record->waits[i].done == NULL)
			w = &n->record->waits[i];
	if (w == NULL) {
		done(ctx, proof_error(peer, "has too many proof requests under way"));
		return;
	}
	w->request = ++n->record->next_request;
	snprintf(w->peer, sizeof(w->peer), "%s", peer);
	snprintf(w->origin, sizeof(w->origin), "%s", origin);
	w->seq = seq;
	w->done = done;
	w->ctx = ctx;
	w->timer = evtimer_new(n->base, wait_timeout_cb, w);
	f.request = w->request;
	snprintf(f.node, sizeof(f.node), "%s", origin);
	sent = w->timer != NULL && evtimer_add(w->timer, &tv) == 0 ? lia_node_send_frame(n, peer, &f) : -1;
	if (sent == LIA_ENOTFOUND)
		finish_wait(w, proof_error(peer, "is not linked now (the link is down)"));
	else if (sent != 0)
		finish_wait(w, proof_error(peer, "cannot be sent a proof request"));
}

int lia_record_handle_proof(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err)
{
	struct lia_record *r = n->record;
	struct lia_proof_wait *w = NULL;
	struct lia_merkle_proof proof = {0};
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	char *note = NULL, why[LIA_ERR_LEN] = "";
	json_t *result;

	for (int i = 0; i < LIA_PROOF_WAITS && w == NULL; i++)
		if (r->waits[i].done != NULL && r->waits[i].request == f->request &&
		    strcmp(r->waits[i].peer, io->peer->name) == 0)
			w = &r->waits[i];
	if (w == NULL)
		return GO_ON; /* late answer after a timeout */
	if (f->size == 0) {
		finish_wait(w, proof_error(io->peer->name, "has no checkpoint covering that entry yet"));
		return GO_ON;
	}
	result = json_pack("{s:s}", "node", io->peer->name);
	note = strndup((const char *)f->note, f->note_len);
	if (note == NULL || lia_record_proof_from_frame(f, &proof, why) < 0 ||
	    lia_store_get_entry(n->store, w->origin, w->seq, &cose, &cose_len, NULL, NULL, why) < 0) {
		json_object_set_new(result, "verified", json_false());
		json_object_set_new(result, "error", json_string(why));
	} else {
		check_inclusion(n, io->peer->name, cose, cose_len, f->index, f->size, &proof, note, result);
	}
	finish_wait(w, result);
	free(cose);
	free(note);
	return GO_ON;
}

