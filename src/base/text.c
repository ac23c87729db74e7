/* text.c - validation of outside text: UTF-8 (RFC 3629), names, BCP 47 shape. */
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

int lia_utf8_valid(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_sequence_length(buf[i]);
		if (n == 0 || buf[i] == 0 || i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++)
			if ((buf[i + k] & 0xc0) != 0x80)
				return 0;
		/* RFC 3629 table: refuse overlong 3/4-byte forms, surrogates, > U+10FFFF. */
		if (n == 3 && buf[i] == 0xe0 && buf[i + 1] < 0xa0)
			return 0;
		if (n == 3 && buf[i] == 0xed && buf[i + 1] > 0x9f)
			return 0;
		if (n == 4 && buf[i] == 0xf0 && buf[i + 1] < 0x90)
			return 0;
		if (n == 4 && buf[i] == 0xf4 && buf[i + 1] > 0x8f)
			return 0;
		i += n;
	}
	return 1;
}

size_t lia_utf8_error_offset(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = 1;
		while (n <= 4 && !(i + n <= len && lia_utf8_valid(buf + i, n)))
			n++;
		if (n > 4)
			break;
		i += n;
	}
	return i;
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
