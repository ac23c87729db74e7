/*
 * gen_note_seeds.c - writes the seed corpus of fuzz_note into
 * fuzz/corpus/note/ from the real encoders, deterministically (RFC 8032 test
 * key 1, fixed roots and times), so the seeds are reproducible.
 *
 * Not part of the Meson build; from the repository root:
 *   cc -std=c11 -D_GNU_SOURCE -Isrc fuzz/gen_note_seeds.c src/note.c src/text.c \
 *      src/err.c -lcrypto -o /tmp/gen_note_seeds
 *   /tmp/gen_note_seeds fuzz/corpus/note
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "note.h"

static const uint8_t seed_key[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static void die(const char *what, const char *err)
{
	fprintf(stderr, "gen_note_seeds: %s: %s\n", what, err);
	exit(1);
}

static void write_seed(const char *dir, const char *name, const char *text)
{
	char path[4096];
	size_t n = strlen(text);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, n, f) != n || fclose(f) != 0)
		die(path, "cannot write");
}

/* body, blank line, the log's signature, then a cosignature when cosign is set. */
static void signed_checkpoint(EVP_PKEY *key, const char *body, int cosign, char *out, size_t cap)
{
	char line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";

	if (lia_note_sign_line(key, "jp-hq.liaison/record", body, strlen(body), line, err) != 0)
		die("sign", err);
	snprintf(out, cap, "%s\n%s", body, line);
	if (cosign) {
		if (lia_cosig_line(key, "cn-hq.liaison/witness", body, strlen(body), 1795779511, line,
		    err) != 0)
			die("cosign", err);
		strncat(out, line, cap - strlen(out) - 1);
	}
}

int main(int argc, char **argv)
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed_key, 32);
	char body[LIA_CHECKPOINT_MAX + 64], text[4096], line[LIA_NOTE_LINE_MAX];
	char vkey[LIA_NOTE_VKEY_MAX], err[LIA_ERR_LEN] = "";
	uint8_t root[32], pub[32];
	size_t len = 32;

	if (argc != 2 || key == NULL || EVP_PKEY_get_raw_public_key(key, pub, &len) != 1)
		die("usage", "gen_note_seeds <dir>");
	for (int i = 0; i < 32; i++)
		root[i] = (uint8_t)(i * 7 + 1);
	if (lia_checkpoint_make("jp-hq.liaison/record", 1234, root, body, &len, err) != 0)
		die("checkpoint", err);
	write_seed(argv[1], "checkpoint-body", body);
	signed_checkpoint(key, body, 0, text, sizeof(text));
	write_seed(argv[1], "checkpoint-signed", text);
	signed_checkpoint(key, body, 1, text, sizeof(text));
	write_seed(argv[1], "checkpoint-cosigned", text);
	strcat(body, "extension one\nextension two\n");
	signed_checkpoint(key, body, 1, text, sizeof(text));
	write_seed(argv[1], "checkpoint-extensions", text);
	if (lia_checkpoint_make("jp-hq.liaison/record", 0, root, body, &len, err) != 0)
		die("checkpoint", err);
	signed_checkpoint(key, body, 0, text, sizeof(text));
	write_seed(argv[1], "checkpoint-empty-tree", text);
	/* A free text with empty lines and a stranger's signature among ours. */
	strcpy(body, "hotline\n\nline after a blank one\n");
	if (lia_note_sign_line(key, "jp-hq", body, strlen(body), line, err) != 0)
		die("sign", err);
	snprintf(text, sizeof(text), "%s\n\xe2\x80\x94 stranger AAAAAAE=\n%s", body, line);
	write_seed(argv[1], "text-two-signers", text);
	if (lia_note_vkey_make("jp-hq.liaison/record", LIA_NOTE_ED25519, pub, vkey, err) != 0)
		die("vkey", err);
	write_seed(argv[1], "vkey-ed25519", vkey);
	if (lia_note_vkey_make("cn-hq.liaison/witness", LIA_NOTE_COSIG_V1, pub, vkey, err) != 0)
		die("vkey", err);
	write_seed(argv[1], "vkey-cosignature", vkey);
	/* golang.org/x/mod/sumdb/note's example, signed by another key. */
	write_seed(argv[1], "sumdb-example",
	    "If you think cryptography is the answer to your problem,\n"
	    "then you don't know what your problem is.\n\n"
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");
	EVP_PKEY_free(key);
	return 0;
}
