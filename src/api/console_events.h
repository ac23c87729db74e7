/*
 * console_events.h - the node's live feed: one event per entry a committed
 * transaction stored (message, receipt, ack, signal, incident entry, overdue
 * notice, link test and answer, relay) and per change of the links' states,
 * kept in a ring of the last LIA_EVENTS_RING events and pushed to
 * server-sent-event clients (GET /v1/events, text/event-stream) as it
 * happens. The daemon writes one log line per arrival here.
 *
 * Entries come from the store's commit hook (store_notify.h), so every path
 * that stores an entry is covered without the engine calling us; link states
 * are compared on a half-second timer on the loop (the browser never polls).
 * Each event is JSON: {"id", "kind", "at_ms", ...}; an entry's also "entry"
 * ("origin/seq"), "direction", "precedence" (when it has one), "to", "ref".
 */
#ifndef LIA_CONSOLE_EVENTS_H
#define LIA_CONSOLE_EVENTS_H

#include <stdint.h>
#include <event2/event.h>
#include <event2/http.h>

#include "node.h"

#define LIA_EVENTS_RING 256
#define LIA_EVENTS_CLIENTS 32

struct lia_console_events;

/* Starts following node's store and links on base; *out caller frees (lia_console_events_destroy) before the node. */
int lia_console_events_create(struct lia_node *node, struct event_base *base,
    struct lia_console_events **out, char *err);

/* Stops, ends every stream, frees; NULL is fine. */
void lia_console_events_destroy(struct lia_console_events *ev);

/*
 * Answers GET /v1/events: with "Accept: text/event-stream" a stream starting
 * after the Last-Event-ID header (or from now); otherwise JSON
 * {"events":[...], "next": N} of the ring's events after ?after=N (the CLI's
 * `liaison watch` polls this way). query is the raw query string or NULL.
 */
void lia_console_events_serve(void *ev, struct evhttp_request *req, const char *query);

/*
 * As lia_console_events_serve, for a console session: the stream ends at the
 * next keep-alive (5 s) once alive(ctx, key) returns 0 (the session ended or
 * expired). key (the session token, LIA_EVENTS_KEY_LEN characters) is copied
 * and wiped when the stream ends.
 */
#define LIA_EVENTS_KEY_LEN 64
void lia_console_events_serve_guarded(struct lia_console_events *ev, struct evhttp_request *req,
    const char *query, int (*alive)(void *ctx, const char *key), void *ctx, const char *key);

/* Processes what the store committed now (tests and the console call it before answering). */
void lia_console_events_flush(struct lia_console_events *ev);

#endif
