/*
 * merkle.h - RFC 9162 section 2.1 Merkle Tree Hash over SHA-256: leaf and
 * node hashes, an append-only tree kept as its complete subtrees, inclusion
 * and consistency proofs and their verification.
 *
 * Storage is the caller's: node (level, index) is the hash of the complete
 * subtree of 2^level leaves starting at leaf index << level; level 0 holds
 * the leaf hashes. Only complete nodes are ever stored or read, so a tree of
 * size n touches just the nodes with (index + 1) << level <= n. The hash of
 * an incomplete right edge is folded on demand from O(log n) stored nodes.
 * Callbacks return 0 on success and anything else on failure.
 *
 * Sizes are limited to LIA_MERKLE_MAX_SIZE (2^63) so that every tree is at
 * most 63 levels deep and every proof fits in LIA_MERKLE_MAX_PROOF hashes.
 */
#ifndef LIA_MERKLE_H
#define LIA_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define LIA_MERKLE_HASH_LEN 32
#define LIA_MERKLE_MAX_PROOF 64
#define LIA_MERKLE_MAX_SIZE (UINT64_C(1) << 63)

/* Reads the complete node (level, index) into out; 0 on success. */
typedef int (*lia_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
    uint8_t out[LIA_MERKLE_HASH_LEN]);
/* Stores the complete node (level, index); 0 on success. */
typedef int (*lia_merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
    const uint8_t h[LIA_MERKLE_HASH_LEN]);

/* The caller's node storage (borrowed by every function here). */
struct lia_merkle_store {
	lia_merkle_get_fn get;
	lia_merkle_put_fn put; /* may be NULL when only reading */
	void *ctx;
};

/* An inclusion path or consistency proof, first hash first (RFC 9162 order). */
struct lia_merkle_proof {
	size_t len;
	uint8_t hash[LIA_MERKLE_MAX_PROOF][LIA_MERKLE_HASH_LEN];
};

/* RFC 9162 section 2.1.1: out = SHA-256(0x00 || data). 0, or -1 with err. */
int lia_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[static LIA_MERKLE_HASH_LEN],
    char *err);

/* RFC 9162 section 2.1.1: out = SHA-256(0x01 || left || right); out may alias either input. 0, or -1 with err. */
int lia_merkle_node_hash(const uint8_t left[static LIA_MERKLE_HASH_LEN],
    const uint8_t right[static LIA_MERKLE_HASH_LEN], uint8_t out[static LIA_MERKLE_HASH_LEN],
    char *err);

/* Appends leaf (a leaf hash) at index size: puts (0, size) and every parent it completes. 0, or -1 with err. */
int lia_merkle_append(const struct lia_merkle_store *st, uint64_t size,
    const uint8_t leaf[static LIA_MERKLE_HASH_LEN], char *err);

/* out = MTH of the first size leaves (SHA-256 of nothing when size is 0), from O(log size) nodes. 0, or -1 with err. */
int lia_merkle_root(const struct lia_merkle_store *st, uint64_t size,
    uint8_t out[static LIA_MERKLE_HASH_LEN], char *err);

/* RFC 9162 section 2.1.3.1: out = PATH(index, D[size]); fails when index >= size. 0, or -1 with err. */
int lia_merkle_inclusion_proof(const struct lia_merkle_store *st, uint64_t index, uint64_t size,
    struct lia_merkle_proof *out, char *err);

/* RFC 9162 section 2.1.4.1: out = PROOF(old_size, D[new_size]); needs 0 < old_size <= new_size (empty when equal). 0, or -1 with err. */
int lia_merkle_consistency_proof(const struct lia_merkle_store *st, uint64_t old_size,
    uint64_t new_size, struct lia_merkle_proof *out, char *err);

/* RFC 9162 section 2.1.3.2: 0 when proof shows leaf at index in the tree of size with root; else -1 with err. */
int lia_merkle_verify_inclusion(const uint8_t leaf[static LIA_MERKLE_HASH_LEN], uint64_t index,
    uint64_t size, const struct lia_merkle_proof *proof,
    const uint8_t root[static LIA_MERKLE_HASH_LEN], char *err);

/* RFC 9162 section 2.1.4.2: 0 when proof shows the tree (old_size, old_root) is a prefix of (new_size, new_root); old_size 0 is refused. Else -1 with err. */
int lia_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[static LIA_MERKLE_HASH_LEN],
    const uint8_t new_root[static LIA_MERKLE_HASH_LEN], const struct lia_merkle_proof *proof,
    char *err);

#endif
