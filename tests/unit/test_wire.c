/*
 * test_wire.c - frames: round trip of every kind, exact bytes for known
 * frames, the length prefix's limits, and malformed bodies refused (wrong
 * kind, wrong element counts, wrong types and sizes, trailing bytes,
 * indefinite lengths, nesting, oversize).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cose.h"
#include "err.h"
#include "wire.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static uint8_t sample_cose[] = {0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40};
static uint8_t sample_proof[64] = {1, 2, 3};
static uint8_t sample_note[] = "jp-cn/tokyo\n5\nAAAA\n\n\u2014 jp-cn/tokyo AAAA\n";

static void make_frame(struct lia_frame *f, enum lia_frame_kind kind)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	switch (kind) {
	case LIA_FRAME_HELLO:
		f->version = LIA_WIRE_VERSION;
		for (int i = 0; i < 32; i++)
			f->charter_hash[i] = (uint8_t)(0xa0 + i);
		strcpy(f->node, "tokyo-hq");
		f->seq = 1234;
		break;
	case LIA_FRAME_ENTRY:
		f->prev = 41;
		f->cose = sample_cose;
		f->cose_len = sizeof(sample_cose);
		break;
	case LIA_FRAME_SEEN: f->seq = 42; break;
	case LIA_FRAME_PING: f->nonce = UINT64_MAX; break;
	case LIA_FRAME_PONG: f->nonce = 0; break;
	case LIA_FRAME_ERROR:
		f->code = 3;
		strcpy(f->text, "charter hash differs: 東京 has another charter");
		break;
	case LIA_FRAME_CHECKPOINT:
		f->old = 3;
		f->proof = sample_proof;
		f->proof_len = sizeof(sample_proof);
		f->note = sample_note;
		f->note_len = sizeof(sample_note) - 1;
		break;
	case LIA_FRAME_COSIGNATURE:
		f->size = 5;
		strcpy(f->line, "\u2014 jp-cn/beijing AAAA");
		break;
	case LIA_FRAME_CONFLICT: f->old = 9; break;
	case LIA_FRAME_PROOF_REQUEST:
		f->request = 77;
		strcpy(f->node, "tokyo");
		f->seq = 12;
		break;
	case LIA_FRAME_PROOF:
		f->request = 77;
		f->index = 4;
		f->size = 5;
		f->proof = sample_proof;
		f->proof_len = 32;
		f->note = sample_note;
		f->note_len = sizeof(sample_note) - 1;
		break;
	}
}

static void assert_same_frame(const struct lia_frame *a, const struct lia_frame *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->version, b->version);
	assert_memory_equal(a->charter_hash, b->charter_hash, 32);
	assert_string_equal(a->node, b->node);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->prev, b->prev);
	assert_int_equal(a->cose_len, b->cose_len);
	if (a->cose_len > 0)
		assert_memory_equal(a->cose, b->cose, a->cose_len);
	assert_int_equal(a->nonce, b->nonce);
	assert_int_equal(a->code, b->code);
	assert_string_equal(a->text, b->text);
	assert_int_equal(a->old, b->old);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->index, b->index);
	assert_int_equal(a->request, b->request);
	assert_int_equal(a->proof_len, b->proof_len);
	if (a->proof_len > 0)
		assert_memory_equal(a->proof, b->proof, a->proof_len);
	assert_int_equal(a->note_len, b->note_len);
	if (a->note_len > 0)
		assert_memory_equal(a->note, b->note, a->note_len);
	assert_string_equal(a->line, b->line);
}

static void test_round_trip_each_kind(void **state)
{
	(void)state;
	for (int k = LIA_FRAME_HELLO; k <= LIA_FRAME_PROOF; k++) {
		struct lia_frame f, d;
		char err[LIA_ERR_LEN] = "";
		uint8_t *buf;
		size_t len;
		uint32_t body;

		make_frame(&f, (enum lia_frame_kind)k);
		if (lia_wire_encode(&f, &buf, &len, err) != 0)
			fail_msg("encode %s: %s", lia_frame_kind_name(f.kind), err);
		assert_int_equal(lia_wire_length(buf, &body, err), 0);
		assert_int_equal(body, len - LIA_FRAME_HEADER);
		if (lia_wire_decode(buf + LIA_FRAME_HEADER, body, &d, err) != 0)
			fail_msg("decode %s: %s", lia_frame_kind_name(f.kind), err);
		assert_same_frame(&f, &d);
		if (k == LIA_FRAME_ENTRY)
			assert_ptr_not_equal(d.cose, f.cose);
		lia_frame_finish(&d);
		assert_null(d.cose);
		free(buf);
	}
}

static void expect_encoding(const struct lia_frame *f, const char *hex)
{
	uint8_t expect[256];
	size_t n = unhex(hex, expect, sizeof(expect));
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf;
	size_t len;

	assert_int_equal(lia_wire_encode(f, &buf, &len, err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, expect, n);
	free(buf);
}

static void test_known_bytes(void **state)
{
	struct lia_frame f;

	(void)state;
	make_frame(&f, LIA_FRAME_PING);
	f.nonce = 7;
	expect_encoding(&f, "00000003820407");
	make_frame(&f, LIA_FRAME_SEEN);
	expect_encoding(&f, "00000004" "8203182a");
	make_frame(&f, LIA_FRAME_ENTRY);
	expect_encoding(&f, "0000000b" "83021829" "46d28440a04040");
	make_frame(&f, LIA_FRAME_HELLO);
	expect_encoding(&f, "00000031" "85" "01" "01" "5820"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	    "68746f6b796f2d6871" "1904d2");
	make_frame(&f, LIA_FRAME_ERROR);
	strcpy(f.text, "no");
	expect_encoding(&f, "00000006" "83" "06" "03" "626e6f");
}

static void test_length_prefix(void **state)
{
	uint8_t h[LIA_FRAME_HEADER];
	char err[LIA_ERR_LEN] = "";
	uint32_t len = 99;

	(void)state;
	memcpy(h, "\0\0\0\0", 4);
	assert_int_equal(lia_wire_length(h, &len, err), -1);
	assert_non_null(strstr(err, "frame length 0"));
	assert_int_equal(len, 99);
	memcpy(h, "\x00\x01\x00\x41", 4);
	assert_int_equal(lia_wire_length(h, &len, err), -1);
	assert_string_equal(err, "frame of 65601 bytes exceeds the limit of 65600 bytes");
	memcpy(h, "\xff\xff\xff\xff", 4);
	assert_int_equal(lia_wire_length(h, &len, err), -1);
	assert_non_null(strstr(err, "4294967295 bytes"));
	memcpy(h, "\x00\x01\x00\x40", 4);
	assert_int_equal(lia_wire_length(h, &len, err), 0);
	assert_int_equal(len, 65600);
	memcpy(h, "\x00\x00\x00\x01", 4);
	assert_int_equal(lia_wire_length(h, &len, err), 0);
	assert_int_equal(len, 1);
}

static void expect_decode_error(const char *hex, const char *needle)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof(buf));
	struct lia_frame f;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_wire_decode(buf, n, &f, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("%s: error \"%s\" does not mention \"%s\"", hex, err, needle);
	assert_null(f.cose);
}

#define HASH32 "5820a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

static void test_bad_kinds_and_lengths(void **state)
{
	(void)state;
	expect_decode_error("8100", "frame kind is not 1 (hello) to 11 (proof)");
	expect_decode_error("810c", "frame kind is not 1");
	expect_decode_error("8107", "checkpoint frame has 1 elements, not 4");
	expect_decode_error("8407004040", "checkpoint frame has no note");
	expect_decode_error("840700410040", "proof of 1 bytes is not up to 64 hashes");
	expect_decode_error("840a01616100", "seq 0 names no entry");
	expect_decode_error("82617007", "frame kind is not 1");
	expect_decode_error("822000", "frame kind is not 1");
	expect_decode_error("80", "non-empty CBOR array");
	expect_decode_error("a10407", "non-empty CBOR array");
	expect_decode_error("04", "non-empty CBOR array");
	expect_decode_error("8104", "ping frame has 1 elements, not 2");
	expect_decode_error("83040707", "ping frame has 3 elements, not 2");
	expect_decode_error("8105", "pong frame has 1 elements, not 2");
	expect_decode_error("8103", "seen frame has 1 elements, not 2");
	expect_decode_error("83030100", "seen frame has 3 elements, not 2");
	expect_decode_error("820201", "entry frame has 2 elements, not 3");
	expect_decode_error("840201410000", "entry frame has 4 elements, not 3");
	expect_decode_error("820603", "error frame has 2 elements, not 3");
	expect_decode_error("8401" "01" HASH32 "617a", "hello frame has 4 elements, not 5");
	expect_decode_error("8601" "01" HASH32 "617a0000", "hello frame has 6 elements, not 5");
}

static void test_bad_fields(void **state)
{
	(void)state;
	expect_decode_error("82046131", "ping frame nonce is not an unsigned integer");
	expect_decode_error("820520", "pong frame nonce is not an unsigned integer");
	expect_decode_error("8203f5", "seen frame seq is not an unsigned integer");
	expect_decode_error("82031b8000000000000000", "seen frame seq 9223372036854775808 exceeds");
	expect_decode_error("830201a0", "entry frame COSE is not a byte string");
	expect_decode_error("830201a10101", "deeper");
	expect_decode_error("83020140", "entry frame COSE of 0 bytes");
	expect_decode_error("8302016178", "entry frame COSE is not a byte string");
	expect_decode_error("83022041d2", "entry frame prev is not an unsigned integer");
	expect_decode_error("83060344c3a9c3a9", "error frame sentence is not a text string");
	expect_decode_error("83060362c328", "invalid UTF-8 at byte 0 of the text string at byte 3");
	expect_decode_error("8306036100", "invalid UTF-8");
	expect_decode_error("850100" HASH32 "617a01", "hello frame version 0");
	expect_decode_error("8501" "6131" HASH32 "617a01", "hello frame version is not");
	expect_decode_error("850101" "581f" "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe"
	    "617a01", "charter hash is not a byte string of 32 bytes");
	expect_decode_error("850101" HASH32 "614101", "node \"A\" is not a valid node name");
	expect_decode_error("850101" HASH32 "6001", "node \"\" is not a valid node name");
	expect_decode_error("850101" HASH32 "4161" "01", "hello frame node is not a text string");
	expect_decode_error("850101" HASH32
	    "7821" "616161616161616161616161616161616161616161616161616161616161616161" "01",
	    "hello frame node is 33 bytes, longer than 32");
	expect_decode_error("850101" HASH32 "617a" "20", "hello frame seen is not");
}

static void test_bad_shapes(void **state)
{
	(void)state;
	expect_decode_error("820407" "00", "1 trailing bytes");
	expect_decode_error("9f0407ff", "indefinite");
	expect_decode_error("83025f41d2ff", "indefinite");
	expect_decode_error("8306037f6161ff", "indefinite");
	expect_decode_error("82048107", "deeper");
	expect_decode_error("8204", "only 1 bytes follow");
	expect_decode_error("8304190001", "before the item is complete");
	expect_decode_error("9bffffffffffffffff", "only 0 bytes follow");
	expect_decode_error("8302015a00010000", "truncated");
	expect_decode_error("", "empty");
}

static void test_long_error_sentence(void **state)
{
	uint8_t buf[300];
	struct lia_frame f;
	char err[LIA_ERR_LEN] = "";
	size_t n = unhex("830603" "790100", buf, sizeof(buf));

	(void)state;
	memset(buf + n, 'x', 256);
	assert_int_equal(lia_wire_decode(buf, n + 256, &f, err), -1);
	assert_non_null(strstr(err, "error frame sentence is 256 bytes, longer than 255"));
	n = unhex("830603" "78ff", buf, sizeof(buf));
	memset(buf + n, 'x', 255);
	assert_int_equal(lia_wire_decode(buf, n + 255, &f, err), 0);
	assert_int_equal(strlen(f.text), 255);
	lia_frame_finish(&f);
}

static void test_oversize_refused(void **state)
{
	uint8_t *big = calloc(1, LIA_FRAME_MAX + 1);
	struct lia_frame f;
	char err[LIA_ERR_LEN] = "";
	uint8_t *out = NULL;
	size_t len;

	(void)state;
	assert_non_null(big);
	assert_int_equal(lia_wire_decode(big, LIA_FRAME_MAX + 1, &f, err), -1);
	assert_string_equal(err, "frame of 65601 bytes exceeds the limit of 65600 bytes");

	make_frame(&f, LIA_FRAME_ENTRY);
	f.cose = big;
	f.cose_len = LIA_COSE_MAX + 1;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_non_null(strstr(err, "not 1 to 65536 bytes"));
	/* A COSE of the largest parsable size fits in a frame with its heads. */
	f.cose_len = LIA_COSE_MAX;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), 0);
	{
		struct lia_frame d;
		uint32_t body;
		assert_int_equal(lia_wire_length(out, &body, err), 0);
		assert_int_equal(lia_wire_decode(out + 4, body, &d, err), 0);
		assert_int_equal(d.cose_len, LIA_COSE_MAX);
		lia_frame_finish(&d);
	}
	free(out);
	f.cose = NULL;
	f.cose_len = 0;
	out = NULL;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_null(out);
	free(big);
}

static void test_encode_refuses_invalid(void **state)
{
	struct lia_frame f;
	char err[LIA_ERR_LEN] = "";
	uint8_t *out = NULL;
	size_t len;

	(void)state;
	make_frame(&f, LIA_FRAME_PING);
	f.kind = 0;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_non_null(strstr(err, "frame kind 0"));
	make_frame(&f, LIA_FRAME_HELLO);
	strcpy(f.node, "Tokyo");
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_non_null(strstr(err, "not a valid node name"));
	make_frame(&f, LIA_FRAME_HELLO);
	f.version = 0;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	make_frame(&f, LIA_FRAME_SEEN);
	f.seq = UINT64_MAX;
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	make_frame(&f, LIA_FRAME_ERROR);
	memset(f.text, 'x', sizeof(f.text));
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_non_null(strstr(err, "longer than 255"));
	strcpy(f.text, "bad \xc3");
	assert_int_equal(lia_wire_encode(&f, &out, &len, err), -1);
	assert_non_null(strstr(err, "UTF-8"));
	assert_null(out);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(lia_frame_kind_name(LIA_FRAME_HELLO), "hello");
	assert_string_equal(lia_frame_kind_name(LIA_FRAME_ERROR), "error");
	assert_string_equal(lia_frame_kind_name((enum lia_frame_kind)0), "unknown");
	lia_frame_finish(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_each_kind),
		cmocka_unit_test(test_known_bytes),
		cmocka_unit_test(test_length_prefix),
		cmocka_unit_test(test_bad_kinds_and_lengths),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_shapes),
		cmocka_unit_test(test_long_error_sentence),
		cmocka_unit_test(test_oversize_refused),
		cmocka_unit_test(test_encode_refuses_invalid),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
