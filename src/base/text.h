/*
 * text.h - checks on text that comes from outside: UTF-8, names, language
 * tags, and the one neutraliser of text bound for a terminal or a log.
 *
 * The UTF-8 rules (lia_utf8_*) are the project's only ones: RFC 3629, no
 * overlong forms, no surrogates, nothing above U+10FFFF, and no NUL.
 */
#ifndef LIA_TEXT_H
#define LIA_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define LIA_NAME_MAX 32 /* longest party or node name, without the NUL */
#define LIA_LANG_MAX 35 /* longest BCP 47 tag we accept, without the NUL */
#define LIA_TEXT_MAX 16384 /* longest message text in bytes */

/* Flags of lia_text_sanitize: what may stay besides the characters that are always safe. */
#define LIA_TEXT_KEEP_NEWLINE 0x1u /* '\n' stays a newline */
#define LIA_TEXT_KEEP_TAB 0x2u     /* '\t' stays a tab */

/*
 * Bytes (1 to 4) of the well-formed UTF-8 character that starts s[0..n), its
 * code point in *cp; 0 when s does not start one (a bad lead or continuation
 * byte, an overlong form, a surrogate, above U+10FFFF, cut short by n, NUL,
 * or n == 0), *cp then untouched.
 */
size_t lia_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* 1 when buf[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or NUL), else 0. */
int lia_utf8_valid(const uint8_t *buf, size_t len);

/* Offset of the first byte that does not start a well-formed UTF-8 character, or len when all is. */
size_t lia_utf8_error_offset(const uint8_t *buf, size_t len);

/*
 * Offset of the first character of s[0..len) that lia_text_sanitize would
 * replace (a control, DEL, a C1 control, a bidi override or isolate, a byte
 * that does not start well-formed UTF-8), or len when there is none.
 */
size_t lia_text_unsafe_offset(const char *s, size_t len, unsigned flags);

/*
 * The one neutraliser of outside text (a peer's sentence, a message, a
 * bundle's names) before it reaches a terminal or a log: copies in[0..len) to
 * out replacing with one '?' each C0 control (but '\n' and '\t' when flags
 * keep them), DEL, C1 control (U+0080..U+009F), bidirectional embedding or
 * override (U+202A..U+202E) and isolate (U+2066..U+2069), and each byte that
 * does not start a well-formed UTF-8 character. out holds len + 1 bytes and
 * may be in itself (the text never grows); it is NUL-terminated. Returns the
 * length written. Cannot fail.
 */
size_t lia_text_sanitize(char *out, const char *in, size_t len, unsigned flags);

/* 1 when s is a valid party or node name: 1..LIA_NAME_MAX of [a-z0-9-], not starting with '-'. */
int lia_name_valid(const char *s);

/* 1 when s has the shape of a BCP 47 tag (alphanumeric subtags of 1-8 joined by '-', first 2-8 letters), else 0. */
int lia_lang_valid(const char *s);

#endif
