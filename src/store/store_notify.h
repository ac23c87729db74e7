/*
 * store_notify.h - tells the daemon which entries a committed transaction
 * added, so the console can push arrivals (and the daemon log them) without
 * polling the database and without a hook in every place that stores an
 * entry (node, sessions, radio, relay).
 *
 * Built on SQLite's update, commit and rollback hooks of the store's one
 * connection: an inserted `entries` row is held as pending, moved to the ready
 * list when its transaction commits and dropped when it rolls back. fn runs
 * from inside the commit hook, before the commit is durable and while SQLite
 * holds the connection: it must only schedule work (event_active), never use
 * the store. The ready list holds LIA_STORE_NOTIFY_MAX rows; past that the
 * oldest are dropped and counted.
 */
#ifndef LIA_STORE_NOTIFY_H
#define LIA_STORE_NOTIFY_H

#include <stdint.h>

#include "entry.h"
#include "store.h"
#include "text.h"

#define LIA_STORE_NOTIFY_MAX 256

struct lia_store_notify;

/* A stored entry in brief, for an event and a log line. */
struct lia_entry_brief {
	int64_t n;                          /* the store's row number */
	enum lia_entry_type type;
	char origin[LIA_NAME_MAX + 1];
	uint64_t seq;
	int incoming;                       /* 1 received, 0 own */
	int precedence;                     /* enum lia_precedence, or -1 when the entry has none */
	char to[LIA_NAME_MAX + 1];          /* "" when none */
	char ref_origin[LIA_NAME_MAX + 1];  /* "" when none */
	uint64_t ref_seq;
	int64_t time_ms, stored_ms;
};

/* Installs the hooks on s's connection; fn(arg) runs at each commit that added entries. *out caller frees (lia_store_notify_destroy) before closing s. */
int lia_store_notify_create(struct lia_store *s, void (*fn)(void *arg), void *arg,
    struct lia_store_notify **out, char *err);

/* Removes the hooks and frees; NULL is fine. */
void lia_store_notify_destroy(struct lia_store_notify *nt);

/* Moves up to max committed row numbers, oldest first, into rows; their count. *dropped (may be NULL) gets how many were lost to overflow since the last call. */
size_t lia_store_notify_take(struct lia_store_notify *nt, int64_t *rows, size_t max,
    uint64_t *dropped);

/* Entry row n of s in brief into *b; LIA_ENOTFOUND. */
int lia_store_entry_brief(struct lia_store *s, int64_t n, struct lia_entry_brief *b, char *err);

#endif
