/*
 * rogue_relay.c - the relay attack (tests/integ/34-signal-radio-relay.sh):
 * a relay (type 9) of ours around a signal that claims --sign-as's node as
 * its origin but is signed with our own key, our own certificate enclosed.
 * A station must refuse it: the certificate is not the inner origin's.
 */
#include "rogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>

#include "cert.h"
#include "clock.h"

int rogue_attack_forged_relay(struct rogue *r)
{
	struct lia_entry inner, relay;
	X509 *cert = SSL_get_certificate(r->conn.ssl);  /* borrowed: our own */
	uint8_t *inner_cose = NULL, *der = NULL, *cose = NULL;
	size_t inner_len = 0, der_len = 0, len = 0;
	char err[LIA_ERR_LEN];
	int rc = -1;

	memset(&inner, 0, sizeof(inner));
	inner.type = LIA_ENTRY_SIGNAL;
	snprintf(inner.origin, sizeof(inner.origin), "%s", r->other);
	snprintf(inner.to, sizeof(inner.to), "%s", r->self);
	inner.seq = 77;
	inner.time_ms = lia_now_ms();
	inner.nsignals = 1;
	strcpy(inner.signals[0].code, "D");
	inner.lat = 3150000;
	inner.lon = 12475000;
	if (cert == NULL || lia_cert_to_der(cert, &der, &der_len, err) < 0 ||
	    rogue_sign(&inner, r->key, &inner_cose, &inner_len) < 0) {
		fprintf(stderr, "rogue: cannot build the forged signal\n");
		goto out;
	}
	memset(&relay, 0, sizeof(relay));
	relay.type = LIA_ENTRY_RELAY;
	snprintf(relay.origin, sizeof(relay.origin), "%s", r->self);
	relay.seq = r->prev + 1;
	relay.time_ms = lia_now_ms();
	relay.inner = inner_cose;
	relay.inner_len = inner_len;
	relay.inner_cert = der;
	relay.inner_cert_len = der_len;
	if (rogue_sign(&relay, r->key, &cose, &len) < 0)
		goto out;
	printf("tx relay %s/%llu around %s/77 signed by %s\n", r->self,
	    (unsigned long long)relay.seq, r->other, r->self);
	rc = rogue_send_next(r, &relay, cose, len);
out:
	free(cose);
	free(der);
	free(inner_cose);
	return rc;
}
