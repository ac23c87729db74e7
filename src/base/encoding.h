/*
 * encoding.h - the one hex codec and the one base64 codec of the project.
 *
 * Base64 is RFC 4648 section 4 (the standard alphabet, '=' padding), as the
 * signed-note and record-bundle formats need it. Decoding is strict: only the
 * canonical form of some bytes is accepted (no other character, no line
 * break or space, padding only at the end and exactly as much as needed, the
 * bits under the padding zero, RFC 4648 section 3.5), so one value has one
 * text form and a forged variant of a signed line cannot pass.
 */
#ifndef LIA_ENCODING_H
#define LIA_ENCODING_H

#include <stddef.h>
#include <stdint.h>

/* Characters of the padded base64 of n bytes, without the NUL. */
#define LIA_BASE64_LEN(n) (((size_t)(n) + 2) / 3 * 4)

/* Lower-case hex of in[0..len) into out, which holds 2 * len + 1 bytes (NUL-terminated). */
void lia_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes exactly 2 * len hex digits in[0..2 * len) (either case) into
 * out[0..len). 0, or -1 when a character is not a hex digit (out then
 * undefined). The caller checks the text's length.
 */
int lia_hex_decode(const char *in, size_t len, uint8_t *out);

/*
 * Padded base64 of in[0..len) into out, which holds LIA_BASE64_LEN(len) + 1
 * bytes (NUL-terminated). Returns the length written. len must be below
 * INT_MAX / 4 * 3 (asserted: no caller comes near).
 */
size_t lia_base64_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes the canonical padded base64 in[0..len) into out, which holds cap
 * bytes; the empty text decodes to no bytes. 0 with *out_len set, or -1 when
 * the text is not canonical base64 or decodes to more than cap bytes (out
 * then undefined). Nothing is allocated.
 */
int lia_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
