/*
 * encoding.c - hex and base64 text forms of bytes. Base64 goes through
 * OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock; decode checks the canonical form
 * first, which OpenSSL does not (it skips spaces, ignores the bits under the
 * padding and counts the padding as zero bytes).
 */
#include "encoding.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

void lia_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lia_hex_decode(const char *in, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hex_value(in[2 * i]), lo = hi < 0 ? -1 : hex_value(in[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

size_t lia_base64_encode(const uint8_t *in, size_t len, char *out)
{
	assert(len < (size_t)INT_MAX / 4 * 3);
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* The 6-bit value of a base64 character of the standard alphabet (RFC 4648 table 1), or -1. */
static int base64_value(char c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? memchr(alphabet, c, 64) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

/* 1 when in[0..len) is canonical padded base64 (see encoding.h); *pad gets the '=' count. */
static int base64_canonical(const char *in, size_t len, size_t *pad)
{
	size_t p = 0;
	int last = 0;

	if (len % 4 != 0 || len >= (size_t)INT_MAX)
		return 0;
	if (len > 0 && in[len - 1] == '=')
		p = len > 1 && in[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len - p; i++)
		if ((last = base64_value(in[i])) < 0)
			return 0;
	/* The bits the padding stands for must be zero (RFC 4648 section 3.5). */
	if ((p == 1 && (last & 0x3) != 0) || (p == 2 && (last & 0xf) != 0))
		return 0;
	*pad = p;
	return 1;
}

int lia_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pad = 0, n, full;
	unsigned char tail[3];

	if (!base64_canonical(in, len, &pad))
		return -1;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return -1;
	/* EVP_DecodeBlock writes 3 bytes a quantum, padding included: the last one goes via tail. */
	full = len > 0 ? len - 4 : 0;
	if (full > 0 && EVP_DecodeBlock(out, (const unsigned char *)in, (int)full) != (int)(full / 4 * 3))
		return -1;
	if (len > 0) {
		if (EVP_DecodeBlock(tail, (const unsigned char *)in + full, 4) != 3)
			return -1;
		for (size_t k = 0; k < 3 - pad; k++)
			out[full / 4 * 3 + k] = tail[k];
	}
	*out_len = n;
	return 0;
}
