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
 *   signal:   4 to  12 signals [[code, [param, ...]], ...]  13 position [lat, lon]
 *   relay:    30 entry (the exact COSE bytes of an entry made by another party's
 *             unit, heard over the unit link)  31 cert (that unit's certificate, DER)
 * The payload is wrapped in COSE_Sign1 signed by the origin (kid = origin).
 *
 * Reserved for kinds being added (types, then payload keys), so that work on
 * them in parallel does not collide: 5 incident (keys 14-19), 6 overdue notice
 * (20-24), 7 link test and 8 link test answer (25-29), 9 relay of an entry
 * heard from another party's unit (30-34). Types up to 31 fit the store's CHECK.
 */
#ifndef LIA_ENTRY_H
#define LIA_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "signals.h"
#include "text.h"

#define LIA_OPERATOR_MAX 64
#define LIA_ENTRY_SIGNALS_MAX 8        /* signals in one signal entry */
#define LIA_LAT_MAX 9000000            /* position in 1e-5 degree (WGS84) */
#define LIA_LON_MAX 18000000

enum lia_entry_type {
	LIA_ENTRY_MESSAGE = 1,
	LIA_ENTRY_RECEIPT = 2,
	LIA_ENTRY_ACK = 3,
	LIA_ENTRY_SIGNAL = 4,
	LIA_ENTRY_RELAY = 9
};

#define LIA_RELAY_CERT_MAX 4096             /* DER of a node certificate in a relay */

/* One coded signal in a signal entry: a catalogue code and its parameter values in catalogue order. */
struct lia_entry_signal {
	char code[LIA_SIGNAL_CODE_MAX + 1];
	size_t nparams;                     /* 0 to LIA_SIGNAL_PARAMS_MAX */
	char params[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
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
	/* signal (and to, above) */
	size_t nsignals;                    /* 1 to LIA_ENTRY_SIGNALS_MAX */
	struct lia_entry_signal signals[LIA_ENTRY_SIGNALS_MAX];
	int32_t lat, lon;                   /* 1e-5 degree, |lat| <= LIA_LAT_MAX, |lon| <= LIA_LON_MAX */
	/* relay: owned (malloc'd by decode); borrowed when the caller fills them to sign */
	uint8_t *inner;                     /* COSE bytes of the relayed entry, 1 to LIA_COSE_MAX */
	size_t inner_len;
	uint8_t *inner_cert;                /* DER, 1 to LIA_RELAY_CERT_MAX */
	size_t inner_cert_len;
};

/*
 * Checks every field for its type (names, lang, UTF-8 text and lengths, precedence range;
 * for a signal the form of codes and values and the position's range, not the catalogue).
 */
int lia_entry_validate(const struct lia_entry *e, char *err);

/* CBOR payload of e into *out (caller frees); validates first. */
int lia_entry_encode(const struct lia_entry *e, uint8_t **out, size_t *len, char *err);

/* Decodes and validates a payload; e->text (and a relay's inner, inner_cert) are malloc'd: call lia_entry_finish. */
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

/* "message", "receipt", "ack", "signal", "relay". */
const char *lia_entry_type_name(enum lia_entry_type t);

#endif
