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
#include "cbor_out.h"
#include "err.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#define SEQ_MAX ((uint64_t)INT64_MAX) /* sequence numbers are SQLite integers */
#define FRAME_FIXED_MAX 128           /* every element but cose bytes and text, with heads */

/* Name and array length (the kind included) of each kind. */
static const struct {
	const char *name;
	size_t elements;
} kinds[] = {
	[LIA_FRAME_HELLO] = {"hello", 5},
	[LIA_FRAME_ENTRY] = {"entry", 3},
	[LIA_FRAME_SEEN] = {"seen", 2},
	[LIA_FRAME_PING] = {"ping", 2},
	[LIA_FRAME_PONG] = {"pong", 2},
	[LIA_FRAME_ERROR] = {"error", 3},
	[LIA_FRAME_CHECKPOINT] = {"checkpoint", 4},
	[LIA_FRAME_COSIGNATURE] = {"cosignature", 3},
	[LIA_FRAME_CONFLICT] = {"conflict", 2},
	[LIA_FRAME_PROOF_REQUEST] = {"proof-request", 4},
	[LIA_FRAME_PROOF] = {"proof", 6},
};

static int kind_known(uint64_t k)
{
	return k >= LIA_FRAME_HELLO && k <= LIA_FRAME_PROOF;
}

/* Elements in each kind's array, the kind included; 0 for an unknown kind. */
static size_t kind_elements(enum lia_frame_kind k)
{
	return kind_known((uint64_t)k) ? kinds[k].elements : 0;
}

const char *lia_frame_kind_name(enum lia_frame_kind k)
{
	return kind_known((uint64_t)k) ? kinds[k].name : "unknown";
}

static int check_seq(const char *kind, const char *field, uint64_t seq, char *err)
{
	int rc = 0;

	if (seq > SEQ_MAX) {
		lia_err_set(err, "%s frame %s %" PRIu64 " exceeds %" PRIu64, kind, field, seq, SEQ_MAX);
		rc = -1;
	}
	return rc;
}

static int validate_hello(const struct lia_frame *f, char *err)
{
	int rc = -1;

	if (f->version < 1)
		lia_err_set(err, "hello frame version 0 is not a protocol version");
	else if (memchr(f->node, '\0', sizeof(f->node)) == NULL || !lia_name_valid(f->node))
		lia_err_set(err, "hello frame node \"%.*s\" is not a valid node name", LIA_NAME_MAX,
		    f->node);
	else
		rc = check_seq("hello", "seen", f->seq, err);
	return rc;
}

static int validate_entry(const struct lia_frame *f, char *err)
{
	int rc = -1;

	if (f->cose == NULL || f->cose_len == 0 || f->cose_len > LIA_COSE_MAX)
		lia_err_set(err, "entry frame COSE of %zu bytes is not 1 to %d bytes",
		    f->cose == NULL ? (size_t)0 : f->cose_len, LIA_COSE_MAX);
	else
		rc = check_seq("entry", "prev", f->prev, err);
	return rc;
}

static int validate_error(const struct lia_frame *f, char *err)
{
	size_t n = strnlen(f->text, sizeof(f->text));
	int rc = -1;

	if (n == sizeof(f->text))
		lia_err_set(err, "error frame sentence is longer than %zu bytes", sizeof(f->text) - 1);
	else if (!lia_utf8_valid((const uint8_t *)f->text, n))
		lia_err_set(err, "error frame sentence is not valid UTF-8");
	else
		rc = 0;
	return rc;
}

/* Proof hashes: whole 32-byte hashes, at most LIA_PROOF_MAX_HASHES. */
static int validate_proof(const char *kind, const struct lia_frame *f, char *err)
{
	int rc = -1;

	if (f->proof_len % 32 != 0 || f->proof_len > 32 * LIA_PROOF_MAX_HASHES)
		lia_err_set(err, "%s frame proof of %zu bytes is not up to %d hashes of 32 bytes",
		    kind, f->proof_len, LIA_PROOF_MAX_HASHES);
	else if (f->note_len > LIA_NOTE_FRAME_MAX)
		lia_err_set(err, "%s frame note of %zu bytes exceeds %d", kind, f->note_len,
		    LIA_NOTE_FRAME_MAX);
	else
		rc = 0;
	return rc;
}

static int validate_checkpoint(const struct lia_frame *f, char *err)
{
	int rc = validate_proof("checkpoint", f, err);

	if (rc == 0 && f->note_len == 0) {
		lia_err_set(err, "checkpoint frame has no note");
		rc = -1;
	}
	return rc == 0 ? check_seq("checkpoint", "old", f->old, err) : rc;
}

static int validate_cosignature(const struct lia_frame *f, char *err)
{
	size_t n = strnlen(f->line, sizeof(f->line));
	int rc = -1;

	if (n == 0 || n == sizeof(f->line))
		lia_err_set(err, "cosignature frame line is empty or longer than %zu bytes",
		    sizeof(f->line) - 1);
	else if (!lia_utf8_valid((const uint8_t *)f->line, n) || memchr(f->line, '\n', n))
		lia_err_set(err, "cosignature frame line is not one line of UTF-8");
	else
		rc = check_seq("cosignature", "size", f->size, err);
	return rc;
}

static int validate_proof_request(const struct lia_frame *f, char *err)
{
	int rc = -1;

	if (memchr(f->node, '\0', sizeof(f->node)) == NULL || !lia_name_valid(f->node))
		lia_err_set(err, "proof-request frame origin is not a valid node name");
	else if (f->seq == 0)
		lia_err_set(err, "proof-request frame seq 0 names no entry");
	else
		rc = check_seq("proof-request", "seq", f->seq, err);
	return rc;
}

static int validate_proof_frame(const struct lia_frame *f, char *err)
{
	int rc = validate_proof("proof", f, err);

	if (rc == 0 && f->size != 0 && (f->index >= f->size || f->note_len == 0)) {
		lia_err_set(err, "proof frame index %" PRIu64 " is not inside size %" PRIu64
		    " or the note is missing", f->index, f->size);
		rc = -1;
	}
	return rc == 0 ? check_seq("proof", "size", f->size, err) : rc;
}

/* Checks f's fields for its kind, as encode and decode both need. */
static int validate_frame(const struct lia_frame *f, char *err)
{
	int rc = -1;

	switch (f->kind) {
	case LIA_FRAME_HELLO: rc = validate_hello(f, err); break;
	case LIA_FRAME_ENTRY: rc = validate_entry(f, err); break;
	case LIA_FRAME_SEEN: rc = check_seq("seen", "seq", f->seq, err); break;
	case LIA_FRAME_PING: rc = 0; break;
	case LIA_FRAME_PONG: rc = 0; break;
	case LIA_FRAME_ERROR: rc = validate_error(f, err); break;
	case LIA_FRAME_CHECKPOINT: rc = validate_checkpoint(f, err); break;
	case LIA_FRAME_COSIGNATURE: rc = validate_cosignature(f, err); break;
	case LIA_FRAME_CONFLICT: rc = check_seq("conflict", "known", f->old, err); break;
	case LIA_FRAME_PROOF_REQUEST: rc = validate_proof_request(f, err); break;
	case LIA_FRAME_PROOF: rc = validate_proof_frame(f, err); break;
	}
	if (!kind_known((uint64_t)f->kind))
		lia_err_set(err, "frame kind %d is not 1 (hello) to 11 (proof)", (int)f->kind);
	return rc;
}

/* The array after the prefix; the kind has been validated. */
static void put_body(struct lia_cbor_out *o, const struct lia_frame *f)
{
	lia_cbor_out_advance(o, cbor_encode_array_start(kind_elements(f->kind), o->buf + o->len,
	    o->cap - o->len));
	lia_cbor_put_uint(o, (uint64_t)f->kind);
	switch (f->kind) {
	case LIA_FRAME_HELLO:
		lia_cbor_put_uint(o, f->version);
		lia_cbor_put_bstr(o, f->charter_hash, sizeof(f->charter_hash));
		lia_cbor_put_tstr(o, f->node);
		lia_cbor_put_uint(o, f->seq);
		break;
	case LIA_FRAME_ENTRY:
		lia_cbor_put_uint(o, f->prev);
		lia_cbor_put_bstr(o, f->cose, f->cose_len);
		break;
	case LIA_FRAME_SEEN: lia_cbor_put_uint(o, f->seq); break;
	case LIA_FRAME_PING: lia_cbor_put_uint(o, f->nonce); break;
	case LIA_FRAME_PONG: lia_cbor_put_uint(o, f->nonce); break;
	case LIA_FRAME_ERROR:
		lia_cbor_put_uint(o, f->code);
		lia_cbor_put_tstr(o, f->text);
		break;
	case LIA_FRAME_CHECKPOINT:
		lia_cbor_put_uint(o, f->old);
		lia_cbor_put_bstr(o, f->proof, f->proof_len);
		lia_cbor_put_bstr(o, f->note, f->note_len);
		break;
	case LIA_FRAME_COSIGNATURE:
		lia_cbor_put_uint(o, f->size);
		lia_cbor_put_tstr(o, f->line);
		break;
	case LIA_FRAME_CONFLICT: lia_cbor_put_uint(o, f->old); break;
	case LIA_FRAME_PROOF_REQUEST:
		lia_cbor_put_uint(o, f->request);
		lia_cbor_put_tstr(o, f->node);
		lia_cbor_put_uint(o, f->seq);
		break;
	case LIA_FRAME_PROOF:
		lia_cbor_put_uint(o, f->request);
		lia_cbor_put_uint(o, f->index);
		lia_cbor_put_uint(o, f->size);
		lia_cbor_put_bstr(o, f->proof, f->proof_len);
		lia_cbor_put_bstr(o, f->note, f->note_len);
		break;
	}
}

int lia_wire_encode(const struct lia_frame *f, uint8_t **out, size_t *len, char *err)
{
	struct lia_cbor_out o = {0};
	size_t body;
	int rc = -1;

	if (validate_frame(f, err) != 0)
		goto out;
	o.cap = LIA_FRAME_HEADER + FRAME_FIXED_MAX + sizeof(f->text) + sizeof(f->line) +
	    (f->kind == LIA_FRAME_ENTRY ? f->cose_len : 0) + f->proof_len + f->note_len;
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
	int rc = -1;

	if (n == 0) {
		lia_err_set(err, "frame length 0 is not allowed: a frame holds one CBOR array");
	} else if (n > LIA_FRAME_MAX) {
		lia_err_set(err, "frame of %" PRIu32 " bytes exceeds the limit of %d bytes", n,
		    LIA_FRAME_MAX);
	} else {
		*len = n;
		rc = 0;
	}
	return rc;
}

static int get_uint(const cbor_item_t *item, const char *kind, const char *field,
    uint64_t *v, char *err)
{
	int rc = 0;

	if (cbor_isa_uint(item)) {
		*v = cbor_get_int(item);
	} else {
		lia_err_set(err, "%s frame %s is not an unsigned integer", kind, field);
		rc = -1;
	}
	return rc;
}

/* A definite text string of at most size - 1 bytes (UTF-8 was checked by the loader). */
static int get_tstr(const cbor_item_t *item, const char *kind, const char *field,
    char *dst, size_t size, char *err)
{
	size_t n = 0;
	int rc = -1;

	if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) {
		lia_err_set(err, "%s frame %s is not a text string", kind, field);
	} else if ((n = cbor_string_length(item)) > size - 1) {
		lia_err_set(err, "%s frame %s is %zu bytes, longer than %zu", kind, field, n, size - 1);
	} else {
		if (n > 0)
			memcpy(dst, cbor_string_handle(item), n);
		dst[n] = '\0';
		rc = 0;
	}
	return rc;
}

static int get_hello(cbor_item_t **items, struct lia_frame *f, char *err)
{
	int rc = -1;

	if (get_uint(items[1], "hello", "version", &f->version, err) != 0)
		goto out;
	if (!cbor_isa_bytestring(items[2]) || !cbor_bytestring_is_definite(items[2]) ||
	    cbor_bytestring_length(items[2]) != sizeof(f->charter_hash)) {
		lia_err_set(err, "hello frame charter hash is not a byte string of %zu bytes",
		    sizeof(f->charter_hash));
		goto out;
	}
	memcpy(f->charter_hash, cbor_bytestring_handle(items[2]), sizeof(f->charter_hash));
	if (get_tstr(items[3], "hello", "node", f->node, sizeof(f->node), err) != 0 ||
	    get_uint(items[4], "hello", "seen", &f->seq, err) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

static int get_entry(cbor_item_t **items, struct lia_frame *f, char *err)
{
	size_t n = 0;
	int rc = -1;

	if (get_uint(items[1], "entry", "prev", &f->prev, err) != 0)
		goto out;
	if (!cbor_isa_bytestring(items[2]) || !cbor_bytestring_is_definite(items[2])) {
		lia_err_set(err, "entry frame COSE is not a byte string");
		goto out;
	}
	n = cbor_bytestring_length(items[2]);
	if (n == 0 || n > LIA_COSE_MAX) {
		lia_err_set(err, "entry frame COSE of %zu bytes is not 1 to %d bytes", n, LIA_COSE_MAX);
		goto out;
	}
	f->cose = malloc(n);
	if (f->cose == NULL) {
		lia_err_set(err, "out of memory reading an entry frame of %zu bytes", n);
		goto out;
	}
	memcpy(f->cose, cbor_bytestring_handle(items[2]), n);
	f->cose_len = n;
	rc = 0;
out:
	return rc;
}

/* A definite byte string of at most max bytes, copied into *dst (owned by the frame). */
static int get_bytes(const cbor_item_t *item, const char *kind, const char *field,
    size_t max, uint8_t **dst, size_t *len, char *err)
{
	size_t n;
	int rc = -1;

	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
		lia_err_set(err, "%s frame %s is not a byte string", kind, field);
	} else if ((n = cbor_bytestring_length(item)) > max) {
		lia_err_set(err, "%s frame %s of %zu bytes exceeds %zu", kind, field, n, max);
	} else if (n == 0) {
		rc = 0;
	} else if ((*dst = malloc(n)) == NULL) {
		lia_err_set(err, "out of memory reading a %s frame", kind);
	} else {
		memcpy(*dst, cbor_bytestring_handle(item), n);
		*len = n;
		rc = 0;
	}
	return rc;
}

static int get_checkpoint(cbor_item_t **items, struct lia_frame *f, char *err)
{
	if (get_uint(items[1], "checkpoint", "old", &f->old, err) != 0 ||
	    get_bytes(items[2], "checkpoint", "proof", 32 * LIA_PROOF_MAX_HASHES, &f->proof,
	    &f->proof_len, err) != 0)
		return -1;
	return get_bytes(items[3], "checkpoint", "note", LIA_NOTE_FRAME_MAX, &f->note,
	    &f->note_len, err);
}

static int get_proof(cbor_item_t **items, struct lia_frame *f, char *err)
{
	if (get_uint(items[1], "proof", "request", &f->request, err) != 0 ||
	    get_uint(items[2], "proof", "index", &f->index, err) != 0 ||
	    get_uint(items[3], "proof", "size", &f->size, err) != 0 ||
	    get_bytes(items[4], "proof", "proof", 32 * LIA_PROOF_MAX_HASHES, &f->proof,
	    &f->proof_len, err) != 0)
		return -1;
	return get_bytes(items[5], "proof", "note", LIA_NOTE_FRAME_MAX, &f->note, &f->note_len, err);
}

static int get_proof_request(cbor_item_t **items, struct lia_frame *f, char *err)
{
	if (get_uint(items[1], "proof-request", "request", &f->request, err) != 0 ||
	    get_tstr(items[2], "proof-request", "origin", f->node, sizeof(f->node), err) != 0)
		return -1;
	return get_uint(items[3], "proof-request", "seq", &f->seq, err);
}

static int get_fields(cbor_item_t **items, struct lia_frame *f, char *err)
{
	int rc = -1;

	switch (f->kind) {
	case LIA_FRAME_HELLO: rc = get_hello(items, f, err); break;
	case LIA_FRAME_ENTRY: rc = get_entry(items, f, err); break;
	case LIA_FRAME_SEEN: rc = get_uint(items[1], "seen", "seq", &f->seq, err); break;
	case LIA_FRAME_PING: rc = get_uint(items[1], "ping", "nonce", &f->nonce, err); break;
	case LIA_FRAME_PONG: rc = get_uint(items[1], "pong", "nonce", &f->nonce, err); break;
	case LIA_FRAME_ERROR:
		rc = get_uint(items[1], "error", "code", &f->code, err);
		if (rc == 0)
			rc = get_tstr(items[2], "error", "sentence", f->text, sizeof(f->text), err);
		break;
	case LIA_FRAME_CHECKPOINT: rc = get_checkpoint(items, f, err); break;
	case LIA_FRAME_COSIGNATURE:
		rc = get_uint(items[1], "cosignature", "size", &f->size, err);
		if (rc == 0)
			rc = get_tstr(items[2], "cosignature", "line", f->line, sizeof(f->line), err);
		break;
	case LIA_FRAME_CONFLICT: rc = get_uint(items[1], "conflict", "known", &f->old, err); break;
	case LIA_FRAME_PROOF_REQUEST: rc = get_proof_request(items, f, err); break;
	case LIA_FRAME_PROOF: rc = get_proof(items, f, err); break;
	}
	return rc;
}

static int get_frame(const cbor_item_t *array, struct lia_frame *f, char *err)
{
	cbor_item_t **items;
	uint64_t kind = 0;
	int rc = -1;

	if (!cbor_isa_array(array) || !cbor_array_is_definite(array) ||
	    cbor_array_size(array) == 0) {
		lia_err_set(err, "frame is not a non-empty CBOR array");
		goto out;
	}
	items = cbor_array_handle(array);
	if (cbor_isa_uint(items[0]))
		kind = cbor_get_int(items[0]);
	if (!kind_known(kind)) {
		lia_err_set(err, "frame kind is not 1 (hello) to 11 (proof)");
		goto out;
	}
	f->kind = (enum lia_frame_kind)kind;
	if (cbor_array_size(array) != kind_elements(f->kind)) {
		lia_err_set(err, "%s frame has %zu elements, not %zu", lia_frame_kind_name(f->kind),
		    cbor_array_size(array), kind_elements(f->kind));
		goto out;
	}
	rc = get_fields(items, f, err);
out:
	return rc;
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
	free(f->proof);
	free(f->note);
	memset(f, 0, sizeof(*f));
}
