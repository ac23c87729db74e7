/*
 * hapi.h - a window of concurrent HTTP JSON requests to one liaisond API,
 * for hotline_bench: WINDOW keep-alive connections of libevent's
 * asynchronous client, one request in flight on each, each new request
 * asked of the caller the moment a connection is free. The connections are
 * opened afresh for each run and kept alive within it.
 */
#ifndef LIA_HAPI_H
#define LIA_HAPI_H

#include <event2/http.h>
#include <jansson.h>

struct hapi;

struct hapi_req {
	long idx;                     /* the caller's tag, handed back to done */
	enum evhttp_cmd_type method;
	char path[160];
	json_t *body;                 /* request body or NULL; hapi takes the reference */
};

/* Fills req with the next request to make; returns 0 when none is left, 1 when req is filled. */
typedef int (*hapi_next_fn)(void *ctx, struct hapi_req *req);

/*
 * A request finished with HTTP status (0 when no answer came) and the parsed
 * reply (borrowed, NULL when the body is not JSON); returning -1 stops the run.
 */
typedef int (*hapi_done_fn)(void *ctx, long idx, int status, json_t *reply);

/* A client of host:port with the bearer token and window connections; NULL when out of memory. */
struct hapi *hapi_create(const char *host, const char *port, const char *token, int window);

/* Runs requests from next until none is left and all have finished; 0, or -1 when done stopped it. */
int hapi_run(struct hapi *h, hapi_next_fn next, hapi_done_fn done, void *ctx);

/* Closes the connections and frees; NULL is fine. */
void hapi_destroy(struct hapi *h);

#endif
