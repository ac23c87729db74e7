/*
 * gen_seeds.c - writes the seed corpora of fuzz_cose, fuzz_entry and fuzz_wire
 * into fuzz/corpus/{cose,entry,wire}/ from real encoders, deterministically
 * (RFC 8032 test key 1, fixed times), so the seeds are reproducible: a
 * message, a receipt, an ack, and a signal in the text and the narrow form
 * (uint time, no kid, catalogue number, uint values; docs/wire.md).
 *
 * Not part of the Meson build; from the repository root:
 *   cc -std=c11 -D_GNU_SOURCE -Isrc fuzz/gen_seeds.c src/cose.c src/entry.c \
 *      src/wire.c src/text.c src/clock.c src/err.c src/cbor_out.c -lcbor -lcrypto \
 *      -o /tmp/gen_seeds
 *   /tmp/gen_seeds fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cose.h"
#include "entry.h"
#include "err.h"
#include "wire.h"

static const uint8_t seed_key[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static void die(const char *what, const char *err)
{
	fprintf(stderr, "gen_seeds: %s: %s\n", what, err);
	exit(1);
}

static void write_seed(const char *dir, const char *sub, const char *name, const uint8_t *p,
    size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path, "cannot write");
}

#define N_SEEDS 5

/* A signal: L-MV4 course 045 speed 12.5, as text (e[3]) and in the narrow form (e[4], docs/wire.md). */
static void make_signals(struct lia_entry e[N_SEEDS])
{
	e[3].type = LIA_ENTRY_SIGNAL;
	strcpy(e[3].origin, "jp-dd101");
	e[3].seq = 65535;
	e[3].time_ms = 1795779511000;
	strcpy(e[3].to, "cn-dd102");
	e[3].nsignals = 1;
	strcpy(e[3].signals[0].code, "L-MV4");
	e[3].signals[0].nparams = 2;
	strcpy(e[3].signals[0].params[0], "045");
	strcpy(e[3].signals[0].params[1], "12.5");
	e[3].lat = 3512345;
	e[3].lon = 13987654;
	e[4] = e[3];
	e[4].narrow = 1;
	e[4].to[0] = '\0';
	e[4].signals[0].number = 36;
	e[4].signals[0].is_num[0] = e[4].signals[0].is_num[1] = 1;
	e[4].signals[0].num[0] = 45;
	e[4].signals[0].num[1] = 125;
}

static void make_entries(struct lia_entry e[N_SEEDS], char *text)
{
	memset(e, 0, N_SEEDS * sizeof(e[0]));
	e[0].type = LIA_ENTRY_MESSAGE;
	strcpy(e[0].origin, "tokyo-hq");
	e[0].seq = 42;
	e[0].time_ms = 1795779511123;
	strcpy(e[0].to, "beijing-hq");
	e[0].precedence = LIA_FLASH;
	strcpy(e[0].lang, "ja");
	e[0].text = text;
	e[1].type = LIA_ENTRY_RECEIPT;
	strcpy(e[1].origin, "beijing-hq");
	e[1].seq = 7;
	e[1].time_ms = 1795779512000;
	strcpy(e[1].ref_origin, "tokyo-hq");
	e[1].ref_seq = 42;
	memset(e[1].ref_hash, 0xab, 32);
	e[2] = e[1];
	e[2].type = LIA_ENTRY_ACK;
	e[2].seq = 8;
	e[2].time_ms = 1795779540000;
	strcpy(e[2].operator_name, "Li Wei");
	make_signals(e);
}

static void write_wire(const char *dir, const char *name, const struct lia_frame *f)
{
	char err[LIA_ERR_LEN];
	uint8_t *buf;
	size_t len;

	if (lia_wire_encode(f, &buf, &len, err) != 0)
		die(name, err);
	write_seed(dir, "wire", name, buf + LIA_FRAME_HEADER, len - LIA_FRAME_HEADER);
	free(buf);
}

static void wire_seeds(const char *dir, uint8_t *cose, size_t cose_len)
{
	struct lia_frame f;

	memset(&f, 0, sizeof(f));
	f.kind = LIA_FRAME_HELLO;
	f.version = LIA_WIRE_VERSION;
	memset(f.charter_hash, 0x5c, 32);
	strcpy(f.node, "tokyo-hq");
	f.seq = 41;
	write_wire(dir, "hello", &f);
	memset(&f, 0, sizeof(f));
	f.kind = LIA_FRAME_ENTRY;
	f.prev = 41;
	f.cose = cose;
	f.cose_len = cose_len;
	write_wire(dir, "entry", &f);
	memset(&f, 0, sizeof(f));
	f.kind = LIA_FRAME_SEEN;
	f.seq = 42;
	write_wire(dir, "seen", &f);
	f.kind = LIA_FRAME_PING;
	f.nonce = 0x0123456789abcdef;
	write_wire(dir, "ping", &f);
	f.kind = LIA_FRAME_PONG;
	write_wire(dir, "pong", &f);
	memset(&f, 0, sizeof(f));
	f.kind = LIA_FRAME_ERROR;
	f.code = 2;
	strcpy(f.text, "charter hash differs");
	write_wire(dir, "error", &f);
}

int main(int argc, char **argv)
{
	static const char *const names[N_SEEDS] = {"message", "receipt", "ack", "signal",
	    "signal-narrow"};
	char text[] = "至急: 東京から北京へ。Request immediate contact on line 2.";
	char err[LIA_ERR_LEN], name[64];
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed_key, 32);
	struct lia_entry e[N_SEEDS];
	uint8_t *buf, *cose;
	size_t len, cose_len;

	if (argc != 2 || key == NULL)
		die("usage", "gen_seeds CORPUS-DIR");
	make_entries(e, text);
	for (int i = 0; i < N_SEEDS; i++) {
		if (lia_entry_encode(&e[i], &buf, &len, err) != 0 ||
		    lia_entry_sign(&e[i], key, &cose, &cose_len, err) != 0)
			die(names[i], err);
		write_seed(argv[1], "entry", names[i], buf, len);
		snprintf(name, sizeof(name), "%s-signed", names[i]);
		write_seed(argv[1], "entry", name, cose, cose_len);
		write_seed(argv[1], "cose", names[i], cose, cose_len);
		if (i == 0)
			wire_seeds(argv[1], cose, cose_len);
		free(buf);
		free(cose);
	}
	if (lia_cose_sign(key, "a", (const uint8_t *)"hello", 5, &cose, &cose_len, err) != 0)
		die("hello", err);
	write_seed(argv[1], "cose", "hello", cose, cose_len);
	free(cose);
	EVP_PKEY_free(key);
	return 0;
}
