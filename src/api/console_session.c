/*
 * console_session.c - the console's session table (see console_session.h).
 *
 * Every token comes from RAND_bytes; nothing secret is compared with strcmp:
 * CRYPTO_memcmp over the full token length, after a length check that only
 * tells an attacker the length they already know (it is public).
 */
#include "console_session.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>

void lia_console_sessions_init(struct lia_console_sessions *ss, int64_t idle_ms, int64_t life_ms)
{
	memset(ss, 0, sizeof(*ss));
	ss->idle_ms = idle_ms;
	ss->life_ms = life_ms;
}

void lia_console_sessions_finish(struct lia_console_sessions *ss)
{
	OPENSSL_cleanse(ss->slot, sizeof(ss->slot));
}

void lia_console_session_close(struct lia_console_session *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, sizeof(*s));
}

/* 32 random bytes as 64 hex characters into out (LIA_CONSOLE_TOKEN_LEN + 1 bytes); -1 with err. */
static int random_token(char *out, char *err)  /* no [static]: GCC 12 with ASan misreads the slot pointer */
{
	static const char digits[] = "0123456789abcdef";
	uint8_t raw[LIA_CONSOLE_TOKEN_LEN / 2];
	int rc = -1;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		lia_err_set(err, "cannot draw a session token");
		lia_err_add_openssl(err);
		goto out;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 15];
	}
	out[LIA_CONSOLE_TOKEN_LEN] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int lia_console_session_open(struct lia_console_sessions *ss, const struct lia_operator *op,
    const char *address, int64_t now_ms, struct lia_console_session **out, char *err)
{
	struct lia_console_session *s = NULL;
	int rc = -1;

	*out = NULL;
	s = &ss->slot[0];
	for (int i = 1; i < LIA_CONSOLE_SESSIONS_MAX && s->used; i++)  /* a free slot, else the least recently used */
		if (!ss->slot[i].used || ss->slot[i].last_ms < s->last_ms)
			s = &ss->slot[i];
	lia_console_session_close(s);
	if (random_token(s->token, err) < 0 || random_token(s->csrf, err) < 0) {
		lia_console_session_close(s);
		goto out;
	}
	snprintf(s->operator_name, sizeof(s->operator_name), "%s", op->name);
	snprintf(s->lang, sizeof(s->lang), "%s", op->lang);
	snprintf(s->address, sizeof(s->address), "%s", address != NULL ? address : "-");
	s->role = op->role;
	lia_console_session_hash_tag(op->hash, s->hash_tag);
	s->created_ms = s->last_ms = now_ms;
	s->used = 1;
	*out = s;
	rc = 0;
out:
	return rc;
}

/* 1 when a and b (b exactly LIA_CONSOLE_TOKEN_LEN characters) are equal, in constant time. */
static int token_equal(const char *a, const char *b)
{
	return CRYPTO_memcmp(a, b, LIA_CONSOLE_TOKEN_LEN) == 0;
}

enum lia_console_lookup lia_console_session_find(struct lia_console_sessions *ss,
    const char *token, int64_t now_ms, struct lia_console_session **out)
{
	struct lia_console_session *found = NULL;

	*out = NULL;
	if (token == NULL || strlen(token) != LIA_CONSOLE_TOKEN_LEN)
		return LIA_SESSION_NONE;
	for (int i = 0; i < LIA_CONSOLE_SESSIONS_MAX; i++)  /* no early exit: constant time */
		if (ss->slot[i].used & token_equal(ss->slot[i].token, token))
			found = &ss->slot[i];
	if (found == NULL)
		return LIA_SESSION_NONE;
	if (now_ms - found->last_ms > ss->idle_ms || now_ms - found->created_ms > ss->life_ms) {
		lia_console_session_close(found);
		return LIA_SESSION_EXPIRED;
	}
	found->last_ms = now_ms;
	*out = found;
	return LIA_SESSION_OK;
}

int lia_console_session_live(struct lia_console_sessions *ss, const char *token, int64_t now_ms)
{
	int live = 0;

	if (token == NULL || strlen(token) != LIA_CONSOLE_TOKEN_LEN)
		return 0;
	for (int i = 0; i < LIA_CONSOLE_SESSIONS_MAX; i++)  /* no early exit: constant time */
		live |= ss->slot[i].used & token_equal(ss->slot[i].token, token) &
		    (now_ms - ss->slot[i].last_ms <= ss->idle_ms) &
		    (now_ms - ss->slot[i].created_ms <= ss->life_ms);
	return live;
}

void lia_console_session_hash_tag(const char *hash, uint8_t tag[static 16])
{
	crypto_generichash(tag, 16, (const unsigned char *)hash, strlen(hash), NULL, 0);
}

int lia_console_session_csrf_ok(const struct lia_console_session *s, const char *header)
{
	if (s == NULL || header == NULL || strlen(header) != LIA_CONSOLE_TOKEN_LEN)
		return 0;
	return token_equal(s->csrf, header);
}

int lia_console_sessions_end_operator(struct lia_console_sessions *ss, const char *name)
{
	int n = 0;

	for (int i = 0; i < LIA_CONSOLE_SESSIONS_MAX; i++) {
		if (ss->slot[i].used && strcmp(ss->slot[i].operator_name, name) == 0) {
			lia_console_session_close(&ss->slot[i]);
			n++;
		}
	}
	return n;
}
