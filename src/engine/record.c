/*
 * record.c - checkpoints of the node's own log and witnessing of its peers'
 * logs (see record.h). Peers' checkpoints and proofs are hostile input: every
 * note is parsed and its signature checked with the key from the peer's
 * verified certificate before anything is stored or cosigned.
 */
#include "node_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cert.h"
#include "clock.h"
#include "conf.h"
#include "encoding.h"
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

/* Raw Ed25519 public key of pkey. */
static int raw_key(EVP_PKEY *pkey, uint8_t pub[32], char *err)
{
	size_t len = 32;

	if (pkey == NULL || EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != 32) {
		lia_err_set(err, "no Ed25519 public key to check the note with");
		return -1;
	}
	return 0;
}

static void alarm_raise(struct lia_link *l, const char *reason, const char *old_note,
    const char *new_note)
{
	struct lia_frame f = {.kind = LIA_FRAME_ERROR, .code = ERROR_CODE_ALARM};
	char err[LIA_ERR_LEN];
	uint8_t digest[32];
	unsigned int len = sizeof(digest);

	/* The same refused checkpoint is offered again after each reconnect: keep it once. */
	EVP_Digest(new_note, strlen(new_note), digest, &len, EVP_sha256(), NULL);
	if (memcmp(digest, l->alarmed, sizeof(digest)) != 0) {
		memcpy(l->alarmed, digest, sizeof(digest));
		l->node->alarms++;
		lia_log_error("ALARM: log of %s: %s (both checkpoints kept as evidence)",
		    l->peer->name, reason);
		if (lia_store_add_evidence(l->node->store, l->peer->name, reason,
		    old_note ? old_note : "", new_note, lia_now_ms(), err) < 0)
			lia_log_error("cannot keep evidence against %s: %s", l->peer->name, err);
	}
	lia_err_set(f.text, "witness refuses to cosign: %s", reason);
	lia_link_send(l, &f);
}

/* Concatenated hashes of a frame into a proof. */
static int proof_from_frame(const struct lia_frame *f, struct lia_merkle_proof *p, char *err)
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
static int same_party(const struct lia_link *l)
{
	return strcmp(l->peer->party, l->node->self->party) == 0;
}

/* ---- the log's side ---- */

static void checkpoint_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_node *n = ctx;
	char err[LIA_ERR_LEN];

	n->checkpoint_pending = 0;
	if (lia_record_checkpoint(n, err) < 0)
		lia_log_error("cannot make a checkpoint: %s", err);
}

int lia_record_start(struct lia_node *n, char *err)
{
	n->checkpoint_timer = evtimer_new(n->base, checkpoint_cb, n);
	if (n->checkpoint_timer == NULL) {
		lia_err_set(err, "cannot create the checkpoint timer");
		return -1;
	}
	lia_record_appended(n);
	return 0;
}

void lia_record_appended(struct lia_node *n)
{
	struct timeval tv = {0, 200 * 1000}; /* gathers a burst of batches into one checkpoint */

	if (n->checkpoint_pending || n->checkpoint_timer == NULL)
		return;
	n->checkpoint_pending = 1;
	evtimer_add(n->checkpoint_timer, &tv);
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
	    lia_note_sign(n->key, origin, body, body_len, &note, &note_len, err) < 0 ||
	    lia_store_add_checkpoint(n->store, size, root, note, lia_now_ms(), err) < 0)
		goto out;
	for (int i = 0; i < n->n_links; i++)
		if (n->links[i].state == LIA_LINK_UP)
			lia_record_offer(&n->links[i]);
	rc = 0;
out:
	free(note);
	return rc;
}

/* Sends the checkpoint of size `size` with a consistency proof from `old`. */
static void send_checkpoint(struct lia_link *l, uint64_t old, uint64_t size, const char *note)
{
	struct lia_frame f = {.kind = LIA_FRAME_CHECKPOINT, .old = old};
	struct lia_merkle_proof proof = {0};
	char err[LIA_ERR_LEN];

	if (old > 0 && old < size &&
	    lia_store_consistency_proof(l->node->store, old, size, &proof, err) < 0) {
		lia_log_error("link %s: cannot prove %" PRIu64 " -> %" PRIu64 ": %s", l->peer->name,
		    old, size, err);
		return;
	}
	f.proof = (uint8_t *)proof.hash;
	f.proof_len = proof.len * 32;
	f.note = (uint8_t *)note;
	f.note_len = strlen(note);
	if (lia_link_send(l, &f) == 0)
		l->offered_size = size;
}

void lia_record_offer(struct lia_link *l)
{
	struct lia_store *s = l->node->store;
	uint64_t size = 0, cosigned = 0;
	uint8_t root[32];
	char *note = NULL, err[LIA_ERR_LEN];

	if (same_party(l) || lia_store_latest_checkpoint(s, &size, root, &note, err) < 0)
		return;
	if (size > l->offered_size && lia_store_cosigned_size(s, l->peer->name, &cosigned, err) == 0 &&
	    cosigned < size)
		send_checkpoint(l, cosigned, size, note);
	free(note);
}

int lia_record_handle_cosignature(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_node *n = l->node;
	char name[LIA_NOTE_NAME_MAX + 1], *note = NULL, *text = NULL;
	struct lia_note parsed = {0};
	uint8_t pub[32];
	uint64_t when = 0;
	int rc = DROP;

	lia_record_origin(n, l->peer->name, name);
	if (lia_store_checkpoint(n->store, f->size, &note, err) < 0) {
		lia_log_warn("link %s: cosignature for unknown checkpoint %" PRIu64 " ignored",
		    l->peer->name, f->size);
		return GO_ON;
	}
	if (asprintf(&text, "%s%s\n", note, f->line) < 0) {
		text = NULL;
		goto out;
	}
	if (raw_key(l->peer_key, pub, err) < 0 ||
	    lia_note_parse(text, strlen(text), &parsed, err) < 0 ||
	    lia_cosig_verify(&parsed, name, pub, &when, err) < 0) {
		char why[LIA_ERR_LEN];
		snprintf(why, sizeof(why), "cosignature of checkpoint %" PRIu64 " from %s does not verify: %s",
		    f->size, l->peer->name, err);
		snprintf(err, LIA_ERR_LEN, "%s", why);
		goto out;
	}
	rc = lia_store_add_cosignature(n->store, f->size, l->peer->name, f->line, lia_now_ms(), err);
	if (rc == 0)
		lia_log_info("checkpoint %" PRIu64 " cosigned by %s", f->size, l->peer->name);
	rc = (rc == 0 || rc == LIA_EDUP) ? GO_ON : DROP;
out:
	lia_note_finish(&parsed);
	free(text);
	free(note);
	return rc;
}

int lia_record_handle_conflict(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_store *s = l->node->store;
	uint64_t size = 0;
	uint8_t root[32];
	char *note = NULL;

	if (lia_store_latest_checkpoint(s, &size, root, &note, err) < 0)
		return GO_ON;
	if (f->old > size) {
		l->node->alarms++;
		lia_log_error("ALARM: %s has cosigned our log at size %" PRIu64 " but it holds %" PRIu64
		    " entries: this store lost history", l->peer->name, f->old, size);
	} else if (f->old != l->conflict_old) {
		l->conflict_old = f->old; /* one retry per size the witness names */
		send_checkpoint(l, f->old, size, note);
	}
	free(note);
	return GO_ON;
}

/* ---- the witness's side ---- */

/* Parses and checks a peer's checkpoint note: signed by the peer's key, origin of the peer's log. */
static int open_peer_checkpoint(struct lia_link *l, const uint8_t *buf, size_t len,
    struct lia_note *note, struct lia_checkpoint *cp, char *err)
{
	char name[LIA_NOTE_NAME_MAX + 1], why[LIA_ERR_LEN];
	uint8_t pub[32];

	lia_record_origin(l->node, l->peer->name, name);
	if (raw_key(l->peer_key, pub, why) < 0 ||
	    lia_note_parse((const char *)buf, len, note, why) < 0 ||
	    lia_note_verify(note, name, pub, why) < 0 ||
	    lia_checkpoint_parse(note->body, note->body_len, cp, why) < 0) {
		lia_err_set(err, "checkpoint from %s refused: %s", l->peer->name, why);
		return -1;
	}
	if (strcmp(cp->origin, name) != 0) {
		lia_err_set(err, "checkpoint from %s names origin %s, not %s", l->peer->name,
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
	if (proof_from_frame(f, &proof, why) < 0)
		return 1;
	if (lia_merkle_verify_consistency(known, cp->size, known_root, cp->root, &proof, err) < 0) {
		lia_err_set(why, "checkpoint of size %" PRIu64 " is not consistent with size %" PRIu64
		    " already cosigned (history rewritten): %s", cp->size, known, err);
		return 1;
	}
	return 0;
}

static int cosign(struct lia_link *l, const struct lia_note *note, const struct lia_checkpoint *cp,
    const char *note_text, char *err)
{
	struct lia_node *n = l->node;
	struct lia_frame f = {.kind = LIA_FRAME_COSIGNATURE, .size = cp->size};
	char name[LIA_NOTE_NAME_MAX + 1], line[LIA_NOTE_LINE_MAX], peer[LIA_NOTE_NAME_MAX + 1];
	uint8_t pub[32];
	struct lia_note_key key = {peer, LIA_NOTE_ED25519, pub};
	char *kept = NULL, *clean = NULL;
	size_t clean_len = 0;
	int rc = DROP;

	lia_record_origin(n, n->self->name, name);
	lia_record_origin(n, l->peer->name, peer);
	if (lia_cosig_line(n->key, name, note->body, note->body_len,
	    (uint64_t)(lia_now_ms() / 1000), line, err) < 0)
		return DROP;
	line[strcspn(line, "\n")] = '\0';
	/*
	 * Kept with our own cosignature, so an export shows what we vouched for: the checkpoint,
	 * the peer's own valid line and ours, nothing else the peer put in the note (a line under
	 * our name would otherwise ride into every export of ours).
	 */
	if (raw_key(l->peer_key, pub, err) < 0 ||
	    lia_note_keep(note_text, strlen(note_text), &key, 1, &clean, &clean_len, err) < 0)
		return DROP;
	if (asprintf(&kept, "%s%s\n", clean, line) < 0) {
		free(clean);
		return DROP;
	}
	free(clean);
	if (lia_store_set_witnessed(n->store, l->peer->name, cp->size, cp->root, kept,
	    lia_now_ms(), err) == 0) {
		snprintf(f.line, sizeof(f.line), "%s", line);
		rc = lia_link_send(l, &f) < 0 ? DROP : GO_ON;
	}
	free(kept);
	return rc;
}

int lia_record_handle_checkpoint(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_store *s = l->node->store;
	struct lia_note note = {0};
	struct lia_checkpoint cp;
	uint64_t known = 0;
	uint8_t known_root[32] = {0};
	char *known_note = NULL, *text = NULL, why[LIA_ERR_LEN];
	int rc = DROP;

	if (same_party(l)) {
		rc = GO_ON; /* not a witness of its own party's logs */
		goto out;
	}
	if (open_peer_checkpoint(l, f->note, f->note_len, &note, &cp, err) < 0)
		goto out;
	text = strndup((const char *)f->note, f->note_len);
	rc = lia_store_get_witnessed(s, l->peer->name, &known, known_root, &known_note, err);
	if (text == NULL || (rc < 0 && rc != LIA_ENOTFOUND)) {
		rc = DROP;
		goto out;
	}
	rc = GO_ON;
	/* A shrunk or forked log is evidence whatever old it claims; only growth needs a proof from known. */
	if (cp.size > known && f->old != known) {
		struct lia_frame c = {.kind = LIA_FRAME_CONFLICT, .old = known};
		lia_link_send(l, &c);
		goto out;
	}
	switch (check_history(f, &cp, known, known_root, why)) {
	case 0:
		rc = cosign(l, &note, &cp, text, err);
		break;
	case 1:
		alarm_raise(l, why, known_note, text);
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

/* ---- inclusion proofs ---- */

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
static char *note_with_cosignatures(struct lia_node *n, uint64_t size, char *err)
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

int lia_record_handle_proof_request(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_node *n = l->node;
	struct lia_frame p = {.kind = LIA_FRAME_PROOF, .request = f->request};
	struct lia_merkle_proof proof = {0};
	uint64_t idx = 0, cosigned = 0;
	char *note = NULL;
	int rc = lia_store_log_index(n->store, f->node, f->seq, &idx, err);

	if (rc == 0 && (lia_store_cosigned_size(n->store, l->peer->name, &cosigned, err) < 0 ||
	    pick_checkpoint(n, idx, cosigned, &p.size, err) < 0))
		return DROP;
	if (rc < 0 && rc != LIA_ENOTFOUND)
		return DROP;
	if (rc == 0 && p.size > 0) {
		if (lia_store_inclusion_proof(n->store, idx, p.size, &proof, err) < 0 ||
		    (note = note_with_cosignatures(n, p.size, err)) == NULL)
			return DROP;
		p.index = idx;
		p.proof = (uint8_t *)proof.hash;
		p.proof_len = proof.len * 32;
		p.note = (uint8_t *)note;
		p.note_len = strlen(note);
	}
	rc = lia_link_send(l, &p) < 0 ? DROP : GO_ON;
	free(note);
	return rc;
}

/* Names every node (other than the log's) whose cosignature on note verifies. */
static json_t *cosigners(struct lia_node *n, const struct lia_note *note, const char *log_node)
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
		if (raw_key(key, pub, err) == 0 && lia_cosig_verify(note, name, pub, &when, err) == 0)
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
	if (lia_node_public_key(n, log_node, &key, err) == 0 && raw_key(key, pub, err) == 0 &&
	    lia_note_parse(note_text, strlen(note_text), &note, err) == 0 &&
	    lia_note_verify(&note, name, pub, err) == 0 &&
	    lia_checkpoint_parse(note.body, note.body_len, &cp, err) == 0) {
		if (cp.size != size)
			lia_err_set(err, "the checkpoint is of size %" PRIu64 ", the proof of %" PRIu64,
			    cp.size, size);
		else if (lia_merkle_leaf_hash(cose, cose_len, leaf, err) == 0 &&
		    lia_merkle_verify_inclusion(leaf, index, size, proof, cp.root, err) == 0)
			ok = 1;
		json_object_set_new(result, "cosigned_by", cosigners(n, &note, log_node));
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
	    (note = note_with_cosignatures(n, size, err)) == NULL)
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
	struct lia_link *l = lia_node_link(n, peer);
	struct lia_frame f = {.kind = LIA_FRAME_PROOF_REQUEST, .seq = seq};
	struct timeval tv = {LIA_PROOF_TIMEOUT_MS / 1000, 0};
	struct lia_proof_wait *w = NULL;

	if (l == NULL || l->state != LIA_LINK_UP) {
		done(ctx, proof_error(peer, "is not linked now (the link is down)"));
		return;
	}
	for (int i = 0; i < LIA_PROOF_WAITS && w == NULL; i++)
		if (n->waits[i].done == NULL)
			w = &n->waits[i];
	if (w == NULL) {
		done(ctx, proof_error(peer, "has too many proof requests under way"));
		return;
	}
	w->request = ++n->next_request;
	snprintf(w->peer, sizeof(w->peer), "%s", peer);
	snprintf(w->origin, sizeof(w->origin), "%s", origin);
	w->seq = seq;
	w->done = done;
	w->ctx = ctx;
	w->timer = evtimer_new(n->base, wait_timeout_cb, w);
	f.request = w->request;
	snprintf(f.node, sizeof(f.node), "%s", origin);
	if (w->timer == NULL || evtimer_add(w->timer, &tv) != 0 || lia_link_send(l, &f) < 0)
		finish_wait(w, proof_error(peer, "cannot be sent a proof request"));
}

int lia_record_handle_proof(struct lia_link *l, const struct lia_frame *f, char *err)
{
	struct lia_node *n = l->node;
	struct lia_proof_wait *w = NULL;
	struct lia_merkle_proof proof = {0};
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	char *note = NULL, why[LIA_ERR_LEN] = "";
	json_t *result;

	for (int i = 0; i < LIA_PROOF_WAITS && w == NULL; i++)
		if (n->waits[i].done != NULL && n->waits[i].request == f->request &&
		    strcmp(n->waits[i].peer, l->peer->name) == 0)
			w = &n->waits[i];
	if (w == NULL)
		return GO_ON; /* late answer after a timeout */
	if (f->size == 0) {
		finish_wait(w, proof_error(l->peer->name, "has no checkpoint covering that entry yet"));
		return GO_ON;
	}
	result = json_pack("{s:s}", "node", l->peer->name);
	note = strndup((const char *)f->note, f->note_len);
	if (note == NULL || proof_from_frame(f, &proof, why) < 0 ||
	    lia_store_get_entry(n->store, w->origin, w->seq, &cose, &cose_len, NULL, NULL, why) < 0) {
		json_object_set_new(result, "verified", json_false());
		json_object_set_new(result, "error", json_string(why));
	} else {
		check_inclusion(n, l->peer->name, cose, cose_len, f->index, f->size, &proof, note, result);
	}
	finish_wait(w, result);
	free(cose);
	free(note);
	return GO_ON;
}

/* ---- status and export ---- */

static json_t *latest_json(struct lia_node *n)
{
	uint64_t size = 0;
	uint8_t root[32];
	char *note = NULL, *full = NULL, err[LIA_ERR_LEN];
	struct lia_note parsed = {0};
	json_t *out = NULL;

	if (lia_store_latest_checkpoint(n->store, &size, root, &note, err) < 0)
		return json_null();
	full = note_with_cosignatures(n, size, err);
	if (full != NULL && lia_note_parse(full, strlen(full), &parsed, err) == 0)
		out = json_pack("{s:I, s:s, s:o}", "size", (json_int_t)size, "note", full,
		    "cosigned_by", cosigners(n, &parsed, n->self->name));
	lia_note_finish(&parsed);
	free(full);
	free(note);
	return out ? out : json_null();
}

json_t *lia_record_status_json(struct lia_node *n)
{
	char origin[LIA_NOTE_NAME_MAX + 1], err[LIA_ERR_LEN], hex[65];
	uint64_t size = 0;
	uint8_t root[32] = {0};
	json_t *evidence = NULL, *witnessed = json_object();

	lia_record_origin(n, n->self->name, origin);
	if (lia_store_log_size(n->store, &size, err) < 0 ||
	    lia_store_log_root(n->store, size, root, err) < 0)
		return json_pack("{s:s}", "error", err);
	lia_hex_encode(root, 32, hex);
	for (int i = 0; i < n->n_links; i++) {
		uint64_t wsize = 0;
		uint8_t wroot[32];
		char *note = NULL;
		if (lia_store_get_witnessed(n->store, n->links[i].peer->name, &wsize, wroot, &note,
		    err) == 0)
			json_object_set_new(witnessed, n->links[i].peer->name,
			    json_pack("{s:I, s:s}", "size", (json_int_t)wsize, "note", note));
		free(note);
	}
	if (lia_store_evidence_json(n->store, &evidence, err) < 0)
		evidence = json_array();
	return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:I}", "origin", origin,
	    "size", (json_int_t)size, "root", hex, "checkpoint", latest_json(n),
	    "witnessed", witnessed, "evidence", evidence, "alarms", (json_int_t)n->alarms);
}

static char *cert_pem(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert = d2i_X509(NULL, &p, (long)len);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;

	if (cert != NULL && bio != NULL && PEM_write_bio_X509(bio, cert) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		out = strndup(data, (size_t)n);
	BIO_free(bio);
	X509_free(cert);
	return out;
}

static int export_identities(struct lia_node *n, json_t *bundle, char *err)
{
	json_t *cas = json_object(), *certs = json_object();
	char *text = NULL;
	size_t len = 0;

	json_object_set_new(bundle, "cas", cas);
	json_object_set_new(bundle, "certs", certs);
	if (lia_read_file(n->charter->path, 1 << 20, &text, &len, err) < 0)
		return -1;
	json_object_set_new(bundle, "charter", json_stringn(text, len));
	free(text);
	for (int i = 0; i < n->charter->n_parties; i++) {
		unsigned char *der = NULL;
		size_t der_len = 0;
		if (lia_cert_to_der(n->charter->parties[i].ca, &der, &der_len, err) < 0)
			return -1;
		text = cert_pem(der, der_len);
		json_object_set_new(cas, n->charter->parties[i].name, json_string(text));
		free(text);
		free(der);
	}
	for (int i = 0; i < n->charter->n_nodes; i++) {
		const char *who = n->charter->nodes[i].name;
		uint8_t *der = NULL;
		size_t der_len = 0;
		if (lia_node_cert_der(n, who, &der, &der_len, err) < 0)
			continue; /* never connected: no entries of it can be in the log */
		text = cert_pem(der, der_len);
		json_object_set_new(certs, who, json_string(text));
		free(text);
		free(der);
	}
	return 0;
}

static int export_entries(struct lia_node *n, json_t *bundle, char *err)
{
	json_t *entries = json_array();
	uint64_t size = 0;

	json_object_set_new(bundle, "entries", entries);
	if (lia_store_log_size(n->store, &size, err) < 0)
		return -1;
	for (uint64_t i = 0; i < size; i++) {
		uint8_t *cose = NULL;
		size_t len = 0;
		char *b64;
		if (lia_store_log_entry(n->store, i, &cose, &len, err) < 0)
			return -1;
		b64 = malloc(4 * ((len + 2) / 3) + 1);
		if (b64 == NULL) {
			free(cose);
			lia_err_set(err, "out of memory exporting entry %" PRIu64, i);
			return -1;
		}
		lia_base64_encode(cose, len, b64);
		json_array_append_new(entries, json_string(b64));
		free(b64);
		free(cose);
	}
	return 0;
}

struct export_ctx {
	struct lia_node *node;
	json_t *list;
	char *err;
};

static int export_one_checkpoint(void *ctx, uint64_t size, const char *note)
{
	struct export_ctx *x = ctx;
	char *full = note_with_cosignatures(x->node, size, x->err);

	if (full == NULL)
		return 1;
	json_array_append_new(x->list, json_string(full));
	free(full);
	return 0;
}

json_t *lia_record_export(struct lia_node *n, char *err)
{
	char origin[LIA_NOTE_NAME_MAX + 1];
	json_t *bundle, *witnessed = json_object();
	struct export_ctx x = {n, json_array(), err};

	lia_record_origin(n, n->self->name, origin);
	bundle = json_pack("{s:s, s:s, s:s, s:o, s:o}", "format", "liaison-record/1",
	    "node", n->self->name, "origin", origin, "checkpoints", x.list,
	    "witnessed", witnessed);
	if (export_identities(n, bundle, err) < 0 || export_entries(n, bundle, err) < 0 ||
	    lia_store_scan_checkpoints(n->store, export_one_checkpoint, &x, err) < 0) {
		json_decref(bundle);
		return NULL;
	}
	for (int i = 0; i < n->n_links; i++) {
		uint64_t size = 0;
		uint8_t root[32];
		char *note = NULL;
		if (lia_store_get_witnessed(n->store, n->links[i].peer->name, &size, root, &note,
		    err) == 0)
			json_object_set_new(witnessed, n->links[i].peer->name, json_pack("[s]", note));
		free(note);
	}
	return bundle;
}
