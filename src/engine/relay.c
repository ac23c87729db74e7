/*
 * relay.c - a station accepts what its own units heard from units of other
 * parties (relay.h). The relay is signed by our unit and rides its sequence,
 * so the hotline session's order and replay checks give exactly-once; the
 * inner signal is believed only on its own signature, checked with the
 * enclosed certificate under the charter: our unit cannot forge it.
 */
#include "node_internal.h"
#include "relay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "clock.h"
#include "log.h"

int lia_relay_own_unit_copy(const struct lia_node *n, const struct lia_node_def *peer,
    const struct lia_entry *e)
{
	return n->self->role == LIA_ROLE_STATION && peer->role == LIA_ROLE_UNIT &&
	    strcmp(peer->party, n->self->party) == 0 && strcmp(e->origin, peer->name) == 0;
}

/* The inner entry's origin's certificate: valid under the charter, a unit of another party. */
static int inner_key(struct lia_node *n, const struct lia_node_def *peer, const struct lia_entry *e, struct lia_entry *inner,
    EVP_PKEY **pub, char *err)
{
	const struct lia_node_def *def;
	struct lia_identity id;
	X509 *cert = NULL;
	char why[LIA_ERR_LEN];
	int rc = LIA_REFUSED;

	if (lia_entry_open(e->inner, e->inner_len, inner, why) < 0) {
		lia_err_set(err, "relay %s/%" PRIu64 ": inner entry malformed: %s", e->origin, e->seq,
		    why);
		goto out;
	}
	def = lia_charter_node(n->charter, inner->origin);
	if (def == NULL || def->role != LIA_ROLE_UNIT || strcmp(def->party, peer->party) == 0) {
		lia_err_set(err, "relay %s/%" PRIu64 ": inner origin %s is not a unit of another "
		    "party", e->origin, e->seq, inner->origin);
		goto out;
	}
	if (lia_cert_from_der(e->inner_cert, e->inner_cert_len, &cert, why) < 0 ||
	    lia_cert_check(n->charter, cert, &id, why) < 0) {
		lia_err_set(err, "relay %s/%" PRIu64 ": enclosed certificate refused: %s", e->origin,
		    e->seq, why);
		goto out;
	}
	if (strcmp(id.node, inner->origin) != 0) {
		lia_err_set(err, "relay %s/%" PRIu64 ": enclosed certificate is %s's, the inner "
		    "entry claims %s", e->origin, e->seq, id.node, inner->origin);
		goto out;
	}
	*pub = X509_get_pubkey(cert);
	rc = *pub != NULL ? 0 : -1;
out:
	X509_free(cert);
	lia_entry_finish(inner);
	return rc;
}

int lia_relay_accept(struct lia_node *n, const struct lia_node_def *peer,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_entry inner;
	EVP_PKEY *pub = NULL;
	uint8_t hash[32];
	char why[LIA_ERR_LEN];
	int rc = LIA_REFUSED, added;

	memset(&inner, 0, sizeof(inner));
	if (!lia_relay_own_unit_copy(n, peer, e)) {
		lia_err_set(err, "relay %s/%" PRIu64 ": only a unit of %s relays to %s", e->origin,
		    e->seq, n->self->party, n->self->name);
		goto out;
	}
	if ((rc = inner_key(n, peer, e, &inner, &pub, err)) != 0)
		goto out;
	rc = LIA_REFUSED;
	if (lia_entry_verify(e->inner, e->inner_len, pub, &inner, why) < 0 ||
	    inner.type != LIA_ENTRY_SIGNAL) {
		lia_err_set(err, "relay %s/%" PRIu64 ": inner entry is not a signal signed by its "
		    "origin: %s", e->origin, e->seq, inner.type ? "wrong type" : why);
		goto out;
	}
	if (lia_node_check_signals(n, &inner, why) < 0) {
		lia_err_set(err, "relay %s/%" PRIu64 ": signal %s/%" PRIu64 " refused: %s", e->origin,
		    e->seq, inner.origin, inner.seq, why);
		goto out;
	}
	rc = -1;
	added = lia_store_add_entry(n->store, &inner, LIA_DIR_IN, e->inner, e->inner_len,
	    lia_now_ms(), err);
	if ((added < 0 && added != LIA_EDUP) ||
	    lia_store_put_cert(n->store, inner.origin, e->inner_cert, e->inner_cert_len, err) < 0 ||
	    lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, lia_now_ms(), err) < 0)
		goto out;
	lia_entry_hash(cose, cose_len, hash);
	if (lia_node_receipt(n, peer->name, e, hash, err) < 0)
		goto out;
	lia_log_info("relay %s/%" PRIu64 ": signal %s/%" PRIu64 " heard by %s on the unit link%s",
	    e->origin, e->seq, inner.origin, inner.seq, e->origin,
	    added == LIA_EDUP ? " (already held)" : ", stored");
	rc = 0;
out:
	EVP_PKEY_free(pub);
	lia_entry_finish(&inner);
	return rc;
}
