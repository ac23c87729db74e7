/*
 * fuzz_note.c - libFuzzer target for lia_note_parse, lia_checkpoint_parse,
 * lia_note_vkey_parse and the note and cosignature verifiers.
 *
 * Properties: a note that parses has a body ending in a newline, 1..100
 * signature lines with valid names, and writing it back out (body, blank
 * line, each line with its base64 re-encoded) gives the input byte for byte,
 * since only canonical base64 is accepted; a checkpoint that parses and has
 * a signable origin is remade identically up to its extension lines; a vkey
 * that parses is remade into one that parses to the same key; verifying
 * never crashes and signing a parsed body again verifies; lia_note_keep
 * keeps exactly the lines that verify, no longer than the input. Refusals always
 * come with a sentence. Seeds in corpus/note are signed with RFC 8032 test
 * key 1 (see gen_note_seeds.c), so verification succeeds on them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t seed_key[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static EVP_PKEY *fuzz_key(uint8_t pub[32])
{
	static EVP_PKEY *key;
	static uint8_t key_pub[32];
	size_t len = 32;

	if (key == NULL) {
		key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed_key, 32);
		if (key == NULL || EVP_PKEY_get_raw_public_key(key, key_pub, &len) != 1)
			abort();
	}
	memcpy(pub, key_pub, 32);
	return key;
}

/* Appends the signature line of s, base64 by OpenSSL, to out at *n. */
static void put_line(const struct lia_note_sig *s, char *out, size_t *n)
{
	uint8_t *raw = malloc(4 + s->sig_len);
	size_t name_len = strlen(s->name);

	if (raw == NULL)
		abort();
	raw[0] = (uint8_t)(s->key_id >> 24);
	raw[1] = (uint8_t)(s->key_id >> 16);
	raw[2] = (uint8_t)(s->key_id >> 8);
	raw[3] = (uint8_t)s->key_id;
	memcpy(raw + 4, s->sig, s->sig_len);
	memcpy(out + *n, "\xe2\x80\x94 ", 4);
	memcpy(out + *n + 4, s->name, name_len);
	out[*n + 4 + name_len] = ' ';
	*n += 5 + name_len;
	*n += (size_t)EVP_EncodeBlock((unsigned char *)out + *n, raw, (int)(4 + s->sig_len));
	out[(*n)++] = '\n';
	free(raw);
}

/* The parsed note written back out must be the input. */
static void check_round_trip(const struct lia_note *note, const uint8_t *data, size_t size)
{
	char *out = malloc(size + 1);
	size_t n = note->body_len + 1;

	if (out == NULL)
		abort();
	memcpy(out, note->body, note->body_len);
	out[note->body_len] = '\n';
	for (size_t i = 0; i < note->nsigs; i++) {
		/* Each line is at least as long as its re-encoding: no overflow of out. */
		if (n + 4 + strlen(note->sigs[i].name) + 1 + (4 + note->sigs[i].sig_len + 2) / 3 * 4 +
		    1 > size)
			abort();
		put_line(&note->sigs[i], out, &n);
	}
	if (n != size || memcmp(out, data, size) != 0)
		abort();
	free(out);
}

/*
 * lia_note_keep with the seed key under the first line's name, as both types: when it keeps
 * anything, the result is no longer than the input, parses, holds one line per key kept at
 * most, and verifies as the input did.
 */
static void check_keep(const struct lia_note *note, const uint8_t *data, size_t size)
{
	char err[LIA_ERR_LEN] = "", *out = NULL;
	struct lia_note kept;
	struct lia_note_key keys[2];
	uint8_t pub[32];
	uint64_t t = 0;
	size_t len = 0;
	int had_note, had_cosig;

	fuzz_key(pub);
	keys[0] = (struct lia_note_key){ note->sigs[0].name, LIA_NOTE_ED25519, pub };
	keys[1] = (struct lia_note_key){ note->sigs[0].name, LIA_NOTE_COSIG_V1, pub };
	had_note = lia_note_verify(note, keys[0].name, pub, err) == 0;
	had_cosig = lia_cosig_verify(note, keys[1].name, pub, &t, err) == 0;
	if (lia_note_keep((const char *)data, size, keys, 2, &out, &len, err) != 0) {
		if (out != NULL || had_note || had_cosig || err[0] == '\0')
			abort();
		return;
	}
	if (len > size || strlen(out) != len || lia_note_parse(out, len, &kept, err) != 0 ||
	    kept.nsigs != (size_t)(had_note + had_cosig) ||
	    (lia_note_verify(&kept, keys[0].name, pub, err) == 0) != had_note ||
	    (lia_cosig_verify(&kept, keys[1].name, pub, &t, err) == 0) != had_cosig)
		abort();
	lia_note_finish(&kept);
	free(out);
}

static void check_note(const struct lia_note *note, const uint8_t *data, size_t size)
{
	char err[LIA_ERR_LEN] = "", *again = NULL;
	struct lia_note parsed;
	uint8_t pub[32];
	uint64_t t;
	size_t len;

	if (note->body == NULL || note->body_len == 0 || note->body[note->body_len - 1] != '\n' ||
	    strlen(note->body) != note->body_len || note->nsigs == 0 ||
	    note->nsigs > LIA_NOTE_MAX_SIGS)
		abort();
	for (size_t i = 0; i < note->nsigs; i++) {
		if (!lia_note_name_valid(note->sigs[i].name, strlen(note->sigs[i].name)) ||
		    note->sigs[i].sig_len == 0)
			abort();
		fuzz_key(pub);
		(void)lia_note_verify(note, note->sigs[i].name, pub, err);
		(void)lia_cosig_verify(note, note->sigs[i].name, pub, &t, err);
	}
	check_round_trip(note, data, size);
	check_keep(note, data, size);
	/* Signing the body again gives a note that parses and verifies. */
	if (note->body_len < LIA_NOTE_MAX / 2 &&
	    lia_note_sign(fuzz_key(pub), "fuzz", note->body, note->body_len, &again, &len, err) == 0) {
		if (lia_note_parse(again, len, &parsed, err) != 0 ||
		    lia_note_verify(&parsed, "fuzz", pub, err) != 0)
			abort();
		lia_note_finish(&parsed);
		free(again);
	}
}

static void check_checkpoint(const char *body, size_t len)
{
	struct lia_checkpoint cp;
	char err[LIA_ERR_LEN] = "", out[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX];
	size_t out_len;

	if (lia_checkpoint_parse(body, len, &cp, err) != 0) {
		if (err[0] == '\0' || cp.size != 0)
			abort();
		return;
	}
	if (cp.origin[0] == '\0' || cp.ext_offset > len)
		abort();
	if (lia_checkpoint_make(cp.origin, cp.size, cp.root, out, &out_len, err) == 0 &&
	    (out_len != cp.ext_offset || memcmp(out, body, out_len) != 0))
		abort();
	/* A checkpoint that parses can be cosigned. */
	if (len < LIA_NOTE_MAX / 2 &&
	    lia_cosig_line(fuzz_key((uint8_t[32]){ 0 }), "w", body, len, 1, line, err) != 0)
		abort();
}

static void check_vkey(const uint8_t *data, size_t size)
{
	char text[LIA_NOTE_VKEY_MAX + 8], name[LIA_NOTE_NAME_MAX + 1], again[LIA_NOTE_VKEY_MAX];
	char name2[LIA_NOTE_NAME_MAX + 1], err[LIA_ERR_LEN] = "";
	uint8_t pub[32], pub2[32], type = 0, type2 = 0;

	if (size >= sizeof(text))
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (lia_note_vkey_parse(text, name, &type, pub, err) != 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (lia_note_vkey_make(name, type, pub, again, err) != 0 ||
	    lia_note_vkey_parse(again, name2, &type2, pub2, err) != 0 || strcmp(name, name2) != 0 ||
	    type != type2 || memcmp(pub, pub2, 32) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_note note;
	char err[LIA_ERR_LEN] = "";

	if (lia_note_parse((const char *)data, size, &note, err) == 0) {
		check_note(&note, data, size);
		check_checkpoint(note.body, note.body_len);
	} else if (err[0] == '\0' || note.body != NULL || note.sigs != NULL) {
		abort();
	}
	lia_note_finish(&note);
	check_checkpoint((const char *)data, size);
	check_vkey(data, size);
	return 0;
}
