/*
 * httpc.h - the CLI's blocking HTTP JSON client for its daemon's API (libevent evhttp).
 */
#ifndef LIA_HTTPC_H
#define LIA_HTTPC_H

#include <jansson.h>

/*
 * Sends method path with an optional JSON body to host:port with the bearer
 * token, waits up to timeout_s seconds, and returns the HTTP status in *status
 * and the parsed JSON reply in *reply (caller decrefs; NULL when the body is
 * empty, or is not JSON on a 4xx/5xx status). Fails naming the address when
 * the daemon cannot be reached or a 2xx/3xx reply is not JSON.
 */
int lia_httpc_request(const char *host, const char *port, const char *token,
    const char *method, const char *path, json_t *body, int timeout_s,
    int *status, json_t **reply, char *err);

#endif
