/*
 * entry.h - the signed objects nodes exchange: messages, receipts, acknowledgements.
 *
 * Every entry is made by one node (its origin) and numbered from that node's
 * single sequence, so (origin, seq) names it everywhere. The payload is a CBOR
 * map with small unsigned keys (see docs/wire.md):
 *   0 type  1 origin  2 seq  3 time (RFC 3339 text, or uint seconds in the narrow form)
 *   message:  4 to  5 precedence  6 lang  7 text
 *   receipt:  8 ref-origin  9 ref-seq  10 ref-hash (SHA-256 of the referenced COSE bytes)
 *   ack:      8 9 10 as receipt, 11 operator
 *   signal:   4 to (absent: broadcast)  12 signals [[code or number, [value, ...]], ...]
 *             13 position [lat, lon]; a value is text or a uint (see lia_entry_signal)
 *   incident: 4 to  13 position (open, optional)  14 action  15 incident [origin, seq]
 *             16 text (title, reason or note)  17 state  18 subject [origin, seq]
 *             19 subject-hash (see docs/incidents.md for which action carries which)
 *             11 operator (optional, any action: who made it at the console or CLI)
 *   overdue:  8 9 10 as receipt (the late message, always the notice's origin's
 *             own), 5 its precedence, 20 late-node (whose answer is late),
 *             21 deadline (0 receipt, 1 ack), 22 step (1, 2, ...; 0 = the
 *             answer came), 23 late (whole seconds past due), 24 due (RFC 3339)
 *   link test (7):        4 to (the peer tested)  25 nonce
 *   link test answer (8): 8 9 10 as receipt (the test)  25 nonce  26 heard (RFC 3339)
 *   relay (9): 30 entry (the exact COSE bytes of an entry made by another party's
 *             unit, heard over the unit link)  31 cert (that unit's certificate, DER)
 * The payload is wrapped in COSE_Sign1 signed by the origin (kid = origin, or
 * no kid in the narrow form: the payload names the origin).
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
	LIA_ENTRY_INCIDENT = 5,
	LIA_ENTRY_OVERDUE = 6,
	LIA_ENTRY_LINKTEST = 7,
	LIA_ENTRY_LINKTEST_ANSWER = 8,
	LIA_ENTRY_RELAY = 9
};

#define LIA_RELAY_CERT_MAX 4096             /* DER of a node certificate in a relay */

/* Which answer an overdue notice (and a deadline) is about. */
enum lia_deadline_kind { LIA_DEADLINE_RECEIPT = 0, LIA_DEADLINE_ACK = 1 };

#define LIA_OVERDUE_STEP_MAX 1000          /* steps of one deadline, far beyond any schedule */
#define LIA_OVERDUE_LATE_MAX (UINT64_C(100) * 365 * 86400) /* seconds */

#define LIA_INCIDENT_TEXT_MAX 256      /* title, reason or note of an incident entry */

/* What an incident entry does (key 14). */
enum lia_incident_action {
	LIA_INCIDENT_OPEN = 0,             /* text = title; optional subject = signal, position */
	LIA_INCIDENT_ATTACH = 1,           /* subject = a message or signal, with its hash */
	LIA_INCIDENT_PROPOSE = 2,          /* state = proposed state, text = reason */
	LIA_INCIDENT_CONFIRM = 3,          /* subject = the other side's proposal, with its hash */
	LIA_INCIDENT_NOTE = 4              /* text = the note */
};

/* An incident's state (key 17 names the proposed one; open is never proposed). */
enum lia_incident_state {
	LIA_STATE_OPEN = 0,
	LIA_STATE_CONTAINED = 1,
	LIA_STATE_CLOSED = 2
};

/*
 * One coded signal in a signal entry: a catalogue code and its parameter values in catalogue
 * order. The code travels as text, or as its catalogue number when number is not 0 (then code
 * may be "": a decoded entry knows only the number until the catalogue resolves it). Value j
 * travels as text params[j], or as the CBOR uint num[j] when is_num[j] (then params[j] is
 * ignored): whole units, tenths or HHMM by the catalogue's type (lia_signal_value_pack).
 */
struct lia_entry_signal {
	char code[LIA_SIGNAL_CODE_MAX + 1];
	unsigned number;                    /* 0, or 1 to LIA_SIGNAL_NUMBER_MAX */
	size_t nparams;                     /* 0 to LIA_SIGNAL_PARAMS_MAX */
	char params[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
	uint8_t is_num[LIA_SIGNAL_PARAMS_MAX];
	uint32_t num[LIA_SIGNAL_PARAMS_MAX];
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
	int64_t time_ms;                    /* UTC, ms since epoch (whole seconds when narrow) */
	int narrow;                         /* time as uint seconds, signed without kid */
	/* message */
	char to[LIA_NAME_MAX + 1];          /* node or party name; "" for a broadcast signal */
	enum lia_precedence precedence;     /* also an overdue notice's, of its message */
	char lang[LIA_LANG_MAX + 1];
	char *text;                         /* UTF-8, owned (malloc'd by decode) */
	char sender_operator[LIA_OPERATOR_MAX + 1]; /* message, optional (key 32): the sending operator; "" for none */
	/* receipt and ack */
	char ref_origin[LIA_NAME_MAX + 1];
	uint64_t ref_seq;
	uint8_t ref_hash[32];
	char operator_name[LIA_OPERATOR_MAX + 1]; /* ack; incident (optional, "" for none) */
	/* signal (and to, above) */
	size_t nsignals;                    /* 1 to LIA_ENTRY_SIGNALS_MAX */
	struct lia_entry_signal signals[LIA_ENTRY_SIGNALS_MAX];
	int32_t lat, lon;                   /* 1e-5 degree, |lat| <= LIA_LAT_MAX, |lon| <= LIA_LON_MAX */
	/* incident (and to, lat/lon above); which action carries which: entry.c incident_fields */
	enum lia_incident_action action;
	char inc_origin[LIA_NAME_MAX + 1];  /* the incident: its opening entry (not in open) */
	uint64_t inc_seq;
	char inc_text[LIA_INCIDENT_TEXT_MAX + 1];
	enum lia_incident_state state;      /* propose only */
	char subj_origin[LIA_NAME_MAX + 1]; /* subject entry; in open "" when absent */
	uint64_t subj_seq;
	uint8_t subj_hash[32];              /* SHA-256 of the subject's COSE bytes */
	int has_position;                   /* open: lat/lon given */
	/* link test (and to, above) and its answer (and the reference, above) */
	uint64_t nonce;
	int64_t heard_ms;                   /* answer: when the test arrived, UTC ms */
	/* overdue notice (and ref_*, above) */
	char late_node[LIA_NAME_MAX + 1];   /* the recipient whose answer is late */
	enum lia_deadline_kind deadline;
	uint32_t step;                      /* 0 to LIA_OVERDUE_STEP_MAX */
	uint64_t late_s;                    /* <= LIA_OVERDUE_LATE_MAX */
	int64_t due_ms;                     /* when the answer was due (UTC ms) */
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

/* Encodes and signs e with key as COSE_Sign1 (kid = e->origin, none when e->narrow); *cose is the caller's. */
int lia_entry_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose,
    size_t *cose_len, char *err);

/*
 * Parses COSE bytes and decodes the payload, checking kid == origin when there is a kid, without
 * verifying the signature (see lia_entry_verify). Call lia_entry_finish after.
 */
int lia_entry_open(const uint8_t *cose, size_t cose_len, struct lia_entry *e, char *err);

/* Parses, checks the signature with pub and decodes; a kid must equal origin. */
int lia_entry_verify(const uint8_t *cose, size_t cose_len, EVP_PKEY *pub,
    struct lia_entry *e, char *err);

/*
 * Opens an entry that arrived on the link with node peer and checks that peer
 * made it: its origin (= kid) must be peer, whatever key signed it, and only
 * then its signature must hold under peer_key. -1 with err naming the peer
 * and, for a claim, the claimed origin. Call lia_entry_finish after.
 */
int lia_entry_open_from(const uint8_t *cose, size_t cose_len, const char *peer,
    EVP_PKEY *peer_key, struct lia_entry *e, char *err);

/* SHA-256 of the exact COSE bytes: the entry's hash. */
void lia_entry_hash(const uint8_t *cose, size_t cose_len, uint8_t out[32]);

/* Frees what decode allocated and zeroes e; NULL-safe. */
void lia_entry_finish(struct lia_entry *e);

/* "FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"; parse is case-insensitive, 0 or -1 with err. */
const char *lia_precedence_name(enum lia_precedence p);
int lia_precedence_parse(const char *s, enum lia_precedence *p, char *err);

/* "message", "receipt", "ack", "signal", "incident", "overdue", "link test", "link test answer", "relay". */
const char *lia_entry_type_name(enum lia_entry_type t);

/* "open", "attach", "propose", "confirm", "note"; "open", "contained", "closed"; parse: 0 or -1 with err. */
const char *lia_incident_action_name(enum lia_incident_action a);
const char *lia_incident_state_name(enum lia_incident_state st);
int lia_incident_state_parse(const char *s, enum lia_incident_state *st, char *err);

/* "receipt" or "ack". */
const char *lia_deadline_kind_name(enum lia_deadline_kind k);

#endif
