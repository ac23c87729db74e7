/*
 * entry_fields.c - the field table of entries: which payload keys each entry
 * type (and each incident action) carries, the keys' names, and the sentence
 * that names a bad field. Used by validation, encoding and decoding alike, so
 * the three cannot disagree on what an entry holds.
 */
#include "entry_internal.h"
#include "err.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>

/* NULL for a key number reserved for another kind of entry (entry.h): unknown here. */
const char *const lia_entry_fields_names[K_COUNT] = {
	"type", "origin", "seq", "time", "to", "precedence", "lang", "text",
	"ref-origin", "ref-seq", "ref-hash", "operator", "signals", "position",
	"action", "incident", "text", "state", "subject", "subject-hash",
	[K_LATE_NODE] = "late-node", [K_DEADLINE] = "deadline", [K_STEP] = "step",
	[K_LATE] = "late", [K_DUE] = "due",
	[K_NONCE] = "nonce", [K_HEARD] = "heard",
	[K_RELAY_ENTRY] = "entry", [K_RELAY_CERT] = "cert",
	[K_SENDER] = "sender-operator",
};

/* The fields an entry of type t carries, as a bit per key; 0 for an unknown type. */
field_mask lia_entry_fields_type(enum lia_entry_type t)
{
	static const field_mask fields[] = {
		[LIA_ENTRY_MESSAGE] = FIELDS_MESSAGE,
		[LIA_ENTRY_RECEIPT] = FIELDS_RECEIPT,
		[LIA_ENTRY_ACK] = FIELDS_ACK,
		[LIA_ENTRY_SIGNAL] = FIELDS_SIGNAL,
		[LIA_ENTRY_INCIDENT] = FIELDS_INCIDENT,
		[LIA_ENTRY_OVERDUE] = FIELDS_OVERDUE,
		[LIA_ENTRY_LINKTEST] = FIELDS_LINKTEST,
		[LIA_ENTRY_LINKTEST_ANSWER] = FIELDS_LINKTEST_ANSWER,
		[LIA_ENTRY_RELAY] = FIELDS_RELAY,
	};

	return (unsigned)t < sizeof(fields) / sizeof(fields[0]) ? fields[t] : 0;
}

/*
 * An incident action's fields beyond FIELDS_INCIDENT: required ones, and the
 * optional ones (the operator who made it, any action; open's subject signal
 * and position). 0 for an unknown action.
 */
field_mask lia_entry_fields_incident(enum lia_incident_action a, field_mask *optional)
{
	static const field_mask fields[] = {
		[LIA_INCIDENT_OPEN] = BIT(K_INC_TEXT),
		[LIA_INCIDENT_ATTACH] = BIT(K_INCIDENT) | FIELDS_SUBJECT,
		[LIA_INCIDENT_PROPOSE] = BIT(K_INCIDENT) | BIT(K_INC_TEXT) | BIT(K_STATE),
		[LIA_INCIDENT_CONFIRM] = BIT(K_INCIDENT) | FIELDS_SUBJECT,
		[LIA_INCIDENT_NOTE] = BIT(K_INCIDENT) | BIT(K_INC_TEXT),
	};

	if ((unsigned)a > LIA_INCIDENT_NOTE)
		return *optional = 0;
	*optional = FIELDS_INCIDENT_OPTIONAL |
	    (a == LIA_INCIDENT_OPEN ? FIELDS_SUBJECT | BIT(K_POSITION) : 0);
	return fields[a];
}

/* The fields a type may leave out. */
field_mask lia_entry_fields_optional(enum lia_entry_type t)
{
	return t == LIA_ENTRY_SIGNAL ? FIELDS_SIGNAL_OPTIONAL :
	    t == LIA_ENTRY_MESSAGE ? FIELDS_MESSAGE_OPTIONAL : 0;
}

/*
 * The fields e is encoded with: its type's, less an optional one left empty
 * (a signal's to), and for an incident its action's and the optional ones it has.
 */
field_mask lia_entry_fields_of(const struct lia_entry *e)
{
	field_mask optional = 0, fields = lia_entry_fields_type(e->type);

	if ((lia_entry_fields_optional(e->type) & BIT(K_TO)) && e->to[0] == '\0')
		fields &= ~BIT(K_TO);
	if ((lia_entry_fields_optional(e->type) & BIT(K_SENDER)) && e->sender_operator[0] == '\0')
		fields &= ~BIT(K_SENDER);
	if (e->type != LIA_ENTRY_INCIDENT)
		return fields;
	fields |= lia_entry_fields_incident(e->action, &optional);
	if (e->has_position)
		fields |= BIT(K_POSITION) & optional;
	if (e->subj_origin[0] != '\0')
		fields |= FIELDS_SUBJECT & optional;
	if (e->operator_name[0] != '\0')
		fields |= BIT(K_OPERATOR) & optional;
	return fields;
}

/* Writes "entry field K (name): <sentence>" into err; always returns -1. */
int lia_entry_fields_err(char *err, enum entry_key k, const char *fmt, ...)
{
	char msg[LIA_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lia_err_set(err, "entry field %d (%s): %s", (int)k,
	    lia_entry_fields_names[k] ? lia_entry_fields_names[k] : "reserved", msg);
	return -1;
}

int lia_entry_fields_utf8(enum entry_key k, const uint8_t *p, size_t len, char *err)
{
	size_t bad = lia_utf8_error_offset(p, len);

	return bad < len ? lia_entry_fields_err(err, k, "invalid UTF-8 at byte %zu", bad) : 0;
}
