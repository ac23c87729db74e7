/* test_text.c - UTF-8 (RFC 3629 vectors), names and BCP 47 shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

struct vector {
	const char *what;
	const char *bytes;
	size_t len;
};

#define V(what, s) { what, s, sizeof(s) - 1 }

static const struct vector utf8_good[] = {
	V("empty", ""),
	V("ascii", "hello, world"),
	V("U+0080 first two-byte", "\xc2\x80"),
	V("U+00E9", "\xc3\xa9"),
	V("U+07FF last two-byte", "\xdf\xbf"),
	V("U+0800 first three-byte", "\xe0\xa0\x80"),
	V("U+4E2D", "\xe4\xb8\xad"),
	V("U+D7FF before surrogates", "\xed\x9f\xbf"),
	V("U+E000 after surrogates", "\xee\x80\x80"),
	V("U+FFFF", "\xef\xbf\xbf"),
	V("U+10000 first four-byte", "\xf0\x90\x80\x80"),
	V("U+1F600", "\xf0\x9f\x98\x80"),
	V("U+10FFFF last", "\xf4\x8f\xbf\xbf"),
	V("mixed", "\xe6\x9d\xb1\xe4\xba\xac tokyo \xea\xb0\x80"),
};

static const struct vector utf8_bad[] = {
	V("NUL alone", "\x00"),
	V("NUL inside", "ab\x00" "cd"),
	V("overlong NUL C0 80", "\xc0\x80"),
	V("overlong C1 BF", "\xc1\xbf"),
	V("overlong three-byte E0 80 AF", "\xe0\x80\xaf"),
	V("overlong three-byte E0 9F BF", "\xe0\x9f\xbf"),
	V("overlong four-byte F0 80 80 AF", "\xf0\x80\x80\xaf"),
	V("overlong four-byte F0 8F BF BF", "\xf0\x8f\xbf\xbf"),
	V("high surrogate U+D800", "\xed\xa0\x80"),
	V("low surrogate U+DFFF", "\xed\xbf\xbf"),
	V("surrogate pair CESU-8", "\xed\xa0\xbd\xed\xb8\x80"),
	V("truncated two-byte", "\xc3"),
	V("truncated three-byte", "\xe4\xb8"),
	V("truncated four-byte", "\xf0\x9f\x98"),
	V("truncated then ascii", "\xe4\xb8" "a"),
	V("U+110000 above range", "\xf4\x90\x80\x80"),
	V("F5 lead", "\xf5\x80\x80\x80"),
	V("five-byte form", "\xf8\x88\x80\x80\x80"),
	V("six-byte form", "\xfc\x84\x80\x80\x80\x80"),
	V("FE", "\xfe"),
	V("FF", "\xff"),
	V("lone continuation", "\x80"),
	V("continuation after ascii", "a\xbf"),
	V("lead without continuation", "\xc3" "A"),
};

static void test_utf8_valid_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_good) / sizeof(utf8_good[0]); i++) {
		if (lia_utf8_valid((const uint8_t *)utf8_good[i].bytes, utf8_good[i].len) != 1)
			fail_msg("refused valid UTF-8: %s", utf8_good[i].what);
	}
}

static void test_utf8_invalid_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_bad) / sizeof(utf8_bad[0]); i++) {
		if (lia_utf8_valid((const uint8_t *)utf8_bad[i].bytes, utf8_bad[i].len) != 0)
			fail_msg("accepted invalid UTF-8: %s", utf8_bad[i].what);
	}
}

/* A valid prefix must not make a bad tail pass, nor a length cut a sequence. */
static void test_utf8_length_is_respected(void **state)
{
	const uint8_t s[] = "\xe4\xb8\xad\xe4\xb8\xad";

	(void)state;
	assert_int_equal(lia_utf8_valid(s, 6), 1);
	assert_int_equal(lia_utf8_valid(s, 5), 0);
	assert_int_equal(lia_utf8_valid(s, 4), 0);
	assert_int_equal(lia_utf8_valid(s, 3), 1);
	assert_int_equal(lia_utf8_valid(s, 0), 1);
}

/* Every code point encodes to bytes the validator accepts, except surrogates. */
static void test_utf8_every_code_point(void **state)
{
	(void)state;
	for (uint32_t cp = 1; cp <= 0x10ffff; cp++) {
		uint8_t b[4];
		size_t n;
		int expect = !(cp >= 0xd800 && cp <= 0xdfff);

		if (cp < 0x80) {
			b[0] = (uint8_t)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = (uint8_t)(0xc0 | cp >> 6);
			b[1] = (uint8_t)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (uint8_t)(0xe0 | cp >> 12);
			b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			b[2] = (uint8_t)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (uint8_t)(0xf0 | cp >> 18);
			b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
			b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			b[3] = (uint8_t)(0x80 | (cp & 0x3f));
			n = 4;
		}
		if (lia_utf8_valid(b, n) != expect)
			fail_msg("code point U+%04X judged %d", (unsigned)cp, !expect);
	}
}

static void test_name_valid(void **state)
{
	static const char *const good[] = {
		"tokyo", "a", "0", "beijing-2", "a-", "x--y", "abcdefghijklmnopqrstuvwxyz012345",
	};
	static const char *const bad[] = {
		"", "-tokyo", "Tokyo", "TOKYO", "to kyo", "to_kyo", "to.kyo", "tokyo/1",
		"abcdefghijklmnopqrstuvwxyz0123456", "t\xc5\x8dky\xc5\x8d", "tokyo\n", "\"a\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (lia_name_valid(good[i]) != 1)
			fail_msg("refused name \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lia_name_valid(bad[i]) != 0)
			fail_msg("accepted name \"%s\"", bad[i]);
}

static void test_lang_valid(void **state)
{
	static const char *const good[] = {
		"en", "ja", "zh", "ko", "eng", "zh-Hant", "zh-Hant-TW", "en-US", "de-CH-1901",
		"sr-Latn-RS", "en-x-twain", "abcdefgh", "en-12345678",
		"aa-bbbbbbbb-cccccccc-dddddddd",
	};
	static const char *const bad[] = {
		"", "e", "1n", "en-", "-en", "en--US", "en_US", "abcdefghi", "en-abcdefghi",
		"zh-H\xc3\xa4nt", "en US", "i-", "en-US-", "aa-bbbbbbbb-cccccccc-dddddddd-eeeeee",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (lia_lang_valid(good[i]) != 1)
			fail_msg("refused language tag \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lia_lang_valid(bad[i]) != 0)
			fail_msg("accepted language tag \"%s\"", bad[i]);
	assert_int_equal(strlen("aa-bbbbbbbb-cccccccc-dddddddd-eeeeee"), LIA_LANG_MAX + 1);
}

static void test_lang_length_limit(void **state)
{
	char tag[LIA_LANG_MAX + 2];

	(void)state;
	/* "abc" then "-c" subtags up to exactly LIA_LANG_MAX (odd), then one byte more. */
	strcpy(tag, "abc");
	while (strlen(tag) + 2 <= LIA_LANG_MAX)
		strcat(tag, "-c");
	assert_int_equal(strlen(tag), LIA_LANG_MAX);
	assert_int_equal(lia_lang_valid(tag), 1);
	strcat(tag, "c");
	assert_int_equal(lia_lang_valid(tag), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_vectors),
		cmocka_unit_test(test_utf8_invalid_vectors),
		cmocka_unit_test(test_utf8_length_is_respected),
		cmocka_unit_test(test_utf8_every_code_point),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_lang_valid),
		cmocka_unit_test(test_lang_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
