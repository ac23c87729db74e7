/*
 * wire.c - link frames: a 4-byte big-endian length, then one CBOR array whose
 * first element is the frame kind (see wire.h and docs/wire.md).
 *
 * Frame bodies come from peers and are hostile: the length prefix is checked
 * before the body is read, the body goes through lia_cose_cbor_load (no
 * indefinite lengths, no nesting, no trailing bytes, nothing allocated before
 * the shape is known), and every element's type, range and length is checked
 * for its kind. Entries travel as opaque COSE bytes; this file does not look
 * inside them.
 */
#include "wire.h"
#include "cose.h"
#include "err.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#define SEQ_MAX ((uint64_t)INT64_MAX) /* sequence numbers are SQLite integers */
#define FRAME_FIXED_MAX 128           /* every element but cose bytes and text, with heads */

/* Elements in each kind's array, the kind included; 0 for an unknown kind. */
static size_t kind_elements(enum lia_frame_kind k)
{
	switch (k) {
	case LIA_FRAME_HELLO: return 5;
	case LIA_FRAME_ENTRY: return 3;
	case LIA_FRAME_SEEN: return 2;
	case LIA_FRAME_PING: return 2;
	case LIA_FRAME_PONG: return 2;
	case LIA_FRAME_ERROR: return 3;
	}
	return 0;
}

const char *lia_frame_kind_name(enum lia_frame_kind k)
{
	switch (k) {
	case LIA_FRAME_HELLO: return "hello";
	case LIA_FRAME_ENTRY: return "entry";
	case LIA_FRAME_SEEN: return "seen";
	case LIA_FRAME_PING: return "ping";
	case LIA_FRAME_PONG: return "pong";
	case LIA_FRAME_ERROR: return "error";
	}
	return "unknown";
}

static int check_seq(const char *kind, const char *field, uint64_t seq, char *err)
{
	if (seq > SEQ_MAX) {
		lia_err_set(err, "%s frame %s %" PRIu64 " exceeds %" PRIu64, kind, field, seq, SEQ_MAX);
		return -1;
	}
	return 0;
}

static int validate_hello(const struct lia_frame *f, char *err)
{
	if (f->version < 1) {
		lia_err_set(err, "hello frame version 0 is not a protocol version");
		return -1;
	}
	if (memchr(f->node, '\0', sizeof(f->node)) == NULL || !lia_name_valid(f->node)) {
		lia_err_set(err, "hello frame node \"%.*s\" is not a valid node name", LIA_NAME_MAX,
		    f->node);
		return -1;
	}
	return check_seq("hello", "seen", f->seq, err);
}

static int validate_entry(const struct lia_frame *f, char *err)
{
	if (f->cose == NULL || f->cose_len == 0 || f->cose_len > LIA_COSE_MAX) {
		lia_err_set(err, "entry frame COSE of %zu bytes is not 1 to %d bytes",
		    f->cose == NULL ? (size_t)0 : f->cose_len, LIA_COSE_MAX);
		return -1;
	}
	return check_seq("entry", "prev", f->prev, err);
}

static int validate_error(const struct lia_frame *f, char *err)
{
	size_t n = strnlen(f->text, sizeof(f->text));

	if (n == sizeof(f->text)) {
		lia_err_set(err, "error frame sentence is longer than %zu bytes", sizeof(f->text) - 1);
		return -1;
	}
	if (!lia_utf8_valid((const uint8_t *)f->text, n)) {
		lia_err_set(err, "error frame sentence is not valid UTF-8");
		return -1;
	}
	return 0;
}

/* Checks f's fields for its kind, as encode and decode both need. */
static int validate_frame(const struct lia_frame *f, char *err)
{
	switch (f->kind) {
	case LIA_FRAME_HELLO: return validate_hello(f, err);
	case LIA_FRAME_ENTRY: return validate_entry(f, err);
	case LIA_FRAME_SEEN: return check_seq("seen", "seq", f->seq, err);
	case LIA_FRAME_PING: return 0;
	case LIA_FRAME_PONG: return 0;
	case LIA_FRAME_ERROR: return validate_error(f, err);
	}
	lia_err_set(err, "frame kind %d is not 1 (hello) to 6 (error)", (int)f->kind);
	return -1;
}

/* A fixed-capacity buffer filled by libcbor's encoders; failed sticks once set. */
struct out {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int failed;
};

static void out_advance(struct out *o, size_t n)
{
	if (n == 0)
		o->failed = 1;
	o->len += n;
}

static void put_uint(struct out *o, uint64_t v)
{
	out_advance(o, cbor_encode_uint(v, o->buf + o->len, o->cap - o->len));
}

static void put_raw(struct out *o, const void *p, size_t n)
{
	if (o->failed || n > o->cap - o->len) {
		o->failed = 1;
		return;
	}
	if (n > 0)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_bstr(struct out *o, const void *p, size_t n)
{
	out_advance(o, cbor_encode_bytestring_start(n, o->buf + o->len, o->cap - o->len));
	put_raw(o, p, n);
}

static void put_tstr(struct out *o, const char *s)
{
	size_t n = strlen(s);

	out_advance(o, cbor_encode_string_start(n, o->buf + o->len, o->cap - o->len));
	put_raw(o, s, n);
}

/* The array after the prefix; the kind has been validated. */
static void put_body(struct out *o, const struct lia_frame *f)
{
	out_advance(o, cbor_encode_array_start(kind_elements(f->kind), o->buf + o->len,
	    o->cap - o->len));
	put_uint(o, (uint64_t)f->kind);
	switch (f->kind) {
	case LIA_FRAME_HELLO:
		put_uint(o, f->version);
		put_bstr(o, f->charter_hash, sizeof(f->charter_hash));
		put_tstr(o, f->node);
		put_uint(o, f->seq);
		break;
	case LIA_FRAME_ENTRY:
		put_uint(o, f->prev);
		put_bstr(o, f->cose, f->cose_len);
		break;
	case LIA_FRAME_SEEN: put_uint(o, f->seq); break;
	case LIA_FRAME_PING: put_uint(o, f->nonce); break;
	case LIA_FRAME_PONG: put_uint(o, f->nonce); break;
	case LIA_FRAME_ERROR:
		put_uint(o, f->code);
		put_tstr(o, f->text);
		break;
	}
}

int lia_wire_encode(const struct lia_frame *f, uint8_t **out, size_t *len, char *err)
{
	struct out o = {0};
	size_t body;
	int rc = -1;

	if (validate_frame(f, err) != 0)
		goto out;
	o.cap = LIA_FRAME_HEADER + FRAME_FIXED_MAX + sizeof(f->text) +
	    (f->kind == LIA_FRAME_ENTRY ? f->cose_len : 0);
	o.buf = malloc(o.cap);
	o.len = LIA_FRAME_HEADER;
	if (o.buf != NULL)
		put_body(&o, f);
	if (o.buf == NULL || o.failed) {
		lia_err_set(err, "out of memory encoding a %s frame", lia_frame_kind_name(f->kind));
		goto out;
	}
	body = o.len - LIA_FRAME_HEADER;
	if (body > LIA_FRAME_MAX) {
		lia_err_set(err, "%s frame of %zu bytes exceeds the limit of %d bytes",
		    lia_frame_kind_name(f->kind), body, LIA_FRAME_MAX);
		goto out;
	}
	for (int i = 0; i < LIA_FRAME_HEADER; i++)
		o.buf[i] = (uint8_t)(body >> (8 * (LIA_FRAME_HEADER - 1 - i)));
	*out = o.buf;
	*len = o.len;
	o.buf = NULL;
	rc = 0;
out:
	free(o.buf);
	return rc;
}

int lia_wire_length(const uint8_t header[LIA_FRAME_HEADER], uint32_t *len, char *err)
{
	uint32_t n = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
	    (uint32_t)header[2] << 8 | (uint32_t)header[3];

	if (n == 0) {
		lia_err_set(err, "frame length 0 is not allowed: a frame holds one CBOR array");
		return -1;
	}
	if (n > LIA_FRAME_MAX) {
		lia_err_set(err, "frame of %" PRIu32 " bytes exceeds the limit of %d bytes", n,
		    LIA_FRAME_MAX);
		return -1;
	}
	*len = n;
	return 0;
}

static int get_uint(const cbor_item_t *item, const char *kind, const char *field,
    uint64_t *v, char *err)
{
	if (!cbor_isa_uint(item)) {
		lia_err_set(err, "%s frame %s is not an unsigned integer", kind, field);
		return -1;
	}
	*v = cbor_get_int(item);
	return 0;
}

/* A definite text string of at most size - 1 bytes (UTF-8 was checked by the loader). */
static int get_tstr(const cbor_item_t *item, const char *kind, const char *field,
    char *dst, size_t size, char *err)
{
	size_t n;

	if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) {
		lia_err_set(err, "%s frame %s is not a text string", kind, field);
		return -1;
	}
	n = cbor_string_length(item);
	if (n > size - 1) {
		lia_err_set(err, "%s frame %s is %zu bytes, longer than %zu", kind, field, n, size - 1);
		return -1;
	}
	if (n > 0)
		memcpy(dst, cbor_string_handle(item), n);
	dst[n] = '\0';
	return 0;
}

static int get_hello(cbor_item_t **items, struct lia_frame *f, char *err)
{
	if (get_uint(items[1], "hello", "version", &f->version, err) != 0)
		return -1;
	if (!cbor_isa_bytestring(items[2]) || !cbor_bytestring_is_definite(items[2]) ||
	    cbor_bytestring_length(items[2]) != sizeof(f->charter_hash)) {
		lia_err_set(err, "hello frame charter hash is not a byte string of %zu bytes",
		    sizeof(f->charter_hash));
		return -1;
	}
	memcpy(f->charter_hash, cbor_bytestring_handle(items[2]), sizeof(f->charter_hash));
	if (get_tstr(items[3], "hello", "node", f->node, sizeof(f->node), err) != 0)
		return -1;
	return get_uint(items[4], "hello", "seen", &f->seq, err);
}

static int get_entry(cbor_item_t **items, struct lia_frame *f, char *err)
{
	size_t n;

	if (get_uint(items[1], "entry", "prev", &f->prev, err) != 0)
		return -1;
	if (!cbor_isa_bytestring(items[2]) || !cbor_bytestring_is_definite(items[2])) {
		lia_err_set(err, "entry frame COSE is not a byte string");
		return -1;
	}
	n = cbor_bytestring_length(items[2]);
	if (n == 0 || n > LIA_COSE_MAX) {
		lia_err_set(err, "entry frame COSE of %zu bytes is not 1 to %d bytes", n, LIA_COSE_MAX);
		return -1;
	}
	f->cose = malloc(n);
	if (f->cose == NULL) {
		lia_err_set(err, "out of memory reading an entry frame of %zu bytes", n);
		return -1;
	}
	memcpy(f->cose, cbor_bytestring_handle(items[2]), n);
	f->cose_len = n;
	return 0;
}

static int get_fields(cbor_item_t **items, struct lia_frame *f, char *err)
{
	switch (f->kind) {
	case LIA_FRAME_HELLO: return get_hello(items, f, err);
	case LIA_FRAME_ENTRY: return get_entry(items, f, err);
	case LIA_FRAME_SEEN: return get_uint(items[1], "seen", "seq", &f->seq, err);
	case LIA_FRAME_PING: return get_uint(items[1], "ping", "nonce", &f->nonce, err);
	case LIA_FRAME_PONG: return get_uint(items[1], "pong", "nonce", &f->nonce, err);
	case LIA_FRAME_ERROR:
		if (get_uint(items[1], "error", "code", &f->code, err) != 0)
			return -1;
		return get_tstr(items[2], "error", "sentence", f->text, sizeof(f->text), err);
	}
	return -1;
}

static int get_frame(const cbor_item_t *array, struct lia_frame *f, char *err)
{
	cbor_item_t **items;
	uint64_t kind;
	size_t n;

	if (!cbor_isa_array(array) || !cbor_array_is_definite(array) ||
	    cbor_array_size(array) == 0) {
		lia_err_set(err, "frame is not a non-empty CBOR array");
		return -1;
	}
	items = cbor_array_handle(array);
	if (!cbor_isa_uint(items[0]) || (kind = cbor_get_int(items[0])) < LIA_FRAME_HELLO ||
	    kind > LIA_FRAME_ERROR) {
		lia_err_set(err, "frame kind is not 1 (hello) to 6 (error)");
		return -1;
	}
	f->kind = (enum lia_frame_kind)kind;
	n = cbor_array_size(array);
	if (n != kind_elements(f->kind)) {
		lia_err_set(err, "%s frame has %zu elements, not %zu", lia_frame_kind_name(f->kind),
		    n, kind_elements(f->kind));
		return -1;
	}
	return get_fields(items, f, err);
}

int lia_wire_decode(const uint8_t *body, size_t len, struct lia_frame *f, char *err)
{
	cbor_item_t *array = NULL;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (len > LIA_FRAME_MAX) {
		lia_err_set(err, "frame of %zu bytes exceeds the limit of %d bytes", len, LIA_FRAME_MAX);
		goto out;
	}
	array = lia_cose_cbor_load(body, len, 1, "frame", err);
	if (array == NULL || get_frame(array, f, err) != 0 || validate_frame(f, err) != 0)
		goto out;
	rc = 0;
out:
	if (array != NULL)
		cbor_decref(&array);
	if (rc != 0)
		lia_frame_finish(f);
	return rc;
}

void lia_frame_finish(struct lia_frame *f)
{
	if (f == NULL)
		return;
	free(f->cose);
	memset(f, 0, sizeof(*f));
}
