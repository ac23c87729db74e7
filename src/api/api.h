/*
 * api.h - the node's HTTP JSON API (evhttp), for the CLI and the console.
 *
 * Listens on a loopback address only. Every request must carry
 * "Authorization: Bearer <token>" where the token is the content of the node
 * directory's api.token (0600), so other local users cannot drive the node.
 * Routes (all JSON; errors are {"error": sentence} with a 4xx/5xx status):
 *   GET  /v1/status                          node, party, role, charter hash, links, counts
 *   GET  /v1/links                           link states
 *   POST /v1/messages                        {"to","precedence","text","lang"?} -> 201 {"id","state"}
 *   GET  /v1/messages?box=in|out&limit=N     {"messages":[...], "more": bool} newest last;
 *                                            "more": older messages exist beyond the limit
 *   GET  /v1/messages/ORIGIN/SEQ             one message, its receipts and acks, each with "signature"
 *   POST /v1/messages/ORIGIN/SEQ/ack         {"operator"} -> 201 {"id"}
 *   GET  /v1/events[?after=N]                the live feed (console_events.h): JSON, or a
 *                                            text/event-stream with Accept
 *   GET|POST /v1/operators[/NAME[/disable|/passwd]]  console operators (api_operators.c)
 */
#ifndef LIA_API_H
#define LIA_API_H

#include <event2/event.h>
#include <event2/http.h>

#include "node.h"
#include "token.h"
#include "api_limits.h"


struct lia_api;

/* Starts serving on host:port (loopback only) with the given token; *out is the caller's (lia_api_stop). */
int lia_api_start(struct lia_node *node, struct event_base *base, const char *host,
    const char *port, const char token[LIA_TOKEN_LEN + 1], struct lia_api **out, char *err);

/*
 * Serves GET /v1/events with serve(events, ...) (console_events.h's
 * lia_console_events_serve; a pointer so the API does not link the feed).
 */
void lia_api_set_events(struct lia_api *api, void *events,
    void (*serve)(void *events, struct evhttp_request *req, const char *query));

/* Stops serving and frees; NULL is fine. */
void lia_api_stop(struct lia_api *api);

#endif
