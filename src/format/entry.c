/*
 * entry.c - entries: the names of their enumerations, their hash, and
 * signing and opening them as COSE_Sign1 (the payload's encoding, decoding
 * and validation are entry_encode.c, entry_decode.c and entry_validate.c;
 * the fields of each type entry_fields.c).
 */
#include "entry.h"
#include "cose.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

static const char *const precedence_names[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"};

const char *lia_precedence_name(enum lia_precedence p)
{
	if ((unsigned)p > LIA_ROUTINE)
		return "unknown";
	return precedence_names[p];
}

int lia_precedence_parse(const char *s, enum lia_precedence *p, char *err)
{
	for (unsigned i = 0; i <= LIA_ROUTINE; i++) {
		if (strcasecmp(s, precedence_names[i]) == 0) {
			*p = (enum lia_precedence)i;
			return 0;
		}
	}
	lia_err_set(err, "precedence \"%.40s\" is not one of FLASH, IMMEDIATE, PRIORITY, ROUTINE", s);
	return -1;
}

const char *lia_entry_type_name(enum lia_entry_type t)
{
	switch (t) {
	case LIA_ENTRY_MESSAGE: return "message";
	case LIA_ENTRY_RECEIPT: return "receipt";
	case LIA_ENTRY_ACK: return "ack";
	case LIA_ENTRY_SIGNAL: return "signal";
	case LIA_ENTRY_INCIDENT: return "incident";
	case LIA_ENTRY_LINKTEST: return "link test";
	case LIA_ENTRY_LINKTEST_ANSWER: return "link test answer";
	case LIA_ENTRY_OVERDUE: return "overdue";
	case LIA_ENTRY_RELAY: return "relay";
	}
	return "unknown";
}

static const char *const action_names[] = {"open", "attach", "propose", "confirm", "note"};
static const char *const state_names[] = {"open", "contained", "closed"};

const char *lia_incident_action_name(enum lia_incident_action a)
{
	return (unsigned)a <= LIA_INCIDENT_NOTE ? action_names[a] : "unknown";
}

const char *lia_incident_state_name(enum lia_incident_state st)
{
	return (unsigned)st <= LIA_STATE_CLOSED ? state_names[st] : "unknown";
}

int lia_incident_state_parse(const char *s, enum lia_incident_state *st, char *err)
{
	for (unsigned i = 0; i <= LIA_STATE_CLOSED; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*st = (enum lia_incident_state)i;
			return 0;
		}
	}
	lia_err_set(err, "state \"%.40s\" is not one of open, contained, closed", s);
	return -1;
}

const char *lia_deadline_kind_name(enum lia_deadline_kind k)
{
	return k == LIA_DEADLINE_ACK ? "ack" : "receipt";
}

void lia_entry_hash(const uint8_t *cose, size_t cose_len, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(cose, cose_len, out, &len, EVP_sha256(), NULL);
}

int lia_entry_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose,
    size_t *cose_len, char *err)
{
	uint8_t *payload = NULL;
	size_t len;
	int rc = -1;

	if (lia_entry_encode(e, &payload, &len, err) != 0 ||
	    lia_cose_sign(key, e->narrow ? NULL : e->origin, payload, len, cose, cose_len, err) != 0)
		goto out;
	rc = 0;
out:
	free(payload);
	return rc;
}

/* Decodes a parsed COSE's payload into e and checks that its signer is its origin. */
static int open_payload(const struct lia_cose *c, struct lia_entry *e, char *err)
{
	int rc = -1;

	if (lia_entry_decode(c->payload, c->payload_len, e, err) != 0)
		goto out;
	if (c->kid[0] != '\0' && strcmp(c->kid, e->origin) != 0) {
		lia_err_set(err, "entry claims origin %s but is signed as %s", e->origin, c->kid);
		lia_entry_finish(e);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_entry_open(const uint8_t *cose, size_t cose_len, struct lia_entry *e, char *err)
{
	struct lia_cose c;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (lia_cose_parse(cose, cose_len, &c, err) != 0)
		goto out;
	rc = open_payload(&c, e, err);
out:
	lia_cose_finish(&c);
	return rc;
}

int lia_entry_verify(const uint8_t *cose, size_t cose_len, EVP_PKEY *pub,
    struct lia_entry *e, char *err)
{
	struct lia_cose c;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (lia_cose_parse(cose, cose_len, &c, err) != 0 || lia_cose_verify(&c, pub, err) != 0)
		goto out;
	rc = open_payload(&c, e, err);
out:
	lia_cose_finish(&c);
	return rc;
}

/*
 * The origin is checked before the signature on purpose: an entry claiming
 * another node but signed with the peer's own key would verify under
 * peer_key, so only the origin check refuses that forgery.
 */
int lia_entry_open_from(const uint8_t *cose, size_t cose_len, const char *peer,
    EVP_PKEY *peer_key, struct lia_entry *e, char *err)
{
	char why[LIA_ERR_LEN];

	if (lia_entry_open(cose, cose_len, e, why) < 0) {
		lia_err_set(err, "malformed entry from %s: %s", peer, why);
		return -1;
	}
	if (strcmp(e->origin, peer) != 0) {
		lia_err_set(err, "entry %s/%" PRIu64 " is signed as %s but arrived on the link with %s",
		    e->origin, e->seq, e->origin, peer);
		return -1;
	}
	lia_entry_finish(e);
	if (lia_entry_verify(cose, cose_len, peer_key, e, why) < 0) {
		lia_err_set(err, "entry from %s fails its signature check (altered or forged): %s",
		    peer, why);
		return -1;
	}
	return 0;
}

void lia_entry_finish(struct lia_entry *e)
{
	if (e == NULL)
		return;
	free(e->text);
	free(e->inner);
	free(e->inner_cert);
	memset(e, 0, sizeof(*e));
}
