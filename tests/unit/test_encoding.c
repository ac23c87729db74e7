/* test_encoding.c - the one hex codec and the one base64 codec (RFC 4648 vectors, strict decode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"

static void test_hex_encode(void **state)
{
	const uint8_t b[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof(b) + 1];

	(void)state;
	lia_hex_encode(b, sizeof(b), out);
	assert_string_equal(out, "00017f80abff");
	lia_hex_encode(b, 0, out);
	assert_string_equal(out, "");
}

static void test_hex_decode(void **state)
{
	uint8_t b[4];

	(void)state;
	assert_int_equal(lia_hex_decode("0a1B2c3D", 4, b), 0);
	assert_memory_equal(b, "\x0a\x1b\x2c\x3d", 4);
	assert_int_equal(lia_hex_decode("ffFF0000", 4, b), 0);
	assert_memory_equal(b, "\xff\xff\x00\x00", 4);
	assert_int_equal(lia_hex_decode("", 0, b), 0);
	assert_int_equal(lia_hex_decode("0g000000", 4, b), -1);
	assert_int_equal(lia_hex_decode("g0000000", 4, b), -1);
	assert_int_equal(lia_hex_decode("0000000 ", 4, b), -1);
	assert_int_equal(lia_hex_decode("+1000000", 4, b), -1);
	assert_int_equal(lia_hex_decode("000000", 4, b), -1); /* the NUL is not a digit */
}

/* RFC 4648 section 10. */
static const struct {
	const char *raw, *b64;
} rfc4648[] = {
	{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static void test_base64_vectors(void **state)
{
	char out[16];
	uint8_t raw[16];
	size_t n = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t len = strlen(rfc4648[i].raw);

		assert_int_equal(lia_base64_encode((const uint8_t *)rfc4648[i].raw, len, out),
		    strlen(rfc4648[i].b64));
		assert_string_equal(out, rfc4648[i].b64);
		assert_int_equal(LIA_BASE64_LEN(len), strlen(rfc4648[i].b64));
		assert_int_equal(lia_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), raw,
		    sizeof(raw), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(raw, rfc4648[i].raw, len);
	}
	/* All 64 characters, and the last quantum's bytes exactly fill the buffer. */
	assert_int_equal(lia_base64_decode("+/+/", 4, raw, 3, &n), 0);
	assert_memory_equal(raw, "\xfb\xff\xbf", 3);
	assert_int_equal(lia_base64_decode("Zm9vYg==", 8, raw, 4, &n), 0);
	assert_int_equal(n, 4);
}

static void test_base64_strict(void **state)
{
	static const char *const bad[] = {
		"Zg", "Zg=", "Zm9", "Zm9vY", "=", "==", "====", "Z===", "Zg==Zg==", "Zm=v", "Zm9v=",
		"Zm9v====", "Zg==\n", " Zg==", "Zg ==", "Zm9v\r\n", "Zg.=", "Zm9-", "Zm9_", "Zm9v\x80\x80\x80\x80",
		"Zh==", /* bits under the padding set: Zg== is the canonical form */
		"Zm9=", /* likewise for Zm8= */
		"Zm9vYg==garbage", "Zm9vYmFy====",
	};
	uint8_t raw[32];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lia_base64_decode(bad[i], strlen(bad[i]), raw, sizeof(raw), &n) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	/* A NUL inside, and too small a buffer. */
	assert_int_equal(lia_base64_decode("Zm\0v", 4, raw, sizeof(raw), &n), -1);
	assert_int_equal(lia_base64_decode("Zm9vYmFy", 8, raw, 5, &n), -1);
	assert_int_equal(lia_base64_decode("Zm9vYg==", 8, raw, 3, &n), -1);
}

/* Every length up to 300 and a few large ones round-trip, and every byte value appears. */
static void test_base64_round_trip(void **state)
{
	size_t max = 70000, n = 0;
	uint8_t *in = malloc(max), *back = malloc(max);
	char *text = malloc(LIA_BASE64_LEN(max) + 1);

	(void)state;
	assert_non_null(in);
	assert_non_null(back);
	assert_non_null(text);
	for (size_t i = 0; i < max; i++)
		in[i] = (uint8_t)(i * 7 + i / 256);
	for (size_t len = 0; len <= max; len = len < 300 ? len + 1 : len * 4 + 1) {
		size_t t = lia_base64_encode(in, len, text);

		assert_int_equal(t, LIA_BASE64_LEN(len));
		assert_int_equal(strlen(text), t);
		assert_int_equal(lia_base64_decode(text, t, back, len, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(in, back, len);
	}
	free(in);
	free(back);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_base64_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
