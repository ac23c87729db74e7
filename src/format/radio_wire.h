/*
 * radio_wire.h - the unit link's datagrams and the arithmetic of its pacing.
 *
 * A datagram is one CBOR array (RFC 8949) of two items, [kind, body]
 * (docs/wire.md, "Unit link"):
 *   [1, bstr]  entry: the exact COSE_Sign1 bytes of a signal or a receipt
 *   [2, bstr]  certificate offer: the sender's node certificate, DER
 *   [3, tstr]  certificate request: the asking node's name ("send me yours")
 * Nothing else is accepted: no other kinds, no trailing bytes, no datagram
 * over LIA_DGRAM_MAX bytes. Authenticity comes from the signed entries and
 * the charter-checked certificates, never from the sender's address.
 */
#ifndef LIA_RADIO_WIRE_H
#define LIA_RADIO_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define LIA_DGRAM_MAX 1400          /* fits one Ethernet frame with IP and UDP headers */
#define LIA_DGRAM_OVERHEAD 42       /* Ethernet, IPv4 and UDP headers counted against the rate */

enum lia_dgram_kind {
	LIA_DGRAM_ENTRY = 1,
	LIA_DGRAM_CERT = 2,
	LIA_DGRAM_CERT_REQUEST = 3
};

struct lia_dgram {
	enum lia_dgram_kind kind;
	const uint8_t *body;        /* entry or certificate bytes (borrowed: into the decoded buffer) */
	size_t body_len;
	char node[LIA_NAME_MAX + 1];/* certificate request: the asking node */
};

/* Encodes d into out (cap bytes); -1 with err when it does not fit LIA_DGRAM_MAX or cap, or is malformed. */
int lia_dgram_encode(const struct lia_dgram *d, uint8_t *out, size_t cap, size_t *len, char *err);

/* Decodes hostile buf; d->body points into buf (keep buf alive). -1 with err naming what is wrong. */
int lia_dgram_decode(const uint8_t *buf, size_t len, struct lia_dgram *d, char *err);

/* "entry", "cert", "cert-request". */
const char *lia_dgram_kind_name(enum lia_dgram_kind k);

/*
 * Retransmission timeout after `tries` sends (1 = sent once): base doubled
 * per further try, capped at cap_ms, then spread by jitter in [0, 1) over
 * -25%..+25% so that two units do not retransmit in step.
 */
int64_t lia_radio_backoff_ms(int tries, int64_t base_ms, int64_t cap_ms, double jitter);

/* A token bucket of bits: rate bits per second, at most cap bits saved up. */
struct lia_bucket {
	int64_t rate;               /* bits/s; 0 = unpaced */
	double tokens;              /* bits available */
	double cap;
	int64_t at_ms;              /* monotonic time tokens were last counted */
};

/* Starts full at now_ms. */
void lia_bucket_init(struct lia_bucket *b, int64_t rate, double cap, int64_t now_ms);

/* 1 and the datagram's bits (with LIA_DGRAM_OVERHEAD) taken when bytes may go at now_ms, else 0. */
int lia_bucket_take(struct lia_bucket *b, size_t bytes, int64_t now_ms);

#endif
