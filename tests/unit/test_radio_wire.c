/* test_radio_wire.c - the unit link's datagram codec, backoff and token bucket (radio_wire.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "radio_wire.h"

static void expect_refused(const uint8_t *buf, size_t len, const char *needle)
{
	struct lia_dgram d;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_dgram_decode(buf, len, &d, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_round_trip(void **state)
{
	uint8_t body[900], buf[LIA_DGRAM_MAX];
	struct lia_dgram d = {.kind = LIA_DGRAM_ENTRY, .body = body, .body_len = sizeof(body)}, got;
	char err[LIA_ERR_LEN];
	size_t len = 0;

	(void)state;
	memset(body, 0xd2, sizeof(body));
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), 0);
	assert_int_equal(len, 1 + 1 + 3 + sizeof(body));
	assert_int_equal(lia_dgram_decode(buf, len, &got, err), 0);
	assert_int_equal(got.kind, LIA_DGRAM_ENTRY);
	assert_int_equal(got.body_len, sizeof(body));
	assert_memory_equal(got.body, body, sizeof(body));

	d.kind = LIA_DGRAM_CERT;
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), 0);
	assert_int_equal(lia_dgram_decode(buf, len, &got, err), 0);
	assert_int_equal(got.kind, LIA_DGRAM_CERT);

	memset(&d, 0, sizeof(d));
	d.kind = LIA_DGRAM_CERT_REQUEST;
	strcpy(d.node, "kaiyo");
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "\x82\x03\x65kaiyo", 8);
	assert_int_equal(lia_dgram_decode(buf, len, &got, err), 0);
	assert_string_equal(got.node, "kaiyo");
	assert_string_equal(lia_dgram_kind_name(got.kind), "cert-request");
}

static void test_encode_limits(void **state)
{
	static uint8_t body[LIA_DGRAM_MAX];
	uint8_t buf[LIA_DGRAM_MAX];
	struct lia_dgram d = {.kind = LIA_DGRAM_ENTRY, .body = body, .body_len = sizeof(body)};
	char err[LIA_ERR_LEN] = "";
	size_t len = 0;

	(void)state;
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), -1);
	assert_non_null(strstr(err, "does not fit"));
	d.body_len = 0;
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), -1);
	d.kind = 7;
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), -1);
	d.kind = LIA_DGRAM_CERT_REQUEST;
	strcpy(d.node, "Not A Name");
	assert_int_equal(lia_dgram_encode(&d, buf, sizeof(buf), &len, err), -1);
}

static void test_hostile_refused(void **state)
{
	static uint8_t big[LIA_DGRAM_MAX + 1];

	(void)state;
	expect_refused((const uint8_t *)"", 0, "0 bytes");
	expect_refused(big, sizeof(big), "1401 bytes");
	expect_refused((const uint8_t *)"\x82\x01", 2, "datagram");              /* truncated */
	expect_refused((const uint8_t *)"\x83\x01\x41\x00\x00", 5, "[kind, body]"); /* 3 items */
	expect_refused((const uint8_t *)"\xa1\x01\x41\x00", 4, "[kind, body]");     /* a map */
	expect_refused((const uint8_t *)"\x82\x04\x41\x00", 4, "kind");             /* kind 4 */
	expect_refused((const uint8_t *)"\x82\x20\x41\x00", 4, "kind");             /* kind -1 */
	expect_refused((const uint8_t *)"\x82\x01\x40", 3, "non-empty byte string");
	expect_refused((const uint8_t *)"\x82\x01\x61\x41", 4, "byte string");      /* text */
	expect_refused((const uint8_t *)"\x82\x03\x41\x61", 4, "not a node name");  /* bytes */
	expect_refused((const uint8_t *)"\x82\x03\x61\x41", 4, "not a node name");  /* "A" */
	expect_refused((const uint8_t *)"\x82\x01\x41\x00\x00", 5, "datagram");     /* trailing */
	expect_refused((const uint8_t *)"\x82\x01\x5f\x41\x00\xff", 6, "datagram"); /* indefinite */
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(lia_radio_backoff_ms(1, 2000, 60000, 0.5), 2000);
	assert_int_equal(lia_radio_backoff_ms(2, 2000, 60000, 0.5), 4000);
	assert_int_equal(lia_radio_backoff_ms(4, 2000, 60000, 0.5), 16000);
	assert_int_equal(lia_radio_backoff_ms(30, 2000, 60000, 0.5), 60000);
	assert_int_equal(lia_radio_backoff_ms(1, 2000, 60000, 0.0), 1500);
	assert_true(lia_radio_backoff_ms(1, 2000, 60000, 0.999) < 2500);
	assert_int_equal(lia_radio_backoff_ms(1, 2000, 60000, 7.0), 2000); /* bad jitter: none */
}

static void test_bucket(void **state)
{
	struct lia_bucket b;

	(void)state;
	/* 2,400 bit/s, room for one 258-byte datagram (300 bytes with headers = 2,400 bits). */
	lia_bucket_init(&b, 2400, 2400, 0);
	assert_int_equal(lia_bucket_take(&b, 258, 0), 1);
	assert_int_equal(lia_bucket_take(&b, 258, 0), 0);
	assert_int_equal(lia_bucket_take(&b, 258, 500), 0);
	assert_int_equal(lia_bucket_take(&b, 258, 1000), 1);
	/* Idle time does not save up more than the cap. */
	assert_int_equal(lia_bucket_take(&b, 258, 100000), 1);
	assert_int_equal(lia_bucket_take(&b, 258, 100000), 0);
	/* Rate 0: unpaced. */
	lia_bucket_init(&b, 0, 0, 0);
	assert_int_equal(lia_bucket_take(&b, 1400, 0), 1);
	assert_int_equal(lia_bucket_take(&b, 1400, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_hostile_refused),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
