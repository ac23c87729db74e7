/*
 * test_entry.c - entry payloads: round trips per type, exact bytes for a
 * known message, every invalid field refused by name, hostile CBOR (unknown,
 * duplicate and unordered keys, trailing bytes, indefinite lengths, long
 * integer heads) refused, and signer/origin mismatches caught.
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
#include <openssl/evp.h>

#include "cose.h"
#include "entry.h"
#include "err.h"

#define T_MSG_MS INT64_C(1795779511123)  /* 2026-11-27T11:38:31.123Z */
#define T_ACK_MS INT64_C(1795779540000)  /* 2026-11-27T11:39:00.000Z */
#define SIGNAL_COSE_LEN 159    /* text form, measured: see docs/wire.md, signal size */
#define SIGNAL_NARROW_PAYLOAD_LEN 45
#define SIGNAL_NARROW_COSE_LEN 120
/* The narrow example's payload, byte by byte in docs/wire.md ("Signal size"). */
static const char kat_narrow_signal[] =
    "a6000401686a702d64643130310219ffff031a6b096bb70c8182182482182d187d"
    "0d821a003598193a00d56f45";

/* Payload bytes computed by hand (Python) from the format in docs/wire.md. */
static const char kat_message[] =
    "a800010168746f6b796f2d687102182a037818323032362d31312d32375431313a3338"
    "3a33312e3132335a046a6265696a696e672d687105000662656e076548656c6c6f";
static const char kat_ack[] =
    "a80003016a6265696a696e672d68710207037818323032362d31312d32375431313a33"
    "393a30302e3030305a0868746f6b796f2d687109182a0a5820000102030405060708090a"
    "0b0c0d0e0f101112131415161718191a1b1c1d1e1f0b664c6920576569";

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

static void make_message(struct lia_entry *e, char *text)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_MESSAGE;
	strcpy(e->origin, "tokyo-hq");
	e->seq = 42;
	e->time_ms = T_MSG_MS;
	strcpy(e->to, "beijing-hq");
	e->precedence = LIA_FLASH;
	strcpy(e->lang, "en");
	e->text = text;
}

/* One code with two values, at sea off Tokyo Bay, from a unit with a 5-character name. */
static void make_signal(struct lia_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_SIGNAL;
	strcpy(e->origin, "tokyo");
	e->seq = 3;
	e->time_ms = T_MSG_MS;
	strcpy(e->to, "bjing");
	e->nsignals = 1;
	strcpy(e->signals[0].code, "L-MV4");
	e->signals[0].nparams = 2;
	strcpy(e->signals[0].params[0], "045");
	strcpy(e->signals[0].params[1], "12.5");
	e->lat = 3512345;
	e->lon = -13987654;
}

static void make_ack(struct lia_entry *e, enum lia_entry_type type)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	strcpy(e->origin, "beijing-hq");
	e->seq = 7;
	e->time_ms = T_ACK_MS;
	strcpy(e->ref_origin, "tokyo-hq");
	e->ref_seq = 42;
	for (int i = 0; i < 32; i++)
		e->ref_hash[i] = (uint8_t)i;
	if (type == LIA_ENTRY_ACK)
		strcpy(e->operator_name, "Li Wei");
}

/* tokyo-hq's notice that beijing-hq's ack of tokyo-hq/42 is 95 s late, first step. */
static void make_overdue(struct lia_entry *e)
{
	make_ack(e, LIA_ENTRY_OVERDUE);
	strcpy(e->origin, "tokyo-hq");
	strcpy(e->late_node, "beijing-hq");
	e->deadline = LIA_DEADLINE_ACK;
	e->step = 1;
	e->late_s = 95;
	e->due_ms = T_ACK_MS - 95000;
	e->precedence = LIA_IMMEDIATE;
}

static void assert_same_entry(const struct lia_entry *a, const struct lia_entry *b)
{
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->origin, b->origin);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->time_ms, b->time_ms);
	assert_int_equal(a->narrow, b->narrow);
	if (a->type == LIA_ENTRY_SIGNAL) {
		assert_string_equal(a->to, b->to);
		assert_int_equal(a->nsignals, b->nsignals);
		for (size_t i = 0; i < a->nsignals; i++) {
			const struct lia_entry_signal *x = &a->signals[i], *y = &b->signals[i];

			assert_string_equal(x->code, y->code);
			assert_int_equal(x->number, y->number);
			assert_int_equal(x->nparams, y->nparams);
			for (size_t j = 0; j < x->nparams; j++) {
				assert_int_equal(x->is_num[j], y->is_num[j]);
				if (x->is_num[j])
					assert_int_equal(x->num[j], y->num[j]);
				else
					assert_string_equal(x->params[j], y->params[j]);
			}
		}
		assert_int_equal(a->lat, b->lat);
		assert_int_equal(a->lon, b->lon);
		return;
	}
	if (a->type == LIA_ENTRY_MESSAGE) {
		assert_string_equal(a->to, b->to);
		assert_int_equal(a->precedence, b->precedence);
		assert_string_equal(a->lang, b->lang);
		assert_string_equal(a->text, b->text);
		return;
	}
	assert_string_equal(a->ref_origin, b->ref_origin);
	assert_int_equal(a->ref_seq, b->ref_seq);
	assert_memory_equal(a->ref_hash, b->ref_hash, 32);
	assert_string_equal(a->operator_name, b->operator_name);
	assert_int_equal(a->precedence, b->precedence);
	assert_string_equal(a->late_node, b->late_node);
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->step, b->step);
	assert_int_equal(a->late_s, b->late_s);
	assert_int_equal(a->due_ms, b->due_ms);
}

static void round_trip(const struct lia_entry *e)
{
	struct lia_entry d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf, *again;
	size_t len, again_len;

	assert_int_equal(lia_entry_encode(e, &buf, &len, err), 0);
	if (lia_entry_decode(buf, len, &d, err) != 0)
		fail_msg("decode: %s", err);
	assert_same_entry(e, &d);
	assert_int_equal(lia_entry_encode(&d, &again, &again_len, err), 0);
	assert_int_equal(len, again_len);
	assert_memory_equal(buf, again, len);
	lia_entry_finish(&d);
	free(buf);
	free(again);
}

static void test_round_trip_each_type(void **state)
{
	struct lia_entry e;
	char text[] = "FLASH: 北京, 東京 — 確認されたい。";

	(void)state;
	make_message(&e, text);
	round_trip(&e);
	e.precedence = LIA_ROUTINE;
	strcpy(e.lang, "zh-Hans-CN");
	round_trip(&e);
	make_ack(&e, LIA_ENTRY_RECEIPT);
	round_trip(&e);
	make_ack(&e, LIA_ENTRY_ACK);
	round_trip(&e);
}

static void expect_bytes(const struct lia_entry *e, const char *hex)
{
	uint8_t expect[256];
	size_t n = unhex(hex, expect, sizeof(expect));
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf;
	size_t len;

	assert_int_equal(lia_entry_encode(e, &buf, &len, err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, expect, n);
	free(buf);
}

static void test_known_bytes(void **state)
{
	struct lia_entry e;
	char text[] = "Hello";

	(void)state;
	make_message(&e, text);
	expect_bytes(&e, kat_message);
	make_ack(&e, LIA_ENTRY_ACK);
	expect_bytes(&e, kat_ack);
}

/* Fields of other types left in the struct are not encoded. */
static void test_foreign_struct_fields_ignored(void **state)
{
	struct lia_entry e;
	char text[] = "Hello";

	(void)state;
	make_message(&e, text);
	strcpy(e.operator_name, "x");
	e.ref_seq = 9;
	expect_bytes(&e, kat_message);
}

static void expect_invalid(const struct lia_entry *e, const char *needle)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf = NULL;
	size_t len;

	assert_int_equal(lia_entry_validate(e, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_int_equal(lia_entry_encode(e, &buf, &len, err), -1);
	assert_null(buf);
}

static void test_invalid_fields_named(void **state)
{
	struct lia_entry e;
	char text[] = "Hello", empty[] = "", *long_text;

	(void)state;
	make_message(&e, text);
	e.type = 30; /* 9 is the relay now; 30 stays unassigned */
	expect_invalid(&e, "entry field 0 (type)");
	make_message(&e, text);
	strcpy(e.origin, "Tokyo");
	expect_invalid(&e, "entry field 1 (origin)");
	make_message(&e, text);
	memset(e.origin, 'a', sizeof(e.origin));
	expect_invalid(&e, "entry field 1 (origin)");
	make_message(&e, text);
	e.seq = 0;
	expect_invalid(&e, "entry field 2 (seq)");
	e.seq = (uint64_t)INT64_MAX + 1;
	expect_invalid(&e, "entry field 2 (seq)");
	make_message(&e, text);
	e.time_ms = -1;
	expect_invalid(&e, "entry field 3 (time)");
	make_message(&e, text);
	e.to[0] = '\0';
	expect_invalid(&e, "entry field 4 (to)");
	make_message(&e, text);
	e.precedence = 4;
	expect_invalid(&e, "entry field 5 (precedence)");
	make_message(&e, text);
	strcpy(e.lang, "e");
	expect_invalid(&e, "entry field 6 (lang)");
	make_message(&e, NULL);
	expect_invalid(&e, "entry field 7 (text): missing");
	make_message(&e, empty);
	expect_invalid(&e, "entry field 7 (text): empty");
	long_text = malloc(LIA_TEXT_MAX + 2);
	assert_non_null(long_text);
	memset(long_text, 'x', LIA_TEXT_MAX + 1);
	long_text[LIA_TEXT_MAX + 1] = '\0';
	make_message(&e, long_text);
	expect_invalid(&e, "entry field 7 (text): longer than 16384 bytes");
	long_text[LIA_TEXT_MAX] = '\0';
	{
		char err[LIA_ERR_LEN];
		assert_int_equal(lia_entry_validate(&e, err), 0);
	}
	free(long_text);
	make_ack(&e, LIA_ENTRY_RECEIPT);
	strcpy(e.ref_origin, "-x");
	expect_invalid(&e, "entry field 8 (ref-origin)");
	make_ack(&e, LIA_ENTRY_RECEIPT);
	e.ref_seq = 0;
	expect_invalid(&e, "entry field 9 (ref-seq)");
	make_ack(&e, LIA_ENTRY_ACK);
	e.operator_name[0] = '\0';
	expect_invalid(&e, "entry field 11 (operator): empty");
	make_ack(&e, LIA_ENTRY_ACK);
	memset(e.operator_name, 'o', sizeof(e.operator_name));
	expect_invalid(&e, "entry field 11 (operator): longer than 64 bytes");
	make_ack(&e, LIA_ENTRY_ACK);
	strcpy(e.operator_name, "Li\tWei");
	expect_invalid(&e, "entry field 11 (operator): control character at byte 2");
	strcpy(e.operator_name, "Li \xc2\x85");
	expect_invalid(&e, "entry field 11 (operator): control character at byte 3");
	strcpy(e.operator_name, "\xe2\x80\xaeieW iL");
	expect_invalid(&e, "entry field 11 (operator): control character at byte 0");
	strcpy(e.operator_name, "Li \xff");
	expect_invalid(&e, "entry field 11 (operator): invalid UTF-8 at byte 3");
}

/* Link test (7) and its answer (8): round trip, fields named, unknown types and reserved keys refused. */
static void test_linktest_entries(void **state)
{
	struct lia_entry e, d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST;
	strcpy(e.origin, "tokyo");
	e.seq = 9;
	e.time_ms = T_ACK_MS;
	strcpy(e.to, "beijing");
	e.nonce = UINT64_MAX;
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	assert_int_equal(lia_entry_decode(buf, len, &d, err), 0);
	assert_int_equal(d.type, LIA_ENTRY_LINKTEST);
	assert_string_equal(d.to, "beijing");
	assert_true(d.nonce == UINT64_MAX);
	free(buf);
	strcpy(e.to, "Beijing");
	expect_invalid(&e, "entry field 4 (to)");

	make_ack(&e, LIA_ENTRY_LINKTEST_ANSWER);
	e.nonce = 77;
	e.heard_ms = T_ACK_MS - 5;
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	assert_int_equal(lia_entry_decode(buf, len, &d, err), 0);
	assert_int_equal(d.type, LIA_ENTRY_LINKTEST_ANSWER);
	assert_int_equal(d.ref_seq, 42);
	assert_memory_equal(d.ref_hash, e.ref_hash, 32);
	assert_int_equal(d.nonce, 77);
	assert_int_equal(d.heard_ms, T_ACK_MS - 5);
	free(buf);
	e.heard_ms = -1;
	expect_invalid(&e, "entry field 26 (heard)");
	e.heard_ms = 0;
	e.ref_seq = 0;
	expect_invalid(&e, "entry field 9 (ref-seq)");
	e.type = (enum lia_entry_type)10;
	expect_invalid(&e, "is not message (1)");
	assert_string_equal(lia_entry_type_name(LIA_ENTRY_LINKTEST), "link test");
	assert_string_equal(lia_entry_type_name(LIA_ENTRY_LINKTEST_ANSWER), "link test answer");
}

static void test_invalid_utf8_text(void **state)
{
	static const struct { const char *text; const char *needle; } cases[] = {
		{"Hello, \xff world", "entry field 7 (text): invalid UTF-8 at byte 7"},
		{"ab\xc0\x80", "invalid UTF-8 at byte 2"},            /* overlong NUL */
		{"\xed\xa0\x80", "invalid UTF-8 at byte 0"},          /* surrogate */
		{"ok \xe2\x82", "invalid UTF-8 at byte 3"},           /* truncated */
		{"\xf4\x90\x80\x80", "invalid UTF-8 at byte 0"},      /* above U+10FFFF */
		{"\xe6\x9d\xb1\x80", "invalid UTF-8 at byte 3"},      /* stray continuation */
	};
	struct lia_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[32];
		strcpy(text, cases[i].text);
		make_message(&e, text);
		expect_invalid(&e, cases[i].needle);
	}
}

/* A test-side CBOR writer, to build hostile payloads field by field. */
struct tb {
	uint8_t buf[2048];
	size_t len;
};

static void tb_uint(struct tb *b, uint64_t v)
{
	b->len += cbor_encode_uint(v, b->buf + b->len, sizeof(b->buf) - b->len);
}

static void tb_map(struct tb *b, size_t n)
{
	b->len += cbor_encode_map_start(n, b->buf + b->len, sizeof(b->buf) - b->len);
}

static void tb_text(struct tb *b, const char *s)
{
	size_t n = strlen(s);

	b->len += cbor_encode_string_start(n, b->buf + b->len, sizeof(b->buf) - b->len);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static void tb_hex(struct tb *b, const char *hex)
{
	b->len += unhex(hex, b->buf + b->len, sizeof(b->buf) - b->len);
}

/* Appends message field k with its usual value. */
static void tb_field(struct tb *b, int k)
{
	tb_uint(b, (uint64_t)k);
	switch (k) {
	case 0: tb_uint(b, 1); break;
	case 1: tb_text(b, "tokyo-hq"); break;
	case 2: tb_uint(b, 42); break;
	case 3: tb_text(b, "2026-11-27T11:38:31.123Z"); break;
	case 4: tb_text(b, "beijing-hq"); break;
	case 5: tb_uint(b, 0); break;
	case 6: tb_text(b, "en"); break;
	case 7: tb_text(b, "Hello"); break;
	default: fail();
	}
}

/* Starts a message map of n pairs with fields 0..upto-1. */
static void tb_message_upto(struct tb *b, size_t n, int upto)
{
	b->len = 0;
	tb_map(b, n);
	for (int k = 0; k < upto; k++)
		tb_field(b, k);
}

static void expect_decode_error(const struct tb *b, const char *needle)
{
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_entry_decode(b->buf, b->len, &e, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_null(e.text);
}

static void test_builder_matches(void **state)
{
	struct tb b;
	uint8_t expect[256];
	size_t n = unhex(kat_message, expect, sizeof(expect));

	(void)state;
	tb_message_upto(&b, 8, 8);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.buf, expect, n);
}

static void test_hostile_maps_refused(void **state)
{
	struct tb b;

	(void)state;
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 40); /* past every key entry.h reserves */
	tb_uint(&b, 0);
	expect_decode_error(&b, "unknown field 40");

	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 27); /* reserved for link tests, not yet used */
	tb_uint(&b, 0);
	expect_decode_error(&b, "unknown field 27");

	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 25);
	tb_uint(&b, 0);
	expect_decode_error(&b, "entry field 25 (nonce): not allowed in a message");

	tb_message_upto(&b, 9, 8);
	tb_field(&b, 0);
	expect_decode_error(&b, "entry field 0 (type): present twice");

	tb_message_upto(&b, 9, 8);
	tb_field(&b, 7);
	expect_decode_error(&b, "entry field 7 (text): present twice");

	b.len = 0;
	tb_map(&b, 8);
	tb_field(&b, 1);
	tb_field(&b, 0);
	for (int k = 2; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 0 (type): out of order after field 1");

	tb_message_upto(&b, 8, 8);
	tb_hex(&b, "00");
	expect_decode_error(&b, "1 trailing bytes");

	b.len = 0;
	tb_hex(&b, "bf");
	for (int k = 0; k < 8; k++)
		tb_field(&b, k);
	tb_hex(&b, "ff");
	expect_decode_error(&b, "indefinite");

	tb_message_upto(&b, 8, 7);
	tb_uint(&b, 7);
	tb_hex(&b, "7f6548656c6c6fff");
	expect_decode_error(&b, "indefinite");

	tb_message_upto(&b, 8, 7);
	tb_uint(&b, 7);
	tb_hex(&b, "8181818100"); /* entries nest 4 levels at most (signals) */
	expect_decode_error(&b, "deeper");

	b.len = 0;
	tb_hex(&b, "a1616100");
	expect_decode_error(&b, "key 0 is not an unsigned integer");

	b.len = 0;
	tb_hex(&b, "a12000");
	expect_decode_error(&b, "key 0 is not an unsigned integer");

	b.len = 0;
	tb_hex(&b, "8100");
	expect_decode_error(&b, "not a CBOR map");

	b.len = 0;
	tb_hex(&b, "bb00000000ffffffff");
	expect_decode_error(&b, "only 0 bytes follow");

	b.len = 0;
	expect_decode_error(&b, "empty");
}

/* A message may name its sending operator (key 32); messages without one, as before key 32, are unchanged. */
static void test_sender_operator(void **state)
{
	struct lia_entry e, d;
	char text[] = "Hello", err[LIA_ERR_LEN] = "";
	uint8_t *buf = NULL, *old = NULL;
	size_t len, old_len;
	struct tb b;

	(void)state;
	make_message(&e, text);
	assert_int_equal(lia_entry_encode(&e, &old, &old_len, err), 0);
	strcpy(e.sender_operator, "Lt. Wang 王");
	round_trip(&e);
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	assert_true(len > old_len);
	/* The last pair: key 32 (0x18 0x20) then the name. */
	assert_true(memmem(buf, len, "\x18\x20", 2) != NULL);
	assert_int_equal(lia_entry_decode(buf, len, &d, err), 0);
	assert_string_equal(d.sender_operator, "Lt. Wang 王");
	lia_entry_finish(&d);
	free(buf);
	/* A message without a sender decodes with none, and its bytes are the old ones. */
	make_message(&e, text);
	expect_bytes(&e, kat_message);
	assert_int_equal(lia_entry_decode(old, old_len, &d, err), 0);
	assert_string_equal(d.sender_operator, "");
	lia_entry_finish(&d);
	free(old);
	/* Control characters and overlong names are refused before signing. */
	make_message(&e, text);
	strcpy(e.sender_operator, "Wang\nroot");
	assert_int_equal(lia_entry_validate(&e, err), -1);
	assert_non_null(strstr(err, "32 (sender-operator)"));
	/* Key 32 belongs to messages only. */
	make_ack(&e, LIA_ENTRY_ACK);
	strcpy(e.sender_operator, "ignored");
	round_trip(&e);
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 32);
	tb_text(&b, "");
	assert_int_equal(lia_entry_decode(b.buf, b.len, &d, err), -1);  /* an empty sender is no sender */
}

/* An incident note from tokyo-hq on tokyo-hq/1, without an operator. */
static void make_incident_note(struct lia_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_INCIDENT;
	strcpy(e->origin, "tokyo-hq");
	e->seq = 3;
	e->time_ms = INT64_C(1795779511123);
	strcpy(e->to, "china");
	e->action = LIA_INCIDENT_NOTE;
	strcpy(e->inc_origin, "tokyo-hq");
	e->inc_seq = 1;
	strcpy(e->inc_text, "tugs alongside");
}

/* The hand-built payload of make_incident_note, with key 11 = op when op is not NULL. */
static void tb_incident_note(struct tb *b, const char *op)
{
	b->len = 0;
	tb_map(b, op != NULL ? 9 : 8);
	tb_uint(b, 0); tb_uint(b, 5);
	tb_uint(b, 1); tb_text(b, "tokyo-hq");
	tb_uint(b, 2); tb_uint(b, 3);
	tb_uint(b, 3); tb_text(b, "2026-11-27T11:38:31.123Z");
	tb_uint(b, 4); tb_text(b, "china");
	if (op != NULL) {
		tb_uint(b, 11);
		tb_text(b, op);
	}
	tb_uint(b, 14); tb_uint(b, 4);
	tb_uint(b, 15);
	b->len += cbor_encode_array_start(2, b->buf + b->len, sizeof(b->buf) - b->len);
	tb_text(b, "tokyo-hq");
	tb_uint(b, 1);
	tb_uint(b, 16); tb_text(b, "tugs alongside");
}

/* An incident entry may name its operator (key 11, any action); without one its bytes are as before. */
static void test_incident_operator(void **state)
{
	struct lia_entry e, d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf = NULL, *old = NULL;
	size_t len = 0, old_len = 0;
	struct tb b;

	(void)state;
	/* Absent: the payload is the one made before key 11 was allowed here, and decodes with none. */
	make_incident_note(&e);
	assert_int_equal(lia_entry_encode(&e, &old, &old_len, err), 0);
	tb_incident_note(&b, NULL);
	assert_int_equal(old_len, b.len);
	assert_memory_equal(old, b.buf, b.len);
	assert_int_equal(lia_entry_decode(old, old_len, &d, err), 0);
	assert_string_equal(d.operator_name, "");
	lia_entry_finish(&d);
	free(old);
	/* Present: signed in key order (11 before 14), decoded back, one encoding. */
	strcpy(e.operator_name, "Lt. Wang 王");
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	tb_incident_note(&b, "Lt. Wang 王");
	assert_int_equal(len, b.len);
	assert_memory_equal(buf, b.buf, b.len);
	if (lia_entry_decode(buf, len, &d, err) != 0)
		fail_msg("decode: %s", err);
	assert_string_equal(d.operator_name, "Lt. Wang 王");
	assert_string_equal(d.inc_text, "tugs alongside");
	lia_entry_finish(&d);
	free(buf);
	/* Every action may carry it: an open with a position, and a confirm. */
	make_incident_note(&e);
	e.action = LIA_INCIDENT_OPEN;
	e.inc_origin[0] = '\0';
	e.inc_seq = 0;
	e.has_position = 1;
	e.lat = 3150000;
	e.lon = 12475000;
	strcpy(e.operator_name, "Sato");
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	assert_int_equal(lia_entry_decode(buf, len, &d, err), 0);
	assert_string_equal(d.operator_name, "Sato");
	lia_entry_finish(&d);
	free(buf);
	/* Bad names are refused before signing: controls, bidi overrides, too long. */
	make_incident_note(&e);
	strcpy(e.operator_name, "Wang\nroot");
	assert_int_equal(lia_entry_validate(&e, err), -1);
	assert_non_null(strstr(err, "entry field 11 (operator): control character"));
	strcpy(e.operator_name, "Wang \xe2\x80\xae" "gnaW");  /* U+202E */
	assert_int_equal(lia_entry_validate(&e, err), -1);
	assert_non_null(strstr(err, "entry field 11 (operator)"));
	memset(e.operator_name, 'x', LIA_OPERATOR_MAX);
	e.operator_name[LIA_OPERATOR_MAX] = '\0';
	assert_int_equal(lia_entry_validate(&e, err), 0);  /* 64 bytes: the limit */
	/* ... and by the decoder: an empty name (absent, never empty), a control, 65 bytes, not text. */
	tb_incident_note(&b, "");
	expect_decode_error(&b, "entry field 11 (operator): empty");
	tb_incident_note(&b, "Wang\x07");
	expect_decode_error(&b, "entry field 11 (operator): control character");
	tb_incident_note(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	expect_decode_error(&b, "entry field 11 (operator)");
	/* A message may not carry key 11 (only an ack and incident entries do). */
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 11);
	tb_text(&b, "Lt. Wang");
	expect_decode_error(&b, "entry field 11 (operator): not allowed in a message");
}

static void test_membership_refused(void **state)
{
	struct tb b;

	(void)state;
	tb_message_upto(&b, 7, 7);
	expect_decode_error(&b, "entry field 7 (text): missing from a message");

	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 11);
	tb_text(&b, "Li Wei");
	expect_decode_error(&b, "entry field 11 (operator): not allowed in a message");

	b.len = 0;
	tb_map(&b, 1);
	tb_field(&b, 1);
	expect_decode_error(&b, "entry field 0 (type): missing");

	/* A receipt carrying message fields. */
	b.len = 0;
	tb_map(&b, 8);
	tb_uint(&b, 0);
	tb_uint(&b, 2);
	for (int k = 1; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 4 (to): not allowed in a receipt");
}

static void test_bad_values_refused(void **state)
{
	struct tb b;

	(void)state;
	tb_message_upto(&b, 8, 0);
	tb_uint(&b, 0);
	tb_uint(&b, 31); /* past every type entry.h reserves */
	for (int k = 1; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 0 (type): 31 is not");

	tb_message_upto(&b, 8, 1);
	tb_uint(&b, 1);
	tb_hex(&b, "4474657374");
	for (int k = 2; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 1 (origin): not a text string");

	tb_message_upto(&b, 8, 2);
	tb_uint(&b, 2);
	tb_text(&b, "42");
	for (int k = 3; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 2 (seq): not an unsigned integer");

	tb_message_upto(&b, 8, 2);
	tb_uint(&b, 2);
	tb_uint(&b, (uint64_t)INT64_MAX + 1);
	for (int k = 3; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 2 (seq)");

	tb_message_upto(&b, 8, 2);
	tb_uint(&b, 2);
	tb_uint(&b, 0);
	for (int k = 3; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 2 (seq): 0 is not between 1");

	tb_message_upto(&b, 8, 3);
	tb_uint(&b, 3);
	tb_text(&b, "2026-11-27T11:38:31Z");
	for (int k = 4; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 3 (time): \"2026-11-27T11:38:31Z\" is not in the form");

	tb_message_upto(&b, 8, 3);
	tb_uint(&b, 3);
	tb_text(&b, "yesterday");
	for (int k = 4; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 3 (time)");

	tb_message_upto(&b, 8, 5);
	tb_uint(&b, 5);
	tb_uint(&b, 4);
	tb_field(&b, 6);
	tb_field(&b, 7);
	expect_decode_error(&b, "entry field 5 (precedence): 4 is not 0 (FLASH) to 3");

	tb_message_upto(&b, 8, 6);
	tb_uint(&b, 6);
	tb_text(&b, "english!");
	tb_field(&b, 7);
	expect_decode_error(&b, "entry field 6 (lang)");

	tb_message_upto(&b, 8, 7);
	tb_uint(&b, 7);
	tb_hex(&b, "6c48656c6c6f2c20776f726cff");
	expect_decode_error(&b, "entry field 7 (text): invalid UTF-8 at byte 11");

	tb_message_upto(&b, 8, 7);
	tb_uint(&b, 7);
	tb_hex(&b, "6348000a");
	expect_decode_error(&b, "entry field 7 (text): invalid UTF-8 at byte 1");

	tb_message_upto(&b, 8, 1);
	tb_uint(&b, 1);
	tb_hex(&b, "62e9e9");
	for (int k = 2; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 1 (origin): invalid UTF-8 at byte 0");

	tb_message_upto(&b, 8, 7);
	tb_uint(&b, 7);
	tb_text(&b, "");
	expect_decode_error(&b, "entry field 7 (text): empty");

	tb_message_upto(&b, 8, 4);
	tb_uint(&b, 4);
	tb_text(&b, "a-name-that-is-far-too-long-for-a-node");
	for (int k = 5; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "entry field 4 (to): 38 bytes, longer than 32");
}

static void test_reference_values_refused(void **state)
{
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf;
	size_t len;
	struct tb b;

	(void)state;
	make_ack(&e, LIA_ENTRY_RECEIPT);
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	/* Shorten the ref-hash: 0a 58 20 <32> becomes 0a 58 1f <31>. */
	assert_true(len < sizeof(b.buf));
	memcpy(b.buf, buf, len);
	b.len = len;
	assert_int_equal(b.buf[len - 33], 0x20);
	b.buf[len - 33] = 0x1f;
	b.len--;
	expect_decode_error(&b, "entry field 10 (ref-hash): not a byte string of 32 bytes");
	free(buf);

	make_ack(&e, LIA_ENTRY_ACK);
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	memcpy(b.buf, buf, len);
	b.len = len;
	/* Operator "Li Wei" -> "Li\x01Wei". */
	b.buf[len - 4] = 0x01;
	expect_decode_error(&b, "entry field 11 (operator): control character at byte 2");
	free(buf);
}

static void test_long_heads_refused(void **state)
{
	struct tb b;

	(void)state;
	/* seq 5 in a two-byte head (18 05) instead of one. */
	tb_message_upto(&b, 8, 2);
	tb_uint(&b, 2);
	tb_hex(&b, "1805");
	for (int k = 3; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "deterministic");

	/* Map length in a one-byte head (b8 08). */
	b.len = 0;
	tb_hex(&b, "b808");
	for (int k = 0; k < 8; k++)
		tb_field(&b, k);
	expect_decode_error(&b, "deterministic");
}

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	assert_non_null(key);
	return key;
}

static void test_sign_verify_open(void **state)
{
	EVP_PKEY *key = new_key(), *other = new_key();
	struct lia_entry e, d;
	char text[] = "Request immediate contact.", err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	make_message(&e, text);
	assert_int_equal(lia_entry_sign(&e, key, &cose, &len, err), 0);
	assert_int_equal(lia_entry_verify(cose, len, key, &d, err), 0);
	assert_same_entry(&e, &d);
	lia_entry_finish(&d);
	assert_int_equal(lia_entry_open(cose, len, &d, err), 0);
	assert_same_entry(&e, &d);
	lia_entry_finish(&d);

	assert_int_equal(lia_entry_verify(cose, len, other, &d, err), -1);
	assert_non_null(strstr(err, "does not verify"));
	assert_null(d.text);
	cose[len - 1] ^= 1;
	assert_int_equal(lia_entry_verify(cose, len, key, &d, err), -1);
	assert_int_equal(lia_entry_open(cose, len, &d, err), 0);
	lia_entry_finish(&d);
	free(cose);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_kid_must_be_origin(void **state)
{
	EVP_PKEY *key = new_key();
	struct lia_entry e, d;
	char text[] = "Hello", err[LIA_ERR_LEN] = "";
	uint8_t *payload, *cose;
	size_t len, cose_len;

	(void)state;
	make_message(&e, text);
	assert_int_equal(lia_entry_encode(&e, &payload, &len, err), 0);
	assert_int_equal(lia_cose_sign(key, "beijing-hq", payload, len, &cose, &cose_len, err), 0);
	assert_int_equal(lia_entry_open(cose, cose_len, &d, err), -1);
	assert_string_equal(err, "entry claims origin tokyo-hq but is signed as beijing-hq");
	assert_null(d.text);
	assert_int_equal(lia_entry_verify(cose, cose_len, key, &d, err), -1);
	assert_string_equal(err, "entry claims origin tokyo-hq but is signed as beijing-hq");
	assert_null(d.text);
	free(payload);
	free(cose);
	EVP_PKEY_free(key);
}

static void test_signed_garbage_refused(void **state)
{
	EVP_PKEY *key = new_key();
	struct lia_entry d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose;
	size_t len;

	(void)state;
	assert_int_equal(lia_cose_sign(key, "tokyo-hq", (const uint8_t *)"\xa0", 1, &cose, &len, err), 0);
	assert_int_equal(lia_entry_verify(cose, len, key, &d, err), -1);
	assert_non_null(strstr(err, "entry field 0 (type): missing"));
	free(cose);
	EVP_PKEY_free(key);
}

/* Signs a signal (make_signal) claiming origin with key; *cose caller frees. */
static size_t signal_from(const char *origin, EVP_PKEY *key, uint8_t **cose)
{
	char err[LIA_ERR_LEN] = "";
	struct lia_entry e;
	size_t len = 0;

	make_signal(&e);
	strcpy(e.origin, origin);
	assert_int_equal(lia_entry_sign(&e, key, cose, &len, err), 0);
	return len;
}

/* lia_entry_open_from refuses len bytes of cose from peer, with err holding needle. */
static void expect_refused_from(const uint8_t *cose, size_t len, const char *peer, EVP_PKEY *peer_key,
    const char *needle)
{
	char err[LIA_ERR_LEN] = "";
	struct lia_entry d;

	assert_int_equal(lia_entry_open_from(cose, len, peer, peer_key, &d, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, err);
	lia_entry_finish(&d);
}

/*
 * Issue 4's forged party at the level of one entry: a Japanese unit
 * (akizuki) passing off a signal as a Chinese unit's (haijing), signed with
 * its own key, a key of no certificate, or haijing's key, is refused naming
 * both; so is its own signal under a key that is not its own. The first
 * forgery's signature holds under akizuki's key: only the origin check stops it.
 */
static void test_open_from_refuses_other_origins(void **state)
{
	EVP_PKEY *akizuki = new_key(), *haijing = new_key(), *stray = new_key();
	static const char claim[] = "entry haijing/3 is signed as haijing but arrived on the link with akizuki";
	char err[LIA_ERR_LEN] = "";
	struct lia_entry d;
	uint8_t *cose = NULL;
	size_t len;

	(void)state;
	len = signal_from("akizuki", akizuki, &cose);
	assert_int_equal(lia_entry_open_from(cose, len, "akizuki", akizuki, &d, err), 0);
	assert_string_equal(d.origin, "akizuki");
	assert_string_equal(d.signals[0].code, "L-MV4");
	lia_entry_finish(&d);
	free(cose);

	len = signal_from("haijing", akizuki, &cose);
	assert_int_equal(lia_entry_verify(cose, len, akizuki, &d, err), 0);
	lia_entry_finish(&d);
	expect_refused_from(cose, len, "akizuki", akizuki, claim);
	free(cose);
	len = signal_from("haijing", stray, &cose);
	expect_refused_from(cose, len, "akizuki", akizuki, claim);
	free(cose);
	len = signal_from("haijing", haijing, &cose);
	expect_refused_from(cose, len, "akizuki", akizuki, claim);
	free(cose);
	len = signal_from("akizuki", stray, &cose);
	expect_refused_from(cose, len, "akizuki", akizuki,
	    "entry from akizuki fails its signature check (altered or forged)");
	expect_refused_from(cose, len / 2, "akizuki", akizuki, "malformed entry from akizuki");
	free(cose);
	EVP_PKEY_free(akizuki);
	EVP_PKEY_free(haijing);
	EVP_PKEY_free(stray);
}

static void test_names_and_hash(void **state)
{
	static const uint8_t abc_sha256[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
		0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
		0xf2, 0x00, 0x15, 0xad};
	enum lia_precedence p;
	char err[LIA_ERR_LEN] = "";
	uint8_t h[32];

	(void)state;
	assert_string_equal(lia_precedence_name(LIA_FLASH), "FLASH");
	assert_string_equal(lia_precedence_name((enum lia_precedence)9), "unknown");
	assert_int_equal(lia_precedence_parse("immediate", &p, err), 0);
	assert_int_equal(p, LIA_IMMEDIATE);
	assert_int_equal(lia_precedence_parse("urgent", &p, err), -1);
	assert_string_equal(lia_entry_type_name(LIA_ENTRY_ACK), "ack");
	lia_entry_hash((const uint8_t *)"abc", 3, h);
	assert_memory_equal(h, abc_sha256, 32);
	lia_entry_finish(NULL);
}

static void test_signal_round_trip(void **state)
{
	struct lia_entry e;

	(void)state;
	make_signal(&e);
	round_trip(&e);
	e.lat = -LIA_LAT_MAX;
	e.lon = LIA_LON_MAX;
	e.nsignals = LIA_ENTRY_SIGNALS_MAX;
	for (size_t i = 1; i < e.nsignals; i++)
		e.signals[i] = e.signals[0];
	e.signals[7].nparams = 0;
	strcpy(e.signals[7].code, "A");
	strcpy(e.signals[1].params[0], "東京湾 north");
	round_trip(&e);
}

static void test_signal_invalid_fields(void **state)
{
	struct lia_entry e;

	(void)state;
	make_signal(&e);
	e.nsignals = 0;
	expect_invalid(&e, "entry field 12 (signals): 0 signals");
	make_signal(&e);
	e.nsignals = LIA_ENTRY_SIGNALS_MAX + 1;
	expect_invalid(&e, "entry field 12 (signals): 9 signals");
	make_signal(&e);
	strcpy(e.signals[0].code, "l-mv4");
	expect_invalid(&e, "code \"l-mv4\" is not");
	make_signal(&e);
	e.signals[0].code[0] = '\0';
	expect_invalid(&e, "entry field 12 (signals)");
	make_signal(&e);
	e.signals[0].nparams = LIA_SIGNAL_PARAMS_MAX + 1;
	expect_invalid(&e, "5 parameters");
	make_signal(&e);
	e.signals[0].params[1][0] = '\0';
	expect_invalid(&e, "parameter 1 is empty");
	make_signal(&e);
	strcpy(e.signals[0].params[0], "0\n45");
	expect_invalid(&e, "control character");
	make_signal(&e);
	e.lat = LIA_LAT_MAX + 1;
	expect_invalid(&e, "entry field 13 (position)");
	make_signal(&e);
	e.lon = -LIA_LON_MAX - 1;
	expect_invalid(&e, "entry field 13 (position)");
	make_signal(&e);
	strcpy(e.to, "Bad Name");
	expect_invalid(&e, "entry field 4 (to)");
}

/* A signal payload with key skip left out, key 5 added when extra, and signals and position as given (hex). */
static void signal_payload(struct tb *b, int skip, int extra, const char *sig, const char *pos)
{
	b->len = 0;
	tb_map(b, (size_t)(7 - (skip >= 0) + (extra != 0)));
	if (skip != 0) { tb_uint(b, 0); tb_uint(b, 4); }
	if (skip != 1) { tb_uint(b, 1); tb_text(b, "tokyo"); }
	if (skip != 2) { tb_uint(b, 2); tb_uint(b, 3); }
	if (skip != 3) { tb_uint(b, 3); tb_text(b, "2026-11-27T13:10:00.000Z"); }
	if (skip != 4) { tb_uint(b, 4); tb_text(b, "bjing"); }
	if (extra) { tb_uint(b, 5); tb_uint(b, 0); }
	if (skip != 12) { tb_uint(b, 12); tb_hex(b, sig); }
	if (skip != 13) { tb_uint(b, 13); tb_hex(b, pos); }
}

#define GOOD_SIG "8182654c2d4d563482633034356431322e35"  /* [["L-MV4", ["045", "12.5"]]] */
#define GOOD_POS "821a003598193a00d56f45"              /* [3512345, -13987654] */

static void test_signal_decode_refused(void **state)
{
	struct lia_entry e;
	struct tb b;
	char err[LIA_ERR_LEN] = "";

	(void)state;
	signal_payload(&b, -1, 0, GOOD_SIG, GOOD_POS);
	if (lia_entry_decode(b.buf, b.len, &e, err) != 0)
		fail_msg("good signal payload refused: %s", err);
	assert_int_equal(e.lat, 3512345);
	assert_int_equal(e.lon, -13987654);
	assert_string_equal(e.signals[0].params[1], "12.5");
	lia_entry_finish(&e);
	signal_payload(&b, 12, 0, GOOD_SIG, GOOD_POS);
	expect_decode_error(&b, "entry field 12 (signals): missing from a signal");
	signal_payload(&b, 13, 0, GOOD_SIG, GOOD_POS);
	expect_decode_error(&b, "entry field 13 (position): missing from a signal");
	signal_payload(&b, 4, 0, GOOD_SIG, GOOD_POS); /* no to: a broadcast */
	if (lia_entry_decode(b.buf, b.len, &e, err) != 0)
		fail_msg("broadcast signal payload refused: %s", err);
	assert_string_equal(e.to, "");
	lia_entry_finish(&e);
	signal_payload(&b, -1, 1, GOOD_SIG, GOOD_POS);
	expect_decode_error(&b, "entry field 5 (precedence): not allowed in a signal");
	signal_payload(&b, -1, 0, "654c2d4d5634", GOOD_POS);
	expect_decode_error(&b, "entry field 12 (signals): signals is not an array");
	signal_payload(&b, -1, 0, "80", GOOD_POS);
	expect_decode_error(&b, "signals has 0 items");
	signal_payload(&b, -1, 0, "8183654c2d4d56348000", GOOD_POS);
	expect_decode_error(&b, "a signal has 3 items");
	signal_payload(&b, -1, 0, "8182654c2d4d563481f94a40", GOOD_POS); /* a float value */
	expect_decode_error(&b, "entry field 12 (signals): not a text string");
	signal_payload(&b, -1, 0, "8182f94a4080", GOOD_POS); /* a float code */
	expect_decode_error(&b, "entry field 12 (signals): not a text string");
	signal_payload(&b, -1, 0, "8182654c2d4d5634856060606060", GOOD_POS);
	expect_decode_error(&b, "a signal's parameters has 5 items");
	signal_payload(&b, -1, 0, "81826571712d717180", GOOD_POS);
	expect_decode_error(&b, "code \"qq-qq\" is not");
	signal_payload(&b, -1, 0, GOOD_SIG, "821a0089544100");
	expect_decode_error(&b, "entry field 13 (position): a coordinate is outside");
	signal_payload(&b, -1, 0, GOOD_SIG, "82003a0112a880");
	expect_decode_error(&b, "entry field 13 (position): a coordinate is outside");
	signal_payload(&b, -1, 0, GOOD_SIG, "8200f5");
	expect_decode_error(&b, "entry field 13 (position): a coordinate is not an integer");
	signal_payload(&b, -1, 0, GOOD_SIG, "83000000");
	expect_decode_error(&b, "position has 3 items");
	signal_payload(&b, -1, 0, GOOD_SIG, "82001900ff"); /* 255 in two bytes: not shortest */
	expect_decode_error(&b, "deterministic");
}

/* A relay (type 9): the inner COSE and certificate bytes survive a round trip; empty or oversized ones are refused. */
static void test_relay(void **state)
{
	uint8_t inner[300], cert[500], big[4097];
	struct lia_entry e, d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	memset(inner, 0xa5, sizeof(inner));
	memset(cert, 0x30, sizeof(cert));
	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_RELAY;
	strcpy(e.origin, "kaiyo");
	e.seq = 4;
	e.time_ms = 1700000000000;
	e.inner = inner;
	e.inner_len = sizeof(inner);
	e.inner_cert = cert;
	e.inner_cert_len = sizeof(cert);
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	if (lia_entry_decode(buf, len, &d, err) != 0)
		fail_msg("decode: %s", err);
	assert_int_equal(d.type, LIA_ENTRY_RELAY);
	assert_int_equal(d.inner_len, sizeof(inner));
	assert_memory_equal(d.inner, inner, sizeof(inner));
	assert_int_equal(d.inner_cert_len, sizeof(cert));
	assert_memory_equal(d.inner_cert, cert, sizeof(cert));
	assert_string_equal(lia_entry_type_name(d.type), "relay");
	lia_entry_finish(&d);
	assert_null(d.inner);
	free(buf);
	e.inner_len = 0;
	expect_invalid(&e, "entry field 30 (entry): 0 bytes");
	e.inner_len = sizeof(inner);
	e.inner_cert = big;
	e.inner_cert_len = sizeof(big);
	expect_invalid(&e, "entry field 31 (cert): 4097 bytes");
}

/* The narrow form: uint seconds, catalogue number, uint values, no to (docs/wire.md). */
static void make_narrow_signal(struct lia_entry *e)
{
	make_signal(e);
	strcpy(e->origin, "jp-dd101");
	e->seq = 65535;
	e->time_ms = T_MSG_MS - T_MSG_MS % 1000;
	e->narrow = 1;
	e->to[0] = '\0';
	e->signals[0].code[0] = '\0';
	e->signals[0].number = 36;           /* L-MV4 in data/signals.json */
	e->signals[0].is_num[0] = 1;
	e->signals[0].num[0] = 45;           /* course 045 */
	e->signals[0].is_num[1] = 1;
	e->signals[0].num[1] = 125;          /* speed 12.5 kn in tenths */
}

static void test_signal_narrow_round_trip(void **state)
{
	struct lia_entry e;

	(void)state;
	make_narrow_signal(&e);
	round_trip(&e);
	strcpy(e.to, "cn-dd102");
	round_trip(&e);
	e.signals[0].number = LIA_SIGNAL_NUMBER_MAX;
	e.signals[0].num[0] = UINT32_MAX;
	e.signals[0].is_num[1] = 0;          /* a value may stay text */
	strcpy(e.signals[0].params[1], "JA7XYZ");
	e.nsignals = 2;
	e.signals[1] = e.signals[0];
	e.signals[1].number = 0;             /* a code may stay text */
	strcpy(e.signals[1].code, "L-MV4");
	round_trip(&e);
	make_signal(&e);                     /* narrow time alone, any type */
	e.time_ms = 0;
	e.narrow = 1;
	round_trip(&e);
	make_message(&e, (char[]){"Hello"});
	e.time_ms = T_MSG_MS - 123;
	e.narrow = 1;
	round_trip(&e);
}

static void test_signal_narrow_refused(void **state)
{
	struct lia_entry e;
	struct tb b;

	(void)state;
	make_narrow_signal(&e);
	e.time_ms += 1;
	expect_invalid(&e, "entry field 3 (time): 1795779511001 ms is not a whole second");
	make_narrow_signal(&e);
	e.signals[0].number = LIA_SIGNAL_NUMBER_MAX + 1;
	expect_invalid(&e, "number 65536 is not 1 to 65535");
	make_narrow_signal(&e);
	e.signals[0].number = 0;             /* no number and no code */
	expect_invalid(&e, "code \"\" is not");
	make_narrow_signal(&e);
	strcpy(e.to, "Bad Name");
	expect_invalid(&e, "entry field 4 (to)");

	signal_payload(&b, -1, 0, "818200820118ff", GOOD_POS);
	expect_decode_error(&b, "signal number 0 is not 1 to 65535");
	signal_payload(&b, -1, 0, "81821a0001000080", GOOD_POS);
	expect_decode_error(&b, "signal number 65536 is not 1 to 65535");
	signal_payload(&b, -1, 0, "818218248120", GOOD_POS);
	expect_decode_error(&b, "entry field 12 (signals): not a text string");
	signal_payload(&b, -1, 0, "818218248280" "1b0000000100000000", GOOD_POS);
	expect_decode_error(&b, "not a text string");
	signal_payload(&b, -1, 0, "81821824821b000000010000000000", GOOD_POS);
	expect_decode_error(&b, "signal parameter 0: 4294967296 is larger than 4294967295");
	signal_payload(&b, -1, 0, "8182182482190000182d", GOOD_POS); /* 0 in 3 bytes */
	expect_decode_error(&b, "deterministic");
	signal_payload(&b, -1, 0, "81821900248200182d", GOOD_POS);  /* 36 in 3 bytes */
	expect_decode_error(&b, "deterministic");

	/* Key 3 as uint: seconds up to 9999-12-31T23:59:59Z, shortest form, never negative. */
	b.len = 0;
	tb_map(&b, 6);
	tb_hex(&b, "0004" "0165746f6b796f" "0203" "03" "1b0000003afff44180");
	tb_uint(&b, 12); tb_hex(&b, GOOD_SIG);
	tb_uint(&b, 13); tb_hex(&b, GOOD_POS);
	expect_decode_error(&b, "entry field 3 (time): 253402300800 seconds is after 9999");
	b.len = 0;
	tb_map(&b, 6);
	tb_hex(&b, "0004" "0165746f6b796f" "0203" "03" "20");
	tb_uint(&b, 12); tb_hex(&b, GOOD_SIG);
	tb_uint(&b, 13); tb_hex(&b, GOOD_POS);
	expect_decode_error(&b, "entry field 3 (time): not a text string");
	b.len = 0;
	tb_map(&b, 6);
	tb_hex(&b, "0004" "0165746f6b796f" "0203" "03" "1b0000000000000000");
	tb_uint(&b, 12); tb_hex(&b, GOOD_SIG);
	tb_uint(&b, 13); tb_hex(&b, GOOD_POS);
	expect_decode_error(&b, "deterministic");
}

/* Narrow entries are signed without kid; they open and verify, and a kid, when present, must still be the origin. */
static void test_signal_narrow_signed(void **state)
{
	EVP_PKEY *key = new_key(), *other = new_key();
	struct lia_entry e, d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *payload = NULL, *cose = NULL;
	size_t len = 0, cose_len = 0;

	(void)state;
	make_narrow_signal(&e);
	assert_int_equal(lia_entry_sign(&e, key, &cose, &cose_len, err), 0);
	assert_memory_equal(cose, "\xd2\x84\x43\xa1\x01\x27\xa0", 7);
	if (lia_entry_verify(cose, cose_len, key, &d, err) != 0)
		fail_msg("%s", err);
	assert_same_entry(&e, &d);
	lia_entry_finish(&d);
	assert_int_equal(lia_entry_verify(cose, cose_len, other, &d, err), -1);
	assert_int_equal(lia_entry_open(cose, cose_len, &d, err), 0);
	lia_entry_finish(&d);
	free(cose);
	assert_int_equal(lia_entry_encode(&e, &payload, &len, err), 0);
	assert_int_equal(lia_cose_sign(key, "cn-dd102", payload, len, &cose, &cose_len, err), 0);
	assert_int_equal(lia_entry_open(cose, cose_len, &d, err), -1);
	assert_non_null(strstr(err, "claims origin jp-dd101 but is signed as cn-dd102"));
	free(cose);
	assert_int_equal(lia_cose_sign(key, "jp-dd101", payload, len, &cose, &cose_len, err), 0);
	assert_int_equal(lia_entry_verify(cose, cose_len, key, &d, err), 0);
	lia_entry_finish(&d);
	free(cose);
	free(payload);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

/* Signs e and returns the COSE_Sign1 length. */
static size_t signed_len(const struct lia_entry *e, EVP_PKEY *key)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t cose_len = 0;

	if (lia_entry_sign(e, key, &cose, &cose_len, err) != 0)
		fail_msg("%s", err);
	free(cose);
	return cose_len;
}

/*
 * The narrowband budget (issue 4): one code, two values, a position, seq up
 * to 65535, unit names of 8 characters, at most 120 bytes signed. The text
 * form (5-character names, small seq) is measured beside it for docs/wire.md.
 */
static void test_signal_size(void **state)
{
	struct lia_entry e;
	EVP_PKEY *key = new_key();
	char err[LIA_ERR_LEN] = "";
	uint8_t *payload = NULL;
	size_t len = 0, narrow, addressed, text;
	uint8_t want[64];

	(void)state;
	make_narrow_signal(&e);
	assert_int_equal(lia_entry_encode(&e, &payload, &len, err), 0);
	narrow = signed_len(&e, key);
	strcpy(e.to, "cn-dd102");
	addressed = signed_len(&e, key);
	make_signal(&e);
	text = signed_len(&e, key);
	print_message("narrow signal: payload %zu bytes, COSE_Sign1 %zu bytes (budget 120); "
	    "addressed to an 8-character unit %zu; text form %zu\n", len, narrow, addressed, text);
	assert_true(narrow <= 120);
	assert_int_equal(len, SIGNAL_NARROW_PAYLOAD_LEN);
	assert_int_equal(unhex(kat_narrow_signal, want, sizeof(want)), len);
	assert_memory_equal(payload, want, len); /* the bytes docs/wire.md shows */
	assert_int_equal(narrow, SIGNAL_NARROW_COSE_LEN);
	assert_int_equal(addressed, SIGNAL_NARROW_COSE_LEN + 10);
	assert_int_equal(text, SIGNAL_COSE_LEN);
	free(payload);
	EVP_PKEY_free(key);
}

static void test_overdue_round_trip(void **state)
{
	struct lia_entry e, d;
	char err[LIA_ERR_LEN] = "";
	uint8_t *buf;
	size_t len;

	(void)state;
	make_overdue(&e);
	round_trip(&e);
	e.deadline = LIA_DEADLINE_RECEIPT;
	e.step = 0;
	e.late_s = 0;
	round_trip(&e);
	e.step = LIA_OVERDUE_STEP_MAX;
	e.late_s = LIA_OVERDUE_LATE_MAX;
	round_trip(&e);
	assert_string_equal(lia_entry_type_name(LIA_ENTRY_OVERDUE), "overdue");
	assert_string_equal(lia_deadline_kind_name(LIA_DEADLINE_ACK), "ack");
	assert_string_equal(lia_deadline_kind_name(LIA_DEADLINE_RECEIPT), "receipt");
	/* An ack's operator is not a notice's field: the decoded notice has none. */
	make_overdue(&e);
	assert_int_equal(lia_entry_encode(&e, &buf, &len, err), 0);
	assert_int_equal(lia_entry_decode(buf, len, &d, err), 0);
	assert_string_equal(d.operator_name, "");
	lia_entry_finish(&d);
	free(buf);
}

static void test_overdue_invalid_fields(void **state)
{
	struct lia_entry e;

	(void)state;
	make_overdue(&e);
	strcpy(e.ref_origin, "other");
	expect_invalid(&e, "entry field 8 (ref-origin): other is not the notice's origin tokyo-hq");
	make_overdue(&e);
	strcpy(e.late_node, "Bad");
	expect_invalid(&e, "entry field 20 (late-node): \"Bad\" is not a valid name");
	make_overdue(&e);
	strcpy(e.late_node, "tokyo-hq");
	expect_invalid(&e, "entry field 20 (late-node): tokyo-hq is the notice's origin");
	make_overdue(&e);
	e.deadline = (enum lia_deadline_kind)2;
	expect_invalid(&e, "entry field 21 (deadline): 2 is not 0 (receipt) or 1 (ack)");
	make_overdue(&e);
	e.step = LIA_OVERDUE_STEP_MAX + 1;
	expect_invalid(&e, "entry field 22 (step): 1001 is more than 1000");
	make_overdue(&e);
	e.late_s = LIA_OVERDUE_LATE_MAX + 1;
	expect_invalid(&e, "entry field 23 (late):");
	make_overdue(&e);
	e.due_ms = -1;
	expect_invalid(&e, "entry field 24 (due):");
	make_overdue(&e);
	e.precedence = (enum lia_precedence)4;
	expect_invalid(&e, "entry field 5 (precedence): 4 is not 0 (FLASH) to 3 (ROUTINE)");
	make_overdue(&e);
	e.ref_seq = 0;
	expect_invalid(&e, "entry field 9 (ref-seq)");
}

/* The overdue notice's keys are not allowed in another type, and reserved keys stay unknown. */
static void test_overdue_keys_elsewhere(void **state)
{
	struct tb b;

	(void)state;
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 20);
	tb_text(&b, "beijing-hq");
	expect_decode_error(&b, "entry field 20 (late-node): not allowed in a message");
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 19);
	tb_hex(&b, "5820" "0101010101010101010101010101010101010101010101010101010101010101");
	expect_decode_error(&b, "subject and subject-hash go together");
	tb_message_upto(&b, 9, 8);
	tb_uint(&b, 28);
	tb_uint(&b, 0);
	expect_decode_error(&b, "unknown field 28");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_each_type),
		cmocka_unit_test(test_linktest_entries),
		cmocka_unit_test(test_known_bytes),
		cmocka_unit_test(test_foreign_struct_fields_ignored),
		cmocka_unit_test(test_invalid_fields_named),
		cmocka_unit_test(test_invalid_utf8_text),
		cmocka_unit_test(test_builder_matches),
		cmocka_unit_test(test_hostile_maps_refused),
		cmocka_unit_test(test_membership_refused),
		cmocka_unit_test(test_sender_operator),
		cmocka_unit_test(test_incident_operator),
		cmocka_unit_test(test_bad_values_refused),
		cmocka_unit_test(test_reference_values_refused),
		cmocka_unit_test(test_long_heads_refused),
		cmocka_unit_test(test_sign_verify_open),
		cmocka_unit_test(test_kid_must_be_origin),
		cmocka_unit_test(test_signed_garbage_refused),
		cmocka_unit_test(test_names_and_hash),
		cmocka_unit_test(test_signal_round_trip),
		cmocka_unit_test(test_signal_invalid_fields),
		cmocka_unit_test(test_signal_decode_refused),
		cmocka_unit_test(test_signal_narrow_round_trip),
		cmocka_unit_test(test_signal_narrow_refused),
		cmocka_unit_test(test_signal_narrow_signed),
		cmocka_unit_test(test_signal_size),
		cmocka_unit_test(test_open_from_refuses_other_origins),
		cmocka_unit_test(test_overdue_round_trip),
		cmocka_unit_test(test_overdue_invalid_fields),
		cmocka_unit_test(test_overdue_keys_elsewhere),
		cmocka_unit_test(test_relay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
