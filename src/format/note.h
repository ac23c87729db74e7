/*
 * note.h - C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures
 * (type 0x01), tlog-checkpoint bodies (c2sp.org/tlog-checkpoint), Ed25519
 * tlog-cosignature/v1 cosignatures (type 0x04, c2sp.org/tlog-cosignature)
 * and verifier keys ("vkeys") in the text form "<name>+<hex key ID>+<base64>".
 *
 * A signed note is a text ending in a newline, a blank line, then one line
 * per signature: U+2014 em dash, space, key name, space, base64(4-byte key
 * ID || signature), newline. Every parser here treats its input as hostile:
 * sizes are bounded, lines are checked byte by byte, base64 must be canonical.
 */
#ifndef LIA_NOTE_H
#define LIA_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#define LIA_NOTE_MAX (1024 * 1024) /* largest signed note we parse or make, bytes */
#define LIA_NOTE_MAX_SIGS 100      /* most signature lines we accept in a note */
#define LIA_NOTE_NAME_MAX 255      /* longest key name or checkpoint origin, bytes */
#define LIA_NOTE_LINE_MAX 384      /* an Ed25519 or cosignature line with its NUL */
#define LIA_NOTE_VKEY_MAX 320      /* a verifier key text with its NUL */
#define LIA_CHECKPOINT_MAX 352     /* a checkpoint body without extensions, with its NUL */

#define LIA_NOTE_ED25519 0x01      /* signature type of Ed25519 note signatures */
#define LIA_NOTE_COSIG_V1 0x04     /* signature type of Ed25519 tlog-cosignature/v1 */

/* One signature line of a parsed note; nothing here is verified yet. */
struct lia_note_sig {
	char name[LIA_NOTE_NAME_MAX + 1]; /* key name */
	uint32_t key_id;                  /* the first 4 bytes, big-endian */
	uint8_t *sig;                     /* the bytes after the key ID (owned by the note) */
	size_t sig_len;
};

/* A parsed signed note. */
struct lia_note {
	char *body;                /* note text with its final newline, NUL-terminated (owned) */
	size_t body_len;
	struct lia_note_sig *sigs; /* nsigs signature lines in note order (owned) */
	size_t nsigs;
};

/* A parsed checkpoint body; extension lines stay in the body text. */
struct lia_checkpoint {
	char origin[LIA_NOTE_NAME_MAX + 1];
	uint64_t size;
	uint8_t root[32];
	size_t ext_count;  /* number of extension lines after the root hash */
	size_t ext_offset; /* where they start in the body */
};

/* 1 when s[0..len) is note text: well-formed UTF-8 with no control character but newline, else 0. */
int lia_note_text_valid(const char *s, size_t len);

/* 1 when name[0..len) is a valid key name (1..255 bytes of UTF-8, no control, Unicode space or '+'), else 0. */
int lia_note_name_valid(const char *name, size_t len);

/* *id = SHA-256(name || 0x0A || type || pub)[:4] read big-endian (signed-note "Signatures"). 0, or -1 with err. */
int lia_note_key_id(const char *name, uint8_t type, const uint8_t pub[static 32], uint32_t *id,
    char *err);

/* Writes key's Ed25519 signature line for body (text ending in newline) into line. 0, or -1 with err. */
int lia_note_sign_line(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    char line[static LIA_NOTE_LINE_MAX], char *err);

/* Signs body with key under name; *out (caller frees, NUL-terminated) is body, blank line, signature line. 0, or -1 with err. */
int lia_note_sign(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    char **out, size_t *out_len, char *err);

/* Parses hostile buf as a signed note without verifying anything; on failure out is empty. 0, or -1 with err. */
int lia_note_parse(const char *buf, size_t len, struct lia_note *out, char *err);

/* Frees what lia_note_parse allocated; the struct itself is the caller's; NULL is fine. */
void lia_note_finish(struct lia_note *note);

/* A known key: lines are identified by name and key ID (signed-note "Signatures"). pub is borrowed. */
struct lia_note_key {
	const char *name;
	uint8_t type;          /* LIA_NOTE_ED25519 or LIA_NOTE_COSIG_V1 */
	const uint8_t *pub;    /* 32-byte Ed25519 public key */
};

/*
 * 0 when note carries a valid Ed25519 signature by (name, pub), else -1 with err. Lines of other
 * keys are ignored (signed-note "Signatures"); of the lines with this name and key ID, any one
 * that verifies will do, so a bogus line put first cannot hide a good one.
 */
int lia_note_verify(const struct lia_note *note, const char *name, const uint8_t pub[static 32],
    char *err);

/* Writes the tlog-checkpoint body "origin\nsize\nbase64(root)\n" into out (no extension lines). 0, or -1 with err. */
int lia_checkpoint_make(const char *origin, uint64_t size, const uint8_t root[static 32],
    char out[static LIA_CHECKPOINT_MAX], size_t *out_len, char *err);

/* Parses hostile body[0..len) (a note text) as a tlog-checkpoint into cp. 0, or -1 with err. */
int lia_checkpoint_parse(const char *body, size_t len, struct lia_checkpoint *cp, char *err);

/* Writes key's tlog-cosignature/v1 line over checkpoint body at timestamp (< 2^63) into line. 0, or -1 with err. */
int lia_cosig_line(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    uint64_t timestamp, char line[static LIA_NOTE_LINE_MAX], char *err);

/* 0 when note carries a valid cosignature/v1 by (name, pub), its time in *timestamp; else -1 with err (lines as lia_note_verify). */
int lia_cosig_verify(const struct lia_note *note, const char *name, const uint8_t pub[static 32],
    uint64_t *timestamp, char *err);

/* As lia_note_verify or lia_cosig_verify by key->type: *index gets the first valid line of key, *timestamp (may be NULL) its cosignature time. 0, or -1 with err. */
int lia_note_find(const struct lia_note *note, const struct lia_note_key *key, size_t *index,
    uint64_t *timestamp, char *err);

/*
 * Rebuilds the signed note text[0..len) with only the note text and, for each of keys[0..n) in
 * that order, its first line that verifies; every other line (unknown keys, bad signatures,
 * repeats) is dropped. *out (caller frees, NUL-terminated) is never longer than text. -1 with
 * err when the note does not parse or no key has a valid line.
 */
int lia_note_keep(const char *text, size_t len, const struct lia_note_key *keys, size_t n_keys,
    char **out, size_t *out_len, char *err);

/* Writes the vkey "<name>+<8 hex key ID>+<base64(type || pub)>" for an Ed25519 key of type 0x01 or 0x04. 0, or -1 with err. */
int lia_note_vkey_make(const char *name, uint8_t type, const uint8_t pub[static 32],
    char out[static LIA_NOTE_VKEY_MAX], char *err);

/* Parses a vkey of type 0x01 or 0x04, checking its key ID; fills name, *type and pub. 0, or -1 with err. */
int lia_note_vkey_parse(const char *vkey, char name[static LIA_NOTE_NAME_MAX + 1], uint8_t *type,
    uint8_t pub[static 32], char *err);

#endif
