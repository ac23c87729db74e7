/* entry.c - entries: CBOR payloads (see entry.h for the map keys), signing and opening. */
#include "entry.h"
#include "err.h"

#include <strings.h>
#include <openssl/evp.h>

static const char *const precedence_names[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"};

const char *lia_precedence_name(enum lia_precedence p)
{
	if ((unsigned)p > LIA_ROUTINE)
		return "unknown";
	return precedence_names[p];
}

int lia_precedence_parse(const char *s, enum lia_precedence *p, char *err)
{
	for (unsigned i = 0; i <= LIA_ROUTINE; i++) {
		if (strcasecmp(s, precedence_names[i]) == 0) {
			*p = (enum lia_precedence)i;
			return 0;
		}
	}
	lia_err_set(err, "precedence \"%.40s\" is not one of FLASH, IMMEDIATE, PRIORITY, ROUTINE", s);
	return -1;
}

const char *lia_entry_type_name(enum lia_entry_type t)
{
	switch (t) {
	case LIA_ENTRY_MESSAGE: return "message";
	case LIA_ENTRY_RECEIPT: return "receipt";
	case LIA_ENTRY_ACK: return "ack";
	}
	return "unknown";
}

void lia_entry_hash(const uint8_t *cose, size_t cose_len, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(cose, cose_len, out, &len, EVP_sha256(), NULL);
}
