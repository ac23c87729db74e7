/*
 * test_note.c - C2SP signed notes, checkpoints, cosignatures and vkeys:
 * the golang.org/x/mod/sumdb/note "PeterNeumann" known answer (key ID,
 * deterministic Ed25519 signature, vkey), vkeys of types 0x01 and 0x04 from
 * transparency-dev/formats, key IDs and a cosignature line rebuilt by hand
 * from SHA-256 and Ed25519, round trips, forged and malformed notes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "note.h"

#define EM "\xe2\x80\x94"
/* A well-formed signature field (PeterNeumann's), for notes that only need to parse. */
#define SIG68 "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
#define NUL_NOTE "a\0b\n\n" EM " k " SIG68 "\n"

/* golang.org/x/mod/sumdb/note: the package example and note_test.go. */
static const char peter_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char peter_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char peter_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

/* transparency-dev/formats note/note_cosigv1_test.go: a type 0x04 vkey and a type 0x01 vkey whose base64 holds '+'. */
static const char remora_vkey[] = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
static const char plus_vkey[] = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";

/* c2sp.org/tlog-checkpoint example body. */
static const char sofa_body[] =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/* RFC 8032 section 7.1 test 1 secret key. */
static const uint8_t rfc8032_seed[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};

/* ---- helpers, independent of note.c ---- */

/* Decodes known-good base64 (a final newline is ignored) with OpenSSL's decoder. */
static size_t debase64(const char *b64, uint8_t *out, size_t cap)
{
	size_t len = strcspn(b64, "\n"), pad = 0;
	uint8_t *tmp = malloc(len / 4 * 3 + 3);
	int n;

	assert_non_null(tmp);
	n = EVP_DecodeBlock(tmp, (const unsigned char *)b64, (int)len);
	assert_true(n >= 0);
	pad = (len > 0 && b64[len - 1] == '=') + (len > 1 && b64[len - 2] == '=');
	assert_true((size_t)n - pad <= cap);
	memcpy(out, tmp, (size_t)n - pad);
	free(tmp);
	return (size_t)n - pad;
}

static void enbase64(const uint8_t *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

static EVP_PKEY *key_from_seed(const uint8_t seed[32])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);

	assert_non_null(key);
	return key;
}

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	assert_non_null(key);
	return key;
}

static void pub_of(EVP_PKEY *key, uint8_t pub[32])
{
	size_t len = 32;

	assert_int_equal(EVP_PKEY_get_raw_public_key(key, pub, &len), 1);
	assert_int_equal(len, 32);
}

/* SHA-256(name || 0x0A || type || pub)[:4], by hand. */
static uint32_t hand_key_id(const char *name, uint8_t type, const uint8_t pub[32])
{
	uint8_t buf[512], h[32];
	size_t n = strlen(name);

	assert_true(n + 34 <= sizeof(buf));
	memcpy(buf, name, n);
	buf[n] = 0x0a;
	buf[n + 1] = type;
	memcpy(buf + n + 2, pub, 32);
	assert_int_equal(EVP_Digest(buf, n + 34, h, NULL, EVP_sha256(), NULL), 1);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void parse_ok(const char *text, struct lia_note *note)
{
	char err[LIA_ERR_LEN] = "";

	if (lia_note_parse(text, strlen(text), note, err) != 0)
		fail_msg("parse refused a good note: %s", err);
}

/* Signs body with key under name and returns the parsed note. */
static char *sign_text(EVP_PKEY *key, const char *name, const char *body)
{
	char err[LIA_ERR_LEN] = "", *out = NULL;
	size_t len = 0;

	if (lia_note_sign(key, name, body, strlen(body), &out, &len, err) != 0)
		fail_msg("sign: %s", err);
	assert_int_equal(strlen(out), len);
	return out;
}

/* ---- known answers ---- */

static void test_peter_neumann(void **state)
{
	uint8_t seed_raw[33], pub[32], vpub[32];
	char name[LIA_NOTE_NAME_MAX + 1], vkey[LIA_NOTE_VKEY_MAX], err[LIA_ERR_LEN] = "";
	struct lia_note note;
	uint8_t type = 0;
	uint32_t id = 0;
	EVP_PKEY *key;
	char *signed_note;

	(void)state;
	assert_int_equal(debase64(peter_skey_b64, seed_raw, sizeof(seed_raw)), 33);
	assert_int_equal(seed_raw[0], 0x01);
	key = key_from_seed(seed_raw + 1);
	pub_of(key, pub);
	/* The vkey parses to the same public key, name and type. */
	if (lia_note_vkey_parse(peter_vkey, name, &type, vpub, err) != 0)
		fail_msg("vkey: %s", err);
	assert_string_equal(name, "PeterNeumann");
	assert_int_equal(type, LIA_NOTE_ED25519);
	assert_memory_equal(pub, vpub, 32);
	/* Key ID: published, by hand, and by the module. */
	assert_int_equal(hand_key_id("PeterNeumann", 0x01, pub), 0xc74f20a3);
	assert_int_equal(lia_note_key_id("PeterNeumann", LIA_NOTE_ED25519, pub, &id, err), 0);
	assert_int_equal(id, 0xc74f20a3);
	/* Our vkey text is the published one. */
	assert_int_equal(lia_note_vkey_make("PeterNeumann", LIA_NOTE_ED25519, pub, vkey, err), 0);
	assert_string_equal(vkey, peter_vkey);
	/* Ed25519 is deterministic: signing reproduces the published note byte for byte. */
	signed_note = sign_text(key, "PeterNeumann", peter_text);
	assert_string_equal(signed_note, peter_note);
	/* And the published note verifies. */
	parse_ok(peter_note, &note);
	assert_int_equal(note.nsigs, 1);
	assert_string_equal(note.sigs[0].name, "PeterNeumann");
	assert_int_equal(note.sigs[0].key_id, 0xc74f20a3);
	assert_int_equal(note.sigs[0].sig_len, 64);
	assert_int_equal(note.body_len, strlen(peter_text));
	assert_string_equal(note.body, peter_text);
	if (lia_note_verify(&note, "PeterNeumann", pub, err) != 0)
		fail_msg("verify: %s", err);
	lia_note_finish(&note);
	free(signed_note);
	EVP_PKEY_free(key);
}

static void test_published_vkeys(void **state)
{
	char name[LIA_NOTE_NAME_MAX + 1], again[LIA_NOTE_VKEY_MAX], err[LIA_ERR_LEN] = "";
	uint8_t pub[32], type = 0;

	(void)state;
	/* A cosignature (type 0x04) key: its key ID is over 0x04, not 0x01. */
	if (lia_note_vkey_parse(remora_vkey, name, &type, pub, err) != 0)
		fail_msg("remora vkey: %s", err);
	assert_string_equal(name, "remora.n621.de");
	assert_int_equal(type, LIA_NOTE_COSIG_V1);
	assert_int_equal(hand_key_id(name, 0x04, pub), 0xda77ade7);
	assert_int_not_equal(hand_key_id(name, 0x01, pub), 0xda77ade7);
	assert_int_equal(lia_note_vkey_make(name, type, pub, again, err), 0);
	assert_string_equal(again, remora_vkey);
	/* The key data may hold '+': only the first two split. */
	if (lia_note_vkey_parse(plus_vkey, name, &type, pub, err) != 0)
		fail_msg("plus vkey: %s", err);
	assert_string_equal(name, "TEST");
	assert_int_equal(type, LIA_NOTE_ED25519);
	assert_int_equal(lia_note_vkey_make(name, type, pub, again, err), 0);
	assert_string_equal(again, plus_vkey);
}

static void test_vkey_refusals(void **state)
{
	static const char *const bad[] = {
		"",
		"PeterNeumann",
		"PeterNeumann+c74f20a3",
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",
		"PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWA",
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+C74F20A3+AxpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
	};
	char name[LIA_NOTE_NAME_MAX + 1], long_vkey[1024], err[LIA_ERR_LEN];
	uint8_t pub[32], type;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lia_note_vkey_parse(bad[i], name, &type, pub, err) == 0)
			fail_msg("accepted bad vkey %zu: %s", i, bad[i]);
		assert_true(err[0] != '\0');
		assert_string_equal(name, "");
	}
	/* Upper-case hex is read too, as Go does. */
	assert_int_equal(lia_note_vkey_parse(
	    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", name, &type, pub,
	    err), 0);
	/* Types other than 0x01 and 0x04 are refused both ways. */
	assert_int_equal(lia_note_vkey_make("x", 0x02, pub, long_vkey, err), -1);
	assert_int_equal(lia_note_vkey_make("a+b", 0x01, pub, long_vkey, err), -1);
	memset(long_vkey, 'a', sizeof(long_vkey) - 1);
	long_vkey[sizeof(long_vkey) - 1] = '\0';
	assert_int_equal(lia_note_vkey_parse(long_vkey, name, &type, pub, err), -1);
}

static void test_key_names(void **state)
{
	static const char *const good[] = { "a", "example.com/log42", "jp-hq", "\xe6\x9d\xb1\xe4\xba\xac",
		"oid/1.3.6.1.4.1", "x~!@#$%^&*()=" };
	static const char *const bad[] = { "", "a b", "a+b", "a\tb", "a\nb", "\xc2\xa0", "a\xe3\x80\x80",
		"\xe2\x80\x80", "\xe2\x80\xa8", "\xc2\x85", "\xff", "\xe2\x80" };
	char longest[LIA_NOTE_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!lia_note_name_valid(good[i], strlen(good[i])))
			fail_msg("refused good name %zu", i);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lia_note_name_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted bad name %zu", i);
	memset(longest, 'n', sizeof(longest));
	assert_true(lia_note_name_valid(longest, LIA_NOTE_NAME_MAX));
	assert_false(lia_note_name_valid(longest, LIA_NOTE_NAME_MAX + 1));
}

/* ---- signing and verifying ---- */

static void test_round_trip_and_forgery(void **state)
{
	const char *body = "jp-hq.liaison/record\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	EVP_PKEY *key = new_key(), *other = new_key();
	uint8_t pub[32], other_pub[32];
	char err[LIA_ERR_LEN] = "", *text = sign_text(key, "jp-hq", body);
	size_t len = strlen(text);
	struct lia_note note;

	(void)state;
	pub_of(key, pub);
	pub_of(other, other_pub);
	parse_ok(text, &note);
	assert_string_equal(note.body, body);
	assert_int_equal(lia_note_verify(&note, "jp-hq", pub, err), 0);
	/* Another key under the same name: no signature of that key ID. */
	assert_int_equal(lia_note_verify(&note, "jp-hq", other_pub, err), -1);
	assert_non_null(strstr(err, "no signature"));
	/* The right key under another name: also not found. */
	assert_int_equal(lia_note_verify(&note, "cn-hq", pub, err), -1);
	/* The cosignature form of the same key is another key ID. */
	assert_int_equal(lia_cosig_verify(&note, "jp-hq", pub, &(uint64_t){ 0 }, err), -1);
	lia_note_finish(&note);
	/* Every changed byte of the body is refused, by the parser or the signature. */
	for (size_t i = 0; i < strlen(body); i++) {
		char *copy = strdup(text);

		copy[i] = copy[i] == 'x' ? 'y' : 'x';
		if (lia_note_parse(copy, len, &note, err) == 0) {
			if (lia_note_verify(&note, "jp-hq", pub, err) == 0)
				fail_msg("a change at byte %zu still verifies", i);
			assert_non_null(strstr(err, "does not verify"));
			lia_note_finish(&note);
		}
		free(copy);
	}
	/* A changed signature bit, with name and key ID intact, rejects the note. */
	{
		char *copy = strdup(text), *b64 = strrchr(copy, ' ') + 1;
		uint8_t raw[68];
		char enc[100];

		assert_int_equal(debase64(b64, raw, sizeof(raw)), 68);
		raw[40] ^= 0x04;
		enbase64(raw, 68, enc);
		memcpy(b64, enc, strlen(enc));
		parse_ok(copy, &note);
		assert_int_equal(lia_note_verify(&note, "jp-hq", pub, err), -1);
		assert_non_null(strstr(err, "does not verify"));
		lia_note_finish(&note);
		free(copy);
	}
	free(text);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_many_signers(void **state)
{
	const char *body = "one body\n\nwith an empty line\n";
	EVP_PKEY *keys[3] = { new_key(), new_key(), new_key() };
	const char *names[3] = { "jp-hq", "cn-hq", "example.com/w1" };
	char line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "", text[4096];
	struct lia_note note;
	uint8_t pub[32];

	(void)state;
	snprintf(text, sizeof(text), "%s\n", body);
	/* An unknown signer first: it is ignored, not an error. */
	strcat(text, EM " stranger AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lia_note_sign_line(keys[i], names[i], body, strlen(body), line, err), 0);
		strcat(text, line);
	}
	parse_ok(text, &note);
	assert_int_equal(note.nsigs, 4);
	assert_string_equal(note.body, body);
	for (int i = 0; i < 3; i++) {
		pub_of(keys[i], pub);
		if (lia_note_verify(&note, names[i], pub, err) != 0)
			fail_msg("signer %d: %s", i, err);
		EVP_PKEY_free(keys[i]);
	}
	lia_note_finish(&note);
}

static void test_sign_refusals(void **state)
{
	EVP_PKEY *key = new_key(), *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN], *out = NULL;
	size_t len;

	(void)state;
	assert_non_null(ec);
	assert_int_equal(lia_note_sign_line(ec, "n", "a\n", 2, line, err), -1);
	assert_int_equal(lia_note_sign_line(NULL, "n", "a\n", 2, line, err), -1);
	assert_int_equal(lia_note_sign_line(key, "a b", "a\n", 2, line, err), -1);
	assert_int_equal(lia_note_sign_line(key, "", "a\n", 2, line, err), -1);
	assert_int_equal(lia_note_sign_line(key, "n", "a", 1, line, err), -1);
	assert_non_null(strstr(err, "newline"));
	assert_int_equal(lia_note_sign_line(key, "n", "", 0, line, err), -1);
	assert_int_equal(lia_note_sign_line(key, "n", "a\rb\n", 4, line, err), -1);
	assert_int_equal(lia_note_sign_line(key, "n", "a\xff\n", 3, line, err), -1);
	assert_int_equal(lia_note_sign(key, "n", "a\0b\n", 4, &out, &len, err), -1);
	assert_null(out);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ec);
}

/* ---- hostile notes ---- */

struct bad_note {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
	const char *why; /* a word the sentence must hold */
};

static const struct bad_note bad_notes[] = {
	{ "empty", "", 0, "outside" },
	{ "no final newline", "a\n\n" EM " k " SIG68, 0, "newline" },
	{ "no blank line", "a\n" EM " k " SIG68 "\n", 0, "blank line" },
	{ "no signatures", "a\n\n", 0, "no signature" },
	{ "signature block is blank lines", "a\n\n\n", 0, "no signature" },
	{ "hyphens for the dash", "a\n\n-- k " SIG68 "\n", 0, "em dash" },
	{ "en dash", "a\n\n\xe2\x80\x93 k " SIG68 "\n", 0, "em dash" },
	{ "dash without space", "a\n\n" EM "k " SIG68 "\n", 0, "em dash" },
	{ "no key name", "a\n\n" EM "  " SIG68 "\n", 0, "key name" },
	{ "name only", "a\n\n" EM " k\n", 0, "key name" },
	{ "plus in the name", "a\n\n" EM " k+1 " SIG68 "\n", 0, "key name" },
	{ "no-break space in the name", "a\n\n" EM " k\xc2\xa0z " SIG68 "\n", 0, "key name" },
	{ "empty signature", "a\n\n" EM " k \n", 0, "base64" },
	{ "two spaces", "a\n\n" EM " k  " SIG68 "\n", 0, "base64" },
	{ "trailing space", "a\n\n" EM " k " SIG68 " \n", 0, "base64" },
	{ "not base64", "a\n\n" EM " k x08go/ZJ!uBS9UG\n", 0, "base64" },
	{ "unpadded base64", "a\n\n" EM " k AAAAAAA\n", 0, "base64" },
	{ "spare bits set", "a\n\n" EM " k AAAAAAB=\n", 0, "base64" },
	{ "padding inside", "a\n\n" EM " k AA==AAAA\n", 0, "base64" },
	{ "four bytes only", "a\n\n" EM " k AAAAAA==\n", 0, "5 bytes" },
	{ "url-safe alphabet", "a\n\n" EM " k AAAA_-AA\n", 0, "base64" },
	{ "carriage return", "a\r\n\n" EM " k " SIG68 "\n", 0, "control" },
	{ "tab in body", "a\tb\n\n" EM " k " SIG68 "\n", 0, "control" },
	{ "NUL in body", NUL_NOTE, sizeof(NUL_NOTE) - 1, "UTF-8" },
	{ "invalid UTF-8", "a\xc3\n\n" EM " k " SIG68 "\n", 0, "UTF-8" },
	{ "overlong UTF-8", "a\xc0\xaf\n\n" EM " k " SIG68 "\n", 0, "UTF-8" },
	{ "surrogate", "\xed\xa0\x80\n\n" EM " k " SIG68 "\n", 0, "UTF-8" },
	{ "garbage after the signatures", "a\n\n" EM " k " SIG68 "\nhello\n", 0, "em dash" },
};

static void test_malformed_notes(void **state)
{
	char err[LIA_ERR_LEN];
	struct lia_note note;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_notes) / sizeof(bad_notes[0]); i++) {
		const struct bad_note *b = &bad_notes[i];
		size_t len = b->len ? b->len : strlen(b->text);

		err[0] = '\0';
		if (lia_note_parse(b->text, len, &note, err) == 0)
			fail_msg("accepted a note with %s", b->what);
		if (strstr(err, b->why) == NULL)
			fail_msg("note with %s: \"%s\" does not say \"%s\"", b->what, err, b->why);
		assert_null(note.body);
		assert_null(note.sigs);
		assert_int_equal(note.nsigs, 0);
	}
	assert_int_equal(lia_note_parse(NULL, 0, &note, err), -1);
}

/* Builds "a\n\n" and n copies of a signature line. */
static char *note_with_sigs(size_t n, size_t *len)
{
	static const char line[] = EM " k " SIG68 "\n";
	char *text = malloc(3 + n * (sizeof(line) - 1) + 1);

	assert_non_null(text);
	memcpy(text, "a\n\n", 3);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 3 + i * (sizeof(line) - 1), line, sizeof(line) - 1);
	*len = 3 + n * (sizeof(line) - 1);
	text[*len] = '\0';
	return text;
}

static void test_note_limits(void **state)
{
	char err[LIA_ERR_LEN] = "", *text;
	struct lia_note note;
	size_t len;

	(void)state;
	/* signed-note: at least 16 signatures must be accepted; we take 100, not 101. */
	text = note_with_sigs(LIA_NOTE_MAX_SIGS, &len);
	assert_int_equal(lia_note_parse(text, len, &note, err), 0);
	assert_int_equal(note.nsigs, LIA_NOTE_MAX_SIGS);
	lia_note_finish(&note);
	free(text);
	text = note_with_sigs(LIA_NOTE_MAX_SIGS + 1, &len);
	assert_int_equal(lia_note_parse(text, len, &note, err), -1);
	assert_non_null(strstr(err, "more than"));
	free(text);
	/* A note of exactly the size limit parses; one byte more does not. */
	text = malloc(LIA_NOTE_MAX + 2);
	assert_non_null(text);
	{
		static const char tail[] = "\n\n" EM " k " SIG68 "\n";
		size_t body = LIA_NOTE_MAX - (sizeof(tail) - 1);

		memset(text, 'b', body);
		memcpy(text + body, tail, sizeof(tail));
		assert_int_equal(lia_note_parse(text, LIA_NOTE_MAX, &note, err), 0);
		assert_int_equal(note.body_len, body + 1);
		lia_note_finish(&note);
		memset(text, 'b', body + 1);
		memcpy(text + body + 1, tail, sizeof(tail));
		assert_int_equal(lia_note_parse(text, LIA_NOTE_MAX + 1, &note, err), -1);
	}
	free(text);
	/* A long foreign signature (ML-DSA-sized) is kept, and ignored by verify. */
	{
		size_t sig_b64 = 3232, n;
		uint8_t pub[32] = { 0 };

		text = malloc(16 + sig_b64 + 8);
		assert_non_null(text);
		n = (size_t)sprintf(text, "a\n\n" EM " big ");
		memset(text + n, 'A', sig_b64);
		n += sig_b64;
		text[n++] = '\n';
		assert_int_equal(lia_note_parse(text, n, &note, err), 0);
		assert_int_equal(note.sigs[0].sig_len, sig_b64 / 4 * 3 - 4);
		assert_int_equal(lia_note_verify(&note, "big", pub, err), -1);
		lia_note_finish(&note);
		free(text);
	}
	lia_note_finish(NULL);
}

/* ---- checkpoints ---- */

static void test_checkpoint_round_trip(void **state)
{
	struct lia_checkpoint cp;
	char out[LIA_CHECKPOINT_MAX], err[LIA_ERR_LEN] = "";
	uint8_t root[32], want[32];
	size_t len = 0;

	(void)state;
	/* The tlog-checkpoint example. */
	if (lia_checkpoint_parse(sofa_body, strlen(sofa_body), &cp, err) != 0)
		fail_msg("sofa: %s", err);
	assert_string_equal(cp.origin, "example.com/behind-the-sofa");
	assert_int_equal(cp.size, 20852163);
	assert_int_equal(debase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", want, 32), 32);
	assert_memory_equal(cp.root, want, 32);
	assert_int_equal(cp.ext_count, 0);
	assert_int_equal(lia_checkpoint_make(cp.origin, cp.size, cp.root, out, &len, err), 0);
	assert_string_equal(out, sofa_body);
	assert_int_equal(len, strlen(sofa_body));
	/* Extreme sizes and extension lines. */
	for (size_t i = 0; i < 32; i++)
		root[i] = (uint8_t)(0xff - i);
	assert_int_equal(lia_checkpoint_make("jp-hq", UINT64_MAX, root, out, &len, err), 0);
	assert_int_equal(lia_checkpoint_parse(out, len, &cp, err), 0);
	assert_int_equal(cp.size, UINT64_MAX);
	assert_memory_equal(cp.root, root, 32);
	assert_int_equal(lia_checkpoint_make("jp-hq", 0, root, out, &len, err), 0);
	assert_non_null(strstr(out, "\n0\n"));
	strcat(out, "ext one\n\xe6\x9d\xb1\n");
	assert_int_equal(lia_checkpoint_parse(out, strlen(out), &cp, err), 0);
	assert_int_equal(cp.size, 0);
	assert_int_equal(cp.ext_count, 2);
	assert_string_equal(out + cp.ext_offset, "ext one\n\xe6\x9d\xb1\n");
	/* Origins we would not sign under. */
	assert_int_equal(lia_checkpoint_make("", 1, root, out, &len, err), -1);
	assert_int_equal(lia_checkpoint_make("a b", 1, root, out, &len, err), -1);
	assert_int_equal(lia_checkpoint_make("a\nb", 1, root, out, &len, err), -1);
}

static void test_checkpoint_refusals(void **state)
{
#define R "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	static const char *const bad[] = {
		"",
		"o\n1\n",
		"o\n1\n" R,
		"\n1\n" R "\n",
		"o\n\n" R "\n",
		"o\n01\n" R "\n",
		"o\n00\n" R "\n",
		"o\n-1\n" R "\n",
		"o\n+1\n" R "\n",
		"o\n 1\n" R "\n",
		"o\n1 \n" R "\n",
		"o\n0x10\n" R "\n",
		"o\n18446744073709551616\n" R "\n",
		"o\n99999999999999999999\n" R "\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=AAAA\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2==\n",
		"o\n1\n" R "\n\n",
		"o\n1\n" R "\next\n\n",
		"o\r\n1\n" R "\n",
		"o\xff\n1\n" R "\n",
	};
	struct lia_checkpoint cp;
	char err[LIA_ERR_LEN], longo[600];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lia_checkpoint_parse(bad[i], strlen(bad[i]), &cp, err) == 0)
			fail_msg("accepted bad checkpoint %zu", i);
		assert_true(err[0] != '\0');
		assert_int_equal(cp.size, 0);
	}
	{
		const char *max = "o\n18446744073709551615\n" R "\n";

		assert_int_equal(lia_checkpoint_parse(max, strlen(max), &cp, err), 0);
		assert_true(cp.size == UINT64_MAX);
	}
	/* Origins of 255 bytes parse; 256 do not. */
	memset(longo, 'o', 256);
	strcpy(longo + 255, "\n1\n" R "\n");
	assert_int_equal(lia_checkpoint_parse(longo, strlen(longo), &cp, err), 0);
	memset(longo, 'o', 256);
	strcpy(longo + 256, "\n1\n" R "\n");
	assert_int_equal(lia_checkpoint_parse(longo, strlen(longo), &cp, err), -1);
#undef R
}

/* ---- cosignatures ---- */

/* Returns a checkpoint note signed by log and cosigned by witness at t. */
static char *cosigned(EVP_PKEY *log, EVP_PKEY *witness, uint64_t t)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "", *text;
	uint8_t root[32] = { 1, 2, 3 };
	size_t len;

	assert_int_equal(lia_checkpoint_make("jp-hq.liaison/record", 1234, root, body, &len, err), 0);
	text = sign_text(log, "jp-hq.liaison/record", body);
	if (lia_cosig_line(witness, "cn-hq.liaison/witness", body, len, t, line, err) != 0)
		fail_msg("cosign: %s", err);
	text = realloc(text, strlen(text) + strlen(line) + 1);
	assert_non_null(text);
	strcat(text, line);
	return text;
}

static void test_cosignature_round_trip(void **state)
{
	EVP_PKEY *log = new_key(), *witness = new_key();
	uint8_t log_pub[32], w_pub[32];
	char err[LIA_ERR_LEN] = "", *text = cosigned(log, witness, 1679315147);
	struct lia_note note;
	struct lia_checkpoint cp;
	uint64_t t = 0;

	(void)state;
	pub_of(log, log_pub);
	pub_of(witness, w_pub);
	parse_ok(text, &note);
	assert_int_equal(note.nsigs, 2);
	assert_int_equal(note.sigs[1].sig_len, 72);
	assert_int_equal(lia_checkpoint_parse(note.body, note.body_len, &cp, err), 0);
	assert_int_equal(cp.size, 1234);
	assert_int_equal(lia_note_verify(&note, "jp-hq.liaison/record", log_pub, err), 0);
	if (lia_cosig_verify(&note, "cn-hq.liaison/witness", w_pub, &t, err) != 0)
		fail_msg("cosig verify: %s", err);
	assert_int_equal(t, 1679315147);
	/* Cross-checks: the cosigner is no note signer and the log no cosigner. */
	assert_int_equal(lia_note_verify(&note, "cn-hq.liaison/witness", w_pub, err), -1);
	assert_int_equal(lia_cosig_verify(&note, "jp-hq.liaison/record", log_pub, &t, err), -1);
	assert_int_equal(lia_cosig_verify(&note, "cn-hq.liaison/witness", log_pub, &t, err), -1);
	lia_note_finish(&note);
	free(text);
	/* The largest time allowed, 2^63 - 1; one more is refused. */
	text = cosigned(log, witness, UINT64_C(0x7fffffffffffffff));
	parse_ok(text, &note);
	assert_int_equal(lia_cosig_verify(&note, "cn-hq.liaison/witness", w_pub, &t, err), 0);
	assert_true(t == UINT64_C(0x7fffffffffffffff));
	lia_note_finish(&note);
	free(text);
	{
		char line[LIA_NOTE_LINE_MAX];

		assert_int_equal(lia_cosig_line(witness, "w", sofa_body, strlen(sofa_body),
		    UINT64_C(0x8000000000000000), line, err), -1);
		/* Only checkpoints are cosigned. */
		assert_int_equal(lia_cosig_line(witness, "w", "hello\n", 6, 1, line, err), -1);
	}
	EVP_PKEY_free(log);
	EVP_PKEY_free(witness);
}

/* Rewrites the last signature line's bytes with edit() and reports whether the cosignature still verifies. */
static int cosig_after_edit(const char *text, const uint8_t pub[32], void (*edit)(uint8_t *raw))
{
	char *copy = malloc(strlen(text) + 64), *b64, enc[120], err[LIA_ERR_LEN] = "";
	struct lia_note note;
	uint8_t raw[80];
	uint64_t t = 0;
	int rc;

	assert_non_null(copy);
	strcpy(copy, text);
	b64 = strrchr(copy, ' ') + 1;
	*strrchr(copy, '\n') = '\0';
	assert_int_equal(debase64(b64, raw, sizeof(raw)), 76);
	edit(raw);
	enbase64(raw, 76, enc);
	strcpy(b64, enc);
	strcat(b64, "\n");
	parse_ok(copy, &note);
	rc = lia_cosig_verify(&note, "cn-hq.liaison/witness", pub, &t, err);
	if (rc != 0)
		assert_true(err[0] != '\0');
	lia_note_finish(&note);
	free(copy);
	return rc;
}

static void bump_time(uint8_t *raw) { raw[4 + 7] ^= 1; }
static void high_time(uint8_t *raw) { raw[4] |= 0x80; }
static void flip_sig(uint8_t *raw) { raw[4 + 8 + 10] ^= 0x10; }
static void keep(uint8_t *raw) { (void)raw; }

static void test_cosignature_binding(void **state)
{
	EVP_PKEY *log = new_key(), *witness = new_key();
	uint8_t w_pub[32];
	char *text = cosigned(log, witness, 1700000000), err[LIA_ERR_LEN] = "";
	struct lia_note note;
	uint64_t t;

	(void)state;
	pub_of(witness, w_pub);
	assert_int_equal(cosig_after_edit(text, w_pub, keep), 0);
	/* The time is signed: a changed time fails, a time of 2^63 or more is refused. */
	assert_int_equal(cosig_after_edit(text, w_pub, bump_time), -1);
	assert_int_equal(cosig_after_edit(text, w_pub, high_time), -1);
	assert_int_equal(cosig_after_edit(text, w_pub, flip_sig), -1);
	/* So is the checkpoint: a changed tree size fails. */
	strstr(text, "\n1234\n")[4] = '5';
	parse_ok(text, &note);
	assert_int_equal(lia_cosig_verify(&note, "cn-hq.liaison/witness", w_pub, &t, err), -1);
	lia_note_finish(&note);
	free(text);
	EVP_PKEY_free(log);
	EVP_PKEY_free(witness);
}

/* text with line (a whole signature line) inserted before its first signature line (caller frees). */
static char *insert_first(const char *text, const char *line)
{
	const char *at = strstr(text, "\n\n") + 2;
	char *out = malloc(strlen(text) + strlen(line) + 1);

	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), line);
	strcat(out, at);
	return out;
}

/* A bogus line under name with the right key ID for pub, put first: the good line after it still counts. */
static void test_bogus_line_first(void **state)
{
	EVP_PKEY *log = new_key(), *witness = new_key();
	uint8_t l_pub[32], w_pub[32], raw[76] = { 0 };
	char *text = cosigned(log, witness, 1700000000), *two, line[LIA_NOTE_LINE_MAX], enc[120];
	char err[LIA_ERR_LEN] = "";
	struct lia_note note;
	uint64_t t = 0;

	(void)state;
	pub_of(log, l_pub);
	pub_of(witness, w_pub);
	/* The witness's name and key ID, 72 zero bytes of "signature". */
	{
		uint32_t id = hand_key_id("cn-hq.liaison/witness", 0x04, w_pub);
		raw[0] = (uint8_t)(id >> 24), raw[1] = (uint8_t)(id >> 16);
		raw[2] = (uint8_t)(id >> 8), raw[3] = (uint8_t)id;
	}
	enbase64(raw, 76, enc);
	snprintf(line, sizeof(line), "\xe2\x80\x94 cn-hq.liaison/witness %s\n", enc);
	two = insert_first(text, line);
	parse_ok(two, &note);
	assert_int_equal(note.nsigs, 3);
	assert_int_equal(lia_cosig_verify(&note, "cn-hq.liaison/witness", w_pub, &t, err), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(lia_note_verify(&note, "jp-hq.liaison/record", l_pub, err), 0);
	lia_note_finish(&note);
	free(two);
	/* The same bogus line alone: it does not verify, and says so. */
	{
		char body[LIA_CHECKPOINT_MAX];
		uint8_t root[32] = { 1, 2, 3 };
		size_t len = 0;
		char *alone, *signed_text;

		assert_int_equal(lia_checkpoint_make("jp-hq.liaison/record", 1234, root, body, &len, err), 0);
		signed_text = sign_text(log, "jp-hq.liaison/record", body);
		alone = malloc(strlen(signed_text) + strlen(line) + 1);
		assert_non_null(alone);
		strcpy(alone, signed_text);
		strcat(alone, line);
		parse_ok(alone, &note);
		assert_int_equal(lia_cosig_verify(&note, "cn-hq.liaison/witness", w_pub, &t, err), -1);
		assert_non_null(strstr(err, "does not verify"));
		lia_note_finish(&note);
		free(alone);
		free(signed_text);
	}
	free(text);
	EVP_PKEY_free(log);
	EVP_PKEY_free(witness);
}

/* lia_note_keep: only the valid line of each listed key survives, in the keys' order. */
static void test_note_keep(void **state)
{
	EVP_PKEY *log = new_key(), *witness = new_key(), *stranger = new_key();
	uint8_t l_pub[32], w_pub[32], s_pub[32];
	char *text = cosigned(log, witness, 1700000000), *noisy, *tmp, *out = NULL;
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	struct lia_note note;
	size_t body_len = 0, out_len = 0;
	uint8_t root[32] = { 1, 2, 3 };
	struct lia_note_key log_key = { "jp-hq.liaison/record", LIA_NOTE_ED25519, l_pub };
	struct lia_note_key keys[2] = { log_key, { "cn-hq.liaison/witness", LIA_NOTE_COSIG_V1, w_pub } };

	(void)state;
	pub_of(log, l_pub);
	pub_of(witness, w_pub);
	pub_of(stranger, s_pub);
	assert_int_equal(lia_checkpoint_make("jp-hq.liaison/record", 1234, root, body, &body_len, err), 0);
	/* A stranger's cosignature under the witness's name, and an unknown witness's line. */
	assert_int_equal(lia_cosig_line(stranger, "cn-hq.liaison/witness", body, body_len, 5, line, err), 0);
	noisy = insert_first(text, line);
	assert_int_equal(lia_cosig_line(stranger, "outside.example/w", body, body_len, 6, line, err), 0);
	tmp = insert_first(noisy, line);
	free(noisy);
	noisy = tmp;
	parse_ok(noisy, &note);
	assert_int_equal(note.nsigs, 4);
	lia_note_finish(&note);
	/* Keep the log's line only: the witness's own cosignature goes too. */
	assert_int_equal(lia_note_keep(noisy, strlen(noisy), &log_key, 1, &out, &out_len, err), 0);
	assert_int_equal(out_len, strlen(out));
	parse_ok(out, &note);
	assert_int_equal(note.nsigs, 1);
	assert_string_equal(note.sigs[0].name, "jp-hq.liaison/record");
	assert_int_equal(lia_note_verify(&note, "jp-hq.liaison/record", l_pub, err), 0);
	lia_note_finish(&note);
	free(out);
	/* Keep both: the original note comes back byte for byte. */
	assert_int_equal(lia_note_keep(noisy, strlen(noisy), keys, 2, &out, &out_len, err), 0);
	assert_string_equal(out, text);
	free(out);
	/* No key of the list signed it: refused. */
	{
		struct lia_note_key other = { "jp-hq.liaison/record", LIA_NOTE_ED25519, s_pub };
		assert_int_equal(lia_note_keep(noisy, strlen(noisy), &other, 1, &out, &out_len, err), -1);
		assert_null(out);
		assert_int_equal(lia_note_keep("not a note", 10, keys, 2, &out, &out_len, err), -1);
	}
	free(noisy);
	free(text);
	EVP_PKEY_free(log);
	EVP_PKEY_free(witness);
	EVP_PKEY_free(stranger);
}

/* "— name base64(id || t || Ed25519(cosignature/v1 message))\n" built with OpenSSL alone. */
static void hand_cosig_line(EVP_PKEY *key, const char *name, uint64_t t, char *out, size_t cap)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t pub[32], msg[512], raw[4 + 8 + 64];
	uint32_t id;
	size_t sig_len = 64;
	int head;
	char b64[120];

	pub_of(key, pub);
	id = hand_key_id(name, 0x04, pub);
	head = snprintf((char *)msg, sizeof(msg), "cosignature/v1\ntime %" PRIu64 "\n", t);
	memcpy(msg + head, sofa_body, sizeof(sofa_body) - 1);
	for (int i = 0; i < 4; i++)
		raw[i] = (uint8_t)(id >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		raw[4 + i] = (uint8_t)(t >> (56 - 8 * i));
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, raw + 12, &sig_len, msg,
	    (size_t)head + sizeof(sofa_body) - 1), 1);
	enbase64(raw, sizeof(raw), b64);
	snprintf(out, cap, EM " %s %s\n", name, b64);
	EVP_MD_CTX_free(ctx);
}

/* The cosignature line rebuilt by hand: key ID over 0x04, message, timestamped signature. */
static void test_cosignature_by_hand(void **state)
{
	EVP_PKEY *key = key_from_seed(rfc8032_seed);
	char line[LIA_NOTE_LINE_MAX], want[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	char text[1024];
	struct lia_note note;
	uint8_t pub[32];
	uint64_t t = 0;

	(void)state;
	pub_of(key, pub);
	hand_cosig_line(key, "witness.example.com/w1", 1679315147, want, sizeof(want));
	if (lia_cosig_line(key, "witness.example.com/w1", sofa_body, sizeof(sofa_body) - 1,
	    1679315147, line, err) != 0)
		fail_msg("cosign: %s", err);
	assert_string_equal(line, want);
	/* A cosignature validly signed over a time of 2^63 is still refused (tlog-cosignature). */
	hand_cosig_line(key, "witness.example.com/w1", UINT64_C(0x8000000000000000), line,
	    sizeof(line));
	snprintf(text, sizeof(text), "%s\n%s", sofa_body, line);
	parse_ok(text, &note);
	assert_int_equal(lia_cosig_verify(&note, "witness.example.com/w1", pub, &t, err), -1);
	assert_non_null(strstr(err, "timestamped"));
	lia_note_finish(&note);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peter_neumann),
		cmocka_unit_test(test_published_vkeys),
		cmocka_unit_test(test_vkey_refusals),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_round_trip_and_forgery),
		cmocka_unit_test(test_many_signers),
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_note_limits),
		cmocka_unit_test(test_checkpoint_round_trip),
		cmocka_unit_test(test_checkpoint_refusals),
		cmocka_unit_test(test_cosignature_round_trip),
		cmocka_unit_test(test_cosignature_binding),
		cmocka_unit_test(test_cosignature_by_hand),
		cmocka_unit_test(test_bogus_line_first),
		cmocka_unit_test(test_note_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
