/*
 * entry_encode.c - lia_entry_encode: a valid struct lia_entry as its one
 * deterministic CBOR payload.
 *
 * A payload is one definite-length CBOR map whose keys are small unsigned
 * integers in ascending order, each field present exactly when it belongs to
 * the entry's type, every integer and string in its shortest form (RFC 8949
 * section 4.2.1), times as RFC 3339 text with milliseconds or, in the narrow
 * form (docs/wire.md, for a narrowband link), as uint seconds.
 */
#include "entry_internal.h"
#include "cbor_out.h"
#include "clock.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

#include <cbor.h>

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
int lia_entry_encode_valid(const struct lia_entry *e, struct lia_cbor_out *o)
{
	field_mask fields = lia_entry_fields_of(e);
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
	if (lia_entry_encode_valid(e, &o) != 0) {
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
