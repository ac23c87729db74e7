/*
 * entry_internal.h - what entry.c, entry_fields.c, entry_validate.c,
 * entry_encode.c and entry_decode.c share: the payload's map keys, the fields
 * each type carries, the limits, and the sentence that names a bad field.
 * Not for other modules: entry.h is the API.
 */
#ifndef LIA_ENTRY_INTERNAL_H
#define LIA_ENTRY_INTERNAL_H

#include "entry.h"

#include <stddef.h>
#include <stdint.h>

/* The payload map's keys (docs/wire.md section 4). */
enum entry_key {
	K_TYPE, K_ORIGIN, K_SEQ, K_TIME, K_TO, K_PRECEDENCE, K_LANG, K_TEXT,
	K_REF_ORIGIN, K_REF_SEQ, K_REF_HASH, K_OPERATOR, K_SIGNALS, K_POSITION,
	K_ACTION, K_INCIDENT, K_INC_TEXT, K_STATE, K_SUBJECT, K_SUBJ_HASH,
	K_LATE_NODE = 20, K_DEADLINE, K_STEP, K_LATE, K_DUE, /* overdue notice (20-24) */
	K_NONCE = 25, K_HEARD = 26, /* link test and answer (keys 25-29 reserved for them) */
	K_RELAY_ENTRY = 30, K_RELAY_CERT = 31,
	K_SENDER = 32, /* a message's sending operator (optional) */
	K_COUNT
};

typedef uint64_t field_mask; /* a bit per key: K_COUNT is past 32 */
#define BIT(k) (UINT64_C(1) << (k))
#define FIELDS_COMMON (BIT(K_TYPE) | BIT(K_ORIGIN) | BIT(K_SEQ) | BIT(K_TIME))
#define FIELDS_MESSAGE (FIELDS_COMMON | BIT(K_TO) | BIT(K_PRECEDENCE) | BIT(K_LANG) | BIT(K_TEXT) | \
	BIT(K_SENDER))
#define FIELDS_MESSAGE_OPTIONAL BIT(K_SENDER) /* entries from before key 32 name no sender */
#define FIELDS_RECEIPT (FIELDS_COMMON | BIT(K_REF_ORIGIN) | BIT(K_REF_SEQ) | BIT(K_REF_HASH))
#define FIELDS_ACK (FIELDS_RECEIPT | BIT(K_OPERATOR))
#define FIELDS_SIGNAL (FIELDS_COMMON | BIT(K_TO) | BIT(K_SIGNALS) | BIT(K_POSITION))
#define FIELDS_SIGNAL_OPTIONAL BIT(K_TO) /* a signal without to is a broadcast */
/* An incident's fields depend on its action as well (incident_fields). */
#define FIELDS_INCIDENT (FIELDS_COMMON | BIT(K_TO) | BIT(K_ACTION))
#define FIELDS_INCIDENT_OPTIONAL BIT(K_OPERATOR) /* every action: who made it (absent before) */
#define FIELDS_SUBJECT (BIT(K_SUBJECT) | BIT(K_SUBJ_HASH))
#define FIELDS_LINKTEST (FIELDS_COMMON | BIT(K_TO) | BIT(K_NONCE))
#define FIELDS_LINKTEST_ANSWER (FIELDS_RECEIPT | BIT(K_NONCE) | BIT(K_HEARD))
#define FIELDS_OVERDUE (FIELDS_RECEIPT | BIT(K_PRECEDENCE) | BIT(K_LATE_NODE) | BIT(K_DEADLINE) | BIT(K_STEP) | \
	BIT(K_LATE) | BIT(K_DUE))
#define FIELDS_RELAY (FIELDS_COMMON | BIT(K_RELAY_ENTRY) | BIT(K_RELAY_CERT))
#define RELAY_INNER_MAX 8192              /* a unit's entry heard over the radio is small */

#define SEQ_MAX ((uint64_t)INT64_MAX)     /* sequence numbers are SQLite integers */
#define TIME_MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */
#define ENTRY_FIXED_MAX 512               /* every field but the text, with CBOR heads */
/* One signal's encoding at most: array heads, the code, each value with its head. */
#define SIGNAL_ENC_MAX (16 + LIA_SIGNAL_CODE_MAX + LIA_SIGNAL_PARAMS_MAX * (LIA_SIGNAL_VALUE_MAX + 4))
#define ENTRY_DEPTH 4                     /* map, signals, one signal, its values */

/* Each key's name for sentences; NULL for a key reserved for another kind of entry. */
extern const char *const lia_entry_fields_names[K_COUNT];

/* The fields an entry of type t carries, as a bit per key; 0 for an unknown type. */
field_mask lia_entry_fields_type(enum lia_entry_type t);

/*
 * An incident action's fields beyond FIELDS_INCIDENT: required ones, and the
 * optional ones in *optional (the operator; open's subject signal and position). 0 for an unknown action.
 */
field_mask lia_entry_fields_incident(enum lia_incident_action a, field_mask *optional);

/* The fields a type may leave out. */
field_mask lia_entry_fields_optional(enum lia_entry_type t);

/*
 * The fields e is encoded with: its type's, less an optional one left empty
 * (a signal's to), and for an incident its action's and the optional ones it has.
 */
field_mask lia_entry_fields_of(const struct lia_entry *e);

/* Writes "entry field K (name): <sentence>" into err; always returns -1. */
int lia_entry_fields_err(char *err, enum entry_key k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct lia_cbor_out;

/*
 * Encodes a valid e (lia_entry_validate passed) into o, which it allocates
 * (o->buf, caller frees even on failure). 0, or -1 when out of memory.
 */
int lia_entry_encode_valid(const struct lia_entry *e, struct lia_cbor_out *o);

/* 0 when p[0..len) is UTF-8, else -1 with err naming field k and the offset. */
int lia_entry_fields_utf8(enum entry_key k, const uint8_t *p, size_t len, char *err);

#endif
