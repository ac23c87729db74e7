/*
 * entry.h - the signed objects nodes exchange: messages, receipts, acknowledgements.
 *
 * Every entry is made by one node (its origin) and numbered from that node's
 * single sequence, so (origin, seq) names it everywhere. The payload is a CBOR
 * map with small unsigned keys (see docs/wire.md):
 *   0 type  1 origin  2 seq  3 time (RFC 3339 text)
 *   message:  4 to  5 precedence  6 lang  7 text
 *   receipt:  8 ref-origin  9 ref-seq  10 ref-hash (SHA-256 of the referenced COSE bytes)
 *   ack:      8 9 10 as receipt, 11 operator
 * The payload is wrapped in COSE_Sign1 signed by the origin (kid = origin).
 */
#ifndef LIA_ENTRY_H
#define LIA_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "text.h"

#define LIA_OPERATOR_MAX 64

enum lia_entry_type {
	LIA_ENTRY_MESSAGE = 1,
	LIA_ENTRY_RECEIPT = 2,
	LIA_ENTRY_ACK = 3
};

enum lia_precedence {
	LIA_FLASH = 0,
	LIA_IMMEDIATE = 1,
	LIA_PRIORITY = 2,
	LIA_ROUTINE = 3
};

struct lia_entry {
	enum lia_entry_type type;
	char origin[LIA_NAME_MAX + 1];
	uint64_t seq;                       /* >= 1 */
	int64_t time_ms;                    /* UTC, ms since epoch */
	/* message */
	char to[LIA_NAME_MAX + 1];          /* node or party name */
	enum lia_precedence precedence;
	char lang[LIA_LANG_MAX + 1];
	char *text;                         /* UTF-8, owned (malloc'd by decode) */
	/* receipt and ack */
	char ref_origin[LIA_NAME_MAX + 1];
	uint64_t ref_seq;
	uint8_t ref_hash[32];
	char operator_name[LIA_OPERATOR_MAX + 1]; /* ack only */
};

/* Checks every field for its type (names, lang, UTF-8 text and lengths, precedence range). */
int lia_entry_validate(const struct lia_entry *e, char *err);

/* CBOR payload of e into *out (caller frees); validates first. */
int lia_entry_encode(const struct lia_entry *e, uint8_t **out, size_t *len, char *err);

/* Decodes and validates a payload; e->text is malloc'd: call lia_entry_finish. */
int lia_entry_decode(const uint8_t *buf, size_t len, struct lia_entry *e, char *err);

/* Encodes and signs e with key as COSE_Sign1 (kid = e->origin); *cose is the caller's. */
int lia_entry_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose,
    size_t *cose_len, char *err);

/*
 * Parses COSE bytes and decodes the payload, checking kid == origin, without
 * verifying the signature (see lia_entry_verify). Call lia_entry_finish after.
 */
int lia_entry_open(const uint8_t *cose, size_t cose_len, struct lia_entry *e, char *err);

/* Parses, checks the signature with pub and decodes; kid must equal origin. */
int lia_entry_verify(const uint8_t *cose, size_t cose_len, EVP_PKEY *pub,
    struct lia_entry *e, char *err);

/* SHA-256 of the exact COSE bytes: the entry's hash. */
void lia_entry_hash(const uint8_t *cose, size_t cose_len, uint8_t out[32]);

/* Frees what decode allocated and zeroes e; NULL-safe. */
void lia_entry_finish(struct lia_entry *e);

/* "FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"; parse is case-insensitive, 0 or -1 with err. */
const char *lia_precedence_name(enum lia_precedence p);
int lia_precedence_parse(const char *s, enum lia_precedence *p, char *err);

/* "message", "receipt", "ack". */
const char *lia_entry_type_name(enum lia_entry_type t);

#endif
