/*
 * api_guard.h - bounds on the API's connections (issue 10): evhttp has no
 * cap on connections (2.1.12 lacks evhttp_set_max_connections) and its
 * timeout restarts with every byte, so a client trickling a request one
 * byte at a time kept a descriptor forever and 1,100 of them starved the
 * node. The guard gives every connection of an evhttp (each listener bound
 * to it: TCP, Unix socket) an absolute deadline per request, counted from
 * the accept or from the previous request, and caps the connections in all:
 * beyond the cap the oldest is closed (the newest is most likely the
 * operator's CLI; a stalled one is most likely the attacker's).
 *
 * How: evhttp_set_bevcb lets the guard create each connection's
 * bufferevent; it keeps a reference to it (bufferevent_incref), so it can
 * tell when evhttp has freed it (evhttp's callbacks are gone) and release
 * it then. A connection past its deadline or over the cap is shut down
 * (shutdown(2)); evhttp then sees the end of the stream and frees it as it
 * would for a client that went away.
 */
#ifndef LIA_API_GUARD_H
#define LIA_API_GUARD_H

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <jansson.h>

#include "err.h"

#define LIA_API_CONNS_MAX 64          /* API connections in all */
#define LIA_API_REQUEST_DEADLINE_MS 10000 /* from accept or the last request to the next one */

struct lia_api_guard;

/* Creates a guard on base; *out caller frees (lia_api_guard_destroy). 0 or -1 with err. */
int lia_api_guard_create(struct event_base *base, struct lia_api_guard **out, char *err);

/* Releases every connection reference and the guard (call before evhttp_free); NULL is fine. */
void lia_api_guard_destroy(struct lia_api_guard *g);

/* Guards every connection http accepts from now on (on any of its listeners). */
void lia_api_guard_attach(struct lia_api_guard *g, struct evhttp *http);

/* Makes lev pause instead of spinning when descriptors run out (listen_pause.h). 0 or -1 with err. */
int lia_api_guard_listener(struct lia_api_guard *g, struct evconnlistener *lev, char *err);

/* A request arrived on req's connection: its deadline starts again. g may be NULL. */
void lia_api_guard_request(struct lia_api_guard *g, struct evhttp_request *req);

/* Connections open now, and closed by the guard since start (deadline, cap). */
void lia_api_guard_counts(const struct lia_api_guard *g, int *open, unsigned long long *expired,
    unsigned long long *evicted);

/* {"connections","closed_deadline","closed_over_cap"} for /v1/status; caller owns it. */
json_t *lia_api_guard_json(const struct lia_api_guard *g);

#endif
