/*
 * fuzz_cose.c - libFuzzer target for lia_cose_parse, lia_cose_verify and the
 * guarded loader lia_cose_cbor_load.
 *
 * Properties: what parses has no kid or a valid one, and a protected header; verifying
 * with the seed key never crashes; re-signing a parsed payload under its kid
 * yields a COSE_Sign1 that parses back to the same payload. The seeds in
 * corpus/cose are signed with the same RFC 8032 key (see gen_seeds.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "cose.h"
#include "err.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t seed_key[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static EVP_PKEY *fuzz_key(void)
{
	static EVP_PKEY *key;

	if (key == NULL)
		key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed_key, 32);
	if (key == NULL)
		abort();
	return key;
}

/* Signing what parsed again must give an envelope that parses to the same payload. */
static void resign(const struct lia_cose *c)
{
	struct lia_cose again;
	char err[LIA_ERR_LEN] = "";
	uint8_t *out;
	size_t len;

	if (lia_cose_sign(fuzz_key(), c->kid[0] != '\0' ? c->kid : NULL, c->payload, c->payload_len, &out, &len, err) != 0)
		abort();
	if (lia_cose_parse(out, len, &again, err) != 0 || again.payload_len != c->payload_len ||
	    (c->payload_len > 0 && memcmp(again.payload, c->payload, c->payload_len) != 0) ||
	    strcmp(again.kid, c->kid) != 0 || lia_cose_verify(&again, fuzz_key(), err) != 0)
		abort();
	lia_cose_finish(&again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_cose c;
	struct cbor_item_t *item;
	char err[LIA_ERR_LEN] = "";

	item = lia_cose_cbor_load(data, size, 8, "fuzz item", err);
	if (item != NULL)
		cbor_decref(&item);
	else if (err[0] == '\0')
		abort();
	if (lia_cose_parse(data, size, &c, err) == 0) {
		if ((c.kid[0] != '\0' && !lia_name_valid(c.kid)) || c.protected_bytes == NULL || c.payload == NULL)
			abort();
		(void)lia_cose_verify(&c, fuzz_key(), err);
		resign(&c);
	} else if (err[0] == '\0' || c.payload != NULL) {
		abort();
	}
	lia_cose_finish(&c);
	return 0;
}
