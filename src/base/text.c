/*
 * text.c - validation of outside text: UTF-8 (RFC 3629), names, BCP 47 shape;
 * and the one neutraliser of text bound for a terminal or a log.
 */
#include "text.h"

#include <string.h>

/* Length of the sequence starting with lead byte c, or 0 when c cannot lead. */
static size_t utf8_sequence_length(uint8_t c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

size_t lia_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len = n > 0 ? utf8_sequence_length(s[0]) : 0;
	uint32_t c;

	if (len == 0 || s[0] == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	/* RFC 3629 table: refuse overlong 3/4-byte forms, surrogates, > U+10FFFF. */
	if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (len == 3 && s[0] == 0xed && s[1] > 0x9f) ||
	    (len == 4 && s[0] == 0xf0 && s[1] < 0x90) || (len == 4 && s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	c = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> len));
	for (size_t k = 1; k < len; k++)
		c = c << 6 | (s[k] & 0x3f);
	*cp = c;
	return len;
}

int lia_utf8_valid(const uint8_t *buf, size_t len)
{
	return lia_utf8_error_offset(buf, len) == len;
}

size_t lia_utf8_error_offset(const uint8_t *buf, size_t len)
{
	size_t i = 0, n;
	uint32_t c;

	while (i < len && (n = lia_utf8_decode(buf + i, len - i, &c)) > 0)
		i += n;
	return i;
}

/* 1 when code point c may drive a terminal or forge a line: C0 (but what flags keep), DEL, C1, bidi controls. */
static int unsafe_code_point(uint32_t c, unsigned flags)
{
	if (c == '\n')
		return !(flags & LIA_TEXT_KEEP_NEWLINE);
	if (c == '\t')
		return !(flags & LIA_TEXT_KEEP_TAB);
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/* Bytes of the character at s[0..n) and whether it is unsafe (*unsafe): 1 byte when not UTF-8. */
static size_t next_char(const char *s, size_t n, unsigned flags, int *unsafe)
{
	uint32_t c = 0;
	size_t len = lia_utf8_decode((const uint8_t *)s, n, &c);

	*unsafe = len == 0 || unsafe_code_point(c, flags);
	return len > 0 ? len : 1;
}

size_t lia_text_unsafe_offset(const char *s, size_t len, unsigned flags)
{
	size_t i = 0, n;
	int unsafe = 0;

	while (i < len) {
		n = next_char(s + i, len - i, flags, &unsafe);
		if (unsafe)
			break;
		i += n;
	}
	return i;
}

size_t lia_text_sanitize(char *out, const char *in, size_t len, unsigned flags)
{
	size_t i = 0, o = 0, n;
	int unsafe = 0;

	while (i < len) {
		n = next_char(in + i, len - i, flags, &unsafe);
		if (unsafe) {
			out[o++] = '?';
		} else {
			memmove(out + o, in + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return o;
}

int lia_name_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > LIA_NAME_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

int lia_lang_valid(const char *s)
{
	size_t len = strlen(s), run = 0, subtags = 0;

	if (len == 0 || len > LIA_LANG_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '-') {
			if (run == 0 || run > 8)
				return 0;
			/* The primary language subtag is 2-8 letters (RFC 5646 section 2.1). */
			if (subtags == 0 && run < 2)
				return 0;
			subtags++;
			run = 0;
			continue;
		}
		if (subtags == 0 ? !is_alpha(s[i]) : !is_alnum(s[i]))
			return 0;
		run++;
	}
	return 1;
}
