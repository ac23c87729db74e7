/*
 * hapi.c - a window of concurrent requests to a liaisond API over libevent's
 * asynchronous evhttp client, paced when the caller names due times, and a
 * single blocking GET (see hapi.h). TCP to the api address of liaisond.conf,
 * which config.c allows on loopback only; the bearer token from api.token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "bench.h"
#include "charter.h"
#include "hapi.h"

#define HAPI_TIMEOUT_S 30

struct hapi_slot {
	struct hapi *h;
	struct evhttp_connection *conn;
	struct event *timer;         /* holds a request until it is due */
	struct hapi_req req;         /* the request held or in flight */
};

struct hapi {
	struct event_base *base;
	struct hapi_slot *slots;
	int window;
	int active;                  /* requests held or in flight */
	int stopped;
	int dispatching;             /* inside event_base_dispatch, so loopexit applies to this run */
	long late;                   /* requests sent more than BENCH_LATE_MS after they were due */
	double lag_max_ms;           /* the latest of them */
	hapi_next_fn next;
	hapi_done_fn done;
	void *ctx;
	char host[LIA_HOST_MAX + 1];
	unsigned short port;
	char auth[LIA_TOKEN_LEN + 16];
	char host_header[LIA_HOST_MAX + 16];
};

static void slot_next(struct hapi_slot *s);

/* Reads dir/api.token (64 hex characters and an optional newline). */
static int read_token(const char *dir, char token[LIA_TOKEN_LEN + 1])
{
	char path[4200], buf[LIA_TOKEN_LEN + 4];
	size_t len;
	FILE *f;

	snprintf(path, sizeof path, "%s/api.token", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len != LIA_TOKEN_LEN || strspn(buf, "0123456789abcdefABCDEF") < LIA_TOKEN_LEN) {
		fprintf(stderr, "%s: not a %d-character hex token\n", path, LIA_TOKEN_LEN);
		return -1;
	}
	memcpy(token, buf, LIA_TOKEN_LEN);
	token[LIA_TOKEN_LEN] = '\0';
	return 0;
}

/* The reply body as JSON, or NULL (also when there was no answer). */
static json_t *reply_json(struct evhttp_request *req)
{
	struct evbuffer *in;
	size_t len;

	if (req == NULL || evhttp_request_get_response_code(req) == 0)
		return NULL;
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	return len > 0 ? json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, NULL) : NULL;
}

/* A request finished: hand its reply over, then start the next on this connection. */
static void on_done(struct evhttp_request *req, void *arg)
{
	struct hapi_slot *s = arg;
	struct hapi *h = s->h;
	int status = req ? evhttp_request_get_response_code(req) : 0;
	json_t *reply = reply_json(req);

	h->active--;
	if (!h->stopped && h->done(h->ctx, s->req.idx, status, reply) != 0)
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

/* Sends the request s holds. */
static void slot_send(struct hapi_slot *s)
{
	struct hapi *h = s->h;
	struct evhttp_request *req = evhttp_request_new(on_done, s);
	double lag = s->req.due_ms > 0 ? bench_mono_ms() - s->req.due_ms : 0;

	h->late += lag > BENCH_LATE_MS;
	if (lag > h->lag_max_ms)
		h->lag_max_ms = lag;
	if (req == NULL || put_body(req, s->req.body) != 0) {
		fprintf(stderr, "hapi: out of memory\n");
		abort();
	}
	json_decref(s->req.body);
	s->req.body = NULL;
	add_headers(h, req);
	if (evhttp_make_request(s->conn, req, s->req.method, s->req.path) != 0) {
		/* Fatal for the run; libevent may keep req until the connection is freed. */
		fprintf(stderr, "hapi: cannot start %s on a connection to %s\n", s->req.path,
		    h->host_header);
		h->active--;
		h->stopped = 1;
		slot_next(s);
	}
}

static void on_due(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	slot_send(arg);
}

/* Takes the caller's next request on s: sends it, or holds it until due; ends the run when none is left. */
static void slot_next(struct hapi_slot *s)
{
	struct hapi *h = s->h;
	double wait_ms;

	memset(&s->req, 0, sizeof s->req);
	s->req.method = EVHTTP_REQ_GET;
	if (h->stopped || h->next(h->ctx, &s->req) == 0) {
		if (h->active == 0 && h->dispatching)
			event_base_loopexit(h->base, NULL);
		return;
	}
	h->active++;
	wait_ms = s->req.due_ms - bench_mono_ms();
	if (wait_ms <= 0) {
		slot_send(s);
	} else {
		long us = (long)(wait_ms * 1e3);
		struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };

		evtimer_add(s->timer, &tv);
	}
}

struct hapi *hapi_create(const struct lia_config *cfg, const char *dir, int window)
{
	struct hapi *h = calloc(1, sizeof *h);
	struct event_config *ecfg;
	char token[LIA_TOKEN_LEN + 1];

	if (read_token(dir, token) != 0) {
		free(h);
		return NULL;
	}
	if (h == NULL || (ecfg = event_config_new()) == NULL)
		goto oom;
	/* Timers to the microsecond (timerfd), not epoll's millisecond: the open loop's schedule. */
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	h->base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (h->base == NULL || (h->slots = calloc((size_t)window, sizeof *h->slots)) == NULL)
		goto oom;
	h->window = window;
	snprintf(h->host, sizeof h->host, "%s", cfg->api_host);
	h->port = (unsigned short)atoi(cfg->api_port);
	snprintf(h->auth, sizeof h->auth, "Bearer %s", token);
	snprintf(h->host_header, sizeof h->host_header, "%s:%s", cfg->api_host, cfg->api_port);
	for (int i = 0; i < window; i++) {
		h->slots[i].h = h;
		if ((h->slots[i].timer = evtimer_new(h->base, on_due, &h->slots[i])) == NULL)
			goto oom;
	}
	return h;
oom:
	fprintf(stderr, "hapi: out of memory for %d connections\n", window);
	hapi_destroy(h);
	return NULL;
}

static void close_conns(struct hapi *h)
{
	for (int i = 0; i < h->window; i++) {
		if (h->slots[i].conn != NULL)
			evhttp_connection_free(h->slots[i].conn);
		h->slots[i].conn = NULL;
		json_decref(h->slots[i].req.body);
		h->slots[i].req.body = NULL;
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
	close_conns(h);
	return h->stopped ? -1 : 0;
}

void hapi_lag(const struct hapi *h, long *late, double *max_ms)
{
	*late = h->late;
	*max_ms = h->lag_max_ms;
}

struct get_wait {
	struct event_base *base;
	int finished, status;
	json_t *reply;
};

static void on_get(struct evhttp_request *req, void *arg)
{
	struct get_wait *g = arg;

	g->finished = 1;
	g->status = req ? evhttp_request_get_response_code(req) : 0;
	g->reply = reply_json(req);
	event_base_loopexit(g->base, NULL);
}

int hapi_get(struct hapi *h, const char *path, json_t **reply)
{
	struct get_wait g = { .base = h->base };
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	const char *e;

	*reply = NULL;
	conn = evhttp_connection_base_new(h->base, NULL, h->host, h->port);
	req = conn ? evhttp_request_new(on_get, &g) : NULL;
	if (req == NULL) {
		fprintf(stderr, "hapi: out of memory for GET %s\n", path);
		if (conn != NULL)
			evhttp_connection_free(conn);
		return -1;
	}
	evhttp_connection_set_timeout(conn, HAPI_TIMEOUT_S);
	add_headers(h, req);
	if (evhttp_make_request(conn, req, EVHTTP_REQ_GET, path) == 0) {
		/* The connection's timeout answers on_get with no reply, so this ends. */
		for (int i = 0; !g.finished && i < 3; i++)
			event_base_dispatch(h->base);
	}
	evhttp_connection_free(conn);
	if (g.status == 200 && g.reply != NULL) {
		*reply = g.reply;
		return 0;
	}
	e = json_string_value(json_object_get(g.reply, "error"));
	fprintf(stderr, "hapi: GET %s on %s: %s%d %s\n", path, h->host_header,
	    g.status ? "HTTP " : "", g.status, g.status ? (e ? e : "") : "no answer");
	json_decref(g.reply);
	return -1;
}

void hapi_destroy(struct hapi *h)
{
	if (h == NULL)
		return;
	if (h->slots != NULL) {
		close_conns(h);
		for (int i = 0; i < h->window; i++)
			if (h->slots[i].timer != NULL)
				event_free(h->slots[i].timer);
	}
	free(h->slots);
	if (h->base != NULL)
		event_base_free(h->base);
	free(h);
}
