/* listen_pause.c - a listener out of descriptors rests a second (listen_pause.h). */
#include "listen_pause.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include <event2/util.h>

#include "log.h"

struct guard {
	struct lia_listen_pause *set;
	struct evconnlistener *lev;
	struct event *resume;
};

struct lia_listen_pause {
	const char *what;
	struct guard guards[LIA_LISTEN_PAUSE_MAX];
	int n;
	uint64_t pauses;
};

/*
 * libevent hands the error callback the listener's own context (the node,
 * evhttp), not ours: guards are found by their listener in this registry.
 */
#define REGISTRY_MAX 32
static struct guard *registry[REGISTRY_MAX];

static struct guard *guard_of(struct evconnlistener *lev)
{
	for (int i = 0; i < REGISTRY_MAX; i++)
		if (registry[i] != NULL && registry[i]->lev == lev)
			return registry[i];
	return NULL;
}

int lia_listen_pause_create(const char *what, struct lia_listen_pause **out, char *err)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL) {
		lia_err_set(err, "cannot guard the %s listeners (out of memory)", what);
		return -1;
	}
	(*out)->what = what;
	return 0;
}

void lia_listen_pause_destroy(struct lia_listen_pause *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++) {
		for (int r = 0; r < REGISTRY_MAX; r++)
			if (registry[r] == &p->guards[i])
				registry[r] = NULL;
		event_free(p->guards[i].resume);
	}
	free(p);
}

static void resume_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct guard *g = ctx;

	evconnlistener_enable(g->lev);
}

/* libevent calls this instead of logging when accept() fails for a reason other than EAGAIN/EINTR. */
static void accept_error_cb(struct evconnlistener *lev, void *ctx)
{
	struct guard *g = guard_of(lev);
	struct timeval tv = {LIA_LISTEN_PAUSE_MS / 1000, (LIA_LISTEN_PAUSE_MS % 1000) * 1000};
	int e = EVUTIL_SOCKET_ERROR();

	if (g == NULL)
		return;
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
		lia_log_warn("admission: accept failed for %s connections: %s", g->set->what,
		    evutil_socket_error_to_string(e));
		return;
	}
	evconnlistener_disable(lev);
	evtimer_add(g->resume, &tv);
	g->set->pauses++;
	lia_log_warn("admission: out of file descriptors accepting %s connections (%s): "
	    "listener paused for %d ms", g->set->what, evutil_socket_error_to_string(e),
	    LIA_LISTEN_PAUSE_MS);
}

int lia_listen_pause_add(struct lia_listen_pause *p, struct evconnlistener *lev, char *err)
{
	struct guard *g;
	int r = 0;

	while (r < REGISTRY_MAX && registry[r] != NULL)
		r++;
	if (p->n == LIA_LISTEN_PAUSE_MAX || r == REGISTRY_MAX) {
		lia_err_set(err, "more than %d listeners for %s connections", LIA_LISTEN_PAUSE_MAX,
		    p->what);
		return -1;
	}
	g = &p->guards[p->n];
	g->set = p;
	g->lev = lev;
	g->resume = evtimer_new(evconnlistener_get_base(lev), resume_cb, g);
	if (g->resume == NULL) {
		lia_err_set(err, "cannot guard a listener for %s connections (out of memory)", p->what);
		return -1;
	}
	p->n++;
	registry[r] = g;
	evconnlistener_set_error_cb(lev, accept_error_cb);
	return 0;
}

uint64_t lia_listen_pause_count(const struct lia_listen_pause *p)
{
	return p != NULL ? p->pauses : 0;
}
