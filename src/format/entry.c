/*
 * entry.c - entries: CBOR payloads (see entry.h for the map keys), signing and opening.
 *
 * A payload is one definite-length CBOR map whose keys are small unsigned
 * integers in ascending order, each field present exactly when it belongs to
 * the entry's type, every integer and string in its shortest form (RFC 8949
 * section 4.2.1), times as RFC 3339 text with milliseconds or, in the narrow
 * form (docs/wire.md, for a narrowband link), as uint seconds. Payloads come
 * from peers: decoding checks every type, range and length before use, and
 * refuses any byte form other than the one lia_entry_encode makes, so one
 * entry has one encoding and its signed bytes one hash.
 */
#include "entry.h"
#include "clock.h"
#include "cose.h"
#include "cbor_out.h"
#include "err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cbor.h>
#include <openssl/evp.h>

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

/* NULL for a key number reserved for another kind of entry (entry.h): unknown here. */
static const char *const key_names[K_COUNT] = {
	"type", "origin", "seq", "time", "to", "precedence", "lang", "text",
	"ref-origin", "ref-seq", "ref-hash", "operator", "signals", "position",
	"action", "incident", "text", "state", "subject", "subject-hash",
	[K_LATE_NODE] = "late-node", [K_DEADLINE] = "deadline", [K_STEP] = "step",
	[K_LATE] = "late", [K_DUE] = "due",
	[K_NONCE] = "nonce", [K_HEARD] = "heard",
	[K_RELAY_ENTRY] = "entry", [K_RELAY_CERT] = "cert",
	[K_SENDER] = "sender-operator",
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

static const char *const precedence_names[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"};

const char *lia_precedence_name(enum lia_precedence p)
{
	if ((unsigned)p > LIA_ROUTINE)
		return "unknown";
	return precedence_names[p];
}

int lia_precedence_parse(const char *s, enum lia_precedence *p, char *err)
{
	for (unsigned i = 0; i <= LIA_ROUTINE; i++) {
		if (strcasecmp(s, precedence_names[i]) == 0) {
			*p = (enum lia_precedence)i;
			return 0;
		}
	}
	lia_err_set(err, "precedence \"%.40s\" is not one of FLASH, IMMEDIATE, PRIORITY, ROUTINE", s);
	return -1;
}

const char *lia_entry_type_name(enum lia_entry_type t)
{
	switch (t) {
	case LIA_ENTRY_MESSAGE: return "message";
	case LIA_ENTRY_RECEIPT: return "receipt";
	case LIA_ENTRY_ACK: return "ack";
	case LIA_ENTRY_SIGNAL: return "signal";
	case LIA_ENTRY_INCIDENT: return "incident";
	case LIA_ENTRY_LINKTEST: return "link test";
	case LIA_ENTRY_LINKTEST_ANSWER: return "link test answer";
	case LIA_ENTRY_OVERDUE: return "overdue";
	case LIA_ENTRY_RELAY: return "relay";
	}
	return "unknown";
}

static const char *const action_names[] = {"open", "attach", "propose", "confirm", "note"};
static const char *const state_names[] = {"open", "contained", "closed"};

const char *lia_incident_action_name(enum lia_incident_action a)
{
	return (unsigned)a <= LIA_INCIDENT_NOTE ? action_names[a] : "unknown";
}

const char *lia_incident_state_name(enum lia_incident_state st)
{
	return (unsigned)st <= LIA_STATE_CLOSED ? state_names[st] : "unknown";
}

int lia_incident_state_parse(const char *s, enum lia_incident_state *st, char *err)
{
	for (unsigned i = 0; i <= LIA_STATE_CLOSED; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*st = (enum lia_incident_state)i;
			return 0;
		}
	}
	lia_err_set(err, "state \"%.40s\" is not one of open, contained, closed", s);
	return -1;
}

const char *lia_deadline_kind_name(enum lia_deadline_kind k)
{
	return k == LIA_DEADLINE_ACK ? "ack" : "receipt";
}

void lia_entry_hash(const uint8_t *cose, size_t cose_len, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(cose, cose_len, out, &len, EVP_sha256(), NULL);
}

/* The fields an entry of type t carries, as a bit per key; 0 for an unknown type. */
static field_mask type_fields(enum lia_entry_type t)
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
 * optional ones (open's subject signal and position). 0 for an unknown action.
 */
static field_mask incident_fields(enum lia_incident_action a, field_mask *optional)
{
	static const field_mask fields[] = {
		[LIA_INCIDENT_OPEN] = BIT(K_INC_TEXT),
		[LIA_INCIDENT_ATTACH] = BIT(K_INCIDENT) | FIELDS_SUBJECT,
		[LIA_INCIDENT_PROPOSE] = BIT(K_INCIDENT) | BIT(K_INC_TEXT) | BIT(K_STATE),
		[LIA_INCIDENT_CONFIRM] = BIT(K_INCIDENT) | FIELDS_SUBJECT,
		[LIA_INCIDENT_NOTE] = BIT(K_INCIDENT) | BIT(K_INC_TEXT),
	};

	*optional = a == LIA_INCIDENT_OPEN ? FIELDS_SUBJECT | BIT(K_POSITION) : 0;
	return (unsigned)a <= LIA_INCIDENT_NOTE ? fields[a] : 0;
}

/* The fields a type may leave out. */
static field_mask optional_fields(enum lia_entry_type t)
{
	return t == LIA_ENTRY_SIGNAL ? FIELDS_SIGNAL_OPTIONAL :
	    t == LIA_ENTRY_MESSAGE ? FIELDS_MESSAGE_OPTIONAL : 0;
}

/*
 * The fields e is encoded with: its type's, less an optional one left empty
 * (a signal's to), and for an incident its action's and the optional ones it has.
 */
static field_mask entry_fields(const struct lia_entry *e)
{
	field_mask optional = 0, fields = type_fields(e->type);

	if ((optional_fields(e->type) & BIT(K_TO)) && e->to[0] == '\0')
		fields &= ~BIT(K_TO);
	if ((optional_fields(e->type) & BIT(K_SENDER)) && e->sender_operator[0] == '\0')
		fields &= ~BIT(K_SENDER);
	if (e->type != LIA_ENTRY_INCIDENT)
		return fields;
	fields |= incident_fields(e->action, &optional);
	if (e->has_position)
		fields |= BIT(K_POSITION) & optional;
	if (e->subj_origin[0] != '\0')
		fields |= FIELDS_SUBJECT & optional;
	return fields;
}

/* Writes "entry field K (name): <sentence>" into err; always returns -1. */
__attribute__((format(printf, 3, 4)))
static int field_err(char *err, enum entry_key k, const char *fmt, ...)
{
	char msg[LIA_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lia_err_set(err, "entry field %d (%s): %s", (int)k, key_names[k] ? key_names[k] : "reserved",
	    msg);
	return -1;
}

static int check_utf8(enum entry_key k, const uint8_t *p, size_t len, char *err)
{
	size_t bad = lia_utf8_error_offset(p, len);

	return bad < len ? field_err(err, k, "invalid UTF-8 at byte %zu", bad) : 0;
}

/* 1 when the UTF-8 character at p (n bytes) is a control (C0, DEL, C1) or a bidi override. */
static int is_control(const uint8_t *p, size_t n)
{
	return (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) ||
	    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
	    (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) || /* U+202A..E */
	    (n == 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);   /* U+2066..9 */
}

static int check_no_controls(enum entry_key k, const uint8_t *p, size_t len, char *err)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && rc == 0) {
		size_t n = 1;
		while (n < 4 && !(i + n <= len && lia_utf8_valid(p + i, n)))
			n++;
		if (is_control(p + i, n))
			rc = field_err(err, k, "control character at byte %zu", i);
		i += n;
	}
	return rc;
}

/* Bounded text from a struct: 1..max bytes of UTF-8 held in a buffer of size bytes. */
static int check_text(enum entry_key k, const char *s, size_t size, size_t max, char *err)
{
	size_t len = s == NULL ? 0 : strnlen(s, size);
	int rc = -1;

	if (s == NULL)
		field_err(err, k, "missing");
	else if (len == 0)
		field_err(err, k, "empty");
	else if (len == size || len > max)
		field_err(err, k, "longer than %zu bytes", max);
	else
		rc = check_utf8(k, (const uint8_t *)s, len, err);
	return rc;
}

static int check_name(enum entry_key k, const char *s, size_t size, char *err)
{
	int rc = -1;

	if (memchr(s, '\0', size) == NULL)
		field_err(err, k, "not NUL-terminated");
	else if (!lia_name_valid(s))
		field_err(err, k, "\"%s\" is not a valid name ([a-z0-9-], 1 to %d)", s, LIA_NAME_MAX);
	else
		rc = 0;
	return rc;
}

static int check_seq(enum entry_key k, uint64_t seq, char *err)
{
	int rc = 0;

	if (seq < 1 || seq > SEQ_MAX)
		rc = field_err(err, k, "%" PRIu64 " is not between 1 and %" PRIu64, seq, SEQ_MAX);
	return rc;
}

static int validate_common(const struct lia_entry *e, char *err)
{
	int rc = -1;

	if (type_fields(e->type) == 0)
		field_err(err, K_TYPE, "%d is not message (1), receipt (2), ack (3), signal (4), "
		    "incident (5), overdue notice (6), link test (7), link test answer (8) or relay (9)",
		    (int)e->type);
	else if (check_name(K_ORIGIN, e->origin, sizeof(e->origin), err) != 0 ||
	    check_seq(K_SEQ, e->seq, err) != 0)
		rc = -1;
	else if (e->time_ms < 0 || e->time_ms > TIME_MAX_MS)
		field_err(err, K_TIME, "%" PRId64 " ms is outside 1970 to 9999", e->time_ms);
	else if (e->narrow && e->time_ms % 1000 != 0)
		field_err(err, K_TIME, "%" PRId64 " ms is not a whole second (the narrow form "
		    "carries seconds)", e->time_ms);
	else
		rc = 0;
	return rc;
}

static int validate_message(const struct lia_entry *e, char *err)
{
	int rc = -1;

	if (check_name(K_TO, e->to, sizeof(e->to), err) != 0)
		rc = -1;
	else if ((unsigned)e->precedence > LIA_ROUTINE)
		field_err(err, K_PRECEDENCE, "%u is not 0 (FLASH) to 3 (ROUTINE)",
		    (unsigned)e->precedence);
	else if (memchr(e->lang, '\0', sizeof(e->lang)) == NULL || !lia_lang_valid(e->lang))
		field_err(err, K_LANG, "\"%.*s\" is not a BCP 47 language tag", LIA_LANG_MAX, e->lang);
	else if (check_text(K_TEXT, e->text, LIA_TEXT_MAX + 1, LIA_TEXT_MAX, err) != 0)
		rc = -1;
	else if (e->sender_operator[0] == '\0')
		rc = 0;  /* no sender named: optional, and absent from entries made before key 32 */
	else if (check_text(K_SENDER, e->sender_operator, sizeof(e->sender_operator),
	    LIA_OPERATOR_MAX, err) == 0)
		rc = check_no_controls(K_SENDER, (const uint8_t *)e->sender_operator,
		    strlen(e->sender_operator), err);
	return rc;
}

static int validate_reference(const struct lia_entry *e, char *err)
{
	int rc = -1;

	if (check_name(K_REF_ORIGIN, e->ref_origin, sizeof(e->ref_origin), err) != 0 ||
	    check_seq(K_REF_SEQ, e->ref_seq, err) != 0)
		rc = -1;
	else if (e->type != LIA_ENTRY_ACK)
		rc = 0;
	else if (check_text(K_OPERATOR, e->operator_name, sizeof(e->operator_name),
	    LIA_OPERATOR_MAX, err) == 0)
		rc = check_no_controls(K_OPERATOR, (const uint8_t *)e->operator_name,
		    strlen(e->operator_name), err);
	return rc;
}

/* A catalogue code's form: 1 to LIA_SIGNAL_CODE_MAX of [A-Z0-9-] (docs/signals.md). */
static int code_valid(const char *code, size_t size)
{
	size_t len = strnlen(code, size);
	int ok = len > 0 && len <= LIA_SIGNAL_CODE_MAX && len < size;

	for (size_t i = 0; ok && i < len; i++)
		ok = (code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9') ||
		    code[i] == '-';
	return ok;
}

static int validate_one_signal(const struct lia_entry_signal *sg, size_t i, char *err)
{
	int rc = 0;

	if (sg->number > LIA_SIGNAL_NUMBER_MAX)
		return field_err(err, K_SIGNALS, "signal %zu: number %u is not 1 to %d", i,
		    sg->number, LIA_SIGNAL_NUMBER_MAX);
	if ((sg->number == 0 || sg->code[0] != '\0') && !code_valid(sg->code, sizeof(sg->code)))
		return field_err(err, K_SIGNALS, "signal %zu: code \"%.*s\" is not 1 to %d of [A-Z0-9-]",
		    i, LIA_SIGNAL_CODE_MAX, sg->code, LIA_SIGNAL_CODE_MAX);
	if (sg->nparams > LIA_SIGNAL_PARAMS_MAX)
		return field_err(err, K_SIGNALS, "signal %zu (%s): %zu parameters, more than %d", i,
		    sg->code, sg->nparams, LIA_SIGNAL_PARAMS_MAX);
	for (size_t j = 0; j < sg->nparams && rc == 0; j++) {
		const char *v = sg->params[j];
		size_t len = strnlen(v, sizeof(sg->params[j]));

		if (sg->is_num[j])
			continue; /* any uint32 travels; its meaning is the catalogue's */
		if (len == 0 || len == sizeof(sg->params[j]))
			rc = field_err(err, K_SIGNALS, "signal %zu (%s): parameter %zu is empty or "
			    "longer than %d bytes", i, sg->code, j, LIA_SIGNAL_VALUE_MAX);
		else if (check_utf8(K_SIGNALS, (const uint8_t *)v, len, err) != 0 ||
		    check_no_controls(K_SIGNALS, (const uint8_t *)v, len, err) != 0)
			rc = -1;
	}
	return rc;
}

static int validate_signal(const struct lia_entry *e, char *err)
{
	int rc = 0;

	if (e->to[0] != '\0' && check_name(K_TO, e->to, sizeof(e->to), err) != 0)
		return -1;
	if (e->nsignals < 1 || e->nsignals > LIA_ENTRY_SIGNALS_MAX)
		return field_err(err, K_SIGNALS, "%zu signals, not 1 to %d", e->nsignals,
		    LIA_ENTRY_SIGNALS_MAX);
	for (size_t i = 0; i < e->nsignals && rc == 0; i++)
		rc = validate_one_signal(&e->signals[i], i, err);
	if (rc == 0 && (e->lat < -LIA_LAT_MAX || e->lat > LIA_LAT_MAX ||
	    e->lon < -LIA_LON_MAX || e->lon > LIA_LON_MAX))
		rc = field_err(err, K_POSITION, "%" PRId32 ",%" PRId32 " is outside -%d..%d, -%d..%d "
		    "(1e-5 degree)", e->lat, e->lon, LIA_LAT_MAX, LIA_LAT_MAX, LIA_LON_MAX, LIA_LON_MAX);
	return rc;
}

/* Bounded text without control characters (an incident's title, reason or note). */
static int check_line(enum entry_key k, const char *s, size_t size, size_t max, char *err)
{
	if (check_text(k, s, size, max, err) != 0)
		return -1;
	return check_no_controls(k, (const uint8_t *)s, strlen(s), err);
}

static int validate_ref(enum entry_key k, const char *origin, size_t size, uint64_t seq,
    char *err)
{
	return check_name(k, origin, size, err) != 0 || check_seq(k, seq, err) != 0 ? -1 : 0;
}

static int validate_incident(const struct lia_entry *e, char *err)
{
	field_mask optional = 0, fields = incident_fields(e->action, &optional) | optional;

	if (check_name(K_TO, e->to, sizeof(e->to), err) != 0)
		return -1;
	if (fields == 0)
		return field_err(err, K_ACTION, "%u is not open (0), attach (1), propose (2), "
		    "confirm (3) or note (4)", (unsigned)e->action);
	if ((fields & BIT(K_INCIDENT)) &&
	    validate_ref(K_INCIDENT, e->inc_origin, sizeof(e->inc_origin), e->inc_seq, err) != 0)
		return -1;
	if ((fields & BIT(K_INC_TEXT)) &&
	    check_line(K_INC_TEXT, e->inc_text, sizeof(e->inc_text), LIA_INCIDENT_TEXT_MAX, err) != 0)
		return -1;
	if ((fields & BIT(K_STATE)) && e->state != LIA_STATE_CONTAINED && e->state != LIA_STATE_CLOSED)
		return field_err(err, K_STATE, "%u is not contained (1) or closed (2)",
		    (unsigned)e->state);
	if (e->has_position && !(optional & BIT(K_POSITION)))
		return field_err(err, K_POSITION, "not allowed in an incident %s",
		    lia_incident_action_name(e->action));
	if (e->subj_origin[0] != '\0' && !(fields & BIT(K_SUBJECT)))
		return field_err(err, K_SUBJECT, "not allowed in an incident %s",
		    lia_incident_action_name(e->action));
	if ((entry_fields(e) & BIT(K_SUBJECT)) && validate_ref(K_SUBJECT, e->subj_origin,
	    sizeof(e->subj_origin), e->subj_seq, err) != 0)
		return -1;
	if (e->has_position && (e->lat < -LIA_LAT_MAX || e->lat > LIA_LAT_MAX ||
	    e->lon < -LIA_LON_MAX || e->lon > LIA_LON_MAX))
		return field_err(err, K_POSITION, "%" PRId32 ",%" PRId32 " is outside the WGS84 "
		    "range (1e-5 degree)", e->lat, e->lon);
	return 0;
}

/* A notice is about one of its origin's own messages, late at another node. */
static int validate_overdue(const struct lia_entry *e, char *err)
{
	int rc = -1;

	if (validate_reference(e, err) != 0 ||
	    check_name(K_LATE_NODE, e->late_node, sizeof(e->late_node), err) != 0)
		rc = -1;
	else if (strcmp(e->ref_origin, e->origin) != 0)
		field_err(err, K_REF_ORIGIN, "%s is not the notice's origin %s", e->ref_origin,
		    e->origin);
	else if (strcmp(e->late_node, e->origin) == 0)
		field_err(err, K_LATE_NODE, "%s is the notice's origin", e->late_node);
	else if ((unsigned)e->precedence > LIA_ROUTINE)
		field_err(err, K_PRECEDENCE, "%u is not 0 (FLASH) to 3 (ROUTINE)",
		    (unsigned)e->precedence);
	else if (e->deadline != LIA_DEADLINE_RECEIPT && e->deadline != LIA_DEADLINE_ACK)
		field_err(err, K_DEADLINE, "%d is not 0 (receipt) or 1 (ack)", (int)e->deadline);
	else if (e->step > LIA_OVERDUE_STEP_MAX)
		field_err(err, K_STEP, "%" PRIu32 " is more than %d", e->step, LIA_OVERDUE_STEP_MAX);
	else if (e->late_s > LIA_OVERDUE_LATE_MAX)
		field_err(err, K_LATE, "%" PRIu64 " s is more than 100 years", e->late_s);
	else if (e->due_ms < 0 || e->due_ms > TIME_MAX_MS)
		field_err(err, K_DUE, "%" PRId64 " ms is outside 1970 to 9999", e->due_ms);
	else
		rc = 0;
	return rc;
}

static int validate_relay(const struct lia_entry *e, char *err)
{
	int rc = 0;

	if (e->inner == NULL || e->inner_len < 1 || e->inner_len > RELAY_INNER_MAX)
		rc = field_err(err, K_RELAY_ENTRY, "%zu bytes, not 1 to %d", e->inner_len,
		    RELAY_INNER_MAX);
	else if (e->inner_cert == NULL || e->inner_cert_len < 1 ||
	    e->inner_cert_len > LIA_RELAY_CERT_MAX)
		rc = field_err(err, K_RELAY_CERT, "%zu bytes, not 1 to %d", e->inner_cert_len,
		    LIA_RELAY_CERT_MAX);
	return rc;
}

int lia_entry_validate(const struct lia_entry *e, char *err)
{
	int rc = validate_common(e, err);

	if (rc == 0 && e->type == LIA_ENTRY_RELAY)
		rc = validate_relay(e, err);
	else if (rc == 0 && e->type == LIA_ENTRY_MESSAGE)
		rc = validate_message(e, err);
	else if (rc == 0 && e->type == LIA_ENTRY_LINKTEST)
		rc = check_name(K_TO, e->to, sizeof(e->to), err);
	else if (rc == 0 && e->type == LIA_ENTRY_LINKTEST_ANSWER &&
	    (e->heard_ms < 0 || e->heard_ms > TIME_MAX_MS))
		rc = field_err(err, K_HEARD, "%" PRId64 " ms is outside 1970 to 9999", e->heard_ms);
	else if (rc == 0 && e->type == LIA_ENTRY_SIGNAL)
		rc = validate_signal(e, err);
	else if (rc == 0 && e->type == LIA_ENTRY_INCIDENT)
		rc = validate_incident(e, err);
	else if (rc == 0 && e->type == LIA_ENTRY_OVERDUE)
		rc = validate_overdue(e, err);
	else if (rc == 0)
		rc = validate_reference(e, err);
	return rc;
}

/* A CBOR integer, major type 0 or 1, in its shortest form. */
static void put_int(struct lia_cbor_out *o, int64_t v)
{
	if (v >= 0)
		lia_cbor_put_uint(o, (uint64_t)v);
	else if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_negint((uint64_t)(-1 - v), o->buf + o->len,
		    o->cap - o->len));
}

static void put_array_start(struct lia_cbor_out *o, size_t n)
{
	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_array_start(n, o->buf + o->len, o->cap - o->len));
}

static void put_signals(struct lia_cbor_out *o, const struct lia_entry *e)
{
	put_array_start(o, e->nsignals);
	for (size_t i = 0; i < e->nsignals; i++) {
		const struct lia_entry_signal *sg = &e->signals[i];

		put_array_start(o, 2);
		if (sg->number != 0)
			lia_cbor_put_uint(o, sg->number);
		else
			lia_cbor_put_tstr(o, sg->code);
		put_array_start(o, sg->nparams);
		for (size_t j = 0; j < sg->nparams; j++)
			if (sg->is_num[j])
				lia_cbor_put_uint(o, sg->num[j]);
			else
				lia_cbor_put_tstr(o, sg->params[j]);
	}
}

/* An entry named as [origin, seq]. */
static void put_ref(struct lia_cbor_out *o, const char *origin, uint64_t seq)
{
	put_array_start(o, 2);
	lia_cbor_put_tstr(o, origin);
	lia_cbor_put_uint(o, seq);
}

static void put_bstr32(struct lia_cbor_out *o, const uint8_t b[32])
{
	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_bytestring_start(32, o->buf + o->len,
		    o->cap - o->len));
	lia_cbor_put_raw(o, b, 32);
}

static void put_field(struct lia_cbor_out *o, const struct lia_entry *e, enum entry_key k)
{
	char time[LIA_TIME_LEN];

	lia_cbor_put_uint(o, (uint64_t)k);
	switch (k) {
	case K_TYPE: lia_cbor_put_uint(o, (uint64_t)e->type); break;
	case K_ORIGIN: lia_cbor_put_tstr(o, e->origin); break;
	case K_SEQ: lia_cbor_put_uint(o, e->seq); break;
	case K_TIME:
		if (e->narrow) {
			lia_cbor_put_uint(o, (uint64_t)(e->time_ms / 1000));
			break;
		}
		lia_time_format(e->time_ms, time);
		lia_cbor_put_tstr(o, time);
		break;
	case K_TO: lia_cbor_put_tstr(o, e->to); break;
	case K_PRECEDENCE: lia_cbor_put_uint(o, (uint64_t)e->precedence); break;
	case K_LANG: lia_cbor_put_tstr(o, e->lang); break;
	case K_TEXT: lia_cbor_put_tstr(o, e->text); break;
	case K_REF_ORIGIN: lia_cbor_put_tstr(o, e->ref_origin); break;
	case K_REF_SEQ: lia_cbor_put_uint(o, e->ref_seq); break;
	case K_REF_HASH:
		lia_cbor_out_advance(o, cbor_encode_bytestring_start(32, o->buf + o->len, o->cap - o->len));
		lia_cbor_put_raw(o, e->ref_hash, 32);
		break;
	case K_OPERATOR: lia_cbor_put_tstr(o, e->operator_name); break;
	case K_SENDER: lia_cbor_put_tstr(o, e->sender_operator); break;
	case K_SIGNALS: put_signals(o, e); break;
	case K_POSITION:
		put_array_start(o, 2);
		put_int(o, e->lat);
		put_int(o, e->lon);
		break;
	case K_ACTION: lia_cbor_put_uint(o, (uint64_t)e->action); break;
	case K_INCIDENT: put_ref(o, e->inc_origin, e->inc_seq); break;
	case K_INC_TEXT: lia_cbor_put_tstr(o, e->inc_text); break;
	case K_STATE: lia_cbor_put_uint(o, (uint64_t)e->state); break;
	case K_SUBJECT: put_ref(o, e->subj_origin, e->subj_seq); break;
	case K_SUBJ_HASH: put_bstr32(o, e->subj_hash); break;
	case K_NONCE: lia_cbor_put_uint(o, e->nonce); break;
	case K_HEARD:
		lia_time_format(e->heard_ms, time);
		lia_cbor_put_tstr(o, time);
		break;
	case K_LATE_NODE: lia_cbor_put_tstr(o, e->late_node); break;
	case K_DEADLINE: lia_cbor_put_uint(o, (uint64_t)e->deadline); break;
	case K_STEP: lia_cbor_put_uint(o, e->step); break;
	case K_LATE: lia_cbor_put_uint(o, e->late_s); break;
	case K_DUE:
		lia_time_format(e->due_ms, time);
		lia_cbor_put_tstr(o, time);
		break;
	case K_RELAY_ENTRY: lia_cbor_put_bstr(o, e->inner, e->inner_len); break;
	case K_RELAY_CERT: lia_cbor_put_bstr(o, e->inner_cert, e->inner_cert_len); break;
	case K_COUNT: o->failed = 1; break;
	}
}

/* Encodes a validated entry: its type's fields in ascending key order. */
static int encode_valid(const struct lia_entry *e, struct lia_cbor_out *o)
{
	field_mask fields = entry_fields(e);
	size_t count = 0;

	o->cap = ENTRY_FIXED_MAX + (e->type == LIA_ENTRY_MESSAGE ? strlen(e->text) : 0) +
	    (e->type == LIA_ENTRY_SIGNAL ? e->nsignals * SIGNAL_ENC_MAX : 0) +
	    (e->type == LIA_ENTRY_INCIDENT ? LIA_INCIDENT_TEXT_MAX : 0) +
	    (e->type == LIA_ENTRY_RELAY ? e->inner_len + e->inner_cert_len + 18 : 0);
	o->len = 0;
	o->buf = malloc(o->cap);
	o->failed = o->buf == NULL;
	for (int k = 0; k < K_COUNT; k++)
		count += (fields & BIT(k)) != 0;
	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_map_start(count, o->buf, o->cap));
	for (int k = 0; k < K_COUNT && !o->failed; k++)
		if (fields & BIT(k))
			put_field(o, e, (enum entry_key)k);
	return o->failed ? -1 : 0;
}

int lia_entry_encode(const struct lia_entry *e, uint8_t **out, size_t *len, char *err)
{
	struct lia_cbor_out o = {0};
	int rc = -1;

	if (lia_entry_validate(e, err) != 0)
		goto out;
	if (encode_valid(e, &o) != 0) {
		lia_err_set(err, "out of memory encoding an entry");
		goto out;
	}
	*out = o.buf;
	*len = o.len;
	o.buf = NULL;
	rc = 0;
out:
	free(o.buf);
	return rc;
}

/* Puts each map value in slot[key]: keys unsigned, known, once each, ascending. */
static int collect_fields(const cbor_item_t *map, const cbor_item_t *slot[K_COUNT], char *err)
{
	struct cbor_pair *pairs;
	uint64_t k = 0, prev = 0;
	int rc = -1;

	if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) {
		lia_err_set(err, "entry payload is not a CBOR map");
		goto out;
	}
	pairs = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++, prev = k) {
		if (!cbor_isa_uint(pairs[i].key)) {
			lia_err_set(err, "entry map key %zu is not an unsigned integer", i);
			goto out;
		}
		k = cbor_get_int(pairs[i].key);
		if (k >= K_COUNT || key_names[k] == NULL) {
			lia_err_set(err, "entry has unknown field %" PRIu64, k);
			goto out;
		}
		if (slot[k] != NULL) {
			field_err(err, (enum entry_key)k, "present twice");
			goto out;
		}
		if (i > 0 && k < prev) {
			field_err(err, (enum entry_key)k, "out of order after field %" PRIu64
			    " (keys must ascend)", prev);
			goto out;
		}
		slot[k] = pairs[i].value;
	}
	rc = 0;
out:
	return rc;
}

static int get_uint(enum entry_key k, const cbor_item_t *v, uint64_t *out, char *err)
{
	int rc = 0;

	if (cbor_isa_uint(v))
		*out = cbor_get_int(v);
	else
		rc = field_err(err, k, "not an unsigned integer");
	return rc;
}

/* A definite text string of at most size - 1 bytes of UTF-8, copied with its NUL. */
static int get_tstr(enum entry_key k, const cbor_item_t *v, char *dst, size_t size, char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_string(v) || !cbor_string_is_definite(v)) {
		field_err(err, k, "not a text string");
		goto out;
	}
	p = cbor_string_handle(v);
	n = cbor_string_length(v);
	if (n > size - 1) {
		field_err(err, k, "%zu bytes, longer than %zu", n, size - 1);
		goto out;
	}
	if (check_utf8(k, p, n, err) != 0)
		goto out;
	if (n > 0)
		memcpy(dst, p, n);
	dst[n] = '\0';
	rc = 0;
out:
	return rc;
}

static int get_type(const cbor_item_t *slot[K_COUNT], struct lia_entry *e, char *err)
{
	uint64_t t = 0;
	int rc = -1;

	if (slot[K_TYPE] == NULL)
		field_err(err, K_TYPE, "missing");
	else if (get_uint(K_TYPE, slot[K_TYPE], &t, err) != 0)
		rc = -1;
	else if (t > 31 || type_fields((enum lia_entry_type)t) == 0)
		field_err(err, K_TYPE, "%" PRIu64 " is not message (1), receipt (2), ack (3), "
		    "signal (4), incident (5), overdue notice (6), link test (7), link test "
		    "answer (8) or relay (9)", t);
	else
		rc = 0;
	if (rc == 0)
		e->type = (enum lia_entry_type)t;
	return rc;
}

/* An incident's action, read before membership is checked: 0, or -1 with err. */
static int get_action(const cbor_item_t *slot[K_COUNT], field_mask *required, field_mask *optional,
    char *err)
{
	uint64_t a = 0;

	if (slot[K_ACTION] == NULL)
		return field_err(err, K_ACTION, "missing from an incident");
	if (get_uint(K_ACTION, slot[K_ACTION], &a, err) != 0)
		return -1;
	if (a > LIA_INCIDENT_NOTE)
		return field_err(err, K_ACTION, "%" PRIu64 " is not open (0), attach (1), propose (2), "
		    "confirm (3) or note (4)", a);
	*required |= incident_fields((enum lia_incident_action)a, optional);
	return 0;
}

/* Every field of the type (and an incident's action) is present, optional ones in pairs, and no other. */
static int check_membership(enum lia_entry_type t, const cbor_item_t *slot[K_COUNT], char *err)
{
	field_mask fields = type_fields(t), optional = 0;
	int rc = 0;

	if (t == LIA_ENTRY_INCIDENT && get_action(slot, &fields, &optional, err) != 0)
		return -1;
	if ((slot[K_SUBJECT] == NULL) != (slot[K_SUBJ_HASH] == NULL))
		return field_err(err, K_SUBJECT, "subject and subject-hash go together");
	for (int k = 0; k < K_COUNT && rc == 0; k++) {
		if (slot[k] != NULL && (optional & BIT(k)))
			continue;
		if (slot[k] != NULL && !(fields & BIT(k)))
			rc = field_err(err, (enum entry_key)k, "not allowed in a %s",
			    lia_entry_type_name(t));
		else if (slot[k] == NULL && (fields & BIT(k)) && !(optional_fields(t) & BIT(k)))
			rc = field_err(err, (enum entry_key)k, "missing from a %s",
			    lia_entry_type_name(t));
	}
	return rc;
}

/* Key 3 as uint seconds (the narrow form): sets *narrow. */
static int get_time_seconds(const cbor_item_t *v, int64_t *ms, int *narrow, char *err)
{
	uint64_t sec = cbor_get_int(v);

	if (sec > (uint64_t)(TIME_MAX_MS / 1000))
		return field_err(err, K_TIME, "%" PRIu64 " seconds is after 9999", sec);
	*ms = (int64_t)sec * 1000;
	*narrow = 1;
	return 0;
}

/*
 * A time: RFC 3339 text with milliseconds, or (key 3 only, narrow not NULL)
 * uint seconds since the epoch (RFC 8949 3.4.2).
 */
static int get_time(enum entry_key k, const cbor_item_t *v, int64_t *ms, int *narrow,
    char *err)
{
	char text[LIA_TIME_LEN], canon[LIA_TIME_LEN], why[LIA_ERR_LEN];
	int rc = -1;

	if (cbor_isa_uint(v) && narrow != NULL)
		return get_time_seconds(v, ms, narrow, err);
	if (get_tstr(k, v, text, sizeof(text), err) != 0)
		goto out;
	if (lia_time_parse(text, ms, why) != 0) {
		field_err(err, k, "%s", why);
		goto out;
	}
	lia_time_format(*ms, canon);
	if (strcmp(text, canon) != 0) {
		field_err(err, k, "\"%s\" is not in the form YYYY-MM-DDTHH:MM:SS.mmmZ", text);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int get_precedence(const cbor_item_t *v, enum lia_precedence *p, char *err)
{
	uint64_t n = 0;
	int rc = get_uint(K_PRECEDENCE, v, &n, err);

	if (rc == 0 && n > LIA_ROUTINE)
		rc = field_err(err, K_PRECEDENCE, "%" PRIu64 " is not 0 (FLASH) to 3 (ROUTINE)", n);
	if (rc == 0)
		*p = (enum lia_precedence)n;
	return rc;
}

static int get_text(const cbor_item_t *v, char **text, char *err)
{
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
		field_err(err, K_TEXT, "not a text string");
	else if ((n = cbor_string_length(v)) > LIA_TEXT_MAX)
		field_err(err, K_TEXT, "%zu bytes, longer than %d", n, LIA_TEXT_MAX);
	else if ((*text = malloc(n + 1)) == NULL)
		lia_err_set(err, "out of memory decoding an entry text of %zu bytes", n);
	else
		rc = get_tstr(K_TEXT, v, *text, n + 1, err);
	return rc;
}

/* A definite byte string of 1 to max bytes, copied into *out (malloc'd). */
static int get_bytes(enum entry_key k, const cbor_item_t *v, size_t max, uint8_t **out,
    size_t *len, char *err)
{
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		field_err(err, k, "not a byte string");
	else if ((n = cbor_bytestring_length(v)) < 1 || n > max)
		field_err(err, k, "%zu bytes, not 1 to %zu", n, max);
	else if ((*out = malloc(n)) == NULL)
		lia_err_set(err, "out of memory decoding %zu bytes", n);
	else
		rc = 0;
	if (rc == 0) {
		memcpy(*out, cbor_bytestring_handle(v), n);
		*len = n;
	}
	return rc;
}

static int get_hash_of(enum entry_key k, const cbor_item_t *v, uint8_t hash[static 32], char *err)
{
	int rc = 0;

	if (cbor_isa_bytestring(v) && cbor_bytestring_is_definite(v) &&
	    cbor_bytestring_length(v) == 32)
		memcpy(hash, cbor_bytestring_handle(v), 32);
	else
		rc = field_err(err, k, "not a byte string of 32 bytes");
	return rc;
}

static int get_hash(const cbor_item_t *v, uint8_t hash[static 32], char *err)
{
	return get_hash_of(K_REF_HASH, v, hash, err);
}

/* A definite array of n items (1 <= n <= max, or 0 allowed when min is 0) into *items. */
static int get_array(enum entry_key k, const cbor_item_t *v, size_t min, size_t max,
    const char *what, cbor_item_t ***items, size_t *n, char *err)
{
	int rc = -1;

	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		field_err(err, k, "%s is not an array", what);
	else if ((*n = cbor_array_size(v)) < min || *n > max)
		field_err(err, k, "%s has %zu items, not %zu to %zu", what, *n, min, max);
	else
		rc = 0;
	if (rc == 0)
		*items = cbor_array_handle(v);
	return rc;
}

/* A signal's code: text, or a uint catalogue number 1..LIA_SIGNAL_NUMBER_MAX. */
static int get_signal_code(const cbor_item_t *v, struct lia_entry_signal *sg, char *err)
{
	uint64_t n = 0;

	if (!cbor_isa_uint(v))
		return get_tstr(K_SIGNALS, v, sg->code, sizeof(sg->code), err);
	n = cbor_get_int(v);
	if (n < 1 || n > LIA_SIGNAL_NUMBER_MAX)
		return field_err(err, K_SIGNALS, "signal number %" PRIu64 " is not 1 to %d", n,
		    LIA_SIGNAL_NUMBER_MAX);
	sg->number = (unsigned)n;
	return 0;
}

/* Value j of a signal: text, or a uint of at most 32 bits. */
static int get_signal_value(const cbor_item_t *v, struct lia_entry_signal *sg, size_t j, char *err)
{
	uint64_t n = 0;

	if (!cbor_isa_uint(v))
		return get_tstr(K_SIGNALS, v, sg->params[j], sizeof(sg->params[j]), err);
	n = cbor_get_int(v);
	if (n > UINT32_MAX)
		return field_err(err, K_SIGNALS, "signal parameter %zu: %" PRIu64 " is larger than "
		    "%" PRIu32, j, n, UINT32_MAX);
	sg->is_num[j] = 1;
	sg->num[j] = (uint32_t)n;
	return 0;
}

static int get_one_signal(const cbor_item_t *v, struct lia_entry_signal *sg, char *err)
{
	cbor_item_t **pair = NULL, **params = NULL;
	size_t n = 0;
	int rc = -1;

	if (get_array(K_SIGNALS, v, 2, 2, "a signal", &pair, &n, err) != 0 ||
	    get_signal_code(pair[0], sg, err) != 0 ||
	    get_array(K_SIGNALS, pair[1], 0, LIA_SIGNAL_PARAMS_MAX, "a signal's parameters",
	    &params, &sg->nparams, err) != 0)
		goto out;
	for (size_t j = 0; j < sg->nparams; j++)
		if (get_signal_value(params[j], sg, j, err) != 0)
			goto out;
	rc = 0;
out:
	return rc;
}

static int get_signals(const cbor_item_t *v, struct lia_entry *e, char *err)
{
	cbor_item_t **items = NULL;
	int rc = get_array(K_SIGNALS, v, 1, LIA_ENTRY_SIGNALS_MAX, "signals", &items,
	    &e->nsignals, err);

	for (size_t i = 0; i < e->nsignals && rc == 0; i++)
		rc = get_one_signal(items[i], &e->signals[i], err);
	return rc;
}

/* An integer within -max..max. */
static int get_coord(const cbor_item_t *v, int32_t max, int32_t *out, char *err)
{
	uint64_t u = 0;
	int rc = -1;

	if (!cbor_isa_uint(v) && !cbor_isa_negint(v))
		field_err(err, K_POSITION, "a coordinate is not an integer");
	else if ((u = cbor_get_int(v)) > (uint64_t)max - cbor_isa_negint(v))
		field_err(err, K_POSITION, "a coordinate is outside -%" PRId32 "..%" PRId32, max, max);
	else
		rc = 0;
	if (rc == 0)
		*out = cbor_isa_negint(v) ? (int32_t)(-1 - (int64_t)u) : (int32_t)u;
	return rc;
}

static int get_position(const cbor_item_t *v, struct lia_entry *e, char *err)
{
	cbor_item_t **items = NULL;
	size_t n = 0;

	if (get_array(K_POSITION, v, 2, 2, "position", &items, &n, err) != 0 ||
	    get_coord(items[0], LIA_LAT_MAX, &e->lat, err) != 0 ||
	    get_coord(items[1], LIA_LON_MAX, &e->lon, err) != 0)
		return -1;
	return 0;
}

/* An entry named as [origin, seq]. */
static int get_ref(enum entry_key k, const cbor_item_t *v, char origin[LIA_NAME_MAX + 1],
    uint64_t *seq, char *err)
{
	cbor_item_t **items = NULL;
	size_t n = 0;

	if (get_array(k, v, 2, 2, "an entry id", &items, &n, err) != 0 ||
	    get_tstr(k, items[0], origin, LIA_NAME_MAX + 1, err) != 0 ||
	    get_uint(k, items[1], seq, err) != 0)
		return -1;
	return 0;
}

static int get_incident_field(enum entry_key k, const cbor_item_t *v, struct lia_entry *e,
    char *err)
{
	uint64_t u = 0;
	int rc = 0;

	switch (k) {
	case K_ACTION:
	case K_STATE:
		rc = get_uint(k, v, &u, err);
		if (rc == 0 && u > LIA_STATE_CLOSED + (k == K_ACTION ? 2u : 0u))
			rc = field_err(err, k, "%" PRIu64 " is out of range", u);
		if (rc == 0 && k == K_ACTION)
			e->action = (enum lia_incident_action)u;
		else if (rc == 0)
			e->state = (enum lia_incident_state)u;
		break;
	case K_INCIDENT: rc = get_ref(k, v, e->inc_origin, &e->inc_seq, err); break;
	case K_INC_TEXT: rc = get_tstr(k, v, e->inc_text, sizeof(e->inc_text), err); break;
	case K_SUBJECT: rc = get_ref(k, v, e->subj_origin, &e->subj_seq, err); break;
	case K_SUBJ_HASH: rc = get_hash_of(k, v, e->subj_hash, err); break;
	default: break;
	}
	return rc;
}

/* An unsigned integer of at most max. */
static int get_small(enum entry_key k, const cbor_item_t *v, uint64_t max, uint64_t *out,
    char *err)
{
	int rc = get_uint(k, v, out, err);

	if (rc == 0 && *out > max)
		rc = field_err(err, k, "%" PRIu64 " is more than %" PRIu64, *out, max);
	if (rc != 0)
		*out = 0;
	return rc;
}

static int get_field(enum entry_key k, const cbor_item_t *v, struct lia_entry *e, char *err)
{
	uint64_t u = 0;
	int rc = 0;

	switch (k) {
	case K_ORIGIN: rc = get_tstr(k, v, e->origin, sizeof(e->origin), err); break;
	case K_SEQ: rc = get_uint(k, v, &e->seq, err); break;
	case K_TIME: rc = get_time(k, v, &e->time_ms, &e->narrow, err); break;
	case K_TO: rc = get_tstr(k, v, e->to, sizeof(e->to), err); break;
	case K_PRECEDENCE: rc = get_precedence(v, &e->precedence, err); break;
	case K_LANG: rc = get_tstr(k, v, e->lang, sizeof(e->lang), err); break;
	case K_TEXT: rc = get_text(v, &e->text, err); break;
	case K_REF_ORIGIN: rc = get_tstr(k, v, e->ref_origin, sizeof(e->ref_origin), err); break;
	case K_REF_SEQ: rc = get_uint(k, v, &e->ref_seq, err); break;
	case K_REF_HASH: rc = get_hash(v, e->ref_hash, err); break;
	case K_OPERATOR:
		rc = get_tstr(k, v, e->operator_name, sizeof(e->operator_name), err);
		break;
	case K_SENDER:
		rc = get_tstr(k, v, e->sender_operator, sizeof(e->sender_operator), err);
		break;
	case K_SIGNALS: rc = get_signals(v, e, err); break;
	case K_POSITION:
		rc = get_position(v, e, err);
		e->has_position = e->type == LIA_ENTRY_INCIDENT;
		break;
	case K_ACTION: case K_INCIDENT: case K_INC_TEXT: case K_STATE: case K_SUBJECT:
	case K_SUBJ_HASH:
		rc = get_incident_field(k, v, e, err);
		break;
	case K_LATE_NODE: rc = get_tstr(k, v, e->late_node, sizeof(e->late_node), err); break;
	case K_DEADLINE: rc = get_small(k, v, 1, &u, err); e->deadline = (enum lia_deadline_kind)u; break;
	case K_STEP: rc = get_small(k, v, LIA_OVERDUE_STEP_MAX, &u, err); e->step = (uint32_t)u; break;
	case K_LATE: rc = get_small(k, v, LIA_OVERDUE_LATE_MAX, &e->late_s, err); break;
	case K_DUE: rc = get_time(k, v, &e->due_ms, NULL, err); break;
	case K_NONCE: rc = get_uint(k, v, &e->nonce, err); break;
	case K_HEARD: rc = get_time(k, v, &e->heard_ms, NULL, err); break;
	case K_RELAY_ENTRY:
		rc = get_bytes(k, v, RELAY_INNER_MAX, &e->inner, &e->inner_len, err);
		break;
	case K_RELAY_CERT:
		rc = get_bytes(k, v, LIA_RELAY_CERT_MAX, &e->inner_cert, &e->inner_cert_len, err);
		break;
	case K_TYPE: case K_COUNT: break;
	}
	return rc;
}

/* Refuses any byte form but the one lia_entry_encode makes (shortest integer heads). */
static int check_deterministic(const struct lia_entry *e, const uint8_t *buf, size_t len,
    char *err)
{
	struct lia_cbor_out o = {0};
	int rc = -1;

	if (encode_valid(e, &o) != 0 || o.len != len || memcmp(o.buf, buf, len) != 0) {
		lia_err_set(err, "entry payload is not in deterministic CBOR encoding");
		goto out;
	}
	rc = 0;
out:
	free(o.buf);
	return rc;
}

/* One item head seen by name_bad_text. */
struct probe {
	enum { PROBE_SCALAR, PROBE_UINT, PROBE_TEXT, PROBE_STOP } kind;
	uint64_t value;
	const uint8_t *text;
	size_t text_len;
};

static void probe_uint(void *ctx, uint64_t v)
{
	struct probe *p = ctx;

	p->kind = PROBE_UINT;
	p->value = v;
}

static void probe_uint8(void *ctx, uint8_t v)
{
	probe_uint(ctx, v);
}

static void probe_uint16(void *ctx, uint16_t v)
{
	probe_uint(ctx, v);
}

static void probe_uint32(void *ctx, uint32_t v)
{
	probe_uint(ctx, v);
}

static void probe_stop(void *ctx)
{
	((struct probe *)ctx)->kind = PROBE_STOP;
}

static void probe_open(void *ctx, size_t n)
{
	(void)n;
	probe_stop(ctx);
}

static void probe_tag(void *ctx, uint64_t v)
{
	(void)v;
	probe_stop(ctx);
}

static void probe_text(void *ctx, cbor_data data, size_t len)
{
	struct probe *p = ctx;

	p->kind = PROBE_TEXT;
	p->text = data;
	p->text_len = len;
}

/* Decodes the head at *pos (a scalar, a whole string, or the start of a container). */
static int probe_head(const uint8_t *buf, size_t len, size_t *pos, struct probe *p)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result r = {0};
	int rc = -1;

	cb.uint8 = probe_uint8;
	cb.uint16 = probe_uint16;
	cb.uint32 = probe_uint32;
	cb.uint64 = probe_uint;
	cb.string = probe_text;
	cb.array_start = probe_open;
	cb.map_start = probe_open;
	cb.tag = probe_tag;
	cb.indef_array_start = cb.indef_map_start = probe_stop;
	cb.byte_string_start = cb.string_start = cb.indef_break = probe_stop;
	memset(p, 0, sizeof(*p));
	if (*pos < len)
		r = cbor_stream_decode(buf + *pos, len - *pos, &cb, p);
	if (*pos < len && r.status == CBOR_DECODER_FINISHED) {
		*pos += r.read;
		rc = 0;
	}
	return rc;
}

/*
 * After a failed load: when a text value of a known field in the top-level
 * map is not UTF-8, rewrite err to name the field and the offset in it.
 */
static void name_bad_text(const uint8_t *buf, size_t len, char *err)
{
	struct probe p;
	uint64_t key = K_COUNT;
	size_t pos = 0, bad = 0;
	int more, found = 0;

	/* The first head must open the map; its pairs follow as key, value, key, ... */
	more = probe_head(buf, len, &pos, &p) == 0 && p.kind == PROBE_STOP;
	for (size_t i = 0; more && !found; i++) {
		more = probe_head(buf, len, &pos, &p) == 0 && p.kind != PROBE_STOP;
		if (more && i % 2 == 0) {
			key = p.kind == PROBE_UINT ? p.value : K_COUNT;
		} else if (more && p.kind == PROBE_TEXT && key < K_COUNT && key_names[key] != NULL) {
			bad = lia_utf8_error_offset(p.text, p.text_len);
			found = bad < p.text_len;
		}
	}
	if (found)
		field_err(err, (enum entry_key)key, "invalid UTF-8 at byte %zu", bad);
}

static int decode_map(const cbor_item_t *map, struct lia_entry *e, char *err)
{
	const cbor_item_t *slot[K_COUNT] = {0};
	int rc = -1;

	if (collect_fields(map, slot, err) == 0 && get_type(slot, e, err) == 0 &&
	    check_membership(e->type, slot, err) == 0)
		rc = 0;
	for (int k = K_ORIGIN; k < K_COUNT && rc == 0; k++)
		if (slot[k] != NULL)
			rc = get_field((enum entry_key)k, slot[k], e, err);
	return rc;
}

int lia_entry_decode(const uint8_t *buf, size_t len, struct lia_entry *e, char *err)
{
	cbor_item_t *map = NULL;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (len > LIA_COSE_MAX) {
		lia_err_set(err, "entry payload of %zu bytes exceeds the limit of %d bytes", len,
		    LIA_COSE_MAX);
		goto out;
	}
	map = lia_cose_cbor_load(buf, len, ENTRY_DEPTH, "entry payload", err);
	if (map == NULL)
		name_bad_text(buf, len, err);
	if (map == NULL || decode_map(map, e, err) != 0 || lia_entry_validate(e, err) != 0 ||
	    check_deterministic(e, buf, len, err) != 0)
		goto out;
	rc = 0;
out:
	if (map != NULL)
		cbor_decref(&map);
	if (rc != 0)
		lia_entry_finish(e);
	return rc;
}

int lia_entry_sign(const struct lia_entry *e, EVP_PKEY *key, uint8_t **cose,
    size_t *cose_len, char *err)
{
	uint8_t *payload = NULL;
	size_t len;
	int rc = -1;

	if (lia_entry_encode(e, &payload, &len, err) != 0 ||
	    lia_cose_sign(key, e->narrow ? NULL : e->origin, payload, len, cose, cose_len, err) != 0)
		goto out;
	rc = 0;
out:
	free(payload);
	return rc;
}

/* Decodes a parsed COSE's payload into e and checks that its signer is its origin. */
static int open_payload(const struct lia_cose *c, struct lia_entry *e, char *err)
{
	int rc = -1;

	if (lia_entry_decode(c->payload, c->payload_len, e, err) != 0)
		goto out;
	if (c->kid[0] != '\0' && strcmp(c->kid, e->origin) != 0) {
		lia_err_set(err, "entry claims origin %s but is signed as %s", e->origin, c->kid);
		lia_entry_finish(e);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_entry_open(const uint8_t *cose, size_t cose_len, struct lia_entry *e, char *err)
{
	struct lia_cose c;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (lia_cose_parse(cose, cose_len, &c, err) != 0)
		goto out;
	rc = open_payload(&c, e, err);
out:
	lia_cose_finish(&c);
	return rc;
}

int lia_entry_verify(const uint8_t *cose, size_t cose_len, EVP_PKEY *pub,
    struct lia_entry *e, char *err)
{
	struct lia_cose c;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (lia_cose_parse(cose, cose_len, &c, err) != 0 || lia_cose_verify(&c, pub, err) != 0)
		goto out;
	rc = open_payload(&c, e, err);
out:
	lia_cose_finish(&c);
	return rc;
}

/*
 * The origin is checked before the signature on purpose: an entry claiming
 * another node but signed with the peer's own key would verify under
 * peer_key, so only the origin check refuses that forgery.
 */
int lia_entry_open_from(const uint8_t *cose, size_t cose_len, const char *peer,
    EVP_PKEY *peer_key, struct lia_entry *e, char *err)
{
	char why[LIA_ERR_LEN];

	if (lia_entry_open(cose, cose_len, e, why) < 0) {
		lia_err_set(err, "malformed entry from %s: %s", peer, why);
		return -1;
	}
	if (strcmp(e->origin, peer) != 0) {
		lia_err_set(err, "entry %s/%" PRIu64 " is signed as %s but arrived on the link with %s",
		    e->origin, e->seq, e->origin, peer);
		return -1;
	}
	lia_entry_finish(e);
	if (lia_entry_verify(cose, cose_len, peer_key, e, why) < 0) {
		lia_err_set(err, "entry from %s fails its signature check (altered or forged): %s",
		    peer, why);
		return -1;
	}
	return 0;
}

void lia_entry_finish(struct lia_entry *e)
{
	if (e == NULL)
		return;
	free(e->text);
	free(e->inner);
	free(e->inner_cert);
	memset(e, 0, sizeof(*e));
}
