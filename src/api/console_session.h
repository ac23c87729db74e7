/*
 * console_session.h - the console's operator sessions: a fixed table of
 * signed-in operators, each named by a random session token (the HttpOnly
 * cookie) and holding a second random token for CSRF (sent back by the page
 * in the X-CSRF-Token header of every state-changing request).
 *
 * Tokens are 32 bytes from OpenSSL's RAND_bytes, in hex; lookups compare in
 * constant time against every slot; a session ends when idle for idle_ms, at
 * life_ms after sign-in, at sign-out, or when its operator is disabled or
 * changes password. Ended slots are wiped. No I/O, no event loop: the caller
 * passes the time.
 */
#ifndef LIA_CONSOLE_SESSION_H
#define LIA_CONSOLE_SESSION_H

#include <stdint.h>

#include "store_operator.h"

#define LIA_CONSOLE_SESSIONS_MAX 64
#define LIA_CONSOLE_TOKEN_LEN 64        /* hex characters of a session or CSRF token */
#define LIA_CONSOLE_ADDR_MAX 63

struct lia_console_session {
	int used;
	char token[LIA_CONSOLE_TOKEN_LEN + 1];
	char csrf[LIA_CONSOLE_TOKEN_LEN + 1];
	char operator_name[LIA_OPERATOR_NAME_MAX + 1];
	enum lia_operator_role role;
	char lang[3];
	char address[LIA_CONSOLE_ADDR_MAX + 1];
	int64_t created_ms, last_ms;
	uint8_t hash_tag[16];           /* BLAKE2b of the password hash at sign-in: a new password ends the session */
};

struct lia_console_sessions {
	struct lia_console_session slot[LIA_CONSOLE_SESSIONS_MAX];
	int64_t idle_ms, life_ms;
};

/* Result of a lookup. */
enum lia_console_lookup { LIA_SESSION_OK = 0, LIA_SESSION_NONE = 1, LIA_SESSION_EXPIRED = 2 };

/* An empty table whose sessions end after idle_ms idle or life_ms in all. */
void lia_console_sessions_init(struct lia_console_sessions *ss, int64_t idle_ms, int64_t life_ms);

/* Wipes every session. */
void lia_console_sessions_finish(struct lia_console_sessions *ss);

/*
 * Opens a session for op from address at now_ms; *out is borrowed from the
 * table (valid until the next call that may end sessions). When the table is
 * full the least recently used session ends. -1 with err when the random
 * generator fails.
 */
int lia_console_session_open(struct lia_console_sessions *ss, const struct lia_operator *op,
    const char *address, int64_t now_ms, struct lia_console_session **out, char *err);

/*
 * The session whose token is token (NULL or malformed: none), touched at
 * now_ms; an expired one is ended and reported as LIA_SESSION_EXPIRED. *out
 * is borrowed, NULL unless LIA_SESSION_OK.
 */
enum lia_console_lookup lia_console_session_find(struct lia_console_sessions *ss,
    const char *token, int64_t now_ms, struct lia_console_session **out);

/* 1 when token names a live session at now_ms; unlike find it neither touches nor ends it (for open event streams). */
int lia_console_session_live(struct lia_console_sessions *ss, const char *token, int64_t now_ms);

/* The tag of a stored password hash (crypto_generichash, 16 bytes) into tag. */
void lia_console_session_hash_tag(const char *hash, uint8_t tag[static 16]);

/* 1 when header (X-CSRF-Token, may be NULL) is the session's CSRF token; compared in constant time. */
int lia_console_session_csrf_ok(const struct lia_console_session *s, const char *header);

/* Ends and wipes one session (NULL is fine). */
void lia_console_session_close(struct lia_console_session *s);

/* Ends every session of operator name; how many ended. */
int lia_console_sessions_end_operator(struct lia_console_sessions *ss, const char *name);

#endif
