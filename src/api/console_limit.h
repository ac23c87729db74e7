/*
 * console_limit.h - rate limits on console sign-in: failures counted per key
 * ("operator NAME" and "address ADDR") in a fixed window; past the key's
 * budget further attempts are refused, whether the password is right or not,
 * until the window ends. A fixed table: when full, the oldest window is
 * reused (an attacker filling it can only reset others' counts after they
 * expire, since live windows are kept first). No I/O: the caller passes the time.
 */
#ifndef LIA_CONSOLE_LIMIT_H
#define LIA_CONSOLE_LIMIT_H

#include <stdint.h>

#define LIA_CONSOLE_LIMIT_SLOTS 256
#define LIA_CONSOLE_LIMIT_KEY_MAX 95

struct lia_console_limit {
	struct {
		char key[LIA_CONSOLE_LIMIT_KEY_MAX + 1];
		int64_t start_ms;
		int failures;
	} slot[LIA_CONSOLE_LIMIT_SLOTS];
	int64_t window_ms;
};

/* An empty table with windows of window_ms. */
void lia_console_limit_init(struct lia_console_limit *l, int64_t window_ms);

/* 0 when key may try again at now_ms (fewer than budget failures in its window); else the seconds left to wait. */
int lia_console_limit_wait(struct lia_console_limit *l, const char *key, int budget,
    int64_t now_ms);

/* Counts a failure of key at now_ms. */
void lia_console_limit_fail(struct lia_console_limit *l, const char *key, int64_t now_ms);

/* Forgets key's failures (after a good sign-in). */
void lia_console_limit_clear(struct lia_console_limit *l, const char *key);

#endif
