/*
 * cose.h - COSE_Sign1 (RFC 9052 section 4.2) with EdDSA (alg -8), over libcbor.
 *
 * Encoding: tag 18 [protected: bstr .cbor {1: -8, 4: kid}, unprotected: {},
 * payload: bstr, signature: bstr(64)]. kid is the signing node's name as a
 * byte string; it is optional (protected {1: -8} alone) where the payload
 * names the signer. The signature covers Sig_structure ["Signature1", protected,
 * h'' (external_aad), payload] (RFC 9052 section 4.4).
 */
#ifndef LIA_COSE_H
#define LIA_COSE_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "text.h"

#define LIA_COSE_MAX 65536 /* largest COSE_Sign1 we parse */

struct lia_cose {
	char kid[LIA_NAME_MAX + 1];  /* signer's node name from the protected header, "" if absent */
	uint8_t *protected_bytes;    /* serialized protected header map (owned) */
	size_t protected_len;
	uint8_t *payload;            /* payload bytes (owned) */
	size_t payload_len;
	uint8_t signature[64];
};

/* Signs payload with key (Ed25519) under kid (NULL: no kid); *out (caller frees) is the tagged COSE_Sign1. */
int lia_cose_sign(EVP_PKEY *key, const char *kid, const uint8_t *payload,
    size_t payload_len, uint8_t **out, size_t *out_len, char *err);

/* Parses buf as a COSE_Sign1 without checking the signature; fails on anything but alg EdDSA and an absent or valid kid. */
int lia_cose_parse(const uint8_t *buf, size_t len, struct lia_cose *out, char *err);

/* Checks a parsed COSE_Sign1's signature with pub (Ed25519). 0 when valid. */
int lia_cose_verify(const struct lia_cose *cose, EVP_PKEY *pub, char *err);

/* Frees what lia_cose_parse allocated; the struct itself is the caller's. */
void lia_cose_finish(struct lia_cose *cose);

struct cbor_item_t;
/* Loads hostile buf as exactly one definite-length CBOR item nested <= max_depth (<= 8), checked before libcbor allocates; NULL with err naming what; caller cbor_decrefs. */
struct cbor_item_t *lia_cose_cbor_load(const uint8_t *buf, size_t len, unsigned max_depth,
    const char *what, char *err);

#endif
