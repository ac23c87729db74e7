/*
 * entry_decode.c - lia_entry_decode: a peer's CBOR payload into a struct
 * lia_entry.
 *
 * A payload is one definite-length CBOR map whose keys are small unsigned
 * integers in ascending order, each field present exactly when it belongs to
 * the entry's type, every integer and string in its shortest form (RFC 8949
 * section 4.2.1), times as RFC 3339 text with milliseconds or, in the narrow
 * form (docs/wire.md, for a narrowband link), as uint seconds. Payloads come from peers: decoding checks every
 * type, range and length before use, and refuses any byte form other than
 * the one lia_entry_encode makes, so one entry has one encoding and its
 * signed bytes one hash.
 */
#include "entry_internal.h"
#include "cbor_out.h"
#include "clock.h"
#include "cose.h"
#include "err.h"
#include "text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

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
		if (k >= K_COUNT || lia_entry_fields_names[k] == NULL) {
			lia_err_set(err, "entry has unknown field %" PRIu64, k);
			goto out;
		}
		if (slot[k] != NULL) {
			lia_entry_fields_err(err, (enum entry_key)k, "present twice");
			goto out;
		}
		if (i > 0 && k < prev) {
			lia_entry_fields_err(err, (enum entry_key)k, "out of order after field %" PRIu64
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
		rc = lia_entry_fields_err(err, k, "not an unsigned integer");
	return rc;
}

/* A definite text string of at most size - 1 bytes of UTF-8, copied with its NUL. */
static int get_tstr(enum entry_key k, const cbor_item_t *v, char *dst, size_t size, char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_string(v) || !cbor_string_is_definite(v)) {
		lia_entry_fields_err(err, k, "not a text string");
		goto out;
	}
	p = cbor_string_handle(v);
	n = cbor_string_length(v);
	if (n > size - 1) {
		lia_entry_fields_err(err, k, "%zu bytes, longer than %zu", n, size - 1);
		goto out;
	}
	if (lia_entry_fields_utf8(k, p, n, err) != 0)
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
		lia_entry_fields_err(err, K_TYPE, "missing");
	else if (get_uint(K_TYPE, slot[K_TYPE], &t, err) != 0)
		rc = -1;
	else if (t > 31 || lia_entry_fields_type((enum lia_entry_type)t) == 0)
		lia_entry_fields_err(err, K_TYPE, "%" PRIu64 " is not message (1), receipt (2), ack (3), "
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
		return lia_entry_fields_err(err, K_ACTION, "missing from an incident");
	if (get_uint(K_ACTION, slot[K_ACTION], &a, err) != 0)
		return -1;
	if (a > LIA_INCIDENT_NOTE)
		return lia_entry_fields_err(err, K_ACTION, "%" PRIu64 " is not open (0), attach (1), propose (2), "
		    "confirm (3) or note (4)", a);
	*required |= lia_entry_fields_incident((enum lia_incident_action)a, optional);
	return 0;
}

/* Every field of the type (and an incident's action) is present, optional ones in pairs, and no other. */
static int check_membership(enum lia_entry_type t, const cbor_item_t *slot[K_COUNT], char *err)
{
	field_mask fields = lia_entry_fields_type(t), optional = 0;
	int rc = 0;

	if (t == LIA_ENTRY_INCIDENT && get_action(slot, &fields, &optional, err) != 0)
		return -1;
	if ((slot[K_SUBJECT] == NULL) != (slot[K_SUBJ_HASH] == NULL))
		return lia_entry_fields_err(err, K_SUBJECT, "subject and subject-hash go together");
	for (int k = 0; k < K_COUNT && rc == 0; k++) {
		if (slot[k] != NULL && (optional & BIT(k)))
			continue;
		if (slot[k] != NULL && !(fields & BIT(k)))
			rc = lia_entry_fields_err(err, (enum entry_key)k, "not allowed in a %s",
			    lia_entry_type_name(t));
		else if (slot[k] == NULL && (fields & BIT(k)) && !(lia_entry_fields_optional(t) & BIT(k)))
			rc = lia_entry_fields_err(err, (enum entry_key)k, "missing from a %s",
			    lia_entry_type_name(t));
	}
	return rc;
}

/* Key 3 as uint seconds (the narrow form): sets *narrow. */
static int get_time_seconds(const cbor_item_t *v, int64_t *ms, int *narrow, char *err)
{
	uint64_t sec = cbor_get_int(v);

	if (sec > (uint64_t)(TIME_MAX_MS / 1000))
		return lia_entry_fields_err(err, K_TIME, "%" PRIu64 " seconds is after 9999", sec);
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
		lia_entry_fields_err(err, k, "%s", why);
		goto out;
	}
	lia_time_format(*ms, canon);
	if (strcmp(text, canon) != 0) {
		lia_entry_fields_err(err, k, "\"%s\" is not in the form YYYY-MM-DDTHH:MM:SS.mmmZ", text);
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
		rc = lia_entry_fields_err(err, K_PRECEDENCE, "%" PRIu64 " is not 0 (FLASH) to 3 (ROUTINE)", n);
	if (rc == 0)
		*p = (enum lia_precedence)n;
	return rc;
}

static int get_text(const cbor_item_t *v, char **text, char *err)
{
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
		lia_entry_fields_err(err, K_TEXT, "not a text string");
	else if ((n = cbor_string_length(v)) > LIA_TEXT_MAX)
		lia_entry_fields_err(err, K_TEXT, "%zu bytes, longer than %d", n, LIA_TEXT_MAX);
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
		lia_entry_fields_err(err, k, "not a byte string");
	else if ((n = cbor_bytestring_length(v)) < 1 || n > max)
		lia_entry_fields_err(err, k, "%zu bytes, not 1 to %zu", n, max);
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
		rc = lia_entry_fields_err(err, k, "not a byte string of 32 bytes");
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
		lia_entry_fields_err(err, k, "%s is not an array", what);
	else if ((*n = cbor_array_size(v)) < min || *n > max)
		lia_entry_fields_err(err, k, "%s has %zu items, not %zu to %zu", what, *n, min, max);
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
		return lia_entry_fields_err(err, K_SIGNALS, "signal number %" PRIu64 " is not 1 to %d", n,
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
		return lia_entry_fields_err(err, K_SIGNALS, "signal parameter %zu: %" PRIu64 " is larger than "
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
		lia_entry_fields_err(err, K_POSITION, "a coordinate is not an integer");
	else if ((u = cbor_get_int(v)) > (uint64_t)max - cbor_isa_negint(v))
		lia_entry_fields_err(err, K_POSITION, "a coordinate is outside -%" PRId32 "..%" PRId32, max, max);
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
			rc = lia_entry_fields_err(err, k, "%" PRIu64 " is out of range", u);
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
		rc = lia_entry_fields_err(err, k, "%" PRIu64 " is more than %" PRIu64, *out, max);
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
		if (rc == 0 && e->operator_name[0] == '\0')  /* an incident's is optional: absent, never empty */
			rc = lia_entry_fields_err(err, k, "empty");
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

	if (lia_entry_encode_valid(e, &o) != 0 || o.len != len || memcmp(o.buf, buf, len) != 0) {
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
		} else if (more && p.kind == PROBE_TEXT && key < K_COUNT && lia_entry_fields_names[key] != NULL) {
			bad = lia_utf8_error_offset(p.text, p.text_len);
			found = bad < p.text_len;
		}
	}
	if (found)
		lia_entry_fields_err(err, (enum entry_key)key, "invalid UTF-8 at byte %zu", bad);
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
