/*
 * cose.c - COSE_Sign1 (RFC 9052 sections 4.2 and 4.4) with EdDSA over Ed25519,
 * and the guarded CBOR loader that every Liaison parser goes through.
 *
 * Every byte handed to lia_cose_parse or lia_cose_cbor_load comes from a peer
 * and is hostile. Before libcbor allocates anything, a non-allocating pass over
 * the item heads refuses indefinite lengths, nesting deeper than the format,
 * element counts the remaining bytes cannot hold, and trailing bytes (libcbor
 * 0.8 would otherwise malloc 2 GB for a 5-byte array header) and text that
 * is not UTF-8. libcbor 0.8 cannot decode the one-byte head of tag 18, so
 * lia_cose_parse matches it itself and hands libcbor the array that follows.
 * Only the deterministic encoding of RFC 8949 section 4.2.1 that
 * lia_cose_sign produces is accepted, so a signed entry has exactly one byte
 * form and one hash.
 */
#include "cose.h"
#include "cbor_out.h"
#include "ed25519.h"
#include "err.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/err.h>

#define COSE_TAG_SIGN1 18       /* RFC 9052 section 2 */
#define COSE_LABEL_ALG 1        /* RFC 9052 section 3.1 */
#define COSE_LABEL_CRIT 2
#define COSE_LABEL_KID 4
#define COSE_EDDSA_NEGINT 7     /* alg -8 is CBOR negative integer 7 (-1 - 7) */
#define COSE_SIG_LEN LIA_ED25519_SIG_LEN
#define COSE_PROTECTED_MAX 64   /* {1: -8, 4: kid} is at most 37 bytes */
#define COSE_TAG_SIGN1_HEAD 0xd2 /* major type 6, value 18 */
#define COSE_DEPTH 2            /* array, unprotected map (after the tag) */
#define SCAN_DEPTH_MAX 8

/*
 * The protected header map {1: -8, 4: kid}, keys in deterministic order, or
 * {1: -8} alone when kid is empty (the payload names the signer: 7 bytes less
 * on a narrowband link, docs/wire.md).
 */
static int encode_protected(const char *kid, struct lia_cbor_out *o)
{
	size_t kid_len = strlen(kid);

	if (lia_cbor_out_init(o, kid_len + 16) == 0) {
		lia_cbor_out_advance(o, cbor_encode_map_start(kid_len > 0 ? 2 : 1, o->buf + o->len,
		    o->cap - o->len));
		lia_cbor_out_advance(o, cbor_encode_uint(COSE_LABEL_ALG, o->buf + o->len, o->cap - o->len));
		lia_cbor_out_advance(o, cbor_encode_negint(COSE_EDDSA_NEGINT, o->buf + o->len, o->cap - o->len));
		if (kid_len > 0) {
			lia_cbor_out_advance(o, cbor_encode_uint(COSE_LABEL_KID, o->buf + o->len,
			    o->cap - o->len));
			lia_cbor_put_bstr(o, (const uint8_t *)kid, kid_len);
		}
	}
	return o->failed ? -1 : 0;
}

/* Sig_structure ["Signature1", protected, h'' (external_aad), payload] (RFC 9052 section 4.4). */
static int encode_sig_structure(const uint8_t *prot, size_t prot_len,
    const uint8_t *payload, size_t payload_len, struct lia_cbor_out *o)
{
	static const char context[] = "Signature1";

	if (lia_cbor_out_init(o, prot_len + payload_len + 64) == 0) {
		lia_cbor_out_advance(o, cbor_encode_array_start(4, o->buf + o->len, o->cap - o->len));
		lia_cbor_out_advance(o, cbor_encode_string_start(sizeof(context) - 1, o->buf + o->len,
		    o->cap - o->len));
		lia_cbor_put_raw(o, (const uint8_t *)context, sizeof(context) - 1);
		lia_cbor_put_bstr(o, prot, prot_len);
		lia_cbor_put_bstr(o, NULL, 0);
		lia_cbor_put_bstr(o, payload, payload_len);
	}
	return o->failed ? -1 : 0;
}

/* 18([protected, {}, payload, signature]) (RFC 9052 section 4.2). */
static int encode_sign1(const uint8_t *prot, size_t prot_len, const uint8_t *payload,
    size_t payload_len, const uint8_t sig[static COSE_SIG_LEN], struct lia_cbor_out *o)
{
	if (lia_cbor_out_init(o, prot_len + payload_len + COSE_SIG_LEN + 64) == 0) {
		lia_cbor_out_advance(o, cbor_encode_tag(COSE_TAG_SIGN1, o->buf + o->len, o->cap - o->len));
		lia_cbor_out_advance(o, cbor_encode_array_start(4, o->buf + o->len, o->cap - o->len));
		lia_cbor_put_bstr(o, prot, prot_len);
		lia_cbor_out_advance(o, cbor_encode_map_start(0, o->buf + o->len, o->cap - o->len));
		lia_cbor_put_bstr(o, payload, payload_len);
		lia_cbor_put_bstr(o, sig, COSE_SIG_LEN);
	}
	return o->failed ? -1 : 0;
}

/* What the streaming decoder saw in one item head. */
struct scan {
	uint64_t count;   /* elements (arrays), pairs (maps) or 1 (tags) the head opens */
	int pairs;        /* count is of map pairs: each needs two items */
	const char *bad;  /* why the head is refused, or NULL */
	int bad_text;     /* a text string is not UTF-8 ... */
	size_t bad_utf8;  /* ... from this offset into it */
};

/* libcbor refuses bad UTF-8 itself, with no position; find it first to say where. */
static void scan_text(void *ctx, cbor_data data, size_t len)
{
	struct scan *s = ctx;

	s->bad_utf8 = lia_utf8_error_offset(data, len);
	s->bad_text = s->bad_utf8 < len;
}

static void scan_array(void *ctx, size_t n)
{
	((struct scan *)ctx)->count = n;
}

static void scan_map(void *ctx, size_t n)
{
	struct scan *s = ctx;

	s->count = n;
	s->pairs = 1;
}

static void scan_tag(void *ctx, uint64_t value)
{
	(void)value;
	((struct scan *)ctx)->count = 1;
}

static void scan_indefinite(void *ctx)
{
	((struct scan *)ctx)->bad = "an indefinite-length item";
}

static void scan_break(void *ctx)
{
	((struct scan *)ctx)->bad = "a stray break";
}

static struct cbor_callbacks scan_callbacks(void)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;

	cb.array_start = scan_array;
	cb.map_start = scan_map;
	cb.tag = scan_tag;
	cb.string = scan_text;
	cb.indef_array_start = scan_indefinite;
	cb.indef_map_start = scan_indefinite;
	cb.byte_string_start = scan_indefinite;
	cb.string_start = scan_indefinite;
	cb.indef_break = scan_break;
	return cb;
}

static void scan_refusal(const struct scan *s, size_t pos, const char *what, char *err)
{
	if (s->bad_text)
		lia_err_set(err, "%s has invalid UTF-8 at byte %zu of the text string at byte %zu",
		    what, s->bad_utf8, pos);
	else
		lia_err_set(err, "%s has %s at byte %zu", what, s->bad, pos);
}

/* Reads one head at *pos; fills s and advances *pos. */
static int scan_head(const uint8_t *buf, size_t len, size_t *pos, struct scan *s,
    const char *what, char *err)
{
	struct cbor_callbacks cb = scan_callbacks();
	struct cbor_decoder_result r;
	size_t start = *pos, left;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (start >= len) {
		lia_err_set(err, "%s ends after %zu bytes, before the item is complete", what, len);
		goto out;
	}
	r = cbor_stream_decode(buf + start, len - start, &cb, s);
	if (r.status != CBOR_DECODER_FINISHED) {
		lia_err_set(err, "%s is %s at byte %zu", what, r.status == CBOR_DECODER_NEDATA ?
		    "truncated" : "malformed CBOR", start);
		goto out;
	}
	if (s->bad_text || s->bad != NULL) {
		scan_refusal(s, start, what, err);
		goto out;
	}
	left = len - start - r.read;
	if (s->count > (s->pairs ? left / 2 : left)) {
		lia_err_set(err, "%s declares %" PRIu64 " %s at byte %zu but only %zu bytes follow",
		    what, s->count, s->pairs ? "pairs" : "items", start, left);
		goto out;
	}
	*pos = start + r.read;
	rc = 0;
out:
	return rc;
}

/* Walks every head of one item without allocating; see the file comment. */
static int scan_item(const uint8_t *buf, size_t len, unsigned max_depth, const char *what,
    char *err)
{
	uint64_t open[SCAN_DEPTH_MAX + 1]; /* open[0]: the top level holds one item */
	unsigned depth = 1;
	size_t pos = 0;
	struct scan s;
	int rc = -1;

	assert(max_depth <= SCAN_DEPTH_MAX);
	open[0] = 1;
	while (depth > 0) {
		if (scan_head(buf, len, &pos, &s, what, err) != 0)
			goto out;
		open[depth - 1]--;
		if (s.count > 0 && depth > max_depth) {
			lia_err_set(err, "%s nests deeper than %u levels", what, max_depth);
			goto out;
		}
		if (s.count > 0)
			open[depth++] = s.pairs ? s.count * 2 : s.count;
		while (depth > 0 && open[depth - 1] == 0)
			depth--;
	}
	if (pos != len) {
		lia_err_set(err, "%s has %zu trailing bytes after the item", what, len - pos);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

struct cbor_item_t *lia_cose_cbor_load(const uint8_t *buf, size_t len, unsigned max_depth,
    const char *what, char *err)
{
	struct cbor_load_result res;
	cbor_item_t *item = NULL;

	if (len == 0) {
		lia_err_set(err, "%s is empty", what);
		goto out;
	}
	if (scan_item(buf, len, max_depth, what, err) != 0)
		goto out;
	item = cbor_load(buf, len, &res);
	if (item == NULL || res.error.code != CBOR_ERR_NONE || res.read != len) {
		lia_err_set(err, "%s could not be loaded (libcbor error %d near byte %zu)",
		    what, (int)res.error.code, res.error.position);
		if (item != NULL)
			cbor_decref(&item);
	}
out:
	return item;
}

/* A definite byte string's bytes and length, or -1 when item is anything else. */
static int get_bstr(const cbor_item_t *item, const uint8_t **p, size_t *n)
{
	int ok = cbor_isa_bytestring(item) && cbor_bytestring_is_definite(item);

	if (ok) {
		*p = cbor_bytestring_handle(item);
		*n = cbor_bytestring_length(item);
	}
	return ok ? 0 : -1;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);

	if (copy != NULL && n > 0)
		memcpy(copy, p, n);
	return copy;
}

static int parse_alg(const cbor_item_t *value, int *have_alg, char *err)
{
	int rc = -1;

	if (*have_alg) {
		lia_err_set(err, "COSE protected header repeats alg (label 1)");
	} else if (!cbor_isa_negint(value) || cbor_get_int(value) != COSE_EDDSA_NEGINT) {
		lia_err_set(err, "COSE protected header alg must be -8 (EdDSA)");
	} else {
		*have_alg = 1;
		rc = 0;
	}
	return rc;
}

static int parse_kid(const cbor_item_t *value, int *have_kid, char kid[static LIA_NAME_MAX + 1],
    char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (*have_kid) {
		lia_err_set(err, "COSE protected header repeats kid (label 4)");
		goto out;
	}
	if (get_bstr(value, &p, &n) != 0 || n == 0 || n > LIA_NAME_MAX ||
	    memchr(p, 0, n) != NULL) {
		lia_err_set(err, "COSE kid must be a byte string of 1 to %d bytes", LIA_NAME_MAX);
		goto out;
	}
	memcpy(kid, p, n);
	kid[n] = '\0';
	if (!lia_name_valid(kid)) {
		lia_err_set(err, "COSE kid \"%s\" is not a valid node name", kid);
		goto out;
	}
	*have_kid = 1;
	rc = 0;
out:
	return rc;
}

/* One label of the protected map: only alg and kid are allowed (no crit, RFC 9052 section 3.1). */
static int parse_label(const struct cbor_pair *pair, int *have_alg, int *have_kid,
    char kid[static LIA_NAME_MAX + 1], char *err)
{
	uint64_t label = 0;
	int rc = -1;

	if (cbor_isa_negint(pair->key))
		lia_err_set(err, "COSE protected header label -%" PRIu64 " is not allowed",
		    cbor_get_int(pair->key) + 1);
	else if (!cbor_isa_uint(pair->key))
		lia_err_set(err, "COSE protected header label is not an integer");
	else if ((label = cbor_get_int(pair->key)) == COSE_LABEL_ALG)
		rc = parse_alg(pair->value, have_alg, err);
	else if (label == COSE_LABEL_KID)
		rc = parse_kid(pair->value, have_kid, kid, err);
	else if (label == COSE_LABEL_CRIT)
		lia_err_set(err, "COSE protected header crit (label 2) is not supported");
	else
		lia_err_set(err, "COSE protected header label %" PRIu64 " is not allowed", label);
	return rc;
}

static int parse_protected(const uint8_t *buf, size_t len, char kid[static LIA_NAME_MAX + 1],
    char *err)
{
	cbor_item_t *map = lia_cose_cbor_load(buf, len, 2, "COSE protected header", err);
	struct lia_cbor_out canon = {0};
	int have_alg = 0, have_kid = 0, rc = -1;

	if (map == NULL)
		goto out;
	if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) {
		lia_err_set(err, "COSE protected header is not a map");
		goto out;
	}
	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (parse_label(&cbor_map_handle(map)[i], &have_alg, &have_kid, kid, err) != 0)
			goto out;
	if (!have_alg) {
		lia_err_set(err, "COSE protected header lacks alg (label 1)");
		goto out;
	}
	if (encode_protected(kid, &canon) != 0 || canon.len != len ||
	    memcmp(canon.buf, buf, len) != 0) {
		lia_err_set(err, "COSE protected header is not in deterministic CBOR encoding");
		goto out;
	}
	rc = 0;
out:
	free(canon.buf);
	if (map != NULL)
		cbor_decref(&map);
	return rc;
}

static int parse_protected_item(const cbor_item_t *item, struct lia_cose *c, char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (get_bstr(item, &p, &n) != 0 || n == 0 || n > COSE_PROTECTED_MAX) {
		lia_err_set(err, "COSE protected header must be a byte string of 1 to %d bytes",
		    COSE_PROTECTED_MAX);
		goto out;
	}
	if (parse_protected(p, n, c->kid, err) != 0)
		goto out;
	c->protected_bytes = dup_bytes(p, n);
	c->protected_len = n;
	if (c->protected_bytes == NULL) {
		lia_err_set(err, "out of memory reading a COSE protected header");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/*
 * libcbor 0.8's cbor_is_null asserts (aborts) when given a float item, so a
 * payload of 0xfb... would kill the process: ask only simple values.
 * Found by fuzz_cose (fuzz/corpus/cose/crash-float-payload).
 */
static int is_cbor_null(const cbor_item_t *item)
{
	return cbor_isa_float_ctrl(item) && cbor_float_get_width(item) == CBOR_FLOAT_0 &&
	    cbor_is_null(item);
}

static int parse_payload_item(const cbor_item_t *item, struct lia_cose *c, char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (is_cbor_null(item)) {
		lia_err_set(err, "COSE_Sign1 with a detached (nil) payload is not supported");
	} else if (get_bstr(item, &p, &n) != 0) {
		lia_err_set(err, "COSE_Sign1 payload is not a byte string");
	} else if ((c->payload = dup_bytes(p, n)) == NULL) {
		lia_err_set(err, "out of memory reading a COSE_Sign1 payload");
	} else {
		c->payload_len = n;
		rc = 0;
	}
	return rc;
}

static int parse_signature_item(const cbor_item_t *item, struct lia_cose *c, char *err)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = -1;

	if (get_bstr(item, &p, &n) != 0 || n != COSE_SIG_LEN) {
		lia_err_set(err, "COSE_Sign1 signature must be a byte string of %d bytes", COSE_SIG_LEN);
	} else {
		memcpy(c->signature, p, COSE_SIG_LEN);
		rc = 0;
	}
	return rc;
}

/* The four elements of the tagged array. */
static int parse_sign1(const cbor_item_t *array, struct lia_cose *c, char *err)
{
	cbor_item_t **items;
	int rc = -1;

	if (!cbor_isa_array(array) || !cbor_array_is_definite(array) ||
	    cbor_array_size(array) != 4) {
		lia_err_set(err, "COSE_Sign1 must be an array of 4 elements");
		goto out;
	}
	items = cbor_array_handle(array);
	if (parse_protected_item(items[0], c, err) != 0)
		goto out;
	if (!cbor_isa_map(items[1]) || !cbor_map_is_definite(items[1]) ||
	    cbor_map_size(items[1]) != 0) {
		lia_err_set(err, "COSE_Sign1 unprotected header must be an empty map");
		goto out;
	}
	if (parse_payload_item(items[2], c, err) != 0 || parse_signature_item(items[3], c, err) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/* Refuses any encoding other than the one lia_cose_sign makes (minimal heads). */
static int check_deterministic(const uint8_t *buf, size_t len, const struct lia_cose *c, char *err)
{
	struct lia_cbor_out canon = {0};
	int rc = -1;

	if (encode_sign1(c->protected_bytes, c->protected_len, c->payload, c->payload_len,
	    c->signature, &canon) != 0 || canon.len != len || memcmp(canon.buf, buf, len) != 0) {
		lia_err_set(err, "COSE_Sign1 is not in deterministic CBOR encoding");
		goto out;
	}
	rc = 0;
out:
	free(canon.buf);
	return rc;
}

int lia_cose_parse(const uint8_t *buf, size_t len, struct lia_cose *out, char *err)
{
	cbor_item_t *array = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > LIA_COSE_MAX) {
		lia_err_set(err, "COSE_Sign1 of %zu bytes exceeds the limit of %d bytes", len,
		    LIA_COSE_MAX);
		goto out;
	}
	/*
	 * libcbor 0.8's decoder refuses the one-byte heads of tags 6..20 as
	 * "unassigned", 0xd2 included, so the tag is matched here and libcbor
	 * loads the array after it. check_deterministic covers the whole buffer.
	 */
	if (len == 0 || buf[0] != COSE_TAG_SIGN1_HEAD) {
		lia_err_set(err, "COSE_Sign1 must start with CBOR tag 18 (0xd2)");
		goto out;
	}
	array = lia_cose_cbor_load(buf + 1, len - 1, COSE_DEPTH, "COSE_Sign1 array", err);
	if (array == NULL || parse_sign1(array, out, err) != 0 ||
	    check_deterministic(buf, len, out, err) != 0)
		goto out;
	rc = 0;
out:
	if (array != NULL)
		cbor_decref(&array);
	if (rc != 0)
		lia_cose_finish(out);
	return rc;
}

static int check_ed25519(EVP_PKEY *key, const char *use, char *err)
{
	int rc = 0;

	if (key == NULL || !EVP_PKEY_is_a(key, "ED25519")) {
		lia_err_set(err, "COSE %s needs an Ed25519 key", use);
		rc = -1;
	}
	return rc;
}

int lia_cose_sign(EVP_PKEY *key, const char *kid, const uint8_t *payload,
    size_t payload_len, uint8_t **out, size_t *out_len, char *err)
{
	struct lia_cbor_out prot = {0}, tbs = {0}, cose = {0};
	uint8_t sig[COSE_SIG_LEN];
	int rc = -1;

	if (check_ed25519(key, "signing", err) != 0)
		goto out;
	if (kid != NULL && !lia_name_valid(kid)) {
		lia_err_set(err, "COSE kid \"%.40s\" is not a valid node name", kid);
		goto out;
	}
	if (payload_len > LIA_COSE_MAX) {
		lia_err_set(err, "COSE payload of %zu bytes exceeds the limit of %d bytes",
		    payload_len, LIA_COSE_MAX);
		goto out;
	}
	if (encode_protected(kid != NULL ? kid : "", &prot) != 0 ||
	    encode_sig_structure(prot.buf, prot.len, payload, payload_len, &tbs) != 0) {
		lia_err_set(err, "out of memory encoding a COSE_Sign1");
		goto out;
	}
	if (lia_ed25519_sign(key, tbs.buf, tbs.len, sig, "a COSE_Sign1", err) != 0)
		goto out;
	if (encode_sign1(prot.buf, prot.len, payload, payload_len, sig, &cose) != 0) {
		lia_err_set(err, "out of memory encoding a COSE_Sign1");
		goto out;
	}
	if (cose.len > LIA_COSE_MAX) {
		lia_err_set(err, "COSE_Sign1 of %zu bytes would exceed the limit of %d bytes",
		    cose.len, LIA_COSE_MAX);
		goto out;
	}
	*out = cose.buf;
	*out_len = cose.len;
	cose.buf = NULL;
	rc = 0;
out:
	free(prot.buf);
	free(tbs.buf);
	free(cose.buf);
	return rc;
}

int lia_cose_verify(const struct lia_cose *cose, EVP_PKEY *pub, char *err)
{
	struct lia_cbor_out tbs = {0};
	int rc = -1;

	if (check_ed25519(pub, "verification", err) != 0)
		goto out;
	if (encode_sig_structure(cose->protected_bytes, cose->protected_len, cose->payload,
	    cose->payload_len, &tbs) != 0) {
		lia_err_set(err, "out of memory verifying a COSE_Sign1");
		goto out;
	}
	if (!lia_ed25519_valid(pub, tbs.buf, tbs.len, cose->signature)) {
		lia_err_set(err, "COSE_Sign1 signature by \"%s\" does not verify",
		    cose->kid[0] != '\0' ? cose->kid : "(no kid)");
		goto out;
	}
	rc = 0;
out:
	free(tbs.buf);
	return rc;
}

void lia_cose_finish(struct lia_cose *cose)
{
	if (cose == NULL)
		return;
	free(cose->protected_bytes);
	free(cose->payload);
	memset(cose, 0, sizeof(*cose));
}
