/*
 * merkle.c - RFC 9162 section 2.1 Merkle trees over caller-stored complete
 * subtrees (see merkle.h for the (level, index) addressing).
 *
 * Proof generation walks the RFC's recursive definitions top-down without
 * recursion: every subtree [lo, hi) met on the way starts at a multiple of
 * the largest power of two not below its width, so its hash is a fold of the
 * complete nodes named by the bits of hi - lo. Verification follows the
 * numbered steps of sections 2.1.3.2 and 2.1.4.2 and treats sizes, indexes
 * and proof lengths as hostile.
 */
#include "merkle.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"

#define HLEN LIA_MERKLE_HASH_LEN

/* Number of bits needed to write n (0 for 0). */
static unsigned bit_length(uint64_t n)
{
	return n == 0 ? 0 : 64u - (unsigned)__builtin_clzll(n);
}

/* RFC 9162 section 2.1.1: the largest power of two smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	return UINT64_C(1) << (bit_length(n - 1) - 1);
}

static int is_power_of_two(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* out = SHA-256(prefix || a || b), where a and b may be empty. */
static int sha256_prefixed(uint8_t prefix, const uint8_t *a, size_t a_len, const uint8_t *b,
    size_t b_len, uint8_t out[static HLEN], char *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int out_len = 0;
	int rc = -1;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
	    (a_len > 0 && EVP_DigestUpdate(ctx, a, a_len) != 1) ||
	    (b_len > 0 && EVP_DigestUpdate(ctx, b, b_len) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &out_len) != 1 || out_len != HLEN) {
		lia_err_set(err, "SHA-256 of a Merkle tree node failed");
		lia_err_add_openssl(err);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int lia_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[static HLEN], char *err)
{
	return sha256_prefixed(0x00, data, len, NULL, 0, out, err);
}

int lia_merkle_node_hash(const uint8_t left[static HLEN], const uint8_t right[static HLEN],
    uint8_t out[static HLEN], char *err)
{
	uint8_t both[2 * HLEN];

	memcpy(both, left, HLEN);
	memcpy(both + HLEN, right, HLEN);
	return sha256_prefixed(0x01, both, sizeof(both), NULL, 0, out, err);
}

static int get_node(const struct lia_merkle_store *st, unsigned level, uint64_t index,
    uint8_t out[static HLEN], char *err)
{
	int rc = -1;

	if (st == NULL || st->get == NULL || st->get(st->ctx, level, index, out) != 0)
		lia_err_set(err, "Merkle node (level %u, index %" PRIu64 ") could not be read",
		    level, index);
	else
		rc = 0;
	return rc;
}

/*
 * out = MTH(D[lo:hi)) for a subtree of the RFC decomposition: lo is a
 * multiple of every power of two up to hi - lo, so the width's bits name
 * complete nodes left to right, largest first; fold them from the right.
 */
static int range_hash(const struct lia_merkle_store *st, uint64_t lo, uint64_t hi,
    uint8_t out[static HLEN], char *err)
{
	uint64_t width = hi - lo, end = hi;
	uint8_t node[HLEN];
	int have = 0, rc = -1;

	for (unsigned level = 0; level < 64; level++) {
		if ((width >> level & 1) == 0)
			continue;
		end -= UINT64_C(1) << level;
		if (get_node(st, level, end >> level, have ? node : out, err) != 0)
			goto out;
		if (have && lia_merkle_node_hash(node, out, out, err) != 0)
			goto out;
		have = 1;
	}
	rc = 0;
out:
	return rc;
}

static int put_node(const struct lia_merkle_store *st, unsigned level, uint64_t index,
    const uint8_t h[static HLEN], char *err)
{
	int rc = -1;

	if (st->put(st->ctx, level, index, h) != 0)
		lia_err_set(err, "Merkle node (level %u, index %" PRIu64 ") could not be stored",
		    level, index);
	else
		rc = 0;
	return rc;
}

int lia_merkle_append(const struct lia_merkle_store *st, uint64_t size,
    const uint8_t leaf[static HLEN], char *err)
{
	uint8_t h[HLEN], left[HLEN];
	uint64_t index = size;
	unsigned level = 0;
	int rc = -1;

	if (size >= LIA_MERKLE_MAX_SIZE) {
		lia_err_set(err, "the Merkle tree is full at %" PRIu64 " leaves", size);
		goto out;
	}
	if (st == NULL || st->put == NULL) {
		lia_err_set(err, "Merkle append needs a node store that can write");
		goto out;
	}
	memcpy(h, leaf, HLEN);
	if (put_node(st, 0, index, h, err) != 0)
		goto out;
	/* Each odd index closes its parent (RFC 9162 section 2.1.1, k = 2^level). */
	while (index & 1) {
		if (get_node(st, level, index - 1, left, err) != 0 ||
		    lia_merkle_node_hash(left, h, h, err) != 0 ||
		    put_node(st, level + 1, index >> 1, h, err) != 0)
			goto out;
		level++;
		index >>= 1;
	}
	rc = 0;
out:
	return rc;
}

int lia_merkle_root(const struct lia_merkle_store *st, uint64_t size, uint8_t out[static HLEN],
    char *err)
{
	int rc = -1;

	if (size > LIA_MERKLE_MAX_SIZE) {
		lia_err_set(err, "Merkle tree size %" PRIu64 " is above the limit", size);
		goto out;
	}
	/* RFC 9162 section 2.1.1: MTH({}) = HASH(), the hash of nothing. */
	if (size == 0 && EVP_Digest("", 0, out, NULL, EVP_sha256(), NULL) != 1) {
		lia_err_set(err, "SHA-256 of the empty tree failed");
		lia_err_add_openssl(err);
		goto out;
	}
	if (size > 0 && range_hash(st, 0, size, out, err) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/* Copies the siblings gathered root-first into out leaf-first (RFC order), after `first` slots. */
static void reverse_into(struct lia_merkle_proof *out, size_t first,
    uint8_t sib[][HLEN], size_t n)
{
	for (size_t i = 0; i < n; i++)
		memcpy(out->hash[first + i], sib[n - 1 - i], HLEN);
	out->len = first + n;
}

int lia_merkle_inclusion_proof(const struct lia_merkle_store *st, uint64_t index, uint64_t size,
    struct lia_merkle_proof *out, char *err)
{
	uint8_t sib[LIA_MERKLE_MAX_PROOF][HLEN];
	uint64_t lo = 0, hi = size;
	size_t n = 0;
	int rc = -1;

	out->len = 0;
	if (size > LIA_MERKLE_MAX_SIZE || index >= size) {
		lia_err_set(err, "no inclusion proof for leaf %" PRIu64 " in a tree of %" PRIu64
		    " leaves", index, size);
		goto out;
	}
	/* RFC 9162 section 2.1.3.1: PATH(m, D[n]) descends towards leaf m. */
	while (hi - lo > 1) {
		uint64_t k = split_point(hi - lo);
		int left = index < lo + k;

		assert(n < LIA_MERKLE_MAX_PROOF);
		if (range_hash(st, left ? lo + k : lo, left ? hi : lo + k, sib[n++], err) != 0)
			goto out;
		if (left)
			hi = lo + k;
		else
			lo += k;
	}
	reverse_into(out, 0, sib, n);
	rc = 0;
out:
	return rc;
}

int lia_merkle_consistency_proof(const struct lia_merkle_store *st, uint64_t old_size,
    uint64_t new_size, struct lia_merkle_proof *out, char *err)
{
	uint8_t sib[LIA_MERKLE_MAX_PROOF][HLEN];
	uint64_t lo = 0, hi = new_size;
	size_t n = 0, first = 0;
	int complete = 1; /* the RFC's b: the old tree is still a whole subtree here */
	int rc = -1;

	out->len = 0;
	if (new_size > LIA_MERKLE_MAX_SIZE || old_size == 0 || old_size > new_size) {
		lia_err_set(err, "no consistency proof from size %" PRIu64 " to size %" PRIu64,
		    old_size, new_size);
		goto out;
	}
	/* RFC 9162 section 2.1.4.1: SUBPROOF(m, D[lo:hi), b) with m = old_size - lo. */
	while (old_size != hi) {
		uint64_t k = split_point(hi - lo);
		int left = old_size <= lo + k;

		assert(n < LIA_MERKLE_MAX_PROOF);
		if (range_hash(st, left ? lo + k : lo, left ? hi : lo + k, sib[n++], err) != 0)
			goto out;
		if (left) {
			hi = lo + k;
		} else {
			lo += k;
			complete = 0;
		}
	}
	/* SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b true the verifier has that root. */
	if (!complete) {
		if (range_hash(st, lo, hi, out->hash[0], err) != 0)
			goto out;
		first = 1;
	}
	assert(first + n <= LIA_MERKLE_MAX_PROOF);
	reverse_into(out, first, sib, n);
	rc = 0;
out:
	return rc;
}

/* Right-shifts fn and sn together until fn's low bit is set or fn is 0. */
static void shift_to_odd(uint64_t *fn, uint64_t *sn)
{
	while ((*fn & 1) == 0 && *fn != 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

/* One step of RFC 9162 section 2.1.3.2 step 4 on r. */
static int inclusion_step(const uint8_t p[static HLEN], uint8_t r[static HLEN], uint64_t *fn,
    uint64_t *sn, char *err)
{
	int rc = -1;

	if ((*fn & 1) || *fn == *sn) {
		if (lia_merkle_node_hash(p, r, r, err) != 0)
			goto out;
		shift_to_odd(fn, sn);
	} else if (lia_merkle_node_hash(r, p, r, err) != 0) {
		goto out;
	}
	*fn >>= 1;
	*sn >>= 1;
	rc = 0;
out:
	return rc;
}

int lia_merkle_verify_inclusion(const uint8_t leaf[static HLEN], uint64_t index, uint64_t size,
    const struct lia_merkle_proof *proof, const uint8_t root[static HLEN], char *err)
{
	uint64_t fn = index, sn = size - 1;
	uint8_t r[HLEN];
	int rc = -1;

	/* Step 1, and the bounds a hostile proof could break. */
	if (index >= size || size > LIA_MERKLE_MAX_SIZE) {
		lia_err_set(err, "inclusion proof for leaf %" PRIu64 " in a tree of %" PRIu64
		    " leaves is impossible", index, size);
		goto out;
	}
	if (proof->len > LIA_MERKLE_MAX_PROOF) {
		lia_err_set(err, "inclusion proof of %zu hashes is too long", proof->len);
		goto out;
	}
	/* Steps 2-4 (RFC 9162 section 2.1.3.2). */
	memcpy(r, leaf, HLEN);
	for (size_t i = 0; i < proof->len; i++) {
		if (sn == 0) {
			lia_err_set(err, "inclusion proof of %zu hashes is longer than the path",
			    proof->len);
			goto out;
		}
		if (inclusion_step(proof->hash[i], r, &fn, &sn, err) != 0)
			goto out;
	}
	/* Step 5. */
	if (sn != 0 || memcmp(r, root, HLEN) != 0) {
		lia_err_set(err, "inclusion proof for leaf %" PRIu64 " does not lead to the root of"
		    " the tree of %" PRIu64 " leaves", index, size);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* The edge cases settled before the RFC loop: 1 when the loop must run, 0 when proven, -1 when refused. */
static int consistency_precheck(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[static HLEN], const uint8_t new_root[static HLEN],
    const struct lia_merkle_proof *proof, char *err)
{
	int rc = -1;

	if (proof->len > LIA_MERKLE_MAX_PROOF) {
		lia_err_set(err, "consistency proof of %zu hashes is too long", proof->len);
	} else if (old_size == 0) {
		lia_err_set(err, "consistency from the empty tree proves nothing and is refused");
	} else if (old_size > new_size || new_size > LIA_MERKLE_MAX_SIZE) {
		lia_err_set(err, "no consistency from size %" PRIu64 " to size %" PRIu64,
		    old_size, new_size);
	} else if (old_size == new_size) {
		/* Equal sizes: nothing to prove but that the roots agree. */
		if (proof->len != 0 || memcmp(old_root, new_root, HLEN) != 0)
			lia_err_set(err, "two tree heads of size %" PRIu64 " differ", old_size);
		else
			rc = 0;
	} else if (proof->len == 0) {
		/* Step 1 (RFC 9162 section 2.1.4.2). */
		lia_err_set(err, "consistency proof from size %" PRIu64 " to %" PRIu64 " is empty",
		    old_size, new_size);
	} else {
		rc = 1;
	}
	return rc;
}

/* One step of RFC 9162 section 2.1.4.2 step 6 on fr and sr. */
static int consistency_step(const uint8_t c[static HLEN], uint8_t fr[static HLEN],
    uint8_t sr[static HLEN], uint64_t *fn, uint64_t *sn, char *err)
{
	int rc = -1;

	if ((*fn & 1) || *fn == *sn) {
		if (lia_merkle_node_hash(c, fr, fr, err) != 0 ||
		    lia_merkle_node_hash(c, sr, sr, err) != 0)
			goto out;
		shift_to_odd(fn, sn);
	} else if (lia_merkle_node_hash(sr, c, sr, err) != 0) {
		goto out;
	}
	*fn >>= 1;
	*sn >>= 1;
	rc = 0;
out:
	return rc;
}

int lia_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[static HLEN], const uint8_t new_root[static HLEN],
    const struct lia_merkle_proof *proof, char *err)
{
	uint8_t fr[HLEN], sr[HLEN];
	uint64_t fn = old_size - 1, sn = new_size - 1;
	size_t i = 0;
	int rc = consistency_precheck(old_size, new_size, old_root, new_root, proof, err);

	if (rc <= 0)
		goto out;
	rc = -1;
	/* Step 2: a power-of-two old tree is a node of the new one; its root leads the path. */
	if (is_power_of_two(old_size))
		memcpy(fr, old_root, HLEN);
	else
		memcpy(fr, proof->hash[i++], HLEN);
	/* Steps 3-5. */
	memcpy(sr, fr, HLEN);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 6. */
	for (; i < proof->len; i++) {
		if (sn == 0) {
			lia_err_set(err, "consistency proof has more hashes than the trees need");
			goto out;
		}
		if (consistency_step(proof->hash[i], fr, sr, &fn, &sn, err) != 0)
			goto out;
	}
	/* Step 7. */
	if (sn != 0 || memcmp(fr, old_root, HLEN) != 0 || memcmp(sr, new_root, HLEN) != 0) {
		lia_err_set(err, "consistency proof from size %" PRIu64 " to %" PRIu64
		    " does not match the two roots", old_size, new_size);
		goto out;
	}
	rc = 0;
out:
	return rc;
}
