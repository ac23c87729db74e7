/*
 * encoding.h - the one hex codec of the project (base64 joins it here).
 */
#ifndef LIA_ENCODING_H
#define LIA_ENCODING_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of in[0..len) into out, which holds 2 * len + 1 bytes (NUL-terminated). */
void lia_hex_encode(const uint8_t *in, size_t len, char *out);

#endif
