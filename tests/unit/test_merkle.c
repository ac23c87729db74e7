/*
 * test_merkle.c - RFC 9162 section 2.1 trees: published known answers (the
 * RFC 6962 / Certificate Transparency 8-leaf vectors and Trillian's larger
 * roots), an independent naive recursive MTH / PATH / PROOF taken straight
 * from the RFC's definitions compared against the stored-node code for every
 * size 1..128 and random sizes up to 100,000, tampered proofs, the edge cases
 * of the verifiers, and trees 63 levels deep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "err.h"
#include "merkle.h"

#define HLEN 32
#define SMALL_MAX 128
#define BIG_SIZE 100000

/* ---- an in-memory node store that refuses to read incomplete nodes ---- */

struct mem_store {
	uint8_t (*level[64])[HLEN];
	uint64_t cap[64];
	uint64_t limit;   /* tree size the caller claims; reads beyond it fail */
	unsigned long gets;
	int bad_read;
};

static int mem_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN])
{
	struct mem_store *m = ctx;

	m->gets++;
	if (level >= 64 || index >= m->cap[level] || ((index + 1) << level) > m->limit) {
		m->bad_read = 1;
		return -1;
	}
	memcpy(out, m->level[level][index], HLEN);
	return 0;
}

static int mem_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[HLEN])
{
	struct mem_store *m = ctx;

	if (level >= 64 || index >= m->cap[level] || ((index + 1) << level) > m->limit)
		return -1;
	memcpy(m->level[level][index], h, HLEN);
	return 0;
}

static void mem_init(struct mem_store *m, uint64_t max_leaves)
{
	memset(m, 0, sizeof(*m));
	for (unsigned l = 0; l < 64 && (max_leaves >> l) > 0; l++) {
		m->cap[l] = max_leaves >> l;
		m->level[l] = calloc(m->cap[l], HLEN);
		assert_non_null(m->level[l]);
	}
}

static void mem_finish(struct mem_store *m)
{
	for (unsigned l = 0; l < 64; l++)
		free(m->level[l]);
}

static struct lia_merkle_store store_of(struct mem_store *m)
{
	struct lia_merkle_store st = { mem_get, mem_put, m };
	return st;
}

/* ---- the naive model: RFC 9162 section 2.1 definitions, own SHA-256 ---- */

static void sha256(const uint8_t *a, size_t len, uint8_t out[HLEN])
{
	assert_int_equal(EVP_Digest(a, len, out, NULL, EVP_sha256(), NULL), 1);
}

static void naive_leaf(const uint8_t *data, size_t len, uint8_t out[HLEN])
{
	uint8_t buf[64];

	assert_true(len < sizeof(buf));
	buf[0] = 0x00;
	memcpy(buf + 1, data, len);
	sha256(buf, len + 1, out);
}

static void naive_node(const uint8_t l[HLEN], const uint8_t r[HLEN], uint8_t out[HLEN])
{
	uint8_t buf[1 + 2 * HLEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HLEN);
	memcpy(buf + 1 + HLEN, r, HLEN);
	sha256(buf, sizeof(buf), out);
}

/* The largest power of two smaller than n, by counting up (n > 1). */
static uint64_t naive_k(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:hi)) over leaf hashes (section 2.1.1). */
static void naive_mth(uint8_t (*leaves)[HLEN], uint64_t lo, uint64_t hi, uint8_t out[HLEN])
{
	uint8_t l[HLEN], r[HLEN];
	uint64_t k;

	if (hi - lo == 0) {
		sha256(NULL, 0, out);
		return;
	}
	if (hi - lo == 1) {
		memcpy(out, leaves[lo], HLEN);
		return;
	}
	k = naive_k(hi - lo);
	naive_mth(leaves, lo, lo + k, l);
	naive_mth(leaves, lo + k, hi, r);
	naive_node(l, r, out);
}

/* PATH(m, D[lo:hi)) appended to p (section 2.1.3.1); m is relative to lo. */
static void naive_path(uint8_t (*leaves)[HLEN], uint64_t m, uint64_t lo, uint64_t hi,
    struct lia_merkle_proof *p)
{
	uint64_t k;

	if (hi - lo <= 1)
		return;
	k = naive_k(hi - lo);
	if (m < k) {
		naive_path(leaves, m, lo, lo + k, p);
		naive_mth(leaves, lo + k, hi, p->hash[p->len++]);
	} else {
		naive_path(leaves, m - k, lo + k, hi, p);
		naive_mth(leaves, lo, lo + k, p->hash[p->len++]);
	}
}

/* SUBPROOF(m, D[lo:hi), b) appended to p (section 2.1.4.1). */
static void naive_subproof(uint8_t (*leaves)[HLEN], uint64_t m, uint64_t lo, uint64_t hi, int b,
    struct lia_merkle_proof *p)
{
	uint64_t k;

	if (m == hi - lo) {
		if (!b)
			naive_mth(leaves, lo, hi, p->hash[p->len++]);
		return;
	}
	k = naive_k(hi - lo);
	if (m <= k) {
		naive_subproof(leaves, m, lo, lo + k, b, p);
		naive_mth(leaves, lo + k, hi, p->hash[p->len++]);
	} else {
		naive_subproof(leaves, m - k, lo + k, hi, 0, p);
		naive_mth(leaves, lo, lo + k, p->hash[p->len++]);
	}
}

/* ---- helpers ---- */

static void unhex(const char *hex, uint8_t out[HLEN])
{
	assert_int_equal(strlen(hex), 2 * HLEN);
	for (size_t i = 0; i < HLEN; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void unbase64(const char *b64, uint8_t out[HLEN])
{
	uint8_t buf[48];

	assert_int_equal(EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)strlen(b64)), 33);
	memcpy(out, buf, HLEN);
}

static void assert_proof_equal(const struct lia_merkle_proof *a, const struct lia_merkle_proof *b,
    const char *what, uint64_t x, uint64_t y)
{
	if (a->len != b->len)
		fail_msg("%s (%llu, %llu): %zu hashes, naive model has %zu", what,
		    (unsigned long long)x, (unsigned long long)y, a->len, b->len);
	for (size_t i = 0; i < a->len; i++)
		if (memcmp(a->hash[i], b->hash[i], HLEN) != 0)
			fail_msg("%s (%llu, %llu): hash %zu differs from the naive model", what,
			    (unsigned long long)x, (unsigned long long)y, i);
}

/* Leaf data i as 8 big-endian bytes, so every leaf differs. */
static void leaf_of(uint64_t i, uint8_t out[HLEN])
{
	uint8_t data[8];

	for (int b = 0; b < 8; b++)
		data[b] = (uint8_t)(i >> (56 - 8 * b));
	naive_leaf(data, sizeof(data), out);
}

/* Builds a tree of n leaves given by leaf_of into m and leaves[]. */
static void build(struct mem_store *m, uint8_t (*leaves)[HLEN], uint64_t n)
{
	struct lia_merkle_store st = store_of(m);
	char err[LIA_ERR_LEN] = "";

	for (uint64_t i = 0; i < n; i++) {
		leaf_of(i, leaves[i]);
		m->limit = i + 1;
		if (lia_merkle_append(&st, i, leaves[i], err) != 0)
			fail_msg("append %llu: %s", (unsigned long long)i, err);
	}
}

/* ---- published known answers ---- */

/* RFC 6962 / certificate-transparency merkle_tree_test.cc test leaves. */
static const struct { const char *data; size_t len; } ct_leaves[8] = {
	{ "", 0 }, { "\x00", 1 }, { "\x10", 1 }, { "\x20\x21", 2 }, { "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 }, { "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

/* MTH of the first n test leaves, n = 0..8 (same source, and transparency-dev/merkle testonly). */
static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct published_proof {
	uint64_t a, b; /* (index, size) or (old, new) */
	size_t len;
	const char *hash[3];
};

/* Inclusion paths published with the same vectors. */
static const struct published_proof ct_paths[] = {
	{ 0, 1, 0, { NULL } },
	{ 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, 3, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

/* Consistency proofs published with the same vectors. */
static const struct published_proof ct_consistency[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static void published_to_proof(const struct published_proof *v, struct lia_merkle_proof *p)
{
	p->len = v->len;
	for (size_t i = 0; i < v->len; i++)
		unhex(v->hash[i], p->hash[i]);
}

static void test_hash_known_answers(void **state)
{
	uint8_t h[HLEN], want[HLEN], l[HLEN], r[HLEN];
	char err[LIA_ERR_LEN] = "";

	(void)state;
	assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)"", 0, h, err), 0);
	unhex(ct_roots[1], want);
	assert_memory_equal(h, want, HLEN);
	assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)"\x00", 1, h, err), 0);
	unhex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", want);
	assert_memory_equal(h, want, HLEN);
	/* MTH of two leaves is the node hash of their leaf hashes. */
	assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)"", 0, l, err), 0);
	assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)"\x00", 1, r, err), 0);
	assert_int_equal(lia_merkle_node_hash(l, r, h, err), 0);
	unhex(ct_roots[2], want);
	assert_memory_equal(h, want, HLEN);
	/* out may alias an input. */
	assert_int_equal(lia_merkle_node_hash(l, r, l, err), 0);
	assert_memory_equal(l, want, HLEN);
}

static void build_ct_tree(struct mem_store *m)
{
	struct lia_merkle_store st = store_of(m);
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN];

	mem_init(m, 8);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)ct_leaves[i].data,
		    ct_leaves[i].len, leaf, err), 0);
		m->limit = i + 1;
		assert_int_equal(lia_merkle_append(&st, i, leaf, err), 0);
	}
}

static void test_ct_roots(void **state)
{
	struct mem_store m;
	struct lia_merkle_store st;
	char err[LIA_ERR_LEN] = "";
	uint8_t root[HLEN], want[HLEN];

	(void)state;
	build_ct_tree(&m);
	st = store_of(&m);
	for (uint64_t n = 0; n <= 8; n++) {
		m.limit = n;
		m.gets = 0;
		if (lia_merkle_root(&st, n, root, err) != 0)
			fail_msg("root of size %llu: %s", (unsigned long long)n, err);
		unhex(ct_roots[n], want);
		if (memcmp(root, want, HLEN) != 0)
			fail_msg("root of size %llu differs from the published vector",
			    (unsigned long long)n);
		/* One stored node per set bit of the size: O(log n) reads. */
		assert_int_equal(m.gets, __builtin_popcountll(n));
	}
	assert_false(m.bad_read);
	mem_finish(&m);
}

static void test_ct_proofs(void **state)
{
	struct mem_store m;
	struct lia_merkle_store st;
	struct lia_merkle_proof got, want;
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN], r1[HLEN], r2[HLEN];

	(void)state;
	build_ct_tree(&m);
	st = store_of(&m);
	for (size_t i = 0; i < sizeof(ct_paths) / sizeof(ct_paths[0]); i++) {
		const struct published_proof *v = &ct_paths[i];

		m.limit = v->b;
		published_to_proof(v, &want);
		assert_int_equal(lia_merkle_inclusion_proof(&st, v->a, v->b, &got, err), 0);
		assert_proof_equal(&got, &want, "published inclusion", v->a, v->b);
		assert_int_equal(lia_merkle_leaf_hash((const uint8_t *)ct_leaves[v->a].data,
		    ct_leaves[v->a].len, leaf, err), 0);
		unhex(ct_roots[v->b], r1);
		if (lia_merkle_verify_inclusion(leaf, v->a, v->b, &want, r1, err) != 0)
			fail_msg("published inclusion (%llu, %llu): %s", (unsigned long long)v->a,
			    (unsigned long long)v->b, err);
	}
	for (size_t i = 0; i < sizeof(ct_consistency) / sizeof(ct_consistency[0]); i++) {
		const struct published_proof *v = &ct_consistency[i];

		m.limit = v->b;
		published_to_proof(v, &want);
		assert_int_equal(lia_merkle_consistency_proof(&st, v->a, v->b, &got, err), 0);
		assert_proof_equal(&got, &want, "published consistency", v->a, v->b);
		unhex(ct_roots[v->a], r1);
		unhex(ct_roots[v->b], r2);
		if (lia_merkle_verify_consistency(v->a, v->b, r1, r2, &want, err) != 0)
			fail_msg("published consistency (%llu, %llu): %s", (unsigned long long)v->a,
			    (unsigned long long)v->b, err);
	}
	assert_false(m.bad_read);
	mem_finish(&m);
}

/* Trillian's compact tree test roots (merkle/compact_merkle_tree_test.go), leaf i = {i & 0xff, i >> 8 & 0xff}. */
static const struct { uint64_t size; const char *root; } trillian_roots[] = {
	{ 10, "VjWMPSYNtCuCNlF/RLnQy6HcwSk6CIipfxm+hettA+4=" },
	{ 15, "j4SulYmocFuxdeyp12xXCIgK6PekBcxzAIj4zbQzNEI=" },
	{ 16, "c+4Uc6BCMOZf/v3NZK1kqTUJe+bBoFtOhP+P3SayKRE=" },
	{ 100, "dUh9hYH88p0CMoHkdr1wC2szbhcLAXOejWpINIooKUY=" },
	{ 255, "SmdsuKUqiod3RX2jyF2M6JnbdE4QuTwwipfAowI4/i0=" },
	{ 256, "qFI0t/tZ1MdOYgyPpPzHFiZVw86koScXy9q3FU5casA=" },
	{ 1000, "RXrgb8xHd55Y48FbfotJwCbV82Kx22LZfEbmBGAvwlQ=" },
	{ 4095, "cWRFdQhPcjn9WyBXE/r1f04ejxIm5lvg40DEpRBVS0w=" },
	{ 4096, "6uU/phfHg1n/GksYT6TO9aN8EauMCCJRl3dIK0HDs2M=" },
	{ 10000, "VZcav65F9haHVRk3wre2axFoBXRNeUh/1d9d5FQfxIg=" },
	{ 65535, "iPuVYJhP6SEE4gUFp8qbafd2rYv9YTCDYqAxCj8HdLM=" },
};

static void test_trillian_roots(void **state)
{
	struct mem_store m;
	struct lia_merkle_store st;
	char err[LIA_ERR_LEN] = "";
	uint8_t leaf[HLEN], root[HLEN], want[HLEN];
	size_t next = 0;

	(void)state;
	mem_init(&m, 65535);
	st = store_of(&m);
	for (uint64_t i = 0; i < 65535; i++) {
		uint8_t data[2] = { (uint8_t)(i & 0xff), (uint8_t)(i >> 8 & 0xff) };

		assert_int_equal(lia_merkle_leaf_hash(data, 2, leaf, err), 0);
		m.limit = i + 1;
		assert_int_equal(lia_merkle_append(&st, i, leaf, err), 0);
		if (i + 1 != trillian_roots[next].size)
			continue;
		assert_int_equal(lia_merkle_root(&st, i + 1, root, err), 0);
		unbase64(trillian_roots[next].root, want);
		if (memcmp(root, want, HLEN) != 0)
			fail_msg("root of size %llu differs from Trillian's", (unsigned long long)(i + 1));
		next++;
	}
	assert_int_equal(next, sizeof(trillian_roots) / sizeof(trillian_roots[0]));
	assert_false(m.bad_read);
	mem_finish(&m);
}

/* ---- the stored-node code against the naive model ---- */

/* Flips one bit of hash j, chosen by salt, and expects rejection by verify. */
static void flip(struct lia_merkle_proof *p, size_t j, unsigned salt)
{
	p->hash[j][(salt / 8) % HLEN] ^= (uint8_t)(1u << (salt % 8));
}

static int verify_incl(uint8_t (*leaves)[HLEN], uint64_t i, uint64_t n,
    const struct lia_merkle_proof *p, const uint8_t root[HLEN])
{
	char err[LIA_ERR_LEN] = "";
	int rc = lia_merkle_verify_inclusion(leaves[i], i, n, p, root, err);

	if (rc != 0)
		assert_true(err[0] != '\0');
	return rc;
}

/* Generates, compares and attacks the inclusion proof of (i, n); roots[s] is MTH of s leaves. */
static void check_inclusion(struct mem_store *m, uint8_t (*leaves)[HLEN], uint64_t i, uint64_t n,
    uint8_t (*roots)[HLEN], uint64_t max)
{
	struct lia_merkle_store st = store_of(m);
	struct lia_merkle_proof got, want = { 0 };
	char err[LIA_ERR_LEN] = "";

	m->limit = n;
	if (lia_merkle_inclusion_proof(&st, i, n, &got, err) != 0)
		fail_msg("inclusion (%llu, %llu): %s", (unsigned long long)i, (unsigned long long)n, err);
	naive_path(leaves, i, 0, n, &want);
	assert_proof_equal(&got, &want, "inclusion", i, n);
	if (verify_incl(leaves, i, n, &got, roots[n]) != 0)
		fail_msg("generated inclusion proof (%llu, %llu) refused", (unsigned long long)i,
		    (unsigned long long)n);
	for (size_t j = 0; j < got.len; j++) {
		struct lia_merkle_proof bad = got;

		flip(&bad, j, (unsigned)(i * 37 + j * 11 + n));
		assert_int_not_equal(verify_incl(leaves, i, n, &bad,
		    roots[n]), 0);
	}
	if (n > 1) {
		uint64_t other = (i + 1) % n;
		char e2[LIA_ERR_LEN];

		/* The proof for i does not prove the leaf at i at another index. */
		assert_int_not_equal(lia_merkle_verify_inclusion(leaves[i], other, n, &got,
		    roots[n], e2), 0);
		/* Nor another leaf at i. */
		assert_int_not_equal(verify_incl(leaves, other, n, &got,
		    roots[n]), 0);
	}
	/* Nor the same leaf in a tree of another size with that size's root. */
	if (n + 1 <= max)
		assert_int_not_equal(verify_incl(leaves, i, n + 1, &got,
		    roots[n + 1]), 0);
	if (n - 1 > i)
		assert_int_not_equal(verify_incl(leaves, i, n - 1, &got,
		    roots[n - 1]), 0);
	if (got.len > 0) {
		struct lia_merkle_proof shorter = got, longer = got;

		shorter.len--;
		assert_int_not_equal(verify_incl(leaves, i, n, &shorter,
		    roots[n]), 0);
		memcpy(longer.hash[longer.len++], roots[n], HLEN);
		assert_int_not_equal(verify_incl(leaves, i, n, &longer,
		    roots[n]), 0);
	}
}

static int verify_cons(uint64_t a, uint64_t b, const struct lia_merkle_proof *p,
    uint8_t (*roots)[HLEN])
{
	char err[LIA_ERR_LEN] = "";
	int rc = lia_merkle_verify_consistency(a, b, roots[a], roots[b], p, err);

	if (rc != 0)
		assert_true(err[0] != '\0');
	return rc;
}

/* Generates, compares and attacks the consistency proof of (a, b). */
static void check_consistency(struct mem_store *m, uint8_t (*leaves)[HLEN], uint64_t a, uint64_t b,
    uint8_t (*roots)[HLEN], uint64_t max)
{
	struct lia_merkle_store st = store_of(m);
	struct lia_merkle_proof got, want = { 0 };
	char err[LIA_ERR_LEN] = "";

	m->limit = b;
	if (lia_merkle_consistency_proof(&st, a, b, &got, err) != 0)
		fail_msg("consistency (%llu, %llu): %s", (unsigned long long)a, (unsigned long long)b, err);
	naive_subproof(leaves, a, 0, b, 1, &want);
	assert_proof_equal(&got, &want, "consistency", a, b);
	if (verify_cons(a, b, &got, roots) != 0)
		fail_msg("generated consistency proof (%llu, %llu) refused", (unsigned long long)a,
		    (unsigned long long)b);
	for (size_t j = 0; j < got.len; j++) {
		struct lia_merkle_proof bad = got;

		flip(&bad, j, (unsigned)(a * 29 + j * 13 + b));
		assert_int_not_equal(verify_cons(a, b, &bad, roots), 0);
	}
	if (a > 1)
		assert_int_not_equal(verify_cons(a - 1, b, &got, roots), 0);
	if (a < b)
		assert_int_not_equal(verify_cons(a + 1, b, &got, roots), 0);
	if (b > a + 1)
		assert_int_not_equal(verify_cons(a, b - 1, &got, roots), 0);
	if (b + 1 <= max)
		assert_int_not_equal(verify_cons(a, b + 1, &got, roots), 0);
	if (got.len > 0) {
		struct lia_merkle_proof shorter = got, longer = got;

		shorter.len--;
		assert_int_not_equal(verify_cons(a, b, &shorter, roots), 0);
		memcpy(longer.hash[longer.len++], roots[b], HLEN);
		assert_int_not_equal(verify_cons(a, b, &longer, roots), 0);
	}
}

static void test_every_small_tree(void **state)
{
	uint8_t (*leaves)[HLEN] = calloc(SMALL_MAX + 1, HLEN);
	uint8_t (*roots)[HLEN] = calloc(SMALL_MAX + 2, HLEN);
	struct mem_store m;
	struct lia_merkle_store st;
	char err[LIA_ERR_LEN] = "";
	uint8_t want[HLEN];

	(void)state;
	assert_non_null(leaves);
	assert_non_null(roots);
	mem_init(&m, SMALL_MAX);
	build(&m, leaves, SMALL_MAX);
	st = store_of(&m);
	for (uint64_t n = 0; n <= SMALL_MAX; n++) {
		m.limit = n;
		if (lia_merkle_root(&st, n, roots[n], err) != 0)
			fail_msg("root %llu: %s", (unsigned long long)n, err);
		naive_mth(leaves, 0, n, want);
		if (memcmp(roots[n], want, HLEN) != 0)
			fail_msg("root of size %llu differs from the naive MTH", (unsigned long long)n);
	}
	for (uint64_t n = 1; n <= SMALL_MAX; n++) {
		for (uint64_t i = 0; i < n; i++)
			check_inclusion(&m, leaves, i, n, roots, SMALL_MAX);
		for (uint64_t a = 1; a <= n; a++)
			check_consistency(&m, leaves, a, n, roots, SMALL_MAX);
	}
	assert_false(m.bad_read);
	mem_finish(&m);
	free(leaves);
	free(roots);
}

/* Every single-bit change of a few proofs is refused, not just one bit per hash. */
static void test_every_bit_flip(void **state)
{
	static const uint64_t incl[][2] = { { 0, 1 }, { 6, 7 }, { 37, 100 }, { 99, 100 }, { 64, 65 } };
	static const uint64_t cons[][2] = { { 1, 2 }, { 3, 7 }, { 4, 100 }, { 63, 64 }, { 99, 100 } };
	uint8_t (*leaves)[HLEN] = calloc(101, HLEN);
	uint8_t (*roots)[HLEN] = calloc(101, HLEN);
	struct mem_store m;
	struct lia_merkle_store st;
	struct lia_merkle_proof p;
	char err[LIA_ERR_LEN];

	(void)state;
	mem_init(&m, 100);
	build(&m, leaves, 100);
	st = store_of(&m);
	for (uint64_t n = 0; n <= 100; n++) {
		m.limit = n;
		assert_int_equal(lia_merkle_root(&st, n, roots[n], err), 0);
	}
	for (size_t t = 0; t < 5; t++) {
		m.limit = incl[t][1];
		assert_int_equal(lia_merkle_inclusion_proof(&st, incl[t][0], incl[t][1], &p, err), 0);
		for (size_t j = 0; j < p.len; j++)
			for (unsigned bit = 0; bit < 8 * HLEN; bit++) {
				struct lia_merkle_proof bad = p;

				flip(&bad, j, bit);
				assert_int_not_equal(lia_merkle_verify_inclusion(leaves[incl[t][0]],
				    incl[t][0], incl[t][1], &bad, roots[incl[t][1]], err), 0);
			}
		/* The leaf and the root too. */
		for (unsigned bit = 0; bit < 8 * HLEN; bit++) {
			uint8_t leaf[HLEN], root[HLEN];

			memcpy(leaf, leaves[incl[t][0]], HLEN);
			memcpy(root, roots[incl[t][1]], HLEN);
			leaf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			root[(bit * 7) % HLEN] ^= (uint8_t)(1u << (bit % 8));
			assert_int_not_equal(lia_merkle_verify_inclusion(leaf, incl[t][0], incl[t][1],
			    &p, roots[incl[t][1]], err), 0);
			assert_int_not_equal(lia_merkle_verify_inclusion(leaves[incl[t][0]],
			    incl[t][0], incl[t][1], &p, root, err), 0);
		}
	}
	for (size_t t = 0; t < 5; t++) {
		m.limit = cons[t][1];
		assert_int_equal(lia_merkle_consistency_proof(&st, cons[t][0], cons[t][1], &p, err), 0);
		for (size_t j = 0; j < p.len; j++)
			for (unsigned bit = 0; bit < 8 * HLEN; bit++) {
				struct lia_merkle_proof bad = p;

				flip(&bad, j, bit);
				assert_int_not_equal(verify_cons(cons[t][0], cons[t][1], &bad, roots), 0);
			}
	}
	mem_finish(&m);
	free(leaves);
	free(roots);
}

/* xorshift64*, seeded per run and printed so a failure can be replayed. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static void test_random_big_trees(void **state)
{
	uint8_t (*leaves)[HLEN] = calloc(BIG_SIZE + 1, HLEN);
	uint8_t (*roots)[HLEN] = calloc(BIG_SIZE + 2, HLEN);
	struct mem_store m;
	struct lia_merkle_store st;
	char err[LIA_ERR_LEN] = "";
	const char *seed = getenv("LIA_TEST_SEED");

	(void)state;
	assert_non_null(leaves);
	assert_non_null(roots);
	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL) | 1;
	print_message("merkle random seed: LIA_TEST_SEED=%llu\n", (unsigned long long)rng_state);
	mem_init(&m, BIG_SIZE);
	build(&m, leaves, BIG_SIZE);
	st = store_of(&m);
	for (int t = 0; t < 36; t++) {
		uint64_t n = 1 + rng() % BIG_SIZE, i = rng() % n, a = 1 + rng() % n;
		uint8_t want[HLEN];

		/* Roots of n and its neighbours, for the wrong-size checks. */
		for (uint64_t s = n > 1 ? n - 1 : n; s <= n + 1 && s <= BIG_SIZE; s++) {
			m.limit = s;
			assert_int_equal(lia_merkle_root(&st, s, roots[s], err), 0);
		}
		for (uint64_t s = a > 1 ? a - 1 : a; s <= a + 1 && s <= BIG_SIZE; s++) {
			m.limit = s;
			assert_int_equal(lia_merkle_root(&st, s, roots[s], err), 0);
		}
		naive_mth(leaves, 0, n, want);
		assert_memory_equal(roots[n], want, HLEN);
		check_inclusion(&m, leaves, i, n, roots, BIG_SIZE);
		check_consistency(&m, leaves, a, n, roots, BIG_SIZE);
	}
	assert_false(m.bad_read);
	mem_finish(&m);
	free(leaves);
	free(roots);
}

/* ---- edge cases ---- */

static void test_verifier_edge_cases(void **state)
{
	struct lia_merkle_proof p = { 0 };
	uint8_t a[HLEN] = { 1 }, b[HLEN] = { 2 };
	char err[LIA_ERR_LEN];

	(void)state;
	/* Inclusion: index >= size, size 0, too many hashes, size above the limit. */
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, 0, &p, a, err), -1);
	assert_int_equal(lia_merkle_verify_inclusion(a, 5, 5, &p, a, err), -1);
	assert_int_equal(lia_merkle_verify_inclusion(a, UINT64_MAX, 3, &p, a, err), -1);
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, 1, &p, a, err), 0);
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, 1, &p, b, err), -1);
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, UINT64_MAX, &p, a, err), -1);
	p.len = LIA_MERKLE_MAX_PROOF + 1;
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, 2, &p, a, err), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(lia_merkle_verify_consistency(1, 2, a, b, &p, err), -1);
	assert_non_null(strstr(err, "too long"));
	p.len = SIZE_MAX;
	assert_int_equal(lia_merkle_verify_inclusion(a, 0, 2, &p, a, err), -1);
	assert_int_equal(lia_merkle_verify_consistency(1, 2, a, b, &p, err), -1);
	/* Consistency: old size 0 is refused, even against the empty root. */
	p.len = 0;
	assert_int_equal(lia_merkle_verify_consistency(0, 0, a, a, &p, err), -1);
	assert_non_null(strstr(err, "empty tree"));
	assert_int_equal(lia_merkle_verify_consistency(0, 7, a, b, &p, err), -1);
	/* Equal sizes: equal roots and an empty proof, nothing else. */
	assert_int_equal(lia_merkle_verify_consistency(5, 5, a, a, &p, err), 0);
	assert_int_equal(lia_merkle_verify_consistency(5, 5, a, b, &p, err), -1);
	p.len = 1;
	assert_int_equal(lia_merkle_verify_consistency(5, 5, a, a, &p, err), -1);
	/* Shrinking, empty proofs for growth, sizes above the limit. */
	p.len = 0;
	assert_int_equal(lia_merkle_verify_consistency(6, 5, a, b, &p, err), -1);
	assert_int_equal(lia_merkle_verify_consistency(4, 8, a, b, &p, err), -1);
	assert_int_equal(lia_merkle_verify_consistency(1, UINT64_MAX, a, b, &p, err), -1);
	assert_int_equal(lia_merkle_verify_consistency(UINT64_MAX, UINT64_MAX, a, a, &p, err), -1);
}

/*
 * Proofs that reach a real root in the wrong number of steps: only the
 * RFC's sn bookkeeping (a path must end exactly at the top) refuses them.
 */
static void test_verifier_counts_levels(void **state)
{
	struct mem_store m;
	struct lia_merkle_store st;
	struct lia_merkle_proof p;
	char err[LIA_ERR_LEN];
	uint8_t leaves[8][HLEN], n01[HLEN], n23[HLEN], r2[HLEN], r4[HLEN], x[HLEN], fake[HLEN];

	(void)state;
	mem_init(&m, 8);
	build(&m, leaves, 4);
	st = store_of(&m);
	m.limit = 4;
	naive_node(leaves[0], leaves[1], n01);
	naive_node(leaves[2], leaves[3], n23);
	assert_int_equal(lia_merkle_root(&st, 2, r2, err), 0);
	assert_int_equal(lia_merkle_root(&st, 4, r4, err), 0);
	/* An interior node passed off as leaf 0 of the 4-leaf tree. */
	p.len = 1;
	memcpy(p.hash[0], n23, HLEN);
	assert_int_equal(lia_merkle_verify_inclusion(n01, 0, 4, &p, r4, err), -1);
	/* The 4-leaf root claimed for 8 leaves: a path one level short. */
	assert_int_equal(lia_merkle_inclusion_proof(&st, 0, 4, &p, err), 0);
	assert_int_equal(lia_merkle_verify_inclusion(leaves[0], 0, 8, &p, r4, err), -1);
	assert_int_equal(lia_merkle_consistency_proof(&st, 2, 4, &p, err), 0);
	assert_int_equal(lia_merkle_verify_consistency(2, 8, r2, r4, &p, err), -1);
	/* A path one level too long towards a root built to match it. */
	memset(x, 0x5a, HLEN);
	naive_node(x, r2, fake);
	p.len = 2;
	memcpy(p.hash[0], leaves[1], HLEN);
	memcpy(p.hash[1], x, HLEN);
	assert_int_equal(lia_merkle_verify_inclusion(leaves[0], 0, 2, &p, fake, err), -1);
	mem_finish(&m);
}

static void test_generator_edge_cases(void **state)
{
	struct mem_store m;
	struct lia_merkle_store st, ro;
	struct lia_merkle_proof p;
	char err[LIA_ERR_LEN];
	uint8_t leaves[4][HLEN];

	(void)state;
	mem_init(&m, 4);
	build(&m, leaves, 3);
	st = store_of(&m);
	m.limit = 3;
	assert_int_equal(lia_merkle_inclusion_proof(&st, 3, 3, &p, err), -1);
	assert_int_equal(p.len, 0);
	assert_int_equal(lia_merkle_consistency_proof(&st, 0, 3, &p, err), -1);
	assert_int_equal(lia_merkle_consistency_proof(&st, 4, 3, &p, err), -1);
	assert_int_equal(lia_merkle_consistency_proof(&st, 3, 3, &p, err), 0);
	assert_int_equal(p.len, 0);
	/* A store that fails a read makes the caller fail with a sentence. */
	m.limit = 2;
	err[0] = '\0';
	assert_int_equal(lia_merkle_inclusion_proof(&st, 0, 3, &p, err), -1);
	assert_non_null(strstr(err, "could not be read"));
	m.bad_read = 0;
	/* Appending needs a writable store; a failing put is reported. */
	ro = st;
	ro.put = NULL;
	assert_int_equal(lia_merkle_append(&ro, 3, leaves[0], err), -1);
	m.limit = 3; /* put of (0, 3) lies beyond the claimed size: refused */
	assert_int_equal(lia_merkle_append(&st, 3, leaves[0], err), -1);
	assert_non_null(strstr(err, "could not be stored"));
	assert_int_equal(lia_merkle_append(&st, LIA_MERKLE_MAX_SIZE, leaves[0], err), -1);
	assert_int_equal(lia_merkle_root(&st, LIA_MERKLE_MAX_SIZE + 1, leaves[0], err), -1);
	mem_finish(&m);
}

/*
 * A tree whose leaves are all the same hash has one node per level, so any
 * size up to 2^63 can be served: proofs 63 levels deep, of the longest kind.
 */
struct flat_store {
	uint8_t level[64][HLEN];
};

static int flat_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN])
{
	struct flat_store *f = ctx;

	(void)index;
	if (level >= 64)
		return -1;
	memcpy(out, f->level[level], HLEN);
	return 0;
}

static void test_deep_trees(void **state)
{
	static const uint64_t sizes[][2] = {
		{ 1, LIA_MERKLE_MAX_SIZE }, { LIA_MERKLE_MAX_SIZE - 1, LIA_MERKLE_MAX_SIZE },
		{ (UINT64_C(1) << 62) + 1, LIA_MERKLE_MAX_SIZE },
		{ 12345, (UINT64_C(1) << 62) + 987654321 }, { 3, (UINT64_C(1) << 40) - 1 },
		{ UINT64_C(0x5555555555555555), LIA_MERKLE_MAX_SIZE - 1 },
	};
	struct flat_store f;
	struct lia_merkle_store st = { flat_get, NULL, &f };
	struct lia_merkle_proof p;
	char err[LIA_ERR_LEN] = "";
	uint8_t r1[HLEN], r2[HLEN];

	(void)state;
	leaf_of(7, f.level[0]);
	for (unsigned l = 1; l < 64; l++)
		naive_node(f.level[l - 1], f.level[l - 1], f.level[l]);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint64_t a = sizes[t][0], b = sizes[t][1];

		assert_int_equal(lia_merkle_root(&st, a, r1, err), 0);
		assert_int_equal(lia_merkle_root(&st, b, r2, err), 0);
		assert_int_equal(lia_merkle_consistency_proof(&st, a, b, &p, err), 0);
		assert_true(p.len <= LIA_MERKLE_MAX_PROOF);
		if (lia_merkle_verify_consistency(a, b, r1, r2, &p, err) != 0)
			fail_msg("deep consistency %llu -> %llu: %s", (unsigned long long)a,
			    (unsigned long long)b, err);
		flip(&p, p.len - 1, 3);
		assert_int_equal(lia_merkle_verify_consistency(a, b, r1, r2, &p, err), -1);
		assert_int_equal(lia_merkle_inclusion_proof(&st, b - 1, b, &p, err), 0);
		assert_int_equal(lia_merkle_verify_inclusion(f.level[0], b - 1, b, &p, r2, err), 0);
		assert_int_equal(lia_merkle_inclusion_proof(&st, a - 1, b, &p, err), 0);
		assert_int_equal(lia_merkle_verify_inclusion(f.level[0], a - 1, b, &p, r2, err), 0);
	}
	/* The longest consistency proof: 2^63 - 1 to 2^63 needs all 64 hashes. */
	assert_int_equal(lia_merkle_consistency_proof(&st, LIA_MERKLE_MAX_SIZE - 1,
	    LIA_MERKLE_MAX_SIZE, &p, err), 0);
	assert_int_equal(p.len, 64);
	assert_int_equal(lia_merkle_inclusion_proof(&st, 0, LIA_MERKLE_MAX_SIZE, &p, err), 0);
	assert_int_equal(p.len, 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_known_answers),
		cmocka_unit_test(test_ct_roots),
		cmocka_unit_test(test_ct_proofs),
		cmocka_unit_test(test_trillian_roots),
		cmocka_unit_test(test_every_small_tree),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_random_big_trees),
		cmocka_unit_test(test_verifier_edge_cases),
		cmocka_unit_test(test_verifier_counts_levels),
		cmocka_unit_test(test_generator_edge_cases),
		cmocka_unit_test(test_deep_trees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
