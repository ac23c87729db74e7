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
 */
#ifndef LIA_API_H
#define LIA_API_H

#include <event2/event.h>
#include <jansson.h>

#include "node.h"
#include "token.h"
#include "api_limits.h"


struct lia_api;

/* Starts serving on host:port (loopback only) with the given token; *out is the caller's (lia_api_stop). */
int lia_api_start(struct lia_node *node, struct event_base *base, const char *host,
    const char *port, const char token[LIA_TOKEN_LEN + 1], struct lia_api **out, char *err);

/*
 * Adds key: fn(ctx) (a new reference) to every /v1/status answer; for what
 * the API's layer cannot see, wired by the daemon's main (the peer port's
 * admission counters, net/admission.h). key is borrowed (static).
 */
void lia_api_status_extra(struct lia_api *api, const char *key, json_t *(*fn)(void *ctx),
    void *ctx);

/* Stops serving and frees; NULL is fine. */
void lia_api_stop(struct lia_api *api);

#endif
