/*
 * record.c - checkpoints of the node's own log and witnessing of its peers'
 * logs (see record.h). Peers' checkpoints and proofs are hostile input: every
 * note is parsed and its signature checked with the key from the peer's
 * verified certificate before anything is stored or cosigned.
 */
#include "record_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cert.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "merkle.h"
#include "note.h"
#include "record.h"

#define GO_ON 0
#define DROP (-1)
#define ERROR_CODE_ALARM 3

void lia_record_origin(const struct lia_node *n, const char *node, char *out)
{
	snprintf(out, LIA_NOTE_NAME_MAX + 1, "%s/%s", n->charter->mechanism, node);
}

int lia_record_raw_key(EVP_PKEY *pkey, uint8_t pub[32], char *err)
{
	size_t len = 32;

	if (pkey == NULL || EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != 32) {
		lia_err_set(err, "no Ed25519 public key to check the note with");
		return -1;
	}
	return 0;
}

static void alarm_raise(struct lia_node *n, const struct lia_record_io *io, const char *reason,
    const char *old_note, const char *new_note)
{
	struct lia_record_peer *p = lia_record_peer(n, io->peer->name);
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = ERROR_CODE_ALARM};
	char err[LIA_ERR_LEN];
	uint8_t digest[32];
	unsigned int len = sizeof(digest);

	/* The same refused checkpoint is offered again after each reconnect: keep it once. */
	EVP_Digest(new_note, strlen(new_note), digest, &len, EVP_sha256(), NULL);
	if (p == NULL || memcmp(digest, p->alarmed, sizeof(digest)) != 0) {
		if (p != NULL)
			memcpy(p->alarmed, digest, sizeof(digest));
		n->record->alarms++;
		lia_log_error("ALARM: log of %s: %s (both checkpoints kept as evidence)",
		    io->peer->name, reason);
		if (lia_store_add_evidence(n->store, io->peer->name, reason,
		    old_note ? old_note : "", new_note, lia_now_ms(), err) < 0)
			lia_log_error("cannot keep evidence against %s: %s", io->peer->name, err);
	}
	lia_err_set(f.text, "witness refuses to cosign: %s", reason);
	io->send(io->ctx, &f);
}

int lia_record_proof_from_frame(const struct lia_frame *f, struct lia_merkle_proof *p, char *err)
{
	if (f->proof_len % 32 != 0 || f->proof_len / 32 > LIA_MERKLE_MAX_PROOF) {
		lia_err_set(err, "proof of %zu bytes is not whole hashes", f->proof_len);
		return -1;
	}
	p->len = f->proof_len / 32;
	memcpy(p->hash, f->proof, f->proof_len);
	return 0;
}

/* Witnesses are other parties' nodes only (docs/record.md "Witnesses"): a peer of our own party neither cosigns for us nor is cosigned. */
static int same_party(const struct lia_node *n, const struct lia_node_def *peer)
{
	return strcmp(peer->party, n->self->party) == 0;
}

/* ---- the log's side ---- */

struct lia_record_peer *lia_record_peer(struct lia_node *n, const char *peer)
{
	struct lia_record *r = n->record;

	for (int i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i].name, peer) == 0)
			return &r->peers[i];
	if (r->n_peers == LIA_MAX_NODES)
		return NULL;
	snprintf(r->peers[r->n_peers].name, sizeof(r->peers[0].name), "%s", peer);
	r->peers[r->n_peers].conflict_old = LIA_RECORD_NO_CONFLICT;
	return &r->peers[r->n_peers++];
}

void lia_record_connected(struct lia_node *n, const char *peer)
{
	struct lia_record_peer *p = lia_record_peer(n, peer);

	if (p != NULL) {
		p->offered_size = 0;
		p->conflict_old = LIA_RECORD_NO_CONFLICT;
	}
}

int lia_record_create(struct lia_node *n, char *err)
{
	if ((n->record = calloc(1, sizeof(*n->record))) == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	return 0;
}

void lia_record_destroy(struct lia_node *n)
{
	if (n == NULL || n->record == NULL)
		return;
	for (int i = 0; i < LIA_PROOF_WAITS; i++)
		if (n->record->waits[i].timer)
			event_free(n->record->waits[i].timer);
	if (n->record->checkpoint_timer)
		event_free(n->record->checkpoint_timer);
	free(n->record);
	n->record = NULL;
}

static void checkpoint_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_node *n = ctx;
	char err[LIA_ERR_LEN];

	n->record->checkpoint_pending = 0;
	if (lia_record_checkpoint(n, err) < 0)
		lia_log_error("cannot make a checkpoint: %s", err);
}

int lia_record_start(struct lia_node *n, char *err)
{
	n->record->checkpoint_timer = evtimer_new(n->base, checkpoint_cb, n);
	if (n->record->checkpoint_timer == NULL) {
		lia_err_set(err, "cannot create the checkpoint timer");
		return -1;
	}
	lia_record_appended(n);
	return 0;
}

void lia_record_appended(struct lia_node *n)
{
	struct timeval tv = {0, 200 * 1000}; /* gathers a burst of batches into one checkpoint */

	struct lia_record *r = n->record;

	if (r == NULL || r->checkpoint_pending || r->checkpoint_timer == NULL)
		return;
	r->checkpoint_pending = 1;
	evtimer_add(r->checkpoint_timer, &tv);
}

int lia_record_checkpoint(struct lia_node *n, char *err)
{
	char origin[LIA_NOTE_NAME_MAX + 1], body[LIA_CHECKPOINT_MAX], *note = NULL, *last = NULL;
	uint64_t size = 0, last_size = 0;
	uint8_t root[32], last_root[32];
	size_t body_len = 0, note_len = 0;
	int rc;

	if (lia_store_log_size(n->store, &size, err) < 0)
		return -1;
	rc = lia_store_latest_checkpoint(n->store, &last_size, last_root, &last, err);
	free(last);
	if (rc < 0 && rc != LIA_ENOTFOUND)
		return -1;
	if (size == 0 || size == last_size)
		return 0;
	lia_record_origin(n, n->self->name, origin);
	rc = -1;
	if (lia_store_log_root(n->store, size, root, err) < 0 ||
	    lia_checkpoint_make(origin, size, root, body, &body_len, err) < 0 ||
	    lia_signer_checkpoint(n->signer, origin, body, body_len, &note, &note_len, err) < 0 ||
	    lia_store_add_checkpoint(n->store, size, root, note, lia_now_ms(), err) < 0)
		goto out;
	lia_node_checkpoint_made(n); /* the transports offer it to the peers up (lia_record_offer) */
	rc = 0;
out:
	free(note);
	return rc;
}

/* Sends the checkpoint of size `size` with a consistency proof from `old`. */
static void send_checkpoint(struct lia_node *n, const struct lia_record_io *io, uint64_t old,
    uint64_t size, const char *note)
{
	struct lia_record_peer *p = lia_record_peer(n, io->peer->name);
	struct lia_frame f = {.kind = LIA_FRAME_CHECKPOINT, .old = old};
	struct lia_merkle_proof proof = {0};
	char err[LIA_ERR_LEN];

	if (old > 0 && old < size &&
	    lia_store_consistency_proof(n->store, old, size, &proof, err) < 0) {
		lia_log_error("link %s: cannot prove %" PRIu64 " -> %" PRIu64 ": %s", io->peer->name,
		    old, size, err);
		return;
	}
	f.proof = (uint8_t *)proof.hash;
	f.proof_len = proof.len * 32;
	f.note = (uint8_t *)note;
	f.note_len = strlen(note);
	if (io->send(io->ctx, &f) == 0 && p != NULL)
		p->offered_size = size;
}

void lia_record_offer(struct lia_node *n, const struct lia_record_io *io)
{
	struct lia_store *s = n->store;
	struct lia_record_peer *p = lia_record_peer(n, io->peer->name);
	uint64_t size = 0, cosigned = 0;
	uint8_t root[32];
	char *note = NULL, err[LIA_ERR_LEN];

	if (same_party(n, io->peer) || lia_store_latest_checkpoint(s, &size, root, &note, err) < 0)
		return;
	if (p != NULL && size > p->offered_size &&
	    lia_store_cosigned_size(s, io->peer->name, &cosigned, err) == 0 && cosigned < size)
		send_checkpoint(n, io, cosigned, size, note);
	free(note);
}

int lia_record_handle_cosignature(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err)
{
	char name[LIA_NOTE_NAME_MAX + 1], *note = NULL, *text = NULL;
	struct lia_note parsed = {0};
	uint8_t pub[32];
	uint64_t when = 0;
	int rc = DROP;

	lia_record_origin(n, io->peer->name, name);
	if (lia_store_checkpoint(n->store, f->size, &note, err) < 0) {
		lia_log_warn("link %s: cosignature for unknown checkpoint %" PRIu64 " ignored",
		    io->peer->name, f->size);
		return GO_ON;
	}
	if (asprintf(&text, "%s%s\n", note, f->line) < 0) {
		text = NULL;
		goto out;
	}
	if (lia_record_raw_key(io->key, pub, err) < 0 ||
	    lia_note_parse(text, strlen(text), &parsed, err) < 0 ||
	    lia_cosig_verify(&parsed, name, pub, &when, err) < 0) {
		char why[LIA_ERR_LEN];
		snprintf(why, sizeof(why), "cosignature of checkpoint %" PRIu64 " from %s does not verify: %s",
		    f->size, io->peer->name, err);
		snprintf(err, LIA_ERR_LEN, "%s", why);
		goto out;
	}
	rc = lia_store_add_cosignature(n->store, f->size, io->peer->name, f->line, lia_now_ms(), err);
	if (rc == 0)
		lia_log_info("checkpoint %" PRIu64 " cosigned by %s", f->size, io->peer->name);
	rc = (rc == 0 || rc == LIA_EDUP) ? GO_ON : DROP;
out:
	lia_note_finish(&parsed);
	free(text);
	free(note);
	return rc;
}

int lia_record_handle_conflict(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err)
{
	struct lia_store *s = n->store;
	struct lia_record_peer *p = lia_record_peer(n, io->peer->name);
	uint64_t size = 0;
	uint8_t root[32];
	char *note = NULL;

	if (lia_store_latest_checkpoint(s, &size, root, &note, err) < 0)
		return GO_ON;
	if (f->old > size) {
		n->record->alarms++;
		lia_log_error("ALARM: %s has cosigned our log at size %" PRIu64 " but it holds %" PRIu64
		    " entries: this store lost history", io->peer->name, f->old, size);
	} else if (p != NULL && f->old != p->conflict_old) {
		p->conflict_old = f->old; /* one retry per size the witness names */
		send_checkpoint(n, io, f->old, size, note);
	}
	free(note);
	return GO_ON;
}

/* ---- the witness's side ---- */

/* Parses and checks a peer's checkpoint note: signed by the peer's key, origin of the peer's log. */
static int open_peer_checkpoint(struct lia_node *n, const struct lia_record_io *io,
    const uint8_t *buf, size_t len, struct lia_note *note, struct lia_checkpoint *cp, char *err)
{
	char name[LIA_NOTE_NAME_MAX + 1], why[LIA_ERR_LEN];
	uint8_t pub[32];

	lia_record_origin(n, io->peer->name, name);
	if (lia_record_raw_key(io->key, pub, why) < 0 ||
	    lia_note_parse((const char *)buf, len, note, why) < 0 ||
	    lia_note_verify(note, name, pub, why) < 0 ||
	    lia_checkpoint_parse(note->body, note->body_len, cp, why) < 0) {
		lia_err_set(err, "checkpoint from %s refused: %s", io->peer->name, why);
		return -1;
	}
	if (strcmp(cp->origin, name) != 0) {
		lia_err_set(err, "checkpoint from %s names origin %s, not %s", io->peer->name,
		    cp->origin, name);
		return -1;
	}
	return 0;
}

/*
 * Checks a new checkpoint against the one already cosigned (size known):
 * 0 consistent, 1 history rewritten (reason in why), -1 error.
 */
static int check_history(const struct lia_frame *f, const struct lia_checkpoint *cp,
    uint64_t known, const uint8_t known_root[32], char *why)
{
	struct lia_merkle_proof proof;
	char err[LIA_ERR_LEN];

	if (known == 0)
		return 0; /* first checkpoint seen from this log: nothing to compare with */
	if (cp->size < known) {
		lia_err_set(why, "checkpoint of size %" PRIu64 " after size %" PRIu64
		    " was cosigned: the log shrank", cp->size, known);
		return 1;
	}
	if (cp->size == known) {
		if (memcmp(cp->root, known_root, 32) == 0)
			return 0;
		lia_err_set(why, "two checkpoints of size %" PRIu64 " with different roots: a fork",
		    known);
		return 1;
	}
	if (lia_record_proof_from_frame(f, &proof, why) < 0)
		return 1;
	if (lia_merkle_verify_consistency(known, cp->size, known_root, cp->root, &proof, err) < 0) {
		lia_err_set(why, "checkpoint of size %" PRIu64 " is not consistent with size %" PRIu64
		    " already cosigned (history rewritten): %s", cp->size, known, err);
		return 1;
	}
	return 0;
}

static int cosign(struct lia_node *n, const struct lia_record_io *io, const struct lia_note *note,
    const struct lia_checkpoint *cp, const char *note_text, char *err)
{
	struct lia_frame f = {.kind = LIA_FRAME_COSIGNATURE, .size = cp->size};
	char name[LIA_NOTE_NAME_MAX + 1], line[LIA_NOTE_LINE_MAX], peer[LIA_NOTE_NAME_MAX + 1];
	uint8_t pub[32];
	struct lia_note_key key = {peer, LIA_NOTE_ED25519, pub};
	char *kept = NULL, *clean = NULL;
	size_t clean_len = 0;
	int rc = DROP;

	lia_record_origin(n, n->self->name, name);
	lia_record_origin(n, io->peer->name, peer);
	if (lia_signer_cosign(n->signer, name, note->body, note->body_len,
	    (uint64_t)(lia_now_ms() / 1000), line, err) < 0)
		return DROP;
	line[strcspn(line, "\n")] = '\0';
	/*
	 * Kept with our own cosignature, so an export shows what we vouched for: the checkpoint,
	 * the peer's own valid line and ours, nothing else the peer put in the note (a line under
	 * our name would otherwise ride into every export of ours).
	 */
	if (lia_record_raw_key(io->key, pub, err) < 0 ||
	    lia_note_keep(note_text, strlen(note_text), &key, 1, &clean, &clean_len, err) < 0)
		return DROP;
	if (asprintf(&kept, "%s%s\n", clean, line) < 0) {
		free(clean);
		return DROP;
	}
	free(clean);
	if (lia_store_set_witnessed(n->store, io->peer->name, cp->size, cp->root, kept,
	    lia_now_ms(), err) == 0) {
		snprintf(f.line, sizeof(f.line), "%s", line);
		rc = io->send(io->ctx, &f) < 0 ? DROP : GO_ON;
	}
	free(kept);
	return rc;
}

int lia_record_handle_checkpoint(struct lia_node *n, const struct lia_record_io *io,
    const struct lia_frame *f, char *err)
{
	struct lia_store *s = n->store;
	struct lia_note note = {0};
	struct lia_checkpoint cp;
	uint64_t known = 0;
	uint8_t known_root[32] = {0};
	char *known_note = NULL, *text = NULL, why[LIA_ERR_LEN];
	int rc = DROP;

	if (same_party(n, io->peer)) {
		rc = GO_ON; /* not a witness of its own party's logs */
		goto out;
	}
	if (open_peer_checkpoint(n, io, f->note, f->note_len, &note, &cp, err) < 0)
		goto out;
	text = strndup((const char *)f->note, f->note_len);
	rc = lia_store_get_witnessed(s, io->peer->name, &known, known_root, &known_note, err);
	if (text == NULL || (rc < 0 && rc != LIA_ENOTFOUND)) {
		rc = DROP;
		goto out;
	}
	rc = GO_ON;
	/* A shrunk or forked log is evidence whatever old it claims; only growth needs a proof from known. */
	if (cp.size > known && f->old != known) {
		struct lia_frame c = {.kind = LIA_FRAME_CONFLICT, .old = known};
		io->send(io->ctx, &c);
		goto out;
	}
	switch (check_history(f, &cp, known, known_root, why)) {
	case 0:
		rc = cosign(n, io, &note, &cp, text, err);
		break;
	case 1:
		alarm_raise(n, io, why, known_note, text);
		break;
	default:
		rc = DROP;
	}
out:
	lia_note_finish(&note);
	free(known_note);
	free(text);
	return rc;
}

