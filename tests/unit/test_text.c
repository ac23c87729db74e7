/* test_text.c - UTF-8 (RFC 3629 vectors), the sanitizer, names and BCP 47 shapes. */
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

/* The decoder gives the code point and length of each good vector's first character. */
static void test_utf8_decode(void **state)
{
	static const struct {
		const char *s;
		size_t len, want;
		uint32_t cp;
	} good[] = {
		{"A", 1, 1, 0x41}, {"\xc2\x80", 2, 2, 0x80}, {"\xdf\xbf", 2, 2, 0x7ff},
		{"\xe0\xa0\x80", 3, 3, 0x800}, {"\xe2\x80\xae", 3, 3, 0x202e},
		{"\xed\x9f\xbf", 3, 3, 0xd7ff}, {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
		{"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff}, {"ab", 2, 1, 0x61},
	};
	uint32_t cp = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(lia_utf8_decode((const uint8_t *)good[i].s, good[i].len, &cp), good[i].want);
		assert_int_equal(cp, good[i].cp);
	}
	for (size_t i = 0; i < sizeof(utf8_bad) / sizeof(utf8_bad[0]); i++) {
		const uint8_t *b = (const uint8_t *)utf8_bad[i].bytes;
		size_t at = lia_utf8_error_offset(b, utf8_bad[i].len);

		/* A vector may start with good characters: the decoder stops where the check does. */
		if (at >= utf8_bad[i].len || lia_utf8_decode(b + at, utf8_bad[i].len - at, &cp) != 0)
			fail_msg("decoded invalid UTF-8: %s", utf8_bad[i].what);
	}
	assert_int_equal(lia_utf8_decode((const uint8_t *)"\xe2\x80\xae", 2, &cp), 0);
	assert_int_equal(lia_utf8_decode((const uint8_t *)"", 0, &cp), 0);
}

/* sanitize(in) must read want; flags as given. */
static void expect_clean(const char *in, size_t len, unsigned flags, const char *want)
{
	char out[256];
	char inplace[256];
	size_t n;

	assert_true(len < sizeof(out));
	n = lia_text_sanitize(out, in, len, flags);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	memcpy(inplace, in, len);
	n = lia_text_sanitize(inplace, inplace, len, flags);
	assert_string_equal(inplace, want);
	assert_int_equal(n, strlen(want));
	/* The offset of the first unsafe character is where the output first differs. */
	n = lia_text_unsafe_offset(in, len, flags);
	if (strlen(want) == len && memcmp(want, in, len) == 0)
		assert_int_equal(n, len);
	else
		assert_true(n < len && memcmp(in, want, n) == 0 && want[n] == '?');
}

#define CLEAN(in, flags, want) expect_clean(in, sizeof(in) - 1, flags, want)

static void test_sanitize_controls(void **state)
{
	(void)state;
	CLEAN("", 0, "");
	CLEAN("plain text, \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80", 0,
	    "plain text, \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
	CLEAN("a\x1b[31mred\x1b[0m", 0, "a?[31mred?[0m");
	CLEAN("one\ntwo\rthree\tfour", 0, "one?two?three?four");
	CLEAN("one\ntwo\tthree", LIA_TEXT_KEEP_NEWLINE, "one\ntwo?three");
	CLEAN("one\ntwo\tthree", LIA_TEXT_KEEP_TAB, "one?two\tthree");
	CLEAN("one\ntwo\tthree\r", LIA_TEXT_KEEP_NEWLINE | LIA_TEXT_KEEP_TAB, "one\ntwo\tthree?");
	CLEAN("del\x7f!", 0, "del?!");
	CLEAN("\x01\x02\x1f", 0, "???");
	/* C1 controls U+0080..U+009F, one '?' each; U+00A0 is not one. */
	CLEAN("c1 \xc2\x80 \xc2\x9b[2J \xc2\x9f \xc2\xa0", 0, "c1 ? ?[2J ? \xc2\xa0");
	/* A NUL inside the span is a control too. */
	expect_clean("a\0b", 3, 0, "a?b");
}

static void test_sanitize_bidi(void **state)
{
	(void)state;
	/* U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates. */
	CLEAN("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", 0, "?????");
	CLEAN("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0, "????");
	CLEAN("admin\xe2\x80\xaegnp.exe", 0, "admin?gnp.exe");
	/* Their neighbours stay: U+2029, U+202F, U+2065, U+206A, U+200F. */
	CLEAN("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xe2\x80\x8f", 0,
	    "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xe2\x80\x8f");
}

static void test_sanitize_invalid_utf8(void **state)
{
	(void)state;
	CLEAN("a\xff" "b", 0, "a?b");
	CLEAN("\xc0\x80", 0, "??");                /* overlong NUL: two bad bytes */
	CLEAN("\xed\xa0\x80", 0, "???");           /* surrogate */
	CLEAN("cut \xe4\xb8", 0, "cut ??");        /* truncated at the end */
	CLEAN("\xe2\x80" "A", 0, "??A");           /* half a bidi override */
	CLEAN("\xf4\x90\x80\x80", 0, "????");      /* above U+10FFFF */
	CLEAN("\x80\xbf ok", 0, "?? ok");          /* lone continuations */
	/* Only len bytes are read: a character cut by len is not UTF-8. */
	expect_clean("\xe6\x9d\xb1", 2, 0, "??");
}

/* Every code point, encoded: sanitized to itself, or to one '?' when it is unsafe. */
static void test_sanitize_every_code_point(void **state)
{
	(void)state;
	for (uint32_t cp = 1; cp <= 0x10ffff; cp++) {
		char b[5], out[5];
		size_t n;
		int unsafe = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069);

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			b[0] = (char)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = (char)(0xc0 | cp >> 6);
			b[1] = (char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (char)(0xe0 | cp >> 12);
			b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			b[2] = (char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (char)(0xf0 | cp >> 18);
			b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			b[3] = (char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		b[n] = '\0';
		lia_text_sanitize(out, b, n, 0);
		if (strcmp(out, unsafe ? "?" : b) != 0)
			fail_msg("code point U+%04X sanitized wrongly", (unsigned)cp);
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
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_sanitize_controls),
		cmocka_unit_test(test_sanitize_bidi),
		cmocka_unit_test(test_sanitize_invalid_utf8),
		cmocka_unit_test(test_sanitize_every_code_point),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_lang_valid),
		cmocka_unit_test(test_lang_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
