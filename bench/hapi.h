/*
 * hapi.h - the benchmarks' one way to a liaisond API (every request
 * hotline_bench makes goes through here, so a change of the API's transport
 * is a change of hapi.c alone).
 *
 * A window of WINDOW slots on the node's Unix socket (NODEDIR/api.sock),
 * one request in flight on each, each new request asked of the caller the
 * moment a slot is free; a request may name the monotonic time it is due
 * (the open loop), and the slot then holds it until then. hapi_get makes one
 * request and waits for its answer.
 */
#ifndef LIA_HAPI_H
#define LIA_HAPI_H

#include <event2/http.h>
#include <jansson.h>

#include "config.h"

struct hapi;

struct hapi_req {
	long idx;                     /* the caller's tag, handed back to done */
	enum evhttp_cmd_type method;
	char path[160];
	json_t *body;                 /* request body or NULL; hapi takes the reference */
	double due_ms;                /* bench_mono_ms() time to send at; 0 or past: at once */
};

/* Fills req with the next request to make; returns 0 when none is left, 1 when req is filled. */
typedef int (*hapi_next_fn)(void *ctx, struct hapi_req *req);

/*
 * A request finished with HTTP status (0 when no answer came) and the parsed
 * reply (borrowed, NULL when the body is not JSON); returning -1 stops the run.
 */
typedef int (*hapi_done_fn)(void *ctx, long idx, int status, json_t *reply);

/*
 * A client of the API of the node whose directory dir holds the api.sock
 * and api.token liaisond made, with window slots; NULL with a message on
 * stderr when the token cannot be read or memory is short. cfg is unused
 * (the socket's place follows from dir).
 */
struct hapi *hapi_create(const struct lia_config *cfg, const char *dir, int window);

/* Runs requests from next until none is left and all have finished; 0, or -1 when done stopped it. */
int hapi_run(struct hapi *h, hapi_next_fn next, hapi_done_fn done, void *ctx);

/*
 * How many requests with a due time went out more than BENCH_LATE_MS after
 * it (all connections busy, or the client itself late), and the worst lag.
 */
void hapi_lag(const struct hapi *h, long *late, double *max_ms);

/*
 * GET path on its own connection, waiting up to the client's timeout; 0 with
 * *reply (caller decrefs) on HTTP 200, else -1 with a message on stderr.
 */
int hapi_get(struct hapi *h, const char *path, json_t **reply);

/* Closes the connections and frees; NULL is fine. */
void hapi_destroy(struct hapi *h);

#endif
