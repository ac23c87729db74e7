/* api_guard.c - a cap and absolute deadlines on API connections (api_guard.h). */
#include "api_guard.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <event2/bufferevent.h>

#include "clock.h"
#include "listen_pause.h"
#include "log.h"

#define SWEEP_MS 250
/*
 * Connections shut down stay in the table until evhttp has freed them. One
 * accept burst (up to the listen backlog) runs before evhttp sees any end of
 * stream, so the table grows as needed, up to SLOTS_MAX.
 */
#define SLOTS_MIN (LIA_API_CONNS_MAX * 2)
#define SLOTS_MAX 65536

struct conn {
	struct bufferevent *bev;    /* a reference of ours; NULL: free slot */
	int64_t since_mono;         /* accept or last request */
	uint64_t order;
	int shut;                   /* shut down by us, waiting for evhttp to free it */
};

struct lia_api_guard {
	struct event_base *base;
	struct event *sweep;
	struct conn *conns;
	int slots;
	uint64_t next_order;
	unsigned long long expired, evicted;
	struct lia_listen_pause *listeners; /* EMFILE pauses (engine/listen_pause.h) */
};

/* evhttp has freed the connection: bufferevent_free clears every callback, and evhttp never does while it is alive. */
static int freed_by_evhttp(struct bufferevent *bev)
{
	bufferevent_data_cb r, w;
	bufferevent_event_cb e;
	void *arg;

	bufferevent_getcb(bev, &r, &w, &e, &arg);
	return r == NULL && w == NULL && e == NULL;
}

static void shut(struct conn *c)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	c->shut = 1;
}

/* Releases the references to connections evhttp has freed; returns how many are still open (not shut). */
static int reap(struct lia_api_guard *g)
{
	int open = 0;

	for (int i = 0; i < g->slots; i++) {
		struct conn *c = &g->conns[i];
		if (c->bev == NULL)
			continue;
		if (freed_by_evhttp(c->bev)) {
			bufferevent_decref(c->bev);
			memset(c, 0, sizeof(*c));
		} else if (!c->shut) {
			open++;
		}
	}
	return open;
}

static void sweep_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_api_guard *g = ctx;
	int64_t now = lia_mono_ms();
	unsigned long long n = 0;

	reap(g);
	for (int i = 0; i < g->slots; i++) {
		struct conn *c = &g->conns[i];
		if (c->bev != NULL && !c->shut && now - c->since_mono >= LIA_API_REQUEST_DEADLINE_MS) {
			shut(c);
			n++;
		}
	}
	g->expired += n;
	if (n > 0)
		lia_log_warn("api: closed %llu connection%s without a whole request within %d ms "
		    "(absolute deadline)", n, n == 1 ? "" : "s", LIA_API_REQUEST_DEADLINE_MS);
}

/* Shuts the oldest open connection down to make room. */
static void evict_oldest(struct lia_api_guard *g)
{
	struct conn *old = NULL;

	for (int i = 0; i < g->slots; i++) {
		struct conn *c = &g->conns[i];
		if (c->bev != NULL && !c->shut && (old == NULL || c->order < old->order))
			old = c;
	}
	if (old == NULL)
		return;
	shut(old);
	g->evicted++;
	lia_log_warn("api: more than %d connections: closed the oldest (%llu closed so far)",
	    LIA_API_CONNS_MAX, g->evicted);
}

/* evhttp's bevcb: each accepted connection's bufferevent, made and tracked here. */
static struct bufferevent *new_conn_bev(struct event_base *base, void *arg)
{
	struct lia_api_guard *g = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct conn *slot = NULL;

	if (bev == NULL)
		return NULL; /* evhttp makes its own; it is then not guarded */
	if (reap(g) >= LIA_API_CONNS_MAX)
		evict_oldest(g);
	for (int i = 0; i < g->slots && slot == NULL; i++)
		if (g->conns[i].bev == NULL)
			slot = &g->conns[i];
	if (slot == NULL && g->slots < SLOTS_MAX) {
		struct conn *more = realloc(g->conns, sizeof(*more) * (size_t)g->slots * 2);
		if (more != NULL) {
			memset(more + g->slots, 0, sizeof(*more) * (size_t)g->slots);
			slot = more + g->slots;
			g->conns = more;
			g->slots *= 2;
		}
	}
	if (slot == NULL) {
		/* Out of memory, or SLOTS_MAX connections wait for evhttp: this one is refused. */
		bufferevent_free(bev);
		return NULL;
	}
	bufferevent_incref(bev);
	slot->bev = bev;
	slot->since_mono = lia_mono_ms();
	slot->order = g->next_order++;
	slot->shut = 0;
	bufferevent_priority_set(bev, 1); /* the API's priority, after the links (liaisond.c) */
	return bev;
}

int lia_api_guard_create(struct event_base *base, struct lia_api_guard **out, char *err)
{
	struct timeval tv = {0, SWEEP_MS * 1000};
	struct lia_api_guard *g = calloc(1, sizeof(*g));
	int rc = -1;

	*out = NULL;
	if (g == NULL || (g->conns = calloc(SLOTS_MIN, sizeof(*g->conns))) == NULL ||
	    (g->slots = SLOTS_MIN, g->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, g)) == NULL ||
	    event_add(g->sweep, &tv) != 0) {
		lia_err_set(err, "cannot set up the API's connection guard (out of memory)");
		goto out;
	}
	g->base = base;
	if (lia_listen_pause_create("API", &g->listeners, err) < 0)
		goto out;
	*out = g;
	g = NULL;
	rc = 0;
out:
	lia_api_guard_destroy(g);
	return rc;
}

void lia_api_guard_destroy(struct lia_api_guard *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < g->slots; i++)
		if (g->conns[i].bev != NULL)
			bufferevent_decref(g->conns[i].bev);
	lia_listen_pause_destroy(g->listeners);
	if (g->sweep != NULL)
		event_free(g->sweep);
	free(g->conns);
	free(g);
}

void lia_api_guard_attach(struct lia_api_guard *g, struct evhttp *http)
{
	evhttp_set_bevcb(http, new_conn_bev, g);
}

int lia_api_guard_listener(struct lia_api_guard *g, struct evconnlistener *lev, char *err)
{
	return lia_listen_pause_add(g->listeners, lev, err);
}

void lia_api_guard_request(struct lia_api_guard *g, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = req != NULL ? evhttp_request_get_connection(req) : NULL;
	struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;

	for (int i = 0; g != NULL && bev != NULL && i < g->slots; i++) {
		if (g->conns[i].bev == bev) {
			g->conns[i].since_mono = lia_mono_ms();
			return;
		}
	}
}

void lia_api_guard_counts(const struct lia_api_guard *g, int *open, unsigned long long *expired,
    unsigned long long *evicted)
{
	*open = 0;
	*expired = g != NULL ? g->expired : 0;
	*evicted = g != NULL ? g->evicted : 0;
	for (int i = 0; g != NULL && i < g->slots; i++)
		*open += g->conns[i].bev != NULL && !g->conns[i].shut;
}

json_t *lia_api_guard_json(const struct lia_api_guard *g)
{
	unsigned long long expired, evicted;
	int open;

	lia_api_guard_counts(g, &open, &expired, &evicted);
	return json_pack("{s:i, s:I, s:I}", "connections", open, "closed_deadline",
	    (json_int_t)expired, "closed_over_cap", (json_int_t)evicted);
}
