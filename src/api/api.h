/*
 * api.h - the node's HTTP JSON API (evhttp), for the CLI and the console.
 *
 * The CLI's API is served on a Unix socket in the node directory
 * (NODEDIR/api.sock, 0600 in the 0700 directory), never on TCP: a process may
 * use it only when its uid (SO_PEERCRED) is the daemon's own or root, and every
 * request must also carry "Authorization: Bearer <token>" where the token is
 * the content of the node directory's api.token (0600). Other uids are refused
 * (403, logged at most once per 10 s). Further listeners (the console) bring
 * their own authentication and share the routes.
 * Routes (all JSON; errors are {"error": sentence} with a 4xx/5xx status):
 *   GET  /v1/status                          node, party, role, charter hash, links, counts
 *   GET  /v1/links                           link states, each with its link tests and their history
 *   POST /v1/links/PEER/test                 a link test to PEER now -> 201 {"id"}
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
#include <jansson.h>

#include "node.h"
#include "token.h"
#include "api_limits.h"


struct lia_api;

/* Sets up the API of node with the given token, serving nothing yet; *out is the caller's (lia_api_stop). */
int lia_api_start(struct lia_node *node, struct event_base *base,
    const char token[LIA_TOKEN_LEN + 1], struct lia_api **out, char *err);

/*
 * Serves GET /v1/events with serve(events, ...) (console_events.h's
 * lia_console_events_serve; a pointer so the API does not link the feed).
 */
void lia_api_set_events(struct lia_api *api, void *events,
    void (*serve)(void *events, struct evhttp_request *req, const char *query));

/*
 * Serves the API on the Unix socket path (0600; its directory must be the
 * daemon's, 0700), for peers of the daemon's uid or root. A stale socket
 * nobody answers on is replaced; a socket that answers (another liaisond) or
 * a file that is not a socket is refused. -1 with err naming path.
 */
int lia_api_listen_unix(struct lia_api *api, const char *path, char *err);

/*
 * Adds key: fn(ctx) (a new reference) to every /v1/status answer; for what
 * the API's layer cannot see, wired by the daemon's main (the peer port's
 * admission counters, net/admission.h). key is borrowed (static).
 */
void lia_api_status_extra(struct lia_api *api, const char *key, json_t *(*fn)(void *ctx),
    void *ctx);

/* Stops serving, removes the socket files and frees; NULL is fine. */
void lia_api_stop(struct lia_api *api);

#endif
