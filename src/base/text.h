/*
 * text.h - checks on text that comes from outside: UTF-8, names, language tags.
 */
#ifndef LIA_TEXT_H
#define LIA_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define LIA_NAME_MAX 32 /* longest party or node name, without the NUL */
#define LIA_LANG_MAX 35 /* longest BCP 47 tag we accept, without the NUL */
#define LIA_TEXT_MAX 16384 /* longest message text in bytes */

/* 1 when buf[0..len) is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or NUL), else 0. */
int lia_utf8_valid(const uint8_t *buf, size_t len);

/* Offset of the first byte that does not start a well-formed UTF-8 character, or len when all is. */
size_t lia_utf8_error_offset(const uint8_t *buf, size_t len);

/* 1 when s is a valid party or node name: 1..LIA_NAME_MAX of [a-z0-9-], not starting with '-'. */
int lia_name_valid(const char *s);

/* 1 when s has the shape of a BCP 47 tag (alphanumeric subtags of 1-8 joined by '-', first 2-8 letters), else 0. */
int lia_lang_valid(const char *s);

#endif
