/*
 * radio_wire.c - the unit link's datagram codec and pacing arithmetic (see
 * radio_wire.h). Datagrams come from anyone who can reach the port: every
 * length and type is checked before use.
 */
#include "radio_wire.h"

#include <stdio.h>
#include <string.h>
#include <cbor.h>

#include "cbor_out.h"
#include "cose.h"
#include "err.h"

const char *lia_dgram_kind_name(enum lia_dgram_kind k)
{
	switch (k) {
	case LIA_DGRAM_ENTRY: return "entry";
	case LIA_DGRAM_CERT: return "cert";
	case LIA_DGRAM_CERT_REQUEST: return "cert-request";
	}
	return "unknown";
}

int lia_dgram_encode(const struct lia_dgram *d, uint8_t *out, size_t cap, size_t *len, char *err)
{
	struct lia_cbor_out o = {.buf = out, .cap = cap < LIA_DGRAM_MAX ? cap : LIA_DGRAM_MAX};
	int is_bytes = d->kind == LIA_DGRAM_ENTRY || d->kind == LIA_DGRAM_CERT;

	if (!is_bytes && d->kind != LIA_DGRAM_CERT_REQUEST) {
		lia_err_set(err, "datagram kind %d is unknown", (int)d->kind);
		return -1;
	}
	if (is_bytes && (d->body == NULL || d->body_len == 0)) {
		lia_err_set(err, "%s datagram without a body", lia_dgram_kind_name(d->kind));
		return -1;
	}
	if (!is_bytes && !lia_name_valid(d->node)) {
		lia_err_set(err, "cert-request datagram names no valid node");
		return -1;
	}
	lia_cbor_out_advance(&o, cbor_encode_array_start(2, o.buf, o.cap));
	lia_cbor_put_uint(&o, (uint64_t)d->kind);
	if (is_bytes)
		lia_cbor_put_bstr(&o, d->body, d->body_len);
	else
		lia_cbor_put_tstr(&o, d->node);
	if (o.failed) {
		lia_err_set(err, "%s datagram does not fit %zu bytes", lia_dgram_kind_name(d->kind),
		    o.cap);
		return -1;
	}
	*len = o.len;
	return 0;
}

/* The body of kind k from item v into d. */
static int get_body(const cbor_item_t *v, struct lia_dgram *d, const uint8_t *buf, size_t len,
    char *err)
{
	size_t n;

	if (d->kind == LIA_DGRAM_CERT_REQUEST) {
		n = cbor_isa_string(v) && cbor_string_is_definite(v) ? cbor_string_length(v) : 0;
		if (n == 0 || n > LIA_NAME_MAX) {
			lia_err_set(err, "cert-request datagram: item 1 is not a node name");
			return -1;
		}
		memcpy(d->node, cbor_string_handle(v), n);
		d->node[n] = '\0';
		if (!lia_name_valid(d->node)) {
			lia_err_set(err, "cert-request datagram: \"%.40s\" is not a node name", d->node);
			return -1;
		}
		return 0;
	}
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) ||
	    (n = cbor_bytestring_length(v)) == 0) {
		lia_err_set(err, "%s datagram: item 1 is not a non-empty byte string",
		    lia_dgram_kind_name(d->kind));
		return -1;
	}
	/* A definite byte string's bytes end the datagram (it is the last item). */
	d->body = buf + len - n;
	d->body_len = n;
	return 0;
}

int lia_dgram_decode(const uint8_t *buf, size_t len, struct lia_dgram *d, char *err)
{
	cbor_item_t *item = NULL;
	cbor_item_t **v;
	uint64_t kind;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (len == 0 || len > LIA_DGRAM_MAX) {
		lia_err_set(err, "datagram of %zu bytes (1 to %d allowed)", len, LIA_DGRAM_MAX);
		goto out;
	}
	item = lia_cose_cbor_load(buf, len, 2, "datagram", err);
	if (item == NULL)
		goto out;
	if (!cbor_isa_array(item) || !cbor_array_is_definite(item) || cbor_array_size(item) != 2) {
		lia_err_set(err, "datagram is not a CBOR array of [kind, body]");
		goto out;
	}
	v = cbor_array_handle(item);
	kind = cbor_isa_uint(v[0]) ? cbor_get_int(v[0]) : 0;
	if (kind < LIA_DGRAM_ENTRY || kind > LIA_DGRAM_CERT_REQUEST) {
		lia_err_set(err, "datagram kind is not 1 (entry), 2 (cert) or 3 (cert-request)");
		goto out;
	}
	d->kind = (enum lia_dgram_kind)kind;
	rc = get_body(v[1], d, buf, len, err);
out:
	if (item != NULL)
		cbor_decref(&item);
	return rc;
}

int64_t lia_radio_backoff_ms(int tries, int64_t base_ms, int64_t cap_ms, double jitter)
{
	int64_t t = base_ms;

	for (int i = 1; i < tries && t < cap_ms; i++)
		t *= 2;
	if (t > cap_ms)
		t = cap_ms;
	if (jitter < 0 || jitter >= 1)
		jitter = 0.5;
	return t + (int64_t)((double)t * (jitter - 0.5) / 2);
}

void lia_bucket_init(struct lia_bucket *b, int64_t rate, double cap, int64_t now_ms)
{
	b->rate = rate;
	b->cap = cap;
	b->tokens = cap;
	b->at_ms = now_ms;
}

int lia_bucket_take(struct lia_bucket *b, size_t bytes, int64_t now_ms)
{
	double bits = (double)(bytes + LIA_DGRAM_OVERHEAD) * 8;

	if (b->rate <= 0)
		return 1;
	if (now_ms > b->at_ms) {
		b->tokens += (double)(now_ms - b->at_ms) * (double)b->rate / 1000.0;
		if (b->tokens > b->cap)
			b->tokens = b->cap;
		b->at_ms = now_ms;
	}
	if (b->tokens < bits)
		return 0;
	b->tokens -= bits;
	return 1;
}
