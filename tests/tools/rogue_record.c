/*
 * rogue_record.c - the record-poisoning attack (tests/integ/23-bad-record-poison.sh):
 * the rogue offers a checkpoint of its own log, validly signed, whose note also
 * carries a bogus line under the peer's own cosignature name and key ID (put
 * first, zero bytes for a signature) and a line of an unknown outside witness.
 * A witness that kept the note as it came would carry the bogus line into every
 * export of its own record; it must keep only the checkpoint, our line and its
 * own cosignature.
 */
#include "rogue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "note.h"

#define POISON_SIZE 3   /* the size of the log we claim */

/* "— name base64(key_id || n zero bytes)\n" into line. */
static void zero_line(const char *name, uint32_t id, size_t n, char line[static LIA_NOTE_LINE_MAX])
{
	uint8_t raw[4 + 72] = { 0 };
	char b64[(sizeof(raw) + 2) / 3 * 4 + 1];

	raw[0] = (uint8_t)(id >> 24), raw[1] = (uint8_t)(id >> 16), raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	EVP_EncodeBlock((unsigned char *)b64, raw, (int)(4 + n));
	snprintf(line, LIA_NOTE_LINE_MAX, "\xe2\x80\x94 %s %s\n", name, b64);
}

/* The peer's cosignature name and key ID, from its certificate on this connection. */
static int peer_cosig_id(struct rogue *r, char name[static LIA_NOTE_NAME_MAX + 1], uint32_t *id)
{
	X509 *cert = SSL_get1_peer_certificate(r->conn.ssl);
	EVP_PKEY *pub = cert != NULL ? X509_get0_pubkey(cert) : NULL;
	uint8_t raw[32];
	size_t len = sizeof(raw);
	char err[LIA_ERR_LEN] = "";
	int rc = -1;

	snprintf(name, LIA_NOTE_NAME_MAX + 1, "%s/%s", r->charter->mechanism, r->conn.peer);
	if (pub != NULL && EVP_PKEY_get_raw_public_key(pub, raw, &len) == 1 && len == 32 &&
	    lia_note_key_id(name, LIA_NOTE_COSIG_V1, raw, id, err) == 0)
		rc = 0;
	X509_free(cert);
	return rc;
}

int rogue_attack_poison_checkpoint(struct rogue *r)
{
	char origin[LIA_NOTE_NAME_MAX + 1], victim[LIA_NOTE_NAME_MAX + 1], body[LIA_CHECKPOINT_MAX];
	char bogus[LIA_NOTE_LINE_MAX], outsider[LIA_NOTE_LINE_MAX], own[LIA_NOTE_LINE_MAX];
	char err[LIA_ERR_LEN] = "", *note = NULL;
	struct lia_frame f = {.kind = LIA_FRAME_CHECKPOINT, .old = 0};
	uint8_t root[32];
	size_t body_len = 0;
	uint32_t id = 0;
	int rc = -1;

	snprintf(origin, sizeof(origin), "%s/%s", r->charter->mechanism, r->self);
	if (RAND_bytes(root, sizeof(root)) != 1 || peer_cosig_id(r, victim, &id) != 0 ||
	    lia_checkpoint_make(origin, POISON_SIZE, root, body, &body_len, err) != 0 ||
	    lia_note_sign_line(r->key, origin, body, body_len, own, err) != 0) {
		fprintf(stderr, "rogue: cannot build the poisoned checkpoint: %s\n", err);
		goto out;
	}
	zero_line(victim, id, 72, bogus);
	zero_line("witness.example.org/outside", 0x12345678, 72, outsider);
	if (asprintf(&note, "%s\n%s%s%s", body, bogus, own, outsider) < 0) {
		note = NULL;
		goto out;
	}
	printf("tx checkpoint %s size %d with a bogus line as %s (key ID %08" PRIx32 ")\n", origin,
	    POISON_SIZE, victim, id);
	f.note = (uint8_t *)note;
	f.note_len = strlen(note);
	if (rogue_send_frame(&r->conn, &f) == -2)
		goto out;
	rc = 0;
out:
	free(note);
	return rc;
}
