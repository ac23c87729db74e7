/*
 * rogue_signal.c - the rogue's signal attacks (tests/integ/38-signal-forged-party.sh):
 * one well-formed signal entry to the recipient, made as ourselves or
 * claiming another node's origin (--claim, e.g. a unit of the other party),
 * signed with our own key, with --sign-as's, or with a fresh key that no
 * certificate of the charter holds. Only the origin or the key is wrong: the
 * signal itself is one the catalogue accepts (L-MV4, course and speed).
 */
#include "rogue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* L-MV4 (holding course 045, speed 12.5) at 31.5 N 124.75 E, from origin to the recipient. */
static void make_signal(struct lia_entry *e, const struct rogue *r, const char *origin)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_SIGNAL;
	snprintf(e->origin, sizeof(e->origin), "%s", origin);
	e->seq = r->prev + 1;
	e->time_ms = lia_now_ms();
	snprintf(e->to, sizeof(e->to), "%s", rogue_recipient(r));
	e->nsignals = 1;
	snprintf(e->signals[0].code, sizeof(e->signals[0].code), "L-MV4");
	e->signals[0].nparams = 2;
	snprintf(e->signals[0].params[0], sizeof(e->signals[0].params[0]), "045");
	snprintf(e->signals[0].params[1], sizeof(e->signals[0].params[1]), "12.5");
	e->lat = 3150000;
	e->lon = 12475000;
}

/* Signs signal e with key (described by whose, for the output) and sends it as the next entry. */
static int sign_and_send(struct rogue *r, struct lia_entry *e, EVP_PKEY *key, const char *whose)
{
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	if (key == NULL) {
		fprintf(stderr, "rogue: no key to sign with (%s)\n", whose);
		return -1;
	}
	if (rogue_sign(e, key, &cose, &len) < 0)
		return -1;
	printf("signal %s/%" PRIu64 " to %s, signed with %s\n", e->origin, e->seq,
	    e->to[0] ? e->to : "(all)", whose);
	rc = rogue_send_next(r, e, cose, len);
	free(cose);
	return rc;
}

/* A signal from origin to the recipient, signed with key. */
static int send_signal(struct rogue *r, const char *origin, EVP_PKEY *key, const char *whose)
{
	struct lia_entry e;

	make_signal(&e, r, origin);
	return sign_and_send(r, &e, key, whose);
}

/* The --claim name, or NULL (printed) when none was given. */
static const char *claimed(const struct rogue *r)
{
	if (r->claim[0] == '\0') {
		fprintf(stderr, "rogue: this attack needs --claim NAME\n");
		return NULL;
	}
	return r->claim;
}

/* A signal from origin signed with a fresh Ed25519 key that matches no certificate. */
static int send_with_fresh_key(struct rogue *r, const char *origin)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	int rc = send_signal(r, origin, key, "a fresh key of no certificate");

	EVP_PKEY_free(key);
	return rc;
}

int rogue_attack_signal_valid(struct rogue *r)
{
	return send_signal(r, r->self, r->key, "our own key");
}

int rogue_attack_signal_claim(struct rogue *r)
{
	const char *origin = claimed(r);

	return origin != NULL ? send_signal(r, origin, r->key, "our own key") : -1;
}

int rogue_attack_signal_claim_nokey(struct rogue *r)
{
	const char *origin = claimed(r);

	return origin != NULL ? send_with_fresh_key(r, origin) : -1;
}

int rogue_attack_signal_claim_theirs(struct rogue *r)
{
	const char *origin = claimed(r);

	return origin != NULL ? send_signal(r, origin, r->other_key, "--sign-as's key") : -1;
}

/* A broadcast (no `to`) of ours, valid on the radio, over the TLS link where nobody takes it. */
int rogue_attack_signal_broadcast(struct rogue *r)
{
	struct lia_entry e;

	make_signal(&e, r, r->self);
	e.to[0] = '\0';
	return sign_and_send(r, &e, r->key, "our own key");
}

int rogue_attack_signal_nokey(struct rogue *r)
{
	return send_with_fresh_key(r, r->self);
}
