/*
 * console_limit.c - fixed-window failure counts for console sign-in (see
 * console_limit.h). Keys are cut to LIA_CONSOLE_LIMIT_KEY_MAX bytes.
 */
#include "console_limit.h"

#include <stdio.h>
#include <string.h>

void lia_console_limit_init(struct lia_console_limit *l, int64_t window_ms)
{
	memset(l, 0, sizeof(*l));
	l->window_ms = window_ms;
}

/* The index of key's live window, or -1. */
static int find(struct lia_console_limit *l, const char *key, int64_t now_ms)
{
	char k[LIA_CONSOLE_LIMIT_KEY_MAX + 1];

	snprintf(k, sizeof(k), "%s", key);
	for (int i = 0; i < LIA_CONSOLE_LIMIT_SLOTS; i++)
		if (l->slot[i].failures > 0 && now_ms - l->slot[i].start_ms < l->window_ms &&
		    strcmp(l->slot[i].key, k) == 0)
			return i;
	return -1;
}

int lia_console_limit_wait(struct lia_console_limit *l, const char *key, int budget,
    int64_t now_ms)
{
	int i = find(l, key, now_ms);
	int64_t left;

	if (i < 0 || l->slot[i].failures < budget)
		return 0;
	left = l->window_ms - (now_ms - l->slot[i].start_ms);
	return (int)((left + 999) / 1000);
}

void lia_console_limit_fail(struct lia_console_limit *l, const char *key, int64_t now_ms)
{
	int i = find(l, key, now_ms), oldest = 0;

	if (i >= 0) {
		l->slot[i].failures++;
		return;
	}
	for (i = 0; i < LIA_CONSOLE_LIMIT_SLOTS; i++) {
		if (l->slot[i].failures == 0 || now_ms - l->slot[i].start_ms >= l->window_ms)
			break;
		if (l->slot[i].start_ms < l->slot[oldest].start_ms)
			oldest = i;
	}
	if (i == LIA_CONSOLE_LIMIT_SLOTS)
		i = oldest;
	snprintf(l->slot[i].key, sizeof(l->slot[i].key), "%s", key);
	l->slot[i].start_ms = now_ms;
	l->slot[i].failures = 1;
}

void lia_console_limit_clear(struct lia_console_limit *l, const char *key)
{
	char k[LIA_CONSOLE_LIMIT_KEY_MAX + 1];
	int i;

	snprintf(k, sizeof(k), "%s", key);
	for (i = 0; i < LIA_CONSOLE_LIMIT_SLOTS; i++)
		if (strcmp(l->slot[i].key, k) == 0)
			memset(&l->slot[i], 0, sizeof(l->slot[i]));
}
