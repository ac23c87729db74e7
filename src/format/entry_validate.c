/*
 * entry_validate.c - lia_entry_validate: every field of a struct lia_entry
 * checked for its type before it is encoded or after it is decoded (names,
 * language tags, UTF-8 text without controls and its lengths, precedence,
 * signals against their shape, positions, incident and overdue fields).
 * Assumes nothing of the struct: it may come from a peer's payload.
 */
#include "entry_internal.h"
#include "err.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Refuses a control (C0, DEL, C1) or a bidi override or isolate: what lia_text_sanitize replaces. */
static int check_no_controls(enum entry_key k, const uint8_t *p, size_t len, char *err)
{
	size_t at = lia_text_unsafe_offset((const char *)p, len, 0);

	return at < len ? lia_entry_fields_err(err, k, "control character at byte %zu", at) : 0;
}

/* Bounded text from a struct: 1..max bytes of UTF-8 held in a buffer of size bytes. */
static int check_text(enum entry_key k, const char *s, size_t size, size_t max, char *err)
{
	size_t len = s == NULL ? 0 : strnlen(s, size);
	int rc = -1;

	if (s == NULL)
		lia_entry_fields_err(err, k, "missing");
	else if (len == 0)
		lia_entry_fields_err(err, k, "empty");
	else if (len == size || len > max)
		lia_entry_fields_err(err, k, "longer than %zu bytes", max);
	else
		rc = lia_entry_fields_utf8(k, (const uint8_t *)s, len, err);
	return rc;
}

static int check_name(enum entry_key k, const char *s, size_t size, char *err)
{
	int rc = -1;

	if (memchr(s, '\0', size) == NULL)
		lia_entry_fields_err(err, k, "not NUL-terminated");
	else if (!lia_name_valid(s))
		lia_entry_fields_err(err, k, "\"%s\" is not a valid name ([a-z0-9-], 1 to %d)", s, LIA_NAME_MAX);
	else
		rc = 0;
	return rc;
}

static int check_seq(enum entry_key k, uint64_t seq, char *err)
{
	int rc = 0;

	if (seq < 1 || seq > SEQ_MAX)
		rc = lia_entry_fields_err(err, k, "%" PRIu64 " is not between 1 and %" PRIu64, seq, SEQ_MAX);
	return rc;
}

static int validate_common(const struct lia_entry *e, char *err)
{
	int rc = -1;

	if (lia_entry_fields_type(e->type) == 0)
		lia_entry_fields_err(err, K_TYPE, "%d is not message (1), receipt (2), ack (3), signal (4), "
		    "incident (5), overdue notice (6), link test (7), link test answer (8) or relay (9)",
		    (int)e->type);
	else if (check_name(K_ORIGIN, e->origin, sizeof(e->origin), err) != 0 ||
	    check_seq(K_SEQ, e->seq, err) != 0)
		rc = -1;
	else if (e->time_ms < 0 || e->time_ms > TIME_MAX_MS)
		lia_entry_fields_err(err, K_TIME, "%" PRId64 " ms is outside 1970 to 9999", e->time_ms);
	else if (e->narrow && e->time_ms % 1000 != 0)
		lia_entry_fields_err(err, K_TIME, "%" PRId64 " ms is not a whole second (the narrow form "
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
		lia_entry_fields_err(err, K_PRECEDENCE, "%u is not 0 (FLASH) to 3 (ROUTINE)",
		    (unsigned)e->precedence);
	else if (memchr(e->lang, '\0', sizeof(e->lang)) == NULL || !lia_lang_valid(e->lang))
		lia_entry_fields_err(err, K_LANG, "\"%.*s\" is not a BCP 47 language tag", LIA_LANG_MAX, e->lang);
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
		return lia_entry_fields_err(err, K_SIGNALS, "signal %zu: number %u is not 1 to %d", i,
		    sg->number, LIA_SIGNAL_NUMBER_MAX);
	if ((sg->number == 0 || sg->code[0] != '\0') && !code_valid(sg->code, sizeof(sg->code)))
		return lia_entry_fields_err(err, K_SIGNALS, "signal %zu: code \"%.*s\" is not 1 to %d of [A-Z0-9-]",
		    i, LIA_SIGNAL_CODE_MAX, sg->code, LIA_SIGNAL_CODE_MAX);
	if (sg->nparams > LIA_SIGNAL_PARAMS_MAX)
		return lia_entry_fields_err(err, K_SIGNALS, "signal %zu (%s): %zu parameters, more than %d", i,
		    sg->code, sg->nparams, LIA_SIGNAL_PARAMS_MAX);
	for (size_t j = 0; j < sg->nparams && rc == 0; j++) {
		const char *v = sg->params[j];
		size_t len = strnlen(v, sizeof(sg->params[j]));

		if (sg->is_num[j])
			continue; /* any uint32 travels; its meaning is the catalogue's */
		if (len == 0 || len == sizeof(sg->params[j]))
			rc = lia_entry_fields_err(err, K_SIGNALS, "signal %zu (%s): parameter %zu is empty or "
			    "longer than %d bytes", i, sg->code, j, LIA_SIGNAL_VALUE_MAX);
		else if (lia_entry_fields_utf8(K_SIGNALS, (const uint8_t *)v, len, err) != 0 ||
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
		return lia_entry_fields_err(err, K_SIGNALS, "%zu signals, not 1 to %d", e->nsignals,
		    LIA_ENTRY_SIGNALS_MAX);
	for (size_t i = 0; i < e->nsignals && rc == 0; i++)
		rc = validate_one_signal(&e->signals[i], i, err);
	if (rc == 0 && (e->lat < -LIA_LAT_MAX || e->lat > LIA_LAT_MAX ||
	    e->lon < -LIA_LON_MAX || e->lon > LIA_LON_MAX))
		rc = lia_entry_fields_err(err, K_POSITION, "%" PRId32 ",%" PRId32 " is outside -%d..%d, -%d..%d "
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
	field_mask optional = 0, fields = lia_entry_fields_incident(e->action, &optional) | optional;

	if (check_name(K_TO, e->to, sizeof(e->to), err) != 0)
		return -1;
	if (fields == 0)
		return lia_entry_fields_err(err, K_ACTION, "%u is not open (0), attach (1), propose (2), "
		    "confirm (3) or note (4)", (unsigned)e->action);
	if ((fields & BIT(K_INCIDENT)) &&
	    validate_ref(K_INCIDENT, e->inc_origin, sizeof(e->inc_origin), e->inc_seq, err) != 0)
		return -1;
	if ((fields & BIT(K_INC_TEXT)) &&
	    check_line(K_INC_TEXT, e->inc_text, sizeof(e->inc_text), LIA_INCIDENT_TEXT_MAX, err) != 0)
		return -1;
	if ((fields & BIT(K_STATE)) && e->state != LIA_STATE_CONTAINED && e->state != LIA_STATE_CLOSED)
		return lia_entry_fields_err(err, K_STATE, "%u is not contained (1) or closed (2)",
		    (unsigned)e->state);
	if (e->has_position && !(optional & BIT(K_POSITION)))
		return lia_entry_fields_err(err, K_POSITION, "not allowed in an incident %s",
		    lia_incident_action_name(e->action));
	if (e->subj_origin[0] != '\0' && !(fields & BIT(K_SUBJECT)))
		return lia_entry_fields_err(err, K_SUBJECT, "not allowed in an incident %s",
		    lia_incident_action_name(e->action));
	if ((lia_entry_fields_of(e) & BIT(K_SUBJECT)) && validate_ref(K_SUBJECT, e->subj_origin,
	    sizeof(e->subj_origin), e->subj_seq, err) != 0)
		return -1;
	if (e->has_position && (e->lat < -LIA_LAT_MAX || e->lat > LIA_LAT_MAX ||
	    e->lon < -LIA_LON_MAX || e->lon > LIA_LON_MAX))
		return lia_entry_fields_err(err, K_POSITION, "%" PRId32 ",%" PRId32 " is outside the WGS84 "
		    "range (1e-5 degree)", e->lat, e->lon);
	/* The operator who made it (optional: "" names none, as in entries made before it existed). */
	if (e->operator_name[0] != '\0' && check_line(K_OPERATOR, e->operator_name,
	    sizeof(e->operator_name), LIA_OPERATOR_MAX, err) != 0)
		return -1;
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
		lia_entry_fields_err(err, K_REF_ORIGIN, "%s is not the notice's origin %s", e->ref_origin,
		    e->origin);
	else if (strcmp(e->late_node, e->origin) == 0)
		lia_entry_fields_err(err, K_LATE_NODE, "%s is the notice's origin", e->late_node);
	else if ((unsigned)e->precedence > LIA_ROUTINE)
		lia_entry_fields_err(err, K_PRECEDENCE, "%u is not 0 (FLASH) to 3 (ROUTINE)",
		    (unsigned)e->precedence);
	else if (e->deadline != LIA_DEADLINE_RECEIPT && e->deadline != LIA_DEADLINE_ACK)
		lia_entry_fields_err(err, K_DEADLINE, "%d is not 0 (receipt) or 1 (ack)", (int)e->deadline);
	else if (e->step > LIA_OVERDUE_STEP_MAX)
		lia_entry_fields_err(err, K_STEP, "%" PRIu32 " is more than %d", e->step, LIA_OVERDUE_STEP_MAX);
	else if (e->late_s > LIA_OVERDUE_LATE_MAX)
		lia_entry_fields_err(err, K_LATE, "%" PRIu64 " s is more than 100 years", e->late_s);
	else if (e->due_ms < 0 || e->due_ms > TIME_MAX_MS)
		lia_entry_fields_err(err, K_DUE, "%" PRId64 " ms is outside 1970 to 9999", e->due_ms);
	else
		rc = 0;
	return rc;
}

static int validate_relay(const struct lia_entry *e, char *err)
{
	int rc = 0;

	if (e->inner == NULL || e->inner_len < 1 || e->inner_len > RELAY_INNER_MAX)
		rc = lia_entry_fields_err(err, K_RELAY_ENTRY, "%zu bytes, not 1 to %d", e->inner_len,
		    RELAY_INNER_MAX);
	else if (e->inner_cert == NULL || e->inner_cert_len < 1 ||
	    e->inner_cert_len > LIA_RELAY_CERT_MAX)
		rc = lia_entry_fields_err(err, K_RELAY_CERT, "%zu bytes, not 1 to %d", e->inner_cert_len,
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
		rc = lia_entry_fields_err(err, K_HEARD, "%" PRId64 " ms is outside 1970 to 9999", e->heard_ms);
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
