/* test_clock.c - RFC 3339 UTC text: format, parse, round trips, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "err.h"

static void test_format_known(void **state)
{
	char out[LIA_TIME_LEN];

	(void)state;
	lia_time_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	lia_time_format(1795779511123, out);
	assert_string_equal(out, "2026-11-27T11:38:31.123Z");
	lia_time_format(951782400000, out);
	assert_string_equal(out, "2000-02-29T00:00:00.000Z");
	lia_time_format(7, out);
	assert_string_equal(out, "1970-01-01T00:00:00.007Z");
}

static void test_format_negative(void **state)
{
	char out[LIA_TIME_LEN];

	(void)state;
	lia_time_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	lia_time_format(-1000, out);
	assert_string_equal(out, "1969-12-31T23:59:59.000Z");
}

/* Values far out of range still give well-formed text of the right length. */
static void test_format_extremes(void **state)
{
	const int64_t v[] = { INT64_MAX, INT64_MIN, INT64_MIN + 1, 253402300800000 };
	char out[LIA_TIME_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		lia_time_format(v[i], out);
		assert_int_equal(strlen(out), 24);
		assert_int_equal(out[10], 'T');
		assert_int_equal(out[23], 'Z');
	}
}

static void test_parse_known(void **state)
{
	char err[LIA_ERR_LEN];
	int64_t ms = -1;

	(void)state;
	assert_int_equal(lia_time_parse("2026-11-27T11:38:31Z", &ms, err), 0);
	assert_int_equal(ms, 1795779511000);
	assert_int_equal(lia_time_parse("2026-11-27T11:38:31.123Z", &ms, err), 0);
	assert_int_equal(ms, 1795779511123);
	assert_int_equal(lia_time_parse("2026-11-27T11:38:31.5Z", &ms, err), 0);
	assert_int_equal(ms, 1795779511500);
	assert_int_equal(lia_time_parse("2026-11-27T11:38:31.12Z", &ms, err), 0);
	assert_int_equal(ms, 1795779511120);
	assert_int_equal(lia_time_parse("2026-11-27T11:38:31.123999999Z", &ms, err), 0);
	assert_int_equal(ms, 1795779511123);
	assert_int_equal(lia_time_parse("2026-11-27t11:38:31.123z", &ms, err), 0);
	assert_int_equal(ms, 1795779511123);
	assert_int_equal(lia_time_parse("2024-02-29T00:00:00Z", &ms, err), 0);
	assert_int_equal(ms, 1709164800000);
	assert_int_equal(lia_time_parse("1970-01-01T00:00:00Z", &ms, err), 0);
	assert_int_equal(ms, 0);
}

static void test_parse_leap_second(void **state)
{
	char err[LIA_ERR_LEN];
	int64_t ms = -1;

	(void)state;
	assert_int_equal(lia_time_parse("2016-12-31T23:59:60Z", &ms, err), 0);
	assert_int_equal(ms, 1483228799000);
}

static void test_round_trip(void **state)
{
	const int64_t v[] = {
		0, 1, 999, 1000, 86399999, 951782400000, 1795779511123,
		4102444800000, 253402300799999,
	};
	char text[LIA_TIME_LEN], err[LIA_ERR_LEN];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		lia_time_format(v[i], text);
		if (lia_time_parse(text, &back, err) != 0 || back != v[i])
			fail_msg("%lld -> %s did not come back (%s)", (long long)v[i], text, err);
	}
	for (int64_t ms = 1700000000000; ms < 1700000000000 + 400LL * 86400000; ms += 86400000 + 3723001) {
		lia_time_format(ms, text);
		assert_int_equal(lia_time_parse(text, &back, err), 0);
		assert_int_equal(back, ms);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "Z", "2026-11-27", "2026-11-27T11:38:31", "2026-11-27 11:38:31Z",
		"2026-11-27T11:38:31+09:00", "2026-11-27T11:38:31+00:00", "2026-11-27T11:38:31ZZ",
		"2026-11-27T11:38:31Z ", " 2026-11-27T11:38:31Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z",
		"2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-27T24:00:00Z",
		"2026-11-27T11:60:00Z", "2026-11-27T11:38:61Z", "1969-12-31T23:59:59Z",
		"2026-11-27T11:38:31.Z", "2026-11-27T11:38:31.1234567890Z", "2026-11-27T11:38:31.12aZ",
		"2026-1-27T11:38:31.000Z", "+026-11-27T11:38:31Z", "2026-11-27T1a:38:31Z",
		"2026/11/27T11:38:31Z", "20261127T113831Z", "2026-11-27T11:38:31,5Z",
		"2026-11-27T-1:38:31Z",
	};
	char err[LIA_ERR_LEN];
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lia_time_parse(bad[i], &ms, err) != -1)
			fail_msg("accepted time \"%s\"", bad[i]);
		assert_non_null(strstr(err, "RFC 3339"));
	}
}

static void test_parse_error_names_input(void **state)
{
	char err[LIA_ERR_LEN];
	int64_t ms;

	(void)state;
	assert_int_equal(lia_time_parse("yesterday at noon", &ms, err), -1);
	assert_non_null(strstr(err, "\"yesterday at noon\""));
}

static void test_now_and_mono(void **state)
{
	int64_t now = lia_now_ms(), a = lia_mono_ms(), b;

	(void)state;
	assert_true(now > 1577836800000LL);  /* after 2020-01-01 */
	assert_true(now < 4102444800000LL);  /* before 2100-01-01 */
	for (int i = 0; i < 1000; i++) {
		b = lia_mono_ms();
		assert_true(b >= a);
		a = b;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_known),
		cmocka_unit_test(test_format_negative),
		cmocka_unit_test(test_format_extremes),
		cmocka_unit_test(test_parse_known),
		cmocka_unit_test(test_parse_leap_second),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_error_names_input),
		cmocka_unit_test(test_now_and_mono),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
