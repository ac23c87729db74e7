/*
 * record_vectors.c - writes a JSON file of joint-record test vectors for an
 * independent verifier (tests/verify/verify.mjs): a random tree of a given
 * size (its leaves and root), RFC 9162 inclusion and consistency proofs, a
 * C2SP checkpoint signed by a fresh log key and cosigned by a fresh witness
 * key, and deliberately corrupted copies of each. Every vector is checked
 * with the C code first, so a disagreement is the other verifier's finding.
 *
 *   record_vectors [-n tree size] [-o out.json]      (stdout without -o)
 *
 * Vector: {"kind", "expect": "valid" | "invalid", "why", ...kind's fields};
 * see verify.mjs for the fields of each kind.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "merkle.h"
#include "note.h"

#define HLEN LIA_MERKLE_HASH_LEN
#define LOG_NAME "jp-hq.liaison/record"
#define WITNESS_NAME "cn-hq.liaison/witness"
#define COSIG_TIME UINT64_C(1795779511)

/* ---- the tree, in memory ---- */

struct tree {
	uint8_t (*level[64])[HLEN];
	uint64_t size;
	uint8_t (*data)[64]; /* leaf data, data_len[i] bytes each */
	uint8_t *data_len;
};

static int tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN])
{
	struct tree *t = ctx;
	int rc = -1;

	if (level < 64 && t->level[level] != NULL && index < (t->size >> level)) {
		memcpy(out, t->level[level][index], HLEN);
		rc = 0;
	}
	return rc;
}

static int tree_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[HLEN])
{
	struct tree *t = ctx;
	int rc = -1;

	if (level < 64 && t->level[level] != NULL) {
		memcpy(t->level[level][index], h, HLEN);
		rc = 0;
	}
	return rc;
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "record_vectors: %s: %s\n", what, err);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("calloc", "out of memory");
	return p;
}

static void random_bytes(void *p, size_t n)
{
	if (n > 0 && RAND_bytes(p, (int)n) != 1)
		die("RAND_bytes", "no randomness");
}

/* Random leaves of 0..63 bytes, appended one by one as a log would. */
static void tree_build(struct tree *t, struct lia_merkle_store *st, uint64_t n)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN];

	memset(t, 0, sizeof(*t));
	for (unsigned l = 0; l < 64 && (n >> l) > 0; l++)
		t->level[l] = xcalloc(n >> l, HLEN);
	t->data = xcalloc(n, 64);
	t->data_len = xcalloc(n, 1);
	st->get = tree_get;
	st->put = tree_put;
	st->ctx = t;
	for (uint64_t i = 0; i < n; i++) {
		random_bytes(&t->data_len[i], 1);
		t->data_len[i] %= 64;
		random_bytes(t->data[i], t->data_len[i]);
		if (lia_merkle_leaf_hash(t->data[i], t->data_len[i], leaf, err) != 0)
			die("leaf hash", err);
		t->size = i + 1;
		if (lia_merkle_append(st, i, leaf, err) != 0)
			die("append", err);
	}
}

static void tree_finish(struct tree *t)
{
	for (unsigned l = 0; l < 64; l++)
		free(t->level[l]);
	free(t->data);
	free(t->data_len);
}

static uint64_t random_below(uint64_t n)
{
	uint64_t r;

	random_bytes(&r, sizeof(r));
	return r % n;
}

/* ---- JSON helpers ---- */

static json_t *b64(const uint8_t *p, size_t n)
{
	char *s = xcalloc(1, (n + 2) / 3 * 4 + 1);
	json_t *j;

	EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	j = json_string(s);
	free(s);
	return j;
}

static json_t *proof_json(const struct lia_merkle_proof *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->len; i++)
		json_array_append_new(a, b64(p->hash[i], HLEN));
	return a;
}

static json_t *vector(json_t *out, const char *kind, int valid, const char *why)
{
	json_t *v = json_pack("{s:s, s:s, s:s}", "kind", kind, "expect",
	    valid ? "valid" : "invalid", "why", why);

	json_array_append_new(out, v);
	return v;
}

/* Stops when the C code disagrees with what a vector expects. */
static void check_c(int rc, int valid, const char *kind, const char *why, const char *err)
{
	if ((rc == 0) != valid) {
		fprintf(stderr, "record_vectors: the C code %s the %s vector \"%s\" (%s)\n",
		    valid ? "refuses" : "accepts", kind, why, err);
		exit(1);
	}
}

/* ---- proofs ---- */

struct incl {
	uint64_t index, size;
	const uint8_t *data;
	size_t data_len;
	struct lia_merkle_proof proof;
	uint8_t root[HLEN];
};

static void add_inclusion(json_t *out, const struct incl *c, int valid, const char *why)
{
	json_t *v = vector(out, "inclusion", valid, why);
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN];

	if (lia_merkle_leaf_hash(c->data, c->data_len, leaf, err) != 0)
		die("leaf hash", err);
	check_c(lia_merkle_verify_inclusion(leaf, c->index, c->size, &c->proof, c->root, err),
	    valid, "inclusion", why, err);
	json_object_set_new(v, "leaf", b64(c->data, c->data_len));
	json_object_set_new(v, "index", json_integer((json_int_t)c->index));
	json_object_set_new(v, "size", json_integer((json_int_t)c->size));
	json_object_set_new(v, "proof", proof_json(&c->proof));
	json_object_set_new(v, "root", b64(c->root, HLEN));
}

static void make_inclusion(struct lia_merkle_store *st, struct tree *t, uint64_t index,
    uint64_t size, struct incl *c)
{
	char err[LIA_ERR_LEN] = "";

	c->index = index;
	c->size = size;
	c->data = t->data[index];
	c->data_len = t->data_len[index];
	if (lia_merkle_inclusion_proof(st, index, size, &c->proof, err) != 0 ||
	    lia_merkle_root(st, size, c->root, err) != 0)
		die("inclusion proof", err);
}

/* The corrupted copies of one good inclusion vector. */
static void corrupt_inclusion(json_t *out, struct lia_merkle_store *st, struct tree *t,
    const struct incl *good)
{
	struct incl c = *good;
	char err[LIA_ERR_LEN] = "";

	if (good->proof.len > 0) {
		c.proof.hash[random_below(c.proof.len)][random_below(HLEN)] ^= 0x20;
		add_inclusion(out, &c, 0, "a bit of a proof hash flipped");
		c = *good;
		c.proof.len--;
		add_inclusion(out, &c, 0, "the last proof hash removed");
		c = *good;
		memcpy(c.proof.hash[c.proof.len++], good->root, HLEN);
		add_inclusion(out, &c, 0, "an extra proof hash");
	}
	if (good->size > 1) {
		c = *good;
		c.index = (good->index + 1) % good->size;
		add_inclusion(out, &c, 0, "the leaf claimed at another index");
		c = *good;
		c.data = t->data[(good->index + 1) % good->size];
		c.data_len = t->data_len[(good->index + 1) % good->size];
		if (c.data_len != good->data_len || memcmp(c.data, good->data, c.data_len) != 0)
			add_inclusion(out, &c, 0, "another leaf at the index");
	}
	c = *good;
	c.index = good->size;
	add_inclusion(out, &c, 0, "index equal to the tree size");
	if (good->size + 1 <= t->size) {
		c = *good;
		c.size = good->size + 1;
		if (lia_merkle_root(st, c.size, c.root, err) != 0)
			die("root", err);
		add_inclusion(out, &c, 0, "the tree size one larger, with that tree's root");
	}
}

struct cons {
	uint64_t old_size, new_size;
	struct lia_merkle_proof proof;
	uint8_t old_root[HLEN], new_root[HLEN];
};

static void add_consistency(json_t *out, const struct cons *c, int valid, const char *why)
{
	json_t *v = vector(out, "consistency", valid, why);
	char err[LIA_ERR_LEN] = "";

	check_c(lia_merkle_verify_consistency(c->old_size, c->new_size, c->old_root, c->new_root,
	    &c->proof, err), valid, "consistency", why, err);
	json_object_set_new(v, "old_size", json_integer((json_int_t)c->old_size));
	json_object_set_new(v, "new_size", json_integer((json_int_t)c->new_size));
	json_object_set_new(v, "old_root", b64(c->old_root, HLEN));
	json_object_set_new(v, "new_root", b64(c->new_root, HLEN));
	json_object_set_new(v, "proof", proof_json(&c->proof));
}

static void make_consistency(struct lia_merkle_store *st, uint64_t a, uint64_t b, struct cons *c)
{
	char err[LIA_ERR_LEN] = "";

	c->old_size = a;
	c->new_size = b;
	if (lia_merkle_consistency_proof(st, a, b, &c->proof, err) != 0 ||
	    lia_merkle_root(st, a, c->old_root, err) != 0 ||
	    lia_merkle_root(st, b, c->new_root, err) != 0)
		die("consistency proof", err);
}

static void corrupt_consistency(json_t *out, struct lia_merkle_store *st, struct tree *t,
    const struct cons *good)
{
	struct cons c = *good;
	char err[LIA_ERR_LEN] = "";

	if (good->proof.len > 0) {
		c.proof.hash[random_below(c.proof.len)][random_below(HLEN)] ^= 0x01;
		add_consistency(out, &c, 0, "a bit of a proof hash flipped");
		c = *good;
		c.proof.len--;
		add_consistency(out, &c, 0, "the last proof hash removed");
	}
	c = *good;
	memcpy(c.old_root, good->new_root, HLEN);
	memcpy(c.new_root, good->old_root, HLEN);
	if (memcmp(c.old_root, good->old_root, HLEN) != 0)
		add_consistency(out, &c, 0, "the two roots swapped");
	c = *good;
	c.old_root[7] ^= 0x80;
	add_consistency(out, &c, 0, "the old root changed");
	if (good->new_size + 1 <= t->size) {
		c = *good;
		c.new_size = good->new_size + 1;
		if (lia_merkle_root(st, c.new_size, c.new_root, err) != 0)
			die("root", err);
		add_consistency(out, &c, 0, "the new size one larger, with that tree's root");
	}
	if (good->old_size > 1) {
		c = *good;
		c.old_size = good->old_size - 1;
		if (lia_merkle_root(st, c.old_size, c.old_root, err) != 0)
			die("root", err);
		add_consistency(out, &c, 0, "the old size one smaller, with that tree's root");
	}
}

static void proofs(json_t *out, struct lia_merkle_store *st, struct tree *t)
{
	uint64_t n = t->size;
	uint64_t sizes[] = { 1, 2, 3, 4, 7, 8, 9, n / 2, n - 1, n };
	struct incl in;
	struct cons co;
	struct cons empty = { 0 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t m = sizes[i];

		if (m == 0 || m > n)
			continue;
		make_inclusion(st, t, random_below(m), m, &in);
		add_inclusion(out, &in, 1, "random leaf of a prefix tree");
		corrupt_inclusion(out, st, t, &in);
		make_inclusion(st, t, m - 1, m, &in);
		add_inclusion(out, &in, 1, "last leaf");
		make_consistency(st, m, n, &co);
		add_consistency(out, &co, 1, m == n ? "equal sizes" : "prefix to the whole tree");
		corrupt_consistency(out, st, t, &co);
	}
	for (int i = 0; i < 8; i++) {
		uint64_t b = 1 + random_below(n), a = 1 + random_below(b);

		make_consistency(st, a, b, &co);
		add_consistency(out, &co, 1, "random sizes");
		make_inclusion(st, t, random_below(b), b, &in);
		add_inclusion(out, &in, 1, "random leaf, random size");
	}
	make_inclusion(st, t, 0, n, &in);
	add_inclusion(out, &in, 1, "first leaf of the whole tree");
	/* The empty tree proves nothing: old size 0 is refused. */
	make_consistency(st, 1, n, &co);
	empty.new_size = n;
	memcpy(empty.new_root, co.new_root, HLEN);
	EVP_Digest("", 0, empty.old_root, NULL, EVP_sha256(), NULL);
	add_consistency(out, &empty, 0, "old size 0");
	co.old_size = n + 1;
	co.new_size = n;
	add_consistency(out, &co, 0, "old size above the new size");
}

/* ---- notes, cosignatures, checkpoints ---- */

struct keys {
	EVP_PKEY *log, *witness, *other;
	uint8_t log_pub[32], witness_pub[32];
	char log_vkey[LIA_NOTE_VKEY_MAX], witness_vkey[LIA_NOTE_VKEY_MAX];
	char witness_note_vkey[LIA_NOTE_VKEY_MAX];
};

static EVP_PKEY *fresh_key(uint8_t pub[32])
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	size_t len = 32;

	if (key == NULL || EVP_PKEY_get_raw_public_key(key, pub, &len) != 1)
		die("keygen", "no Ed25519 key");
	return key;
}

static void keys_init(struct keys *k)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t other_pub[32];

	k->log = fresh_key(k->log_pub);
	k->witness = fresh_key(k->witness_pub);
	k->other = fresh_key(other_pub);
	if (lia_note_vkey_make(LOG_NAME, LIA_NOTE_ED25519, k->log_pub, k->log_vkey, err) != 0 ||
	    lia_note_vkey_make(WITNESS_NAME, LIA_NOTE_COSIG_V1, k->witness_pub, k->witness_vkey,
	    err) != 0 || lia_note_vkey_make(WITNESS_NAME, LIA_NOTE_ED25519, k->witness_pub,
	    k->witness_note_vkey, err) != 0)
		die("vkey", err);
}

/* Verifies text under vkey with the C code: a note signature, or a cosignature when the vkey is of type 0x04. */
static int c_verify(const char *text, const char *vkey, char *err)
{
	char name[LIA_NOTE_NAME_MAX + 1];
	struct lia_note note;
	uint8_t pub[32], type = 0;
	uint64_t t;
	int rc = -1;

	if (lia_note_vkey_parse(vkey, name, &type, pub, err) != 0 ||
	    lia_note_parse(text, strlen(text), &note, err) != 0)
		goto out;
	if (type == LIA_NOTE_ED25519)
		rc = lia_note_verify(&note, name, pub, err);
	else
		rc = lia_cosig_verify(&note, name, pub, &t, err);
	lia_note_finish(&note);
out:
	return rc;
}

static void add_signed(json_t *out, const char *kind, const char *text, const char *vkey,
    int valid, const char *why)
{
	json_t *v = vector(out, kind, valid, why);
	char err[LIA_ERR_LEN] = "";

	check_c(c_verify(text, vkey, err), valid, kind, why, err);
	json_object_set_new(v, "note", json_string(text));
	json_object_set_new(v, "vkey", json_string(vkey));
}

static char *concat(const char *a, const char *b)
{
	char *s = xcalloc(1, strlen(a) + strlen(b) + 1);

	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* text with the first occurrence of from replaced by to. */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *s;

	if (at == NULL)
		die("replace", from);
	s = xcalloc(1, strlen(text) - strlen(from) + strlen(to) + 1);
	memcpy(s, text, (size_t)(at - text));
	strcat(s, to);
	strcat(s, at + strlen(from));
	return s;
}

/* text with the bytes of its last signature line decoded, edited and re-encoded. */
static char *edit_last_sig(const char *text, void (*edit)(uint8_t *raw, size_t len))
{
	char *s = xcalloc(1, strlen(text) + 8), *b, *nl;
	uint8_t raw[256];
	int n;

	strcpy(s, text);
	nl = s + strlen(s) - 1;
	*nl = '\0';
	b = strrchr(s, ' ') + 1;
	n = EVP_DecodeBlock(raw, (const unsigned char *)b, (int)strlen(b));
	if (n < 0)
		die("base64", b);
	n -= (b[strlen(b) - 1] == '=') + (b[strlen(b) - 2] == '=');
	edit(raw, (size_t)n);
	EVP_EncodeBlock((unsigned char *)b, raw, n);
	strcat(s, "\n");
	return s;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void flip_sig_bit(uint8_t *raw, size_t len) { raw[len - 9] ^= 0x08; }
static void bump_time(uint8_t *raw, size_t len) { (void)len; raw[11] ^= 0x01; }

/* The signature line of key over message msg for body, built by hand (to make what the library refuses to). */
static void hand_line(EVP_PKEY *key, const char *name, uint8_t type, const uint8_t *pub,
    const uint8_t *msg, size_t msg_len, const uint8_t *prefix, size_t prefix_len, char *line)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t raw[4 + 8 + 64];
	char enc[128], err[LIA_ERR_LEN] = "";
	size_t sig_len = 64;
	uint32_t id;

	if (lia_note_key_id(name, type, pub, &id, err) != 0)
		die("key id", err);
	raw[0] = (uint8_t)(id >> 24);
	raw[1] = (uint8_t)(id >> 16);
	raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	if (prefix_len > 0)
		memcpy(raw + 4, prefix, prefix_len);
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, raw + 4 + prefix_len, &sig_len, msg, msg_len) != 1)
		die("sign", "Ed25519 failed");
	EVP_EncodeBlock((unsigned char *)enc, raw, (int)(4 + prefix_len + 64));
	sprintf(line, "\xe2\x80\x94 %s %s\n", name, enc);
	EVP_MD_CTX_free(ctx);
}

/* "— name base64(key ID of (name, type, pub) || n zero bytes)\n": a line of a known key that cannot verify. */
static void bogus_line(const char *name, uint8_t type, const uint8_t pub[32], size_t n,
    char line[static LIA_NOTE_LINE_MAX])
{
	uint8_t raw[4 + 72] = { 0 };
	char enc[120], err[LIA_ERR_LEN] = "";
	uint32_t id = 0;

	if (lia_note_key_id(name, type, pub, &id, err) != 0)
		die("key id", err);
	raw[0] = (uint8_t)(id >> 24), raw[1] = (uint8_t)(id >> 16), raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	EVP_EncodeBlock((unsigned char *)enc, raw, (int)(4 + n));
	sprintf(line, "\xe2\x80\x94 %s %s\n", name, enc);
}

/* note with line put before its first signature line (caller frees). */
static char *line_first(const char *note, const char *line)
{
	char *s = xcalloc(1, strlen(note) + strlen(line) + 1);
	const char *at = strstr(note, "\n\n") + 2;

	memcpy(s, note, (size_t)(at - note));
	strcpy(s + (at - note), line);
	strcat(s, at);
	return s;
}

static void note_vectors(json_t *out, struct keys *k, const char *body, const char *signed_note,
    const char *cosigned_note)
{
	char line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "", *s, *t;
	char bad_vkey[LIA_NOTE_VKEY_MAX];
	const char *cr_body = "jp-hq.liaison/record\r\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

	add_signed(out, "note", signed_note, k->log_vkey, 1, "checkpoint signed by the log");
	add_signed(out, "note", cosigned_note, k->log_vkey, 1, "log signature among others");
	s = replace(signed_note, "\n", "\n9");
	add_signed(out, "note", s, k->log_vkey, 0, "a digit added to the tree size");
	free(s);
	if (lia_note_sign_line(k->other, LOG_NAME, body, strlen(body), line, err) != 0)
		die("sign", err);
	s = xcalloc(1, strlen(body) + strlen(line) + 2);
	sprintf(s, "%s\n%s", body, line);
	add_signed(out, "note", s, k->log_vkey, 0, "signed by another key under the log's name");
	free(s);
	s = edit_last_sig(signed_note, flip_sig_bit);
	add_signed(out, "note", s, k->log_vkey, 0, "a bit of the signature flipped");
	free(s);
	strcpy(bad_vkey, k->log_vkey);
	bad_vkey[strlen(LOG_NAME) + 1] = bad_vkey[strlen(LOG_NAME) + 1] == '0' ? '1' : '0';
	add_signed(out, "note", signed_note, bad_vkey, 0, "the vkey's key ID does not match its key");
	s = replace(signed_note, "\xe2\x80\x94 ", "-- ");
	add_signed(out, "note", s, k->log_vkey, 0, "two hyphens instead of the em dash");
	free(s);
	s = replace(signed_note, "\n\n", "\n");
	add_signed(out, "note", s, k->log_vkey, 0, "no blank line before the signature");
	free(s);
	s = concat(signed_note, "trailing words\n");
	add_signed(out, "note", s, k->log_vkey, 0, "a line after the signatures");
	free(s);
	/* 68 signature bytes end in "X=": the last character's two spare bits must be zero. */
	s = xcalloc(1, strlen(signed_note) + 1);
	strcpy(s, signed_note);
	t = s + strlen(s) - 3;
	*t = b64_alphabet[(strchr(b64_alphabet, *t) - b64_alphabet) ^ 1];
	add_signed(out, "note", s, k->log_vkey, 0, "non-canonical base64 (spare bits set)");
	free(s);
	hand_line(k->log, LOG_NAME, LIA_NOTE_ED25519, k->log_pub, (const uint8_t *)cr_body,
	    strlen(cr_body), NULL, 0, line);
	s = xcalloc(1, strlen(cr_body) + strlen(line) + 2);
	sprintf(s, "%s\n%s", cr_body, line);
	add_signed(out, "note", s, k->log_vkey, 0, "a carriage return in a validly signed text");
	free(s);
	add_signed(out, "note", cosigned_note, k->witness_note_vkey, 0,
	    "a cosignature is no Ed25519 note signature");
	/* signed-note: a key is a name and a key ID; a line of it that does not verify hides nothing. */
	bogus_line(LOG_NAME, LIA_NOTE_ED25519, k->log_pub, 64, line);
	s = line_first(cosigned_note, line);
	add_signed(out, "note", s, k->log_vkey, 1,
	    "a bogus line with the log's name and key ID before the good one");
	free(s);
	s = xcalloc(1, strlen(body) + strlen(line) + 2);
	sprintf(s, "%s\n%s", body, line);
	add_signed(out, "note", s, k->log_vkey, 0, "only a bogus line with the log's name and key ID");
	free(s);
}

static void cosig_vectors(json_t *out, struct keys *k, const char *body, const char *cosigned_note)
{
	char line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "", msg[1024], *s;
	uint8_t ts[8] = { 0x80, 0, 0, 0, 0, 0, 0, 1 };
	json_t *v;

	add_signed(out, "cosignature", cosigned_note, k->witness_vkey, 1, "witness cosignature");
	v = json_array_get(out, json_array_size(out) - 1);
	json_object_set_new(v, "timestamp", json_string("1795779511"));
	s = edit_last_sig(cosigned_note, bump_time);
	add_signed(out, "cosignature", s, k->witness_vkey, 0, "the timestamp changed");
	free(s);
	s = edit_last_sig(cosigned_note, flip_sig_bit);
	add_signed(out, "cosignature", s, k->witness_vkey, 0, "a bit of the signature flipped");
	free(s);
	s = replace(cosigned_note, "\n", "\n1");
	add_signed(out, "cosignature", s, k->witness_vkey, 0, "a digit added to the tree size");
	free(s);
	/* A validly signed time of 2^63 + 1 is still out of range. */
	snprintf(msg, sizeof(msg), "cosignature/v1\ntime 9223372036854775809\n%s", body);
	hand_line(k->witness, WITNESS_NAME, LIA_NOTE_COSIG_V1, k->witness_pub, (uint8_t *)msg,
	    strlen(msg), ts, 8, line);
	s = xcalloc(1, strlen(body) + strlen(line) + 2);
	sprintf(s, "%s\n%s", body, line);
	add_signed(out, "cosignature", s, k->witness_vkey, 0, "timestamp above 2^63 - 1");
	free(s);
	/* A plain note signature by the witness's key is no cosignature. */
	if (lia_note_sign_line(k->witness, WITNESS_NAME, body, strlen(body), line, err) != 0)
		die("sign", err);
	s = xcalloc(1, strlen(body) + strlen(line) + 2);
	sprintf(s, "%s\n%s", body, line);
	add_signed(out, "cosignature", s, k->witness_vkey, 0,
	    "an Ed25519 note signature is no cosignature");
	free(s);
	/* A rival's bogus line under the witness's name and key ID, first: the good one still counts. */
	bogus_line(WITNESS_NAME, LIA_NOTE_COSIG_V1, k->witness_pub, 72, line);
	s = line_first(cosigned_note, line);
	add_signed(out, "cosignature", s, k->witness_vkey, 1,
	    "a bogus line with the witness's name and key ID before the good one");
	v = json_array_get(out, json_array_size(out) - 1);
	json_object_set_new(v, "timestamp", json_string("1795779511"));
	free(s);
}

static void add_checkpoint(json_t *out, const char *body, int valid, const char *why)
{
	json_t *v = vector(out, "checkpoint", valid, why);
	struct lia_checkpoint cp;
	char err[LIA_ERR_LEN] = "", size[24];

	check_c(lia_checkpoint_parse(body, strlen(body), &cp, err), valid, "checkpoint", why, err);
	json_object_set_new(v, "body", json_string(body));
	if (!valid)
		return;
	snprintf(size, sizeof(size), "%" PRIu64, cp.size);
	json_object_set_new(v, "origin", json_string(cp.origin));
	json_object_set_new(v, "size", json_string(size));
	json_object_set_new(v, "root", b64(cp.root, 32));
	json_object_set_new(v, "extensions", json_integer((json_int_t)cp.ext_count));
}

static void checkpoint_vectors(json_t *out, const char *body)
{
#define R "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o="
	static const struct { int valid; const char *why, *body; } cases[] = {
		{ 1, "extension lines", "o\n5\n" R "\nfirst\nsecond\n" },
		{ 1, "empty tree", "o\n0\n" R "\n" },
		{ 1, "largest size", "o\n18446744073709551615\n" R "\n" },
		{ 0, "leading zero", "o\n05\n" R "\n" },
		{ 0, "plus sign", "o\n+5\n" R "\n" },
		{ 0, "size above 2^64 - 1", "o\n18446744073709551616\n" R "\n" },
		{ 0, "no root line", "o\n5\n" },
		{ 0, "empty extension line", "o\n5\n" R "\n\n" },
		{ 0, "31-byte root", "o\n5\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM0w==\n" },
		{ 0, "non-canonical root base64", "o\n5\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09p=\n" },
		{ 0, "no final newline", "o\n5\n" R },
		{ 0, "empty origin", "\n5\n" R "\n" },
		{ 0, "carriage return", "o\r\n5\n" R "\n" },
	};

	add_checkpoint(out, body, 1, "the tree's checkpoint");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add_checkpoint(out, cases[i].body, cases[i].valid, cases[i].why);
#undef R
}

/* The tree itself: leaves, root and its signed, cosigned checkpoint. */
static json_t *tree_json(struct tree *t, const uint8_t root[HLEN], struct keys *k,
    const char *cosigned_note)
{
	json_t *leaves = json_array();

	for (uint64_t i = 0; i < t->size; i++)
		json_array_append_new(leaves, b64(t->data[i], t->data_len[i]));
	return json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "size", (json_int_t)t->size,
	    "leaves", leaves, "root", b64(root, HLEN), "origin", LOG_NAME, "checkpoint",
	    cosigned_note, "log_vkey", k->log_vkey, "witness_vkey", k->witness_vkey, "timestamp",
	    "1795779511");
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 16 || n > 1000000)
		die("-n", "the tree size must be 16..1000000");
	return (uint64_t)n;
}

int main(int argc, char **argv)
{
	struct lia_merkle_store st;
	struct tree t;
	struct keys k;
	uint64_t n = 1000;
	const char *path = NULL;
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	char *signed_note = NULL, *stranger, *cosigned_note;
	uint8_t root[HLEN];
	size_t len;
	json_t *doc, *out = json_array();
	int c;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		if (c == 'n')
			n = parse_size(optarg);
		else if (c == 'o')
			path = optarg;
		else
			die("usage", "record_vectors [-n tree size] [-o out.json]");
	}
	tree_build(&t, &st, n);
	keys_init(&k);
	if (lia_merkle_root(&st, n, root, err) != 0 ||
	    lia_checkpoint_make(LOG_NAME, n, root, body, &len, err) != 0 ||
	    lia_note_sign(k.log, LOG_NAME, body, len, &signed_note, &len, err) != 0 ||
	    lia_cosig_line(k.witness, WITNESS_NAME, body, strlen(body), COSIG_TIME, line, err) != 0)
		die("checkpoint", err);
	/* A stranger's line between them: verifiers ignore unknown keys. */
	stranger = concat(signed_note, "\xe2\x80\x94 stranger.example/key AAAAAAE=\n");
	cosigned_note = concat(stranger, line);
	proofs(out, &st, &t);
	note_vectors(out, &k, body, signed_note, cosigned_note);
	cosig_vectors(out, &k, body, cosigned_note);
	checkpoint_vectors(out, body);
	doc = json_pack("{s:i, s:o, s:o}", "version", 1, "tree", tree_json(&t, root, &k,
	    cosigned_note), "vectors", out);
	if (path ? json_dump_file(doc, path, JSON_INDENT(1)) != 0 :
	    json_dumpf(doc, stdout, JSON_INDENT(1)) != 0)
		die(path ? path : "stdout", "cannot write the JSON");
	json_decref(doc);
	free(signed_note);
	free(stranger);
	free(cosigned_note);
	EVP_PKEY_free(k.log);
	EVP_PKEY_free(k.witness);
	EVP_PKEY_free(k.other);
	tree_finish(&t);
	return 0;
}
