/* cbor_out.c - the encoders' shared output buffer (see cbor_out.h). */
#include "cbor_out.h"

#include <stdlib.h>
#include <string.h>

#include <cbor.h>

int lia_cbor_out_init(struct lia_cbor_out *o, size_t cap)
{
	o->buf = malloc(cap);
	o->cap = cap;
	o->len = 0;
	o->failed = o->buf == NULL;
	return o->failed ? -1 : 0;
}

void lia_cbor_out_advance(struct lia_cbor_out *o, size_t n)
{
	if (n == 0)
		o->failed = 1;
	o->len += n;
}

void lia_cbor_put_raw(struct lia_cbor_out *o, const void *p, size_t n)
{
	if (o->failed || n > o->cap - o->len) {
		o->failed = 1;
		return;
	}
	if (n > 0)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void lia_cbor_put_uint(struct lia_cbor_out *o, uint64_t v)
{
	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_uint(v, o->buf + o->len, o->cap - o->len));
}

void lia_cbor_put_bstr(struct lia_cbor_out *o, const void *p, size_t n)
{
	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_bytestring_start(n, o->buf + o->len,
		    o->cap - o->len));
	lia_cbor_put_raw(o, p, n);
}

void lia_cbor_put_tstr(struct lia_cbor_out *o, const char *s)
{
	size_t n = strlen(s);

	if (!o->failed)
		lia_cbor_out_advance(o, cbor_encode_string_start(n, o->buf + o->len,
		    o->cap - o->len));
	lia_cbor_put_raw(o, s, n);
}
