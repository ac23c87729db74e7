/*
 * cbor_out.h - a fixed-capacity buffer that libcbor's encoders write into,
 * shared by the encoders of COSE (cose.c), entries (entry.c) and frames
 * (wire.c). A write that does not fit sets `failed`, which sticks, so an
 * encoder checks once at the end instead of after every item.
 */
#ifndef LIA_CBOR_OUT_H
#define LIA_CBOR_OUT_H

#include <stddef.h>
#include <stdint.h>

struct lia_cbor_out {
	uint8_t *buf;   /* owned by the encoder that called init (free it) */
	size_t cap;
	size_t len;
	int failed;     /* out of memory or out of room */
};

/* Allocates cap bytes; 0, or -1 with failed set. */
int lia_cbor_out_init(struct lia_cbor_out *o, size_t cap);

/* Accounts for n bytes a cbor_encode_* call wrote at buf + len (0 means it did not fit). */
void lia_cbor_out_advance(struct lia_cbor_out *o, size_t n);

/* Appends raw bytes, an unsigned integer, a byte string or a text string (definite lengths). */
void lia_cbor_put_raw(struct lia_cbor_out *o, const void *p, size_t n);
void lia_cbor_put_uint(struct lia_cbor_out *o, uint64_t v);
void lia_cbor_put_bstr(struct lia_cbor_out *o, const void *p, size_t n);
void lia_cbor_put_tstr(struct lia_cbor_out *o, const char *s);

#endif
