/*
 * hapi.h - a window of concurrent HTTP JSON requests to one liaisond API on
 * its Unix socket, for hotline_bench: WINDOW slots, one request in flight on
 * each (a connection per request, which costs little on a Unix socket), each
 * new request asked of the caller the moment a slot is free.
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

/* A client of the API socket sock with the bearer token and window slots; NULL when out of memory. */
struct hapi *hapi_create(const char *sock, const char *token, int window);

/* Runs requests from next until none is left and all have finished; 0, or -1 when done stopped it. */
int hapi_run(struct hapi *h, hapi_next_fn next, hapi_done_fn done, void *ctx);

/* Closes the connections and frees; NULL is fine. */
void hapi_destroy(struct hapi *h);

#endif
