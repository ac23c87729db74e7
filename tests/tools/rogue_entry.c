/*
 * rogue_entry.c - the rogue's entries: well-formed messages and receipts,
 * signed with whichever key an attack chooses, and sent in frames whose prev
 * follows the wire rules (src/wire.h) unless an attack says otherwise.
 */
#include "rogue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cose.h"

/* The recipient of our messages: --to, else the peer itself. */
const char *rogue_recipient(const struct rogue *r)
{
	return r->to[0] ? r->to : r->conn.peer;
}

/* A ROUTINE message in English; text is borrowed (never lia_entry_finish this). */
void rogue_make_message(struct lia_entry *e, const char *origin, uint64_t seq, const char *to,
    char *text)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_MESSAGE;
	snprintf(e->origin, sizeof(e->origin), "%s", origin);
	e->seq = seq;
	e->time_ms = lia_now_ms();
	snprintf(e->to, sizeof(e->to), "%s", to);
	e->precedence = LIA_ROUTINE;
	snprintf(e->lang, sizeof(e->lang), "en");
	e->text = text;
}

int rogue_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose, size_t *len)
{
	char err[LIA_ERR_LEN] = "";

	if (lia_entry_sign(e, key, cose, len, err) < 0) {
		fprintf(stderr, "rogue: cannot sign %s/%" PRIu64 ": %s\n", e->origin, e->seq, err);
		return -1;
	}
	return 0;
}

/* Sends one entry frame with the given prev; -1 only on a local failure. */
int rogue_send_entry(struct rogue *r, uint64_t prev, const struct lia_entry *e,
    const uint8_t *cose, size_t len)
{
	struct lia_frame f = {.kind = LIA_FRAME_ENTRY, .prev = prev, .cose = (uint8_t *)cose,
	    .cose_len = len};

	if (e->type == LIA_ENTRY_MESSAGE || e->type == LIA_ENTRY_SIGNAL)
		printf("tx entry prev=%" PRIu64 " %s %s/%" PRIu64 " to %s\n", prev,
		    lia_entry_type_name(e->type), e->origin, e->seq, e->to);
	else
		printf("tx entry prev=%" PRIu64 " %s %s/%" PRIu64 " of %s/%" PRIu64 "\n", prev,
		    lia_entry_type_name(e->type), e->origin, e->seq, e->ref_origin, e->ref_seq);
	return rogue_send_frame(&r->conn, &f) == -2 ? -1 : 0;
}

/* Sends an entry as the next one on this link (prev moves on). */
int rogue_send_next(struct rogue *r, const struct lia_entry *e, const uint8_t *cose, size_t len)
{
	uint64_t prev = r->prev;

	r->prev = e->seq;
	return rogue_send_entry(r, prev, e, cose, len);
}

/* Builds an entry from origin signed with key, and sends it as the next. */
int rogue_send_signed(struct rogue *r, const char *origin, EVP_PKEY *key, const char *text)
{
	char buf[256];
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	snprintf(buf, sizeof(buf), "%s", text);
	rogue_make_message(&e, origin, r->prev + 1, rogue_recipient(r), buf);
	if (rogue_sign(&e, key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}

/* Signs a hand-built payload as our own and sends it as the next entry. */
int rogue_send_payload(struct rogue *r, const struct lia_entry *e, const uint8_t *payload,
    size_t len)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int rc;

	if (lia_cose_sign(r->key, r->self, payload, len, &cose, &cose_len, err) < 0) {
		fprintf(stderr, "rogue: cannot sign the payload: %s\n", err);
		return -1;
	}
	rc = rogue_send_next(r, e, cose, cose_len);
	free(cose);
	return rc;
}

/* Signs and sends our receipt of msg (whose COSE hashes to hash) as the next entry. */
int rogue_send_receipt(struct rogue *r, const struct lia_entry *msg, const uint8_t hash[32])
{
	struct lia_entry e;
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_RECEIPT;
	snprintf(e.origin, sizeof(e.origin), "%s", r->self);
	e.seq = r->prev + 1;
	e.time_ms = lia_now_ms();
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", msg->origin);
	e.ref_seq = msg->seq;
	memcpy(e.ref_hash, hash, sizeof(e.ref_hash));
	if (rogue_sign(&e, r->key, &cose, &len) < 0)
		return -1;
	rc = rogue_send_next(r, &e, cose, len);
	free(cose);
	return rc;
}
