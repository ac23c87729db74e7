/*
 * hapi.c - a window of concurrent requests to a liaisond API over libevent's
 * asynchronous evhttp client (see hapi.h). The blocking lia_httpc_request
 * keeps one request in flight; the benchmark needs many.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "charter.h"
#include "hapi.h"

#define HAPI_TIMEOUT_S 30

struct hapi_slot {
	struct hapi *h;
	struct evhttp_connection *conn;
	long idx;                    /* request in flight on this connection */
};

struct hapi {
	struct event_base *base;
	struct hapi_slot *slots;
	int window;
	int active;                  /* requests in flight */
	int stopped;
	int dispatching;             /* inside event_base_dispatch, so loopexit applies to this run */
	hapi_next_fn next;
	hapi_done_fn done;
	void *ctx;
	char host[LIA_HOST_MAX + 1];
	unsigned short port;
	char auth[LIA_TOKEN_LEN + 16];
	char host_header[LIA_HOST_MAX + 16];
};

static void slot_next(struct hapi_slot *s);

/* A request finished: hand its reply over, then start the next on this connection. */
static void on_done(struct evhttp_request *req, void *arg)
{
	struct hapi_slot *s = arg;
	struct hapi *h = s->h;
	int status = req ? evhttp_request_get_response_code(req) : 0;
	json_t *reply = NULL;

	if (status != 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t len = evbuffer_get_length(in);

		if (len > 0)
			reply = json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, NULL);
	}
	h->active--;
	if (!h->stopped && h->done(h->ctx, s->idx, status, reply) != 0)
		h->stopped = 1;
	json_decref(reply);
	slot_next(s);
}

static void add_headers(struct hapi *h, struct evhttp_request *req)
{
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);

	evhttp_add_header(hd, "Host", h->host_header);
	evhttp_add_header(hd, "Authorization", h->auth);
	evhttp_add_header(hd, "Content-Type", "application/json");
}

/* Builds req's body; 0, or -1 when out of memory. */
static int put_body(struct evhttp_request *req, json_t *body)
{
	char *text;
	int rc;

	if (body == NULL)
		return 0;
	text = json_dumps(body, JSON_COMPACT);
	rc = text ? evbuffer_add(evhttp_request_get_output_buffer(req), text, strlen(text)) : -1;
	free(text);
	return rc;
}

/* Starts the caller's next request on s, or ends the run when nothing is left in flight. */
static void slot_next(struct hapi_slot *s)
{
	struct hapi *h = s->h;
	struct hapi_req r = { .method = EVHTTP_REQ_GET };
	struct evhttp_request *req;

	if (h->stopped || h->next(h->ctx, &r) == 0) {
		if (h->active == 0 && h->dispatching)
			event_base_loopexit(h->base, NULL);
		return;
	}
	s->idx = r.idx;
	req = evhttp_request_new(on_done, s);
	if (req == NULL || put_body(req, r.body) != 0) {
		fprintf(stderr, "hapi: out of memory\n");
		abort();
	}
	json_decref(r.body);
	add_headers(h, req);
	h->active++;
	if (evhttp_make_request(s->conn, req, r.method, r.path) != 0) {
		/* Fatal for the run; libevent may keep req until the connection is freed. */
		fprintf(stderr, "hapi: cannot start %s on a connection to %s\n", r.path, h->host_header);
		h->active--;
		h->stopped = 1;
		slot_next(s);
	}
}

struct hapi *hapi_create(const char *host, const char *port, const char *token, int window)
{
	struct hapi *h = calloc(1, sizeof *h);

	if (h == NULL || (h->base = event_base_new()) == NULL ||
	    (h->slots = calloc((size_t)window, sizeof *h->slots)) == NULL) {
		hapi_destroy(h);
		return NULL;
	}
	h->window = window;
	snprintf(h->host, sizeof h->host, "%s", host);
	h->port = (unsigned short)atoi(port);
	snprintf(h->auth, sizeof h->auth, "Bearer %s", token);
	snprintf(h->host_header, sizeof h->host_header, "%s:%s", host, port);
	for (int i = 0; i < window; i++)
		h->slots[i].h = h;
	return h;
}

static void close_conns(struct hapi *h)
{
	for (int i = 0; i < h->window; i++) {
		if (h->slots[i].conn != NULL)
			evhttp_connection_free(h->slots[i].conn);
		h->slots[i].conn = NULL;
	}
}

/*
 * Fresh connections for each run: between runs nobody dispatches the base,
 * so a connection the server closed for idleness (evhttp's timeout) would
 * still look open and fail the first request sent on it.
 */
static int open_conns(struct hapi *h)
{
	close_conns(h);
	for (int i = 0; i < h->window; i++) {
		h->slots[i].conn = evhttp_connection_base_new(h->base, NULL, h->host, h->port);
		if (h->slots[i].conn == NULL) {
			fprintf(stderr, "hapi: cannot make a connection to %s\n", h->host_header);
			return -1;
		}
		evhttp_connection_set_timeout(h->slots[i].conn, HAPI_TIMEOUT_S);
	}
	return 0;
}

int hapi_run(struct hapi *h, hapi_next_fn next, hapi_done_fn done, void *ctx)
{
	if (open_conns(h) != 0)
		return -1;
	h->next = next;
	h->done = done;
	h->ctx = ctx;
	h->stopped = 0;
	for (int i = 0; i < h->window && !h->stopped; i++)
		slot_next(&h->slots[i]);
	if (h->active > 0) {
		h->dispatching = 1;
		event_base_dispatch(h->base);
		h->dispatching = 0;
	}
	return h->stopped ? -1 : 0;
}

void hapi_destroy(struct hapi *h)
{
	if (h == NULL)
		return;
	if (h->slots != NULL)
		close_conns(h);
	free(h->slots);
	if (h->base != NULL)
		event_base_free(h->base);
	free(h);
}
