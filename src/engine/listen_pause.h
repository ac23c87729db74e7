/*
 * listen_pause.h - listeners that rest instead of spinning when the process
 * runs out of file descriptors (issue 10). On EMFILE, ENFILE, ENOBUFS or
 * ENOMEM libevent's evconnlistener retries accept() on every loop turn and,
 * without an error callback, logs a line each time: 100 % CPU and 700 MB of
 * log in 20 s. A listener added here is disabled for a second instead, and
 * the pause logged (rate-limited like every line). Used by the peer port
 * (net/admission.c) and the API (api/api_guard.c), hence in this layer.
 */
#ifndef LIA_LISTEN_PAUSE_H
#define LIA_LISTEN_PAUSE_H

#include <stdint.h>
#include <event2/listener.h>

#include "err.h"

#define LIA_LISTEN_PAUSE_MAX 8   /* listeners per set */
#define LIA_LISTEN_PAUSE_MS 1000

struct lia_listen_pause;

/* An empty set; what names its listeners in the log (borrowed, static). *out caller frees. 0 or -1 with err. */
int lia_listen_pause_create(const char *what, struct lia_listen_pause **out, char *err);

/* Forgets the listeners (which must still exist or be freed after) and frees the set; NULL is fine. */
void lia_listen_pause_destroy(struct lia_listen_pause *p);

/* Makes lev pause on the errors above. 0, or -1 with err (set full, out of memory). */
int lia_listen_pause_add(struct lia_listen_pause *p, struct evconnlistener *lev, char *err);

/* How many pauses so far. */
uint64_t lia_listen_pause_count(const struct lia_listen_pause *p);

#endif
