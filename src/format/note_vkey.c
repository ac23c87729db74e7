/*
 * note_vkey.c - verifier keys of signed notes (c2sp.org/signed-note,
 * "Verifier keys"): "<name>+<8 hex key ID>+<base64(type || public key)>" for
 * Ed25519 (0x01) and tlog-cosignature/v1 (0x04) keys. Declared in note.h.
 * A parsed key's ID must match its name and key (lia_note_key_id).
 */
#include "note.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"
#include "err.h"

#define ED25519_PUB_LEN 32

/* ---- verifier keys ---- */

int lia_note_vkey_make(const char *name, uint8_t type, const uint8_t pub[static 32],
    char out[static LIA_NOTE_VKEY_MAX], char *err)
{
	uint8_t raw[1 + ED25519_PUB_LEN];
	char b64[(sizeof(raw) + 2) / 3 * 4 + 1];
	uint32_t id;
	int n;
	int rc = -1;

	if (type != LIA_NOTE_ED25519 && type != LIA_NOTE_COSIG_V1) {
		lia_err_set(err, "verifier keys of type 0x%02x are not supported", type);
		goto out;
	}
	if (name == NULL || !lia_note_name_valid(name, strlen(name))) {
		lia_err_set(err, "\"%.64s\" is not a valid note key name", name ? name : "");
		goto out;
	}
	if (lia_note_key_id(name, type, pub, &id, err) != 0)
		goto out;
	raw[0] = type;
	memcpy(raw + 1, pub, ED25519_PUB_LEN);
	lia_base64_encode(raw, sizeof(raw), b64);
	n = snprintf(out, LIA_NOTE_VKEY_MAX, "%s+%08" PRIx32 "+%s", name, id, b64);
	if (n < 0 || n >= LIA_NOTE_VKEY_MAX) {
		lia_err_set(err, "the verifier key of \"%.64s\" is too long", name);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Parses exactly 8 hex digits (either case), big-endian. 0, or -1. */
static int parse_hex32(const char *s, size_t len, uint32_t *v)
{
	uint8_t b[4];

	if (len != 8 || lia_hex_decode(s, sizeof(b), b) != 0)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

int lia_note_vkey_parse(const char *vkey, char name[static LIA_NOTE_NAME_MAX + 1], uint8_t *type,
    uint8_t pub[static 32], char *err)
{
	size_t len = vkey ? strnlen(vkey, LIA_NOTE_VKEY_MAX) : 0, raw_len = 0, name_len;
	const char *p1 = len ? memchr(vkey, '+', len) : NULL;
	const char *p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - vkey)) : NULL;
	uint8_t raw[1 + ED25519_PUB_LEN];
	uint32_t want = 0, id = 0;
	int rc = -1;

	/* "<name>+<hash>+<keydata>"; the key data may itself hold '+'. */
	if (len == 0 || len >= LIA_NOTE_VKEY_MAX || p2 == NULL) {
		lia_err_set(err, "a verifier key must read <name>+<key ID>+<key>");
		goto out;
	}
	name_len = (size_t)(p1 - vkey);
	if (!lia_note_name_valid(vkey, name_len) ||
	    parse_hex32(p1 + 1, (size_t)(p2 - p1 - 1), &want) != 0 ||
	    lia_base64_decode(p2 + 1, len - (size_t)(p2 + 1 - vkey), raw, sizeof(raw), &raw_len) != 0 ||
	    raw_len != sizeof(raw)) {
		lia_err_set(err, "a verifier key has a bad name, key ID or Ed25519 key");
		goto out;
	}
	if (raw[0] != LIA_NOTE_ED25519 && raw[0] != LIA_NOTE_COSIG_V1) {
		lia_err_set(err, "verifier keys of type 0x%02x are not supported", raw[0]);
		goto out;
	}
	memcpy(name, vkey, name_len);
	name[name_len] = '\0';
	if (lia_note_key_id(name, raw[0], raw + 1, &id, err) != 0)
		goto out;
	if (id != want) {
		lia_err_set(err, "the verifier key of \"%.64s\" has key ID %08" PRIx32
		    ", its key gives %08" PRIx32, name, want, id);
		goto out;
	}
	*type = raw[0];
	memcpy(pub, raw + 1, ED25519_PUB_LEN);
	rc = 0;
out:
	if (rc != 0)
		name[0] = '\0';
	return rc;
}

