/*
 * httpc.h - the CLI's blocking HTTP JSON client for its daemon's API, over the
 * Unix socket NODEDIR/api.sock.
 */
#ifndef LIA_HTTPC_H
#define LIA_HTTPC_H

#include <jansson.h>
#include <sys/types.h>

/*
 * Checks that sock can be trusted to be the daemon's before anything is sent
 * to it: its directory is not writable by group or others, and sock is a
 * socket owned by the directory's owner, whose uid goes to *uid. Fails with a
 * sentence naming the file ("refusing to talk to ...") when it cannot.
 */
int lia_httpc_check_socket(const char *sock, uid_t *uid, char *err);

/*
 * Sends method path with an optional JSON body and the bearer token to the
 * daemon's Unix socket sock, after lia_httpc_check_socket and after checking
 * (SO_PEERCRED) that the process serving it runs as the directory's owner;
 * waits up to timeout_s seconds in all. Returns the HTTP status in *status and
 * the parsed JSON reply in *reply (caller decrefs; NULL when the body is empty,
 * or is not JSON on a 4xx/5xx status). Fails naming the socket when it cannot
 * be trusted ("refusing ..."), cannot be reached ("cannot reach ..."), or a
 * 2xx/3xx reply is not JSON.
 */
int lia_httpc_request(const char *sock, const char *token,
    const char *method, const char *path, json_t *body, int timeout_s,
    int *status, json_t **reply, char *err);

#endif
