/*
 * test_cose.c - COSE_Sign1 sign, parse and verify; a known-answer vector
 * checked against an independent implementation; forged and malformed
 * envelopes must be refused; the guarded CBOR loader's limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "cose.h"
#include "err.h"

/* RFC 8032 section 7.1 test 1 secret key. */
static const char kat_secret[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/* Computed with Python's cryptography package from hand-written CBOR bytes. */
static const char kat_protected[] = "a201270448746f6b796f2d6871";
static const char kat_sig_structure[] =
    "846a5369676e6174757265314da201270448746f6b796f2d6871404568656c6c6f";
static const char kat_cose[] =
    "d2844da201270448746f6b796f2d6871a04568656c6c6f5840"
    "4468065d3399c2fc60a1891936b59a8d8a6480ed5a67938f54a99f3eddbcc7fd"
    "eaadd5371423b5c2838aa4bd428466aed1039d655eac84e233844cfbe209e300";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	assert_non_null(key);
	return key;
}

static void sign_hello(EVP_PKEY *key, const char *kid, uint8_t **cose, size_t *len)
{
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_cose_sign(key, kid, (const uint8_t *)"hello", 5, cose, len, err), 0);
}

static void test_round_trip(void **state)
{
	EVP_PKEY *key = new_key();
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	sign_hello(key, "beijing-hq", &cose, &len);
	assert_int_equal(lia_cose_parse(cose, len, &c, err), 0);
	assert_string_equal(c.kid, "beijing-hq");
	assert_int_equal(c.payload_len, 5);
	assert_memory_equal(c.payload, "hello", 5);
	assert_int_equal(lia_cose_verify(&c, key, err), 0);
	lia_cose_finish(&c);
	assert_null(c.payload);
	free(cose);
	EVP_PKEY_free(key);
}

static void test_empty_payload(void **state)
{
	EVP_PKEY *key = new_key();
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	assert_int_equal(lia_cose_sign(key, "a", NULL, 0, &cose, &len, err), 0);
	assert_int_equal(lia_cose_parse(cose, len, &c, err), 0);
	assert_int_equal(c.payload_len, 0);
	assert_int_equal(lia_cose_verify(&c, key, err), 0);
	lia_cose_finish(&c);
	free(cose);
	EVP_PKEY_free(key);
}

/* Every single-byte change must make parse or verify fail, never pass. */
static void test_every_byte_flip_fails(void **state)
{
	static const uint8_t masks[] = {0x01, 0x02, 0x40, 0x80, 0xff};
	EVP_PKEY *key = new_key();
	uint8_t *cose;
	size_t len;

	(void)state;
	sign_hello(key, "tokyo-hq", &cose, &len);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			struct lia_cose c;
			char err[LIA_ERR_LEN] = "";
			int ok;

			cose[i] ^= masks[m];
			ok = lia_cose_parse(cose, len, &c, err) == 0 && lia_cose_verify(&c, key, err) == 0;
			if (ok)
				fail_msg("flipping byte %zu with 0x%02x still verifies", i, masks[m]);
			assert_true(err[0] != '\0');
			lia_cose_finish(&c);
			cose[i] ^= masks[m];
		}
	}
	free(cose);
	EVP_PKEY_free(key);
}

static void test_truncations_fail(void **state)
{
	EVP_PKEY *key = new_key();
	uint8_t *cose;
	size_t len;

	(void)state;
	sign_hello(key, "tokyo-hq", &cose, &len);
	for (size_t n = 0; n < len; n++) {
		struct lia_cose c;
		char err[LIA_ERR_LEN] = "";

		assert_int_equal(lia_cose_parse(cose, n, &c, err), -1);
		assert_true(err[0] != '\0');
	}
	free(cose);
	EVP_PKEY_free(key);
}

static void test_wrong_key_fails(void **state)
{
	EVP_PKEY *key = new_key(), *other = new_key();
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	sign_hello(key, "tokyo-hq", &cose, &len);
	assert_int_equal(lia_cose_parse(cose, len, &c, err), 0);
	assert_int_equal(lia_cose_verify(&c, other, err), -1);
	assert_non_null(strstr(err, "does not verify"));
	lia_cose_finish(&c);
	free(cose);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_non_ed25519_key_refused(void **state)
{
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t len;

	(void)state;
	assert_non_null(ec);
	assert_int_equal(lia_cose_sign(ec, "a", (const uint8_t *)"x", 1, &cose, &len, err), -1);
	assert_non_null(strstr(err, "Ed25519"));
	assert_null(cose);
	EVP_PKEY_free(ec);
}

/* Without kid (the narrow form): protected {1: -8} alone, which parses and verifies. */
static void test_no_kid(void **state)
{
	EVP_PKEY *key = new_key();
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_cose c;

	(void)state;
	if (lia_cose_sign(key, NULL, (const uint8_t *)"hello", 5, &cose, &len, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(len, 1 + 1 + 4 + 1 + 6 + 66);
	assert_memory_equal(cose, "\xd2\x84\x43\xa1\x01\x27\xa0", 7);
	if (lia_cose_parse(cose, len, &c, err) != 0 || lia_cose_verify(&c, key, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.kid, "");
	assert_int_equal(c.protected_len, 3);
	lia_cose_finish(&c);
	free(cose);
	EVP_PKEY_free(key);
}

static void test_bad_kid_refused_on_sign(void **state)
{
	EVP_PKEY *key = new_key();
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t len;

	(void)state;
	assert_int_equal(lia_cose_sign(key, "Tokyo", (const uint8_t *)"x", 1, &cose, &len, err), -1);
	assert_non_null(strstr(err, "kid"));
	assert_int_equal(lia_cose_sign(key, "", (const uint8_t *)"x", 1, &cose, &len, err), -1);
	assert_null(cose);
	EVP_PKEY_free(key);
}

/* Fixed key and kid: the exact bytes must match the independently computed vector. */
static void test_known_answer(void **state)
{
	uint8_t secret[32], expect[256], prot[64], tbs[128], sig[64];
	size_t expect_len, prot_len, tbs_len, sig_len = sizeof(sig);
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	unhex(kat_secret, secret, sizeof(secret));
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, sizeof(secret));
	assert_non_null(key);
	expect_len = unhex(kat_cose, expect, sizeof(expect));
	prot_len = unhex(kat_protected, prot, sizeof(prot));
	tbs_len = unhex(kat_sig_structure, tbs, sizeof(tbs));

	sign_hello(key, "tokyo-hq", &cose, &len);
	assert_int_equal(len, expect_len);
	assert_memory_equal(cose, expect, len);

	assert_int_equal(lia_cose_parse(cose, len, &c, err), 0);
	assert_int_equal(c.protected_len, prot_len);
	assert_memory_equal(c.protected_bytes, prot, prot_len);
	/* The signature is Ed25519 over exactly the Sig_structure bytes. */
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &sig_len, tbs, tbs_len), 1);
	assert_memory_equal(c.signature, sig, 64);
	assert_int_equal(lia_cose_verify(&c, key, err), 0);

	lia_cose_finish(&c);
	free(cose);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
}

/* Builds 18([prot, unprot, payload "hello", sig of sig_len]) from hex pieces. */
static size_t forge(const char *prefix, const char *prot, const char *unprot, size_t sig_len,
    uint8_t *out, size_t cap)
{
	size_t n = unhex(prefix, out, cap);
	size_t p;

	p = unhex(prot, out + n + 1, cap - n - 1);
	out[n] = (uint8_t)(0x40 + p);
	n += 1 + p;
	n += unhex(unprot, out + n, cap - n);
	n += unhex("4568656c6c6f", out + n, cap - n);
	out[n++] = 0x58;
	out[n++] = (uint8_t)sig_len;
	memset(out + n, 0x5a, sig_len);
	return n + sig_len;
}

static void expect_parse_error(const uint8_t *buf, size_t len, const char *needle)
{
	struct lia_cose c;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_cose_parse(buf, len, &c, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_null(c.payload);
	assert_null(c.protected_bytes);
}

static void test_forged_envelopes_refused(void **state)
{
	uint8_t buf[512];
	size_t n;

	(void)state;
	/* The forge itself is sound: a well-formed envelope parses. */
	n = forge("d284", kat_protected, "a0", 64, buf, sizeof(buf));
	{
		struct lia_cose c;
		char err[LIA_ERR_LEN];
		assert_int_equal(lia_cose_parse(buf, n, &c, err), 0);
		lia_cose_finish(&c);
	}
	n = forge("84", kat_protected, "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "tag 18");
	n = forge("d184", kat_protected, "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "tag 18");
	n = forge("d285", kat_protected, "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "before the item is complete");
	n = forge("d283", kat_protected, "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "trailing");
	n = forge("d284", "a201260448746f6b796f2d6871", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "-8 (EdDSA)");
	n = forge("d284", "a1013807", "a0", 64, buf, sizeof(buf)); /* -8 not in shortest form */
	expect_parse_error(buf, n, "deterministic");
	n = forge("d284", "a10448746f6b796f2d6871", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "lacks alg");
	n = forge("d284", "a201270448546f6b796f2d6871", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "not a valid node name");
	n = forge("d284", "a201270440", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "kid must be");
	n = forge("d284", "a3012702810104420000", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "crit");
	n = forge("d284", "a3012703000448746f6b796f2d6871", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "label 3");
	n = forge("d284", "a3012720000448746f6b796f2d6871", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "label -1");
	n = forge("d284", "a201270127", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "repeats alg");
	n = forge("d284", "a20448746f6b796f2d68710127", "a0", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "deterministic");
	n = forge("d284", kat_protected, "a10401", 64, buf, sizeof(buf));
	expect_parse_error(buf, n, "empty map");
	n = forge("d284", kat_protected, "a0", 63, buf, sizeof(buf));
	expect_parse_error(buf, n, "64 bytes");
	n = forge("d284", kat_protected, "a0", 65, buf, sizeof(buf));
	expect_parse_error(buf, n, "64 bytes");
}

static void test_detached_and_odd_items_refused(void **state)
{
	uint8_t buf[512];
	size_t n;

	(void)state;
	n = unhex("d2844da201270448746f6b796f2d6871a0f6", buf, sizeof(buf));
	buf[n++] = 0x58;
	buf[n++] = 64;
	memset(buf + n, 0, 64);
	expect_parse_error(buf, n + 64, "detached");
	/* A float as payload: libcbor 0.8 aborts in cbor_is_null on floats (found by fuzz_cose). */
	n = unhex("d2844da201270448746f6b796f2d6871a0fb2101270441320000", buf, sizeof(buf));
	buf[n++] = 0x58;
	buf[n++] = 64;
	memset(buf + n, 0, 64);
	expect_parse_error(buf, n + 64, "payload is not a byte string");
	n = unhex("d28446a2012704413" "2a0fb2101270441" "32a00321", buf, sizeof(buf));
	expect_parse_error(buf, n, "");
	/* Indefinite-length payload. */
	n = unhex("d2844da201270448746f6b796f2d6871a05f4568656c6c6fff", buf, sizeof(buf));
	buf[n++] = 0x58;
	buf[n++] = 64;
	memset(buf + n, 0, 64);
	expect_parse_error(buf, n + 64, "indefinite");
	/* Payload length in a longer head than needed. */
	n = unhex("d2844da201270448746f6b796f2d6871a0580568656c6c6f", buf, sizeof(buf));
	buf[n++] = 0x58;
	buf[n++] = 64;
	memset(buf + n, 0, 64);
	expect_parse_error(buf, n + 64, "deterministic");
	/* Protected header given as a map, not wrapped in a byte string. */
	n = unhex("d284a201270448746f6b796f2d6871a04568656c6c6f", buf, sizeof(buf));
	buf[n++] = 0x58;
	buf[n++] = 64;
	memset(buf + n, 0, 64);
	expect_parse_error(buf, n + 64, "protected header must be");
}

static void test_limits_refused(void **state)
{
	uint8_t *big = calloc(1, LIA_COSE_MAX + 1);
	uint8_t buf[64];
	size_t n;

	(void)state;
	assert_non_null(big);
	expect_parse_error(big, LIA_COSE_MAX + 1, "exceeds the limit");
	free(big);
	expect_parse_error(buf, 0, "tag 18");
	/* An array header claiming 2^28 elements must not be believed. */
	n = unhex("d29a10000000", buf, sizeof(buf));
	expect_parse_error(buf, n, "only 0 bytes follow");
	n = unhex("d284818181818181", buf, sizeof(buf));
	expect_parse_error(buf, n, "deeper");
	n = unhex("d29f", buf, sizeof(buf));
	expect_parse_error(buf, n, "indefinite");
	n = unhex("d8124568656c6c6f", buf, sizeof(buf));
	expect_parse_error(buf, n, "tag 18");
}

static void test_trailing_byte_refused(void **state)
{
	EVP_PKEY *key = new_key();
	uint8_t *cose, *longer;
	size_t len;

	(void)state;
	sign_hello(key, "tokyo-hq", &cose, &len);
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, cose, len);
	longer[len] = 0x00;
	expect_parse_error(longer, len + 1, "1 trailing bytes");
	free(longer);
	free(cose);
	EVP_PKEY_free(key);
}

static void test_cbor_load(void **state)
{
	uint8_t buf[64];
	char err[LIA_ERR_LEN] = "";
	cbor_item_t *item;
	size_t n;

	(void)state;
	n = unhex("a1018201820203", buf, sizeof(buf));
	item = lia_cose_cbor_load(buf, n, 3, "test item", err);
	assert_non_null(item);
	cbor_decref(&item);
	item = lia_cose_cbor_load(buf, n, 2, "test item", err);
	assert_null(item);
	assert_non_null(strstr(err, "test item nests deeper than 2 levels"));
	n = unhex("bb0000000100000000", buf, sizeof(buf));
	assert_null(lia_cose_cbor_load(buf, n, 1, "test item", err));
	assert_non_null(strstr(err, "pairs"));
	n = unhex("7f6161ff", buf, sizeof(buf));
	assert_null(lia_cose_cbor_load(buf, n, 1, "test item", err));
	assert_non_null(strstr(err, "indefinite"));
	n = unhex("0000", buf, sizeof(buf));
	assert_null(lia_cose_cbor_load(buf, n, 1, "test item", err));
	assert_non_null(strstr(err, "1 trailing bytes"));
	n = unhex("ff", buf, sizeof(buf));
	assert_null(lia_cose_cbor_load(buf, n, 1, "test item", err));
	assert_non_null(strstr(err, "break"));
	n = unhex("1c", buf, sizeof(buf));
	assert_null(lia_cose_cbor_load(buf, n, 1, "test item", err));
	assert_non_null(strstr(err, "malformed"));
	assert_null(lia_cose_cbor_load(buf, 0, 1, "test item", err));
	assert_non_null(strstr(err, "test item is empty"));
	n = unhex("80", buf, sizeof(buf));
	item = lia_cose_cbor_load(buf, n, 0, "test item", err);
	assert_non_null(item);
	cbor_decref(&item);
	lia_cose_finish(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_every_byte_flip_fails),
		cmocka_unit_test(test_truncations_fail),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_non_ed25519_key_refused),
		cmocka_unit_test(test_bad_kid_refused_on_sign),
		cmocka_unit_test(test_no_kid),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_forged_envelopes_refused),
		cmocka_unit_test(test_detached_and_odd_items_refused),
		cmocka_unit_test(test_limits_refused),
		cmocka_unit_test(test_trailing_byte_refused),
		cmocka_unit_test(test_cbor_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
