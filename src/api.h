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

#include "node.h"

#define LIA_API_BODY_MAX (64 * 1024)
#define LIA_TOKEN_LEN 64 /* hex characters */
#define LIA_API_LIST_DEFAULT 50 /* messages listed when no limit is given */
#define LIA_API_LIST_MAX 100000 /* most messages one listing returns; a larger limit is read as this */

struct lia_api;

/* Starts serving on host:port (loopback only) with the given token; *out is the caller's (lia_api_stop). */
int lia_api_start(struct lia_node *node, struct event_base *base, const char *host,
    const char *port, const char token[LIA_TOKEN_LEN + 1], struct lia_api **out, char *err);

/* Stops serving and frees; NULL is fine. */
void lia_api_stop(struct lia_api *api);

/* Reads dir/api.token, creating it (0600, O_EXCL, 32 random bytes as hex) when absent. */
int lia_api_token(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err);

/*
 * Reads dir/api.token without ever creating it (for the CLI): LIA_ENOTFOUND
 * when absent; refuses a file that group or others may access, or that does
 * not hold LIA_TOKEN_LEN hex characters. Errors name the file.
 */
int lia_api_token_read(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err);

#endif
