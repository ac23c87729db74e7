/*
 * wire.h - frames on a link: a 4-byte big-endian length, then one CBOR array.
 *
 *   hello  [1, version, charter-hash bstr(32), node tstr, seen uint]
 *   entry  [2, prev uint, cose bstr]      prev: the seq of the previous entry sent to this peer
 *   seen   [3, seq uint]                 all entries from you up to seq are committed here
 *   ping   [4, nonce uint]
 *   pong   [5, nonce uint]
 *   error  [6, code uint, sentence tstr]
 * The joint record (witnessing, after C2SP tlog-witness's add-checkpoint):
 *   checkpoint     [7, old uint, proof bstr, note bstr]   signed checkpoint with a consistency
 *                  proof (32-byte hashes, concatenated) from size old, the last one you cosigned
 *   cosignature    [8, size uint, line tstr]             the witness's tlog-cosignature line
 *   conflict       [9, known uint]                       old is not what I know; I know size known
 *   proof-request  [10, request uint, origin tstr, seq uint]   where is entry origin/seq in your log?
 *   proof          [11, request uint, index uint, size uint, proof bstr, note bstr]
 *                  inclusion proof of that entry under a checkpoint I signed (size 0: none yet)
 * A frame longer than LIA_FRAME_MAX is refused before it is read.
 */
#ifndef LIA_WIRE_H
#define LIA_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define LIA_WIRE_VERSION 1
#define LIA_FRAME_MAX (65536 + 64) /* largest frame body, without the 4-byte length: a largest COSE entry and its frame fields */
#define LIA_FRAME_HEADER 4

enum lia_frame_kind {
	LIA_FRAME_HELLO = 1,
	LIA_FRAME_ENTRY = 2,
	LIA_FRAME_SEEN = 3,
	LIA_FRAME_PING = 4,
	LIA_FRAME_PONG = 5,
	LIA_FRAME_ERROR = 6,
	LIA_FRAME_CHECKPOINT = 7,
	LIA_FRAME_COSIGNATURE = 8,
	LIA_FRAME_CONFLICT = 9,
	LIA_FRAME_PROOF_REQUEST = 10,
	LIA_FRAME_PROOF = 11
};

#define LIA_PROOF_MAX_HASHES 64
#define LIA_NOTE_FRAME_MAX 8192 /* a checkpoint note with its cosignatures */
#define LIA_COSIG_LINE_MAX 512

struct lia_frame {
	enum lia_frame_kind kind;
	uint64_t version;                /* hello */
	uint8_t charter_hash[32];        /* hello */
	char node[LIA_NAME_MAX + 1];     /* hello; proof-request: origin */
	uint64_t seq;                    /* hello: seen; seen, proof-request: seq */
	uint64_t prev;                   /* entry */
	uint8_t *cose;                   /* entry: owned after decode, borrowed for encode */
	size_t cose_len;
	uint64_t nonce;                  /* ping, pong */
	uint64_t code;                   /* error */
	char text[256];                  /* error sentence */
	uint64_t old;                    /* checkpoint: proof from this size; conflict: known size */
	uint64_t size;                   /* cosignature, proof: tree size */
	uint64_t index;                  /* proof: leaf index */
	uint64_t request;                /* proof-request, proof: request number */
	uint8_t *proof;                  /* checkpoint, proof: hashes (owned after decode, borrowed for encode) */
	size_t proof_len;                /* multiple of 32, at most LIA_PROOF_MAX_HASHES hashes */
	uint8_t *note;                   /* checkpoint, proof: signed note text (owned/borrowed as cose) */
	size_t note_len;
	char line[LIA_COSIG_LINE_MAX];   /* cosignature: the signature line, without newline */
};

/* Encodes f with its 4-byte length prefix into *out (caller frees). */
int lia_wire_encode(const struct lia_frame *f, uint8_t **out, size_t *len, char *err);

/* Decodes a frame body (without the prefix), validating every field; call lia_frame_finish after. */
int lia_wire_decode(const uint8_t *body, size_t len, struct lia_frame *f, char *err);

/* Reads the 4-byte prefix; fails when the length is 0 or over LIA_FRAME_MAX. */
int lia_wire_length(const uint8_t header[LIA_FRAME_HEADER], uint32_t *len, char *err);

/* Frees what decode allocated; NULL-safe. */
void lia_frame_finish(struct lia_frame *f);

/* Name of a frame kind for logs. */
const char *lia_frame_kind_name(enum lia_frame_kind k);

#endif
