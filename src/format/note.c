/*
 * note.c - C2SP signed notes and tlog-cosignatures (see note.h); the
 * checkpoint body is checkpoint.c, verifier keys note_vkey.c. Input to the parsers is hostile: every length is checked before
 * it is used, text must be UTF-8 without control characters other than
 * newline, and base64 must be canonical (RFC 4648 section 4, padded, with
 * zero spare bits), so one value has one encoding.
 */
#include "note.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "ed25519.h"
#include "encoding.h"
#include "err.h"
#include "text.h"

#define SIG_PREFIX "\xe2\x80\x94 " /* U+2014 em dash, space */
#define SIG_PREFIX_LEN 4
#define ED25519_PUB_LEN LIA_ED25519_PUB_LEN
#define ED25519_SIG_LEN LIA_ED25519_SIG_LEN
#define COSIG_LEN (8 + ED25519_SIG_LEN) /* tlog-cosignature timestamped_signature */
#define COSIG_TIME_MAX UINT64_C(0x7fffffffffffffff)

/* ---- text and names (signed-note "Format") ---- */

int lia_note_text_valid(const char *s, size_t len)
{
	int ok = 1;

	for (size_t i = 0; i < len && ok; i++)
		ok = (uint8_t)s[i] >= 0x20 || s[i] == '\n';
	return ok && lia_utf8_valid((const uint8_t *)s, len);
}

/* Unicode White_Space (what Go's unicode.IsSpace accepts). */
static int is_unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
	    c == 0x205f || c == 0x3000;
}

int lia_note_name_valid(const char *name, size_t len)
{
	int ok = name != NULL && len > 0 && len <= LIA_NOTE_NAME_MAX && lia_note_text_valid(name, len);
	size_t i = 0;

	while (ok && i < len) {
		uint32_t c = 0;
		size_t n = lia_utf8_decode((const uint8_t *)name + i, len - i, &c);

		i += n;
		ok = n > 0 && c != '+' && c >= 0x20 && !is_unicode_space(c);
	}
	return ok;
}

/* Reads a big-endian unsigned integer of n <= 8 bytes. */
static uint64_t be_read(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void be_write(uint64_t v, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* ---- keys and signatures ---- */

int lia_note_key_id(const char *name, uint8_t type, const uint8_t pub[static 32], uint32_t *id,
    char *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t hash[EVP_MAX_MD_SIZE], sep = '\n';
	unsigned int hash_len = 0;
	int rc = -1;

	/* signed-note "Signatures": SHA-256(name || 0x0A || type || public key)[:4]. */
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, name, strlen(name)) != 1 ||
	    EVP_DigestUpdate(ctx, &sep, 1) != 1 || EVP_DigestUpdate(ctx, &type, 1) != 1 ||
	    EVP_DigestUpdate(ctx, pub, ED25519_PUB_LEN) != 1 ||
	    EVP_DigestFinal_ex(ctx, hash, &hash_len) != 1 || hash_len != 32) {
		lia_err_set(err, "SHA-256 of the note key \"%.64s\" failed", name);
		lia_err_add_openssl(err);
		goto out;
	}
	*id = (uint32_t)be_read(hash, 4);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Checks key is an Ed25519 private key and name a valid key name; pub gets the public key. */
static int signer_check(EVP_PKEY *key, const char *name, uint8_t pub[static ED25519_PUB_LEN],
    char *err)
{
	size_t pub_len = ED25519_PUB_LEN;
	int rc = -1;

	if (key == NULL || !EVP_PKEY_is_a(key, "ED25519")) {
		lia_err_set(err, "signing a note needs an Ed25519 key");
	} else if (name == NULL || !lia_note_name_valid(name, strlen(name))) {
		lia_err_set(err, "\"%.64s\" is not a valid note key name", name ? name : "");
	} else if (EVP_PKEY_get_raw_public_key(key, pub, &pub_len) != 1 ||
	    pub_len != ED25519_PUB_LEN) {
		lia_err_set(err, "the Ed25519 public key could not be read");
		lia_err_add_openssl(err);
	} else {
		rc = 0;
	}
	return rc;
}

/* Writes "— name base64(key_id || sig)\n" into line. */
static int format_line(const char *name, uint32_t key_id, const uint8_t *sig, size_t sig_len,
    char line[static LIA_NOTE_LINE_MAX], char *err)
{
	uint8_t raw[4 + COSIG_LEN];
	char b64[(sizeof(raw) + 2) / 3 * 4 + 1];
	int n;
	int rc = -1;

	if (sig_len > COSIG_LEN) {
		lia_err_set(err, "a note signature of %zu bytes is too long", sig_len);
		goto out;
	}
	be_write(key_id, raw, 4);
	memcpy(raw + 4, sig, sig_len);
	lia_base64_encode(raw, 4 + sig_len, b64);
	n = snprintf(line, LIA_NOTE_LINE_MAX, SIG_PREFIX "%s %s\n", name, b64);
	if (n < 0 || n >= LIA_NOTE_LINE_MAX) {
		lia_err_set(err, "the signature line of \"%.64s\" is too long", name);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* A body we sign: UTF-8 text ending in newline that leaves room for signatures. */
static int body_check(const char *body, size_t len, char *err)
{
	int rc = -1;

	if (body == NULL || len == 0 || len > LIA_NOTE_MAX - 2 * LIA_NOTE_LINE_MAX)
		lia_err_set(err, "a note text of %zu bytes cannot be signed", len);
	else if (body[len - 1] != '\n')
		lia_err_set(err, "a note text must end in a newline");
	else if (!lia_note_text_valid(body, len))
		lia_err_set(err, "a note text must be UTF-8 without control characters");
	else
		rc = 0;
	return rc;
}

int lia_note_sign_line(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    char line[static LIA_NOTE_LINE_MAX], char *err)
{
	uint8_t pub[ED25519_PUB_LEN], sig[ED25519_SIG_LEN];
	uint32_t id;
	int rc = -1;

	if (signer_check(key, name, pub, err) != 0 || body_check(body, body_len, err) != 0 ||
	    lia_note_key_id(name, LIA_NOTE_ED25519, pub, &id, err) != 0 ||
	    lia_ed25519_sign(key, (const uint8_t *)body, body_len, sig, "a note", err) != 0 ||
	    format_line(name, id, sig, sizeof(sig), line, err) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

int lia_note_sign(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    char **out, size_t *out_len, char *err)
{
	char line[LIA_NOTE_LINE_MAX];
	size_t line_len;
	char *note = NULL;
	int rc = -1;

	if (lia_note_sign_line(key, name, body, body_len, line, err) != 0)
		goto out;
	line_len = strlen(line);
	note = malloc(body_len + 1 + line_len + 1);
	if (note == NULL) {
		lia_err_set(err, "out of memory signing a note");
		goto out;
	}
	/* signed-note "Format": text, a blank line, the signature lines. */
	memcpy(note, body, body_len);
	note[body_len] = '\n';
	memcpy(note + body_len + 1, line, line_len + 1);
	*out = note;
	*out_len = body_len + 1 + line_len;
	rc = 0;
out:
	return rc;
}

/* ---- parsing ---- */

/* Parses one signature line line[0..len) (without its newline) into sig. */
static int parse_sig_line(const char *line, size_t len, struct lia_note_sig *sig, char *err)
{
	const char *space, *b64;
	size_t name_len, b64_len, raw_len = 0;
	uint8_t *raw = NULL;
	int rc = -1;

	if (len < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
		lia_err_set(err, "a note signature line does not start with an em dash and a space");
		goto out;
	}
	space = memchr(line + SIG_PREFIX_LEN, ' ', len - SIG_PREFIX_LEN);
	name_len = space ? (size_t)(space - line) - SIG_PREFIX_LEN : 0;
	if (space == NULL || !lia_note_name_valid(line + SIG_PREFIX_LEN, name_len)) {
		lia_err_set(err, "a note signature line has no valid key name");
		goto out;
	}
	b64 = space + 1;
	b64_len = len - (size_t)(b64 - line);
	raw = malloc(b64_len / 4 * 3 + 1);
	if (raw == NULL) {
		lia_err_set(err, "out of memory parsing a note");
		goto out;
	}
	/* Key ID and at least one byte of signature. */
	if (lia_base64_decode(b64, b64_len, raw, b64_len / 4 * 3, &raw_len) != 0 || raw_len < 5) {
		lia_err_set(err, "the signature of \"%.*s\" is not canonical base64 of 5 bytes or more",
		    (int)(name_len > 64 ? 64 : name_len), line + SIG_PREFIX_LEN);
		goto out;
	}
	memcpy(sig->name, line + SIG_PREFIX_LEN, name_len);
	sig->name[name_len] = '\0';
	sig->key_id = (uint32_t)be_read(raw, 4);
	memmove(raw, raw + 4, raw_len - 4);
	sig->sig = raw;
	sig->sig_len = raw_len - 4;
	raw = NULL;
	rc = 0;
out:
	free(raw);
	return rc;
}

/* Offset of the first newline of the last "\n\n" in buf[0..len), or len when there is none. */
static size_t last_blank_line(const char *buf, size_t len)
{
	size_t at = len;

	for (size_t i = len - 1; i-- > 0 && at == len;)
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			at = i;
	return at;
}

/* Checks the whole note's text rules; *split gets where the text's final newline is. */
static int note_shape(const char *buf, size_t len, size_t *split, char *err)
{
	int rc = -1;

	if (buf == NULL || len == 0 || len > LIA_NOTE_MAX) {
		lia_err_set(err, "a signed note of %zu bytes is outside 1..%d", len, LIA_NOTE_MAX);
	} else if (!lia_note_text_valid(buf, len)) {
		lia_err_set(err, "a signed note must be UTF-8 without control characters");
	} else if (buf[len - 1] != '\n') {
		lia_err_set(err, "a signed note must end in a newline");
	} else if ((*split = last_blank_line(buf, len)) == len) {
		/* The text ends at the last blank line (signed-note "Format"). */
		lia_err_set(err, "a signed note has no blank line before its signatures");
	} else if (*split + 2 == len) {
		lia_err_set(err, "a signed note has no signature lines");
	} else {
		rc = 0;
	}
	return rc;
}

/* Counts the newline-terminated lines of s[0..len). */
static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static int parse_sig_block(const char *s, size_t len, struct lia_note *out, char *err)
{
	size_t n = count_lines(s, len), pos = 0;
	int rc = -1;

	if (n > LIA_NOTE_MAX_SIGS) {
		lia_err_set(err, "a signed note has %zu signature lines, more than %d", n,
		    LIA_NOTE_MAX_SIGS);
		goto out;
	}
	out->sigs = calloc(n, sizeof(*out->sigs));
	if (out->sigs == NULL) {
		lia_err_set(err, "out of memory parsing a note");
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t line_len = (size_t)(nl - (s + pos));

		if (parse_sig_line(s + pos, line_len, &out->sigs[out->nsigs], err) != 0)
			goto out;
		out->nsigs++;
		pos += line_len + 1;
	}
	rc = 0;
out:
	return rc;
}

int lia_note_parse(const char *buf, size_t len, struct lia_note *out, char *err)
{
	size_t split = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (note_shape(buf, len, &split, err) != 0)
		goto out;
	out->body_len = split + 1;
	out->body = malloc(out->body_len + 1);
	if (out->body == NULL) {
		lia_err_set(err, "out of memory parsing a note");
		goto out;
	}
	memcpy(out->body, buf, out->body_len);
	out->body[out->body_len] = '\0';
	if (parse_sig_block(buf + split + 2, len - split - 2, out, err) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		lia_note_finish(out);
	return rc;
}

void lia_note_finish(struct lia_note *note)
{
	if (note == NULL)
		return;
	for (size_t i = 0; note->sigs != NULL && i < note->nsigs; i++)
		free(note->sigs[i].sig);
	free(note->sigs);
	free(note->body);
	memset(note, 0, sizeof(*note));
}

/* ---- verification ---- */

/* The next signature line from *at on with this name and key ID, or NULL; *at moves past it. */
static const struct lia_note_sig *next_sig(const struct lia_note *note, const char *name,
    uint32_t key_id, size_t *at)
{
	const struct lia_note_sig *found = NULL;

	for (; *at < note->nsigs && found == NULL; (*at)++)
		if (note->sigs[*at].key_id == key_id && strcmp(note->sigs[*at].name, name) == 0)
			found = &note->sigs[*at];
	return found;
}

/* The key ID of (name, type, pub) after checking name; -1 with err. */
static int known_key_id(const char *name, uint8_t type, const uint8_t pub[static 32],
    uint32_t *id, char *err)
{
	int rc = -1;

	if (name == NULL || !lia_note_name_valid(name, strlen(name)))
		lia_err_set(err, "\"%.64s\" is not a valid note key name", name ? name : "");
	else
		rc = lia_note_key_id(name, type, pub, id, err);
	return rc;
}

/* 1 when sig is a valid Ed25519 note signature (type 0x01) of note's text by pub. */
static int note_sig_valid(const struct lia_note *note, const struct lia_note_sig *sig,
    const uint8_t pub[static 32])
{
	return sig->sig_len == ED25519_SIG_LEN &&
	    lia_ed25519_valid_raw(pub, (const uint8_t *)note->body, note->body_len, sig->sig);
}

static int cosig_message(const char *body, size_t body_len, uint64_t timestamp, uint8_t **msg,
    size_t *msg_len, char *err);

/* 1 when sig is a valid tlog-cosignature/v1 (type 0x04) of note's text by pub; its time in *t. */
static int cosig_sig_valid(const struct lia_note *note, const struct lia_note_sig *sig,
    const uint8_t pub[static 32], uint64_t *t)
{
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	int ok = sig->sig_len == COSIG_LEN && (*t = be_read(sig->sig, 8)) <= COSIG_TIME_MAX &&
	    cosig_message(note->body, note->body_len, *t, &msg, &msg_len, NULL) == 0 &&
	    lia_ed25519_valid_raw(pub, msg, msg_len, sig->sig + 8);

	free(msg);
	return ok;
}

/*
 * c2sp.org/signed-note "Signatures": a key is a name and a key ID, and lines of
 * other keys are ignored. Of the lines of this key, the first that verifies
 * counts: a line that does not verify cannot vouch for anything, so it cannot
 * hide a valid one either. *index gets the line; -1 with err when none verifies.
 */
static int find_valid(const struct lia_note *note, const char *name, uint8_t type,
    const uint8_t pub[static 32], size_t *index, uint64_t *t, char *err)
{
	const struct lia_note_sig *sig;
	size_t at = 0, seen = 0;
	uint32_t id = 0;
	int rc = -1, timestamped = 1;

	if (known_key_id(name, type, pub, &id, err) != 0)
		goto out;
	while (rc != 0 && (sig = next_sig(note, name, id, &at)) != NULL) {
		seen++;
		timestamped = type != LIA_NOTE_COSIG_V1 ||
		    (sig->sig_len == COSIG_LEN && be_read(sig->sig, 8) <= COSIG_TIME_MAX);
		if (type == LIA_NOTE_COSIG_V1 ? cosig_sig_valid(note, sig, pub, t) :
		    note_sig_valid(note, sig, pub)) {
			*index = (size_t)(sig - note->sigs);
			rc = 0;
		}
	}
	if (rc != 0 && seen == 0)
		lia_err_set(err, "the note has no %s by \"%.64s\" (key ID %08" PRIx32 ")",
		    type == LIA_NOTE_COSIG_V1 ? "cosignature" : "signature", name, id);
	else if (rc != 0 && !timestamped)
		lia_err_set(err, "the cosignature by \"%.64s\" is not a timestamped Ed25519 signature",
		    name);
	else if (rc != 0)
		lia_err_set(err, "the %s by \"%.64s\" does not verify",
		    type == LIA_NOTE_COSIG_V1 ? "cosignature" : "note signature", name);
out:
	return rc;
}

int lia_note_verify(const struct lia_note *note, const char *name, const uint8_t pub[static 32],
    char *err)
{
	size_t index = 0;
	uint64_t t = 0;

	return find_valid(note, name, LIA_NOTE_ED25519, pub, &index, &t, err);
}

int lia_note_find(const struct lia_note *note, const struct lia_note_key *key, size_t *index,
    uint64_t *timestamp, char *err)
{
	uint64_t t = 0;
	int rc = -1;

	if (key->type != LIA_NOTE_ED25519 && key->type != LIA_NOTE_COSIG_V1)
		lia_err_set(err, "note keys of type 0x%02x are not supported", key->type);
	else
		rc = find_valid(note, key->name, key->type, key->pub, index, &t, err);
	if (rc == 0 && timestamp != NULL)
		*timestamp = t;
	return rc;
}

/* Appends src[0..n) at out + *len (the caller made room) and advances *len. */
static void put(char *out, size_t *len, const char *src, size_t n)
{
	memcpy(out + *len, src, n);
	*len += n;
}

int lia_note_keep(const char *text, size_t len, const struct lia_note_key *keys, size_t n_keys,
    char **out, size_t *out_len, char *err)
{
	struct lia_note note;
	char line[LIA_NOTE_LINE_MAX], *buf = NULL;
	size_t used = 0, kept = 0, index = 0;
	uint64_t t = 0;
	int rc = -1;

	*out = NULL;
	if (lia_note_parse(text, len, &note, err) != 0)
		goto out;
	/* The text, a blank line, then at most one line per key: never longer than the input. */
	if ((buf = malloc(len + 1)) == NULL) {
		lia_err_set(err, "out of memory filtering a note");
		goto out;
	}
	put(buf, &used, note.body, note.body_len);
	put(buf, &used, "\n", 1);
	for (size_t k = 0; k < n_keys; k++) {
		const struct lia_note_sig *s;
		if (lia_note_find(&note, &keys[k], &index, &t, NULL) != 0)
			continue;
		s = &note.sigs[index];
		if (format_line(s->name, s->key_id, s->sig, s->sig_len, line, err) != 0)
			goto out;
		put(buf, &used, line, strlen(line));
		kept++;
	}
	if (kept == 0) {
		lia_err_set(err, "the note has no valid signature by any of the %zu keys kept", n_keys);
		goto out;
	}
	buf[used] = '\0';
	*out = buf;
	*out_len = used;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	lia_note_finish(&note);
	return rc;
}

/* ---- cosignatures (tlog-cosignature "Ed25519 signed message") ---- */

/* *msg (caller frees) = "cosignature/v1\ntime <t>\n" || body. */
static int cosig_message(const char *body, size_t body_len, uint64_t timestamp, uint8_t **msg,
    size_t *msg_len, char *err)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "cosignature/v1\ntime %" PRIu64 "\n", timestamp);
	int rc = -1;

	*msg = n > 0 && (size_t)n < sizeof(head) ? malloc((size_t)n + body_len) : NULL;
	if (*msg == NULL) {
		lia_err_set(err, "out of memory building a cosigned message");
		goto out;
	}
	memcpy(*msg, head, (size_t)n);
	memcpy(*msg + n, body, body_len);
	*msg_len = (size_t)n + body_len;
	rc = 0;
out:
	return rc;
}

int lia_cosig_line(EVP_PKEY *key, const char *name, const char *body, size_t body_len,
    uint64_t timestamp, char line[static LIA_NOTE_LINE_MAX], char *err)
{
	struct lia_checkpoint cp;
	uint8_t pub[ED25519_PUB_LEN], sig[COSIG_LEN], *msg = NULL;
	size_t msg_len = 0;
	uint32_t id;
	int rc = -1;

	if (timestamp > COSIG_TIME_MAX) {
		lia_err_set(err, "a cosignature time must not exceed 2^63 - 1");
		goto out;
	}
	/* Cosigners vouch for checkpoints: refuse to cosign anything else. */
	if (signer_check(key, name, pub, err) != 0 || body_check(body, body_len, err) != 0 ||
	    lia_checkpoint_parse(body, body_len, &cp, err) != 0 ||
	    lia_note_key_id(name, LIA_NOTE_COSIG_V1, pub, &id, err) != 0 ||
	    cosig_message(body, body_len, timestamp, &msg, &msg_len, err) != 0)
		goto out;
	/* timestamped_signature: u64 big-endian time, then the Ed25519 signature. */
	be_write(timestamp, sig, 8);
	if (lia_ed25519_sign(key, msg, msg_len, sig + 8, "a note", err) != 0 ||
	    format_line(name, id, sig, sizeof(sig), line, err) != 0)
		goto out;
	rc = 0;
out:
	free(msg);
	return rc;
}

int lia_cosig_verify(const struct lia_note *note, const char *name, const uint8_t pub[static 32],
    uint64_t *timestamp, char *err)
{
	size_t index = 0;
	uint64_t t = 0;
	int rc = find_valid(note, name, LIA_NOTE_COSIG_V1, pub, &index, &t, err);

	if (rc == 0)
		*timestamp = t;
	return rc;
}
