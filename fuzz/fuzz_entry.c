/*
 * fuzz_entry.c - libFuzzer target for lia_entry_decode (payload bytes) and
 * lia_entry_open / lia_entry_verify (COSE bytes), on the same input.
 *
 * Properties: a decoded entry validates and encodes back to exactly the input
 * (one entry, one encoding); an opened entry's origin is its signer. Seeds in
 * corpus/entry are payloads and COSE_Sign1s signed with the RFC 8032 key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cose.h"
#include "entry.h"
#include "err.h"

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

static void decode_payload(const uint8_t *data, size_t size)
{
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "";
	uint8_t *out;
	size_t len;

	if (lia_entry_decode(data, size, &e, err) != 0) {
		if (err[0] == '\0' || e.text != NULL)
			abort();
		return;
	}
	if (lia_entry_validate(&e, err) != 0 || lia_entry_encode(&e, &out, &len, err) != 0)
		abort();
	if (len != size || memcmp(out, data, size) != 0)
		abort(); /* decode accepted a second encoding of the same entry */
	free(out);
	lia_entry_finish(&e);
}

static void open_cose(const uint8_t *data, size_t size)
{
	struct lia_entry e;
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";

	if (lia_entry_open(data, size, &e, err) != 0)
		return;
	if (lia_cose_parse(data, size, &c, err) != 0 ||
	    (c.kid[0] != '\0' && strcmp(c.kid, e.origin) != 0))
		abort();
	lia_cose_finish(&c);
	lia_entry_finish(&e);
	if (lia_entry_verify(data, size, fuzz_key(), &e, err) == 0)
		lia_entry_finish(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_payload(data, size);
	open_cose(data, size);
	return 0;
}
