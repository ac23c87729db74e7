/*
 * console_events.c - the live feed (see console_events.h): store arrivals and
 * link changes into a ring of JSON events, pushed to server-sent-event
 * streams.
 *
 * A stream is a reply started with evhttp_send_reply_start and fed with
 * chunks; evhttp tells us through the connection's close callback when the
 * browser goes, and a comment line every 5 s keeps it (and any proxy)
 * awake. Slow clients are bounded: a stream whose output buffer exceeds
 * STREAM_BACKLOG_MAX is closed (the browser reconnects with Last-Event-ID).
 */
#include "console_events.h"
#include "clock.h"
#include "entry.h"
#include "err.h"
#include "log.h"
#include "store_notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>

#define LINK_CHECK_MS 250
#define PING_S 5
#define STREAM_BACKLOG_MAX (256 * 1024)

struct stream {
	struct evhttp_request *req;       /* NULL when the slot is free */
	struct evhttp_connection *conn;
	struct lia_console_events *ev;
	int (*alive)(void *ctx, const char *key); /* NULL: the CLI's API (no session) */
	void *alive_ctx;
	char key[LIA_EVENTS_KEY_LEN + 1];
};

struct lia_console_events {
	struct lia_node *node;            /* borrowed */
	struct event_base *base;          /* borrowed */
	struct lia_store_notify *nt;
	struct event *wake, *link_timer, *ping_timer;
	char *links;                      /* the last links JSON seen (compact) */
	json_t *ring[LIA_EVENTS_RING];    /* event id i at ring[i % LIA_EVENTS_RING] */
	uint64_t next_id;                 /* ids start at 1 */
	struct stream streams[LIA_EVENTS_CLIENTS];
};

static const char *kind_name(enum lia_entry_type t)
{
	switch (t) {
	case LIA_ENTRY_MESSAGE: return "message";
	case LIA_ENTRY_RECEIPT: return "receipt";
	case LIA_ENTRY_ACK: return "ack";
	case LIA_ENTRY_SIGNAL: return "signal";
	case LIA_ENTRY_INCIDENT: return "incident";
	case LIA_ENTRY_OVERDUE: return "overdue";
	case LIA_ENTRY_LINKTEST: return "linktest";
	case LIA_ENTRY_LINKTEST_ANSWER: return "linktest_answer";
	case LIA_ENTRY_RELAY: return "relay";
	default: return "entry";
	}
}

static void stream_end(struct stream *st)
{
	if (st->req == NULL)
		return;
	evhttp_connection_set_closecb(st->conn, NULL, NULL);
	evhttp_send_reply_end(st->req);
	st->req = NULL;
	st->conn = NULL;
	st->alive = NULL;
	OPENSSL_cleanse(st->key, sizeof(st->key));
}

static void stream_closed(struct evhttp_connection *conn, void *arg)
{
	struct stream *st = arg;

	(void)conn;
	/*
	 * The browser went while the reply was unfinished: libevent 2.1 detaches
	 * such a request from its connection and leaves it to us to free. At
	 * evhttp_free the request is still attached and goes with its connection.
	 */
	if (st->req != NULL && evhttp_request_get_connection(st->req) == NULL)
		evhttp_request_free(st->req);
	st->req = NULL;
	st->conn = NULL;
	st->alive = NULL;
	OPENSSL_cleanse(st->key, sizeof(st->key));
}

/* Writes event e to st as one SSE record ("id:", "data:" lines). */
static void stream_send(struct stream *st, const json_t *e)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = json_dumps(e, JSON_COMPACT);
	struct bufferevent *bev;

	if (buf != NULL && text != NULL) {
		evbuffer_add_printf(buf, "id: %" JSON_INTEGER_FORMAT "\ndata: %s\n\n",
		    json_integer_value(json_object_get(e, "id")), text);
		evhttp_send_reply_chunk(st->req, buf);
	}
	free(text);
	if (buf != NULL)
		evbuffer_free(buf);
	bev = evhttp_connection_get_bufferevent(st->conn);
	if (bev != NULL && evbuffer_get_length(bufferevent_get_output(bev)) > STREAM_BACKLOG_MAX) {
		lia_log_warn("events: a stream fell behind by more than %d bytes; closing it",
		    STREAM_BACKLOG_MAX);
		stream_end(st);
	}
}

/* Stamps e with the next id and the time, keeps it in the ring and sends it to every stream; takes e. */
static void publish(struct lia_console_events *ev, json_t *e)
{
	uint64_t id;

	if (e == NULL) {
		lia_log_error("events: out of memory building an event");
		return;
	}
	id = ++ev->next_id;
	json_object_set_new(e, "id", json_integer((json_int_t)id));
	json_object_set_new(e, "at_ms", json_integer(lia_now_ms()));
	json_decref(ev->ring[id % LIA_EVENTS_RING]);
	ev->ring[id % LIA_EVENTS_RING] = e;
	for (int i = 0; i < LIA_EVENTS_CLIENTS; i++)
		if (ev->streams[i].req != NULL)
			stream_send(&ev->streams[i], e);
}

static json_t *entry_event(const struct lia_entry_brief *b)
{
	char id[LIA_NAME_MAX + 24], ref[LIA_NAME_MAX + 24];
	json_t *e;

	snprintf(id, sizeof(id), "%s/%" PRIu64, b->origin, b->seq);
	e = json_pack("{s:s, s:s, s:i, s:s, s:I}", "kind", kind_name(b->type), "entry", id,
	    "type", (int)b->type, "direction", b->incoming ? "in" : "out",
	    "time_ms", (json_int_t)b->time_ms);
	if (e == NULL)
		return NULL;
	if (b->precedence >= 0)
		json_object_set_new(e, "precedence",
		    json_string(lia_precedence_name((enum lia_precedence)b->precedence)));
	if (b->to[0] != '\0')
		json_object_set_new(e, "to", json_string(b->to));
	if (b->ref_origin[0] != '\0') {
		snprintf(ref, sizeof(ref), "%s/%" PRIu64, b->ref_origin, b->ref_seq);
		json_object_set_new(e, "ref", json_string(ref));
	}
	return e;
}

/* One log line per arrival (own entries are logged where they are made, if at all). */
static void log_arrival(const struct lia_entry_brief *b)
{
	if (!b->incoming)
		return;
	if (b->type == LIA_ENTRY_MESSAGE)
		lia_log_info("arrival: %s message %s/%" PRIu64 " to %s",
		    lia_precedence_name((enum lia_precedence)b->precedence), b->origin, b->seq,
		    b->to[0] ? b->to : "-");
	else if (b->ref_origin[0] != '\0')
		lia_log_info("arrival: %s %s/%" PRIu64 " for %s/%" PRIu64, kind_name(b->type),
		    b->origin, b->seq, b->ref_origin, b->ref_seq);
	else
		lia_log_info("arrival: %s %s/%" PRIu64, kind_name(b->type), b->origin, b->seq);
}

void lia_console_events_flush(struct lia_console_events *ev)
{
	int64_t rows[32];
	uint64_t dropped = 0;
	size_t n;
	char err[LIA_ERR_LEN];
	struct lia_entry_brief b;

	while ((n = lia_store_notify_take(ev->nt, rows, 32, &dropped)) > 0 || dropped > 0) {
		if (dropped > 0) {
			lia_log_warn("events: %" PRIu64 " arrivals were not followed (too many at once)",
			    dropped);
			publish(ev, json_pack("{s:s, s:I}", "kind", "dropped", "count",
			    (json_int_t)dropped));
			dropped = 0;
		}
		for (size_t i = 0; i < n; i++) {
			if (lia_store_entry_brief(lia_node_store(ev->node), rows[i], &b, err) < 0) {
				lia_log_error("events: %s", err);
				continue;
			}
			log_arrival(&b);
			publish(ev, entry_event(&b));
		}
	}
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	lia_console_events_flush(arg);
}

/* The store's commit hook: only schedules (see store_notify.h). */
static void committed(void *arg)
{
	struct lia_console_events *ev = arg;

	event_active(ev->wake, EV_READ, 0);
}

static void link_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lia_console_events *ev = arg;
	json_t *links = lia_node_links_json(ev->node), *copy;
	char *text;

	(void)fd;
	(void)what;
	lia_console_events_flush(ev);
	if (links == NULL)
		return;
	/*
	 * rtt and outbox counts change all the time: compare peer, state and the
	 * link-test failures only (a failure is no entry, so no other event tells it).
	 */
	copy = json_array();
	for (size_t i = 0; copy != NULL && i < json_array_size(links); i++) {
		json_t *l = json_array_get(links, i);
		json_array_append_new(copy, json_pack("{s:O?, s:O?, s:O?}", "peer",
		    json_object_get(l, "peer"), "state", json_object_get(l, "state"), "linktest_failures",
		    json_object_get(json_object_get(l, "linktest"), "failures")));
	}
	text = copy != NULL ? json_dumps(copy, JSON_COMPACT) : NULL;
	json_decref(copy);
	if (text != NULL && (ev->links == NULL || strcmp(text, ev->links) != 0)) {
		if (ev->links != NULL)
			lia_log_info("events: links now %s", text);
		free(ev->links);
		ev->links = text;
		text = NULL;
		publish(ev, json_pack("{s:s, s:O}", "kind", "link", "links", links));
	}
	free(text);
	json_decref(links);
}

static void ping_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lia_console_events *ev = arg;
	struct evbuffer *buf;

	(void)fd;
	(void)what;
	for (int i = 0; i < LIA_EVENTS_CLIENTS; i++) {
		struct stream *st = &ev->streams[i];
		if (st->req != NULL && st->alive != NULL && !st->alive(st->alive_ctx, st->key)) {
			lia_log_info("events: a console stream ends with its session");
			stream_end(st);
		}
		if (ev->streams[i].req == NULL || (buf = evbuffer_new()) == NULL)
			continue;
		evbuffer_add(buf, ": ping\n\n", 8);
		evhttp_send_reply_chunk(ev->streams[i].req, buf);
		evbuffer_free(buf);
	}
}

int lia_console_events_create(struct lia_node *node, struct event_base *base,
    struct lia_console_events **out, char *err)
{
	struct lia_console_events *ev = calloc(1, sizeof(*ev));
	struct timeval link_tv = {0, LINK_CHECK_MS * 1000}, ping_tv = {PING_S, 0};
	int rc = -1;

	*out = NULL;
	if (ev == NULL)
		goto oom;
	ev->node = node;
	ev->base = base;
	ev->wake = event_new(base, -1, 0, wake_cb, ev);
	ev->link_timer = event_new(base, -1, EV_PERSIST, link_cb, ev);
	ev->ping_timer = event_new(base, -1, EV_PERSIST, ping_cb, ev);
	if (ev->wake == NULL || ev->link_timer == NULL || ev->ping_timer == NULL)
		goto oom;
	if (lia_store_notify_create(lia_node_store(node), committed, ev, &ev->nt, err) < 0)
		goto out;
	event_priority_set(ev->wake, 0);  /* an arrival is pushed before more API requests run */
	event_add(ev->link_timer, &link_tv);
	event_add(ev->ping_timer, &ping_tv);
	*out = ev;
	ev = NULL;
	rc = 0;
	goto out;
oom:
	lia_err_set(err, "cannot set up the live feed (out of memory)");
out:
	lia_console_events_destroy(ev);
	return rc;
}

void lia_console_events_destroy(struct lia_console_events *ev)
{
	if (ev == NULL)
		return;
	for (int i = 0; i < LIA_EVENTS_CLIENTS; i++)
		stream_end(&ev->streams[i]);
	lia_store_notify_destroy(ev->nt);
	if (ev->wake != NULL)
		event_free(ev->wake);
	if (ev->link_timer != NULL)
		event_free(ev->link_timer);
	if (ev->ping_timer != NULL)
		event_free(ev->ping_timer);
	for (int i = 0; i < LIA_EVENTS_RING; i++)
		json_decref(ev->ring[i]);
	free(ev->links);
	free(ev);
}

/* Parses a decimal event id (at most 19 digits); 0 when s is NULL or not one. */
static uint64_t parse_id(const char *s)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s != NULL && s[i] >= '0' && s[i] <= '9' && i < 19; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return (s == NULL || s[i] != '\0') ? 0 : v;
}

/* The ring's events after id `after` as a JSON array (caller decrefs). */
static json_t *events_after(struct lia_console_events *ev, uint64_t after)
{
	json_t *list = json_array();
	uint64_t first = ev->next_id > LIA_EVENTS_RING ? ev->next_id - LIA_EVENTS_RING + 1 : 1;

	for (uint64_t id = after + 1 > first ? after + 1 : first; list != NULL && id <= ev->next_id;
	    id++)
		json_array_append(list, ev->ring[id % LIA_EVENTS_RING]);
	return list;
}

static void reply_json(struct evhttp_request *req, int status, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	if (buf == NULL || text == NULL) {
		evhttp_send_error(req, 500, NULL);
	} else {
		evbuffer_add_printf(buf, "%s\n", text);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
		    "application/json");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
		evhttp_send_reply(req, status, status == 200 ? "OK" : "Error", buf);
	}
	free(text);
	if (buf != NULL)
		evbuffer_free(buf);
	json_decref(body);
}

static void serve_poll(struct lia_console_events *ev, struct evhttp_request *req,
    const char *query)
{
	struct evkeyvalq q;
	const char *after = NULL;

	TAILQ_INIT(&q);
	if (query != NULL && query[0] != '\0') {
		if (evhttp_parse_query_str(query, &q) != 0 ||
		    ((after = evhttp_find_header(&q, "after")) != NULL && parse_id(after) == 0 &&
		    strcmp(after, "0") != 0)) {
			evhttp_clear_headers(&q);
			reply_json(req, 400, json_pack("{s:s}", "error",
			    "the query must be after=N, N an event id"));
			return;
		}
	}
	reply_json(req, 200, json_pack("{s:o, s:I}", "events",
	    events_after(ev, parse_id(after)), "next", (json_int_t)ev->next_id));
	evhttp_clear_headers(&q);
}

static void serve_stream(struct lia_console_events *ev, struct evhttp_request *req,
    int (*alive)(void *ctx, const char *key), void *ctx, const char *key)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *last = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Last-Event-ID");
	struct stream *st = NULL;
	json_t *backlog;

	for (int i = 0; i < LIA_EVENTS_CLIENTS && st == NULL; i++)
		if (ev->streams[i].req == NULL)
			st = &ev->streams[i];
	if (st == NULL) {
		lia_log_warn("events: refused a stream: %d are open already", LIA_EVENTS_CLIENTS);
		reply_json(req, 503, json_pack("{s:s}", "error", "too many event streams are open"));
		return;
	}
	evhttp_add_header(out, "Content-Type", "text/event-stream");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_send_reply_start(req, 200, "OK");
	st->req = req;
	st->conn = evhttp_request_get_connection(req);
	st->ev = ev;
	st->alive = alive;
	st->alive_ctx = ctx;
	snprintf(st->key, sizeof(st->key), "%s", key != NULL ? key : "");
	evhttp_connection_set_closecb(st->conn, stream_closed, st);
	/* A first record at once, so the browser's onopen fires and "hello" carries the links. */
	backlog = events_after(ev, last != NULL ? parse_id(last) : ev->next_id);
	for (size_t i = 0; backlog != NULL && i < json_array_size(backlog); i++)
		stream_send(st, json_array_get(backlog, i));
	json_decref(backlog);
	if (st->req != NULL) {
		struct evbuffer *buf = evbuffer_new();
		if (buf != NULL) {
			evbuffer_add_printf(buf, "event: hello\ndata: {\"next\":%" PRIu64 "}\n\n",
			    ev->next_id);
			evhttp_send_reply_chunk(req, buf);
			evbuffer_free(buf);
		}
	}
}

void lia_console_events_serve(void *arg, struct evhttp_request *req, const char *query)
{
	lia_console_events_serve_guarded(arg, req, query, NULL, NULL, NULL);
}

void lia_console_events_serve_guarded(struct lia_console_events *ev, struct evhttp_request *req,
    const char *query, int (*alive)(void *ctx, const char *key), void *ctx, const char *key)
{
	const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");

	lia_console_events_flush(ev);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET)
		reply_json(req, 405, json_pack("{s:s}", "error", "this resource only answers GET"));
	else if (accept != NULL && strstr(accept, "text/event-stream") != NULL)
		serve_stream(ev, req, alive, ctx, key);
	else
		serve_poll(ev, req, query);
}
