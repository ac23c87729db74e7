/*
 * hapi.c - a window of concurrent requests to a liaisond API on its Unix
 * socket (see hapi.h): one thread per slot, each making the project's
 * blocking lia_httpc_request in turn (libevent 2.1's asynchronous evhttp
 * client cannot use a Unix socket). next and done run under one lock, so the
 * caller sees them one at a time, as with an event loop.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "err.h"
#include "hapi.h"
#include "httpc.h"

#define HAPI_TIMEOUT_S 30

struct hapi {
	pthread_mutex_t lock;
	int window;
	int stopped;
	hapi_next_fn next;
	hapi_done_fn done;
	void *ctx;
	char sock[4200];
	char token[LIA_TOKEN_LEN + 1];
};

static const char *method_name(enum evhttp_cmd_type m)
{
	return m == EVHTTP_REQ_POST ? "POST" : "GET";
}

/* One slot: takes the caller's next request, makes it, hands the reply back, until none is left. */
static void *slot_run(void *arg)
{
	struct hapi *h = arg;
	char err[LIA_ERR_LEN];
	json_t *reply;
	int status, more;

	for (;;) {
		struct hapi_req r = { .method = EVHTTP_REQ_GET };

		pthread_mutex_lock(&h->lock);
		more = !h->stopped && h->next(h->ctx, &r) != 0;
		pthread_mutex_unlock(&h->lock);
		if (!more)
			break;
		reply = NULL;
		status = 0;
		if (lia_httpc_request(h->sock, h->token, method_name(r.method), r.path, r.body,
		    HAPI_TIMEOUT_S, &status, &reply, err) != 0)
			fprintf(stderr, "hapi: %s\n", err);
		json_decref(r.body);
		pthread_mutex_lock(&h->lock);
		if (!h->stopped && h->done(h->ctx, r.idx, status, reply) != 0)
			h->stopped = 1;
		pthread_mutex_unlock(&h->lock);
		json_decref(reply);
	}
	return NULL;
}

struct hapi *hapi_create(const char *sock, const char *token, int window)
{
	struct hapi *h = calloc(1, sizeof *h);

	if (h == NULL)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->window = window;
	snprintf(h->sock, sizeof h->sock, "%s", sock);
	snprintf(h->token, sizeof h->token, "%s", token);
	return h;
}

int hapi_run(struct hapi *h, hapi_next_fn next, hapi_done_fn done, void *ctx)
{
	pthread_t *threads = calloc((size_t)h->window, sizeof *threads);
	int started = 0;

	if (threads == NULL)
		return -1;
	h->next = next;
	h->done = done;
	h->ctx = ctx;
	h->stopped = 0;
	for (; started < h->window; started++)
		if (pthread_create(&threads[started], NULL, slot_run, h) != 0)
			break;
	if (started == 0)
		h->stopped = 1;
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return h->stopped ? -1 : 0;
}

void hapi_destroy(struct hapi *h)
{
	if (h == NULL)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
}
