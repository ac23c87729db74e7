/*
 * test_console_session.c - the console's sessions (console_session.c), sign-in
 * rate limits (console_limit.c) and password hashes (console_password.c):
 * tokens random and distinct, lookups by exact token only, idle and absolute
 * expiry, CSRF checked exactly, sessions ended per operator and wiped; limits
 * per key with their window; Argon2id hashes that verify only the right
 * password and bounds on password length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "console_limit.h"
#include "console_password.h"
#include "console_session.h"
#include "err.h"

static struct lia_console_sessions ss;

static struct lia_operator op_named(const char *name, enum lia_operator_role role)
{
	struct lia_operator op;

	memset(&op, 0, sizeof(op));
	snprintf(op.name, sizeof(op.name), "%s", name);
	snprintf(op.lang, sizeof(op.lang), "ja");
	op.role = role;
	return op;
}

static void test_open_find(void **state)
{
	struct lia_console_session *a, *b, *found;
	struct lia_operator op = op_named("Sato", LIA_ROLE_OPERATOR);
	char err[LIA_ERR_LEN], token[LIA_CONSOLE_TOKEN_LEN + 1];

	(void)state;
	lia_console_sessions_init(&ss, 1000, 5000);
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", 100, &a, err), 0);
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", 100, &b, err), 0);
	assert_int_equal(strlen(a->token), LIA_CONSOLE_TOKEN_LEN);
	assert_string_not_equal(a->token, b->token);
	assert_string_not_equal(a->token, a->csrf);
	assert_string_equal(a->lang, "ja");
	assert_int_equal(lia_console_session_find(&ss, a->token, 200, &found), LIA_SESSION_OK);
	assert_ptr_equal(found, a);
	/* Near misses are not sessions. */
	snprintf(token, sizeof(token), "%s", a->token);
	token[LIA_CONSOLE_TOKEN_LEN - 1] ^= 1;
	assert_int_equal(lia_console_session_find(&ss, token, 200, &found), LIA_SESSION_NONE);
	assert_null(found);
	token[LIA_CONSOLE_TOKEN_LEN - 1] = '\0';
	assert_int_equal(lia_console_session_find(&ss, token, 200, &found), LIA_SESSION_NONE);
	assert_int_equal(lia_console_session_find(&ss, NULL, 200, &found), LIA_SESSION_NONE);
	assert_int_equal(lia_console_session_find(&ss, "", 200, &found), LIA_SESSION_NONE);
	lia_console_sessions_finish(&ss);
}

static void test_expiry(void **state)
{
	struct lia_console_session *a, *found;
	struct lia_operator op = op_named("Sato", LIA_ROLE_OPERATOR);
	char err[LIA_ERR_LEN], token[LIA_CONSOLE_TOKEN_LEN + 1];
	int64_t t = 0;

	(void)state;
	lia_console_sessions_init(&ss, 1000, 5000);
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", t, &a, err), 0);
	snprintf(token, sizeof(token), "%s", a->token);
	/* Kept alive by use until the absolute life ends. */
	for (t = 900; t <= 4500; t += 900)
		assert_int_equal(lia_console_session_find(&ss, token, t, &found), LIA_SESSION_OK);
	assert_int_equal(lia_console_session_find(&ss, token, 5001, &found), LIA_SESSION_EXPIRED);
	assert_int_equal(lia_console_session_find(&ss, token, 5002, &found), LIA_SESSION_NONE);
	/* Idle expiry, and the slot is wiped. */
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", 0, &a, err), 0);
	snprintf(token, sizeof(token), "%s", a->token);
	assert_int_equal(lia_console_session_find(&ss, token, 1001, &found), LIA_SESSION_EXPIRED);
	assert_int_equal(a->used, 0);
	assert_int_equal(a->token[0], '\0');
	assert_int_equal(a->csrf[0], '\0');
	lia_console_sessions_finish(&ss);
}

static void test_live(void **state)
{
	struct lia_console_session *a, *found;
	struct lia_operator op = op_named("Sato", LIA_ROLE_OPERATOR);
	char err[LIA_ERR_LEN], token[LIA_CONSOLE_TOKEN_LEN + 1];

	(void)state;
	lia_console_sessions_init(&ss, 1000, 5000);
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", 0, &a, err), 0);
	snprintf(token, sizeof(token), "%s", a->token);
	assert_true(lia_console_session_live(&ss, token, 900));
	assert_true(lia_console_session_live(&ss, token, 999));  /* looking does not keep it alive ... */
	assert_false(lia_console_session_live(&ss, token, 1001));
	assert_int_equal(a->used, 1);                             /* ... nor end it */
	assert_int_equal(lia_console_session_find(&ss, token, 1001, &found), LIA_SESSION_EXPIRED);
	assert_false(lia_console_session_live(&ss, token, 0));
	assert_false(lia_console_session_live(&ss, NULL, 0));
	assert_false(lia_console_session_live(&ss, "short", 0));
	lia_console_sessions_finish(&ss);
}

static void test_csrf(void **state)
{
	struct lia_console_session *a;
	struct lia_operator op = op_named("Lt. Wang", LIA_ROLE_SUPERVISOR);
	char err[LIA_ERR_LEN], bad[LIA_CONSOLE_TOKEN_LEN + 1];

	(void)state;
	lia_console_sessions_init(&ss, 1000, 5000);
	assert_int_equal(lia_console_session_open(&ss, &op, "127.0.0.1", 0, &a, err), 0);
	assert_true(lia_console_session_csrf_ok(a, a->csrf));
	assert_false(lia_console_session_csrf_ok(a, NULL));
	assert_false(lia_console_session_csrf_ok(a, ""));
	assert_false(lia_console_session_csrf_ok(a, a->token));
	snprintf(bad, sizeof(bad), "%s", a->csrf);
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	assert_false(lia_console_session_csrf_ok(a, bad));
	assert_false(lia_console_session_csrf_ok(NULL, a->csrf));
	lia_console_sessions_finish(&ss);
}

static void test_end_operator_and_full(void **state)
{
	struct lia_console_session *s, *first = NULL, *found;
	struct lia_operator wang = op_named("Lt. Wang", LIA_ROLE_OPERATOR), li = op_named("Li", LIA_ROLE_OPERATOR);
	char err[LIA_ERR_LEN], first_token[LIA_CONSOLE_TOKEN_LEN + 1];

	(void)state;
	lia_console_sessions_init(&ss, 100000, 100000);
	for (int i = 0; i < LIA_CONSOLE_SESSIONS_MAX; i++) {
		assert_int_equal(lia_console_session_open(&ss, i % 2 ? &wang : &li, "a", i, &s, err), 0);
		if (i == 0) {
			first = s;
			snprintf(first_token, sizeof(first_token), "%s", s->token);
		}
	}
	/* Full: the least recently used (the first) makes room. */
	assert_int_equal(lia_console_session_open(&ss, &wang, "a", 1000, &s, err), 0);
	assert_ptr_equal(s, first);
	assert_int_equal(lia_console_session_find(&ss, first_token, 1001, &found), LIA_SESSION_NONE);
	assert_int_equal(lia_console_sessions_end_operator(&ss, "Lt. Wang"), LIA_CONSOLE_SESSIONS_MAX / 2 + 1);
	assert_int_equal(lia_console_sessions_end_operator(&ss, "Lt. Wang"), 0);
	lia_console_sessions_finish(&ss);
}

static void test_limit(void **state)
{
	static struct lia_console_limit l;

	(void)state;
	lia_console_limit_init(&l, 60000);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(lia_console_limit_wait(&l, "operator Sato", 5, 1000), 0);
		lia_console_limit_fail(&l, "operator Sato", 1000);
	}
	assert_int_equal(lia_console_limit_wait(&l, "operator Sato", 5, 1000), 60);
	assert_int_equal(lia_console_limit_wait(&l, "operator Sato", 5, 30500), 31);
	assert_int_equal(lia_console_limit_wait(&l, "operator Kim", 5, 1000), 0);
	assert_int_equal(lia_console_limit_wait(&l, "operator Sato", 5, 61000), 0);  /* window over */
	lia_console_limit_fail(&l, "address 127.0.0.1", 2000);
	lia_console_limit_clear(&l, "address 127.0.0.1");
	assert_int_equal(lia_console_limit_wait(&l, "address 127.0.0.1", 1, 2000), 0);
	/* A full table reuses slots; the limiter never refuses for lack of room. */
	for (int i = 0; i < LIA_CONSOLE_LIMIT_SLOTS + 10; i++) {
		char key[32];
		snprintf(key, sizeof(key), "address 10.0.%d.%d", i / 256, i % 256);
		lia_console_limit_fail(&l, key, 3000 + i);
	}
	lia_console_limit_fail(&l, "operator Li", 5000);
	assert_int_equal(lia_console_limit_wait(&l, "operator Li", 1, 5000), 60);
}

static void test_password(void **state)
{
	char hash[LIA_OPERATOR_HASH_MAX + 1], hash2[LIA_OPERATOR_HASH_MAX + 1], err[LIA_ERR_LEN];
	char longpw[LIA_PASSWORD_MAX + 2];

	(void)state;
	assert_int_equal(lia_console_password_hash("correct horse", hash, err), 0);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_true(lia_console_password_verify(hash, "correct horse"));
	assert_false(lia_console_password_verify(hash, "correct horsE"));
	assert_false(lia_console_password_verify(hash, ""));
	assert_false(lia_console_password_verify("$argon2id$garbage", "correct horse"));
	assert_false(lia_console_password_verify(NULL, "correct horse"));
	assert_int_equal(lia_console_password_hash("correct horse", hash2, err), 0);
	assert_string_not_equal(hash, hash2);  /* salted */
	assert_int_equal(lia_console_password_hash("short", hash, err), -1);
	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_int_equal(lia_console_password_hash(longpw, hash, err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_find),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_end_operator_and_full),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_password),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
