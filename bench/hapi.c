/*
 * hapi.c - a window of concurrent requests to a liaisond API on its Unix
 * socket, paced when the caller names due times, and a single blocking GET
 * (see hapi.h). One thread per slot, each making the project's blocking
 * lia_httpc_request in turn: libevent 2.1's asynchronous evhttp client
 * cannot use a Unix socket. next and done run under one lock, so the caller
 * sees them one at a time, as with an event loop. A held request sleeps on
 * CLOCK_MONOTONIC until its due time (bench_mono_ms's clock), which keeps
 * the open loop's schedule to the microsecond rather than to a poll's tick.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "bench.h"
#include "err.h"
#include "hapi.h"
#include "httpc.h"
#include "token.h"

#define HAPI_TIMEOUT_S 30

struct hapi {
	pthread_mutex_t lock;
	int window;
	int stopped;
	long late;                   /* requests sent more than BENCH_LATE_MS after they were due */
	double lag_max_ms;           /* the latest of them */
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

/* Sleeps until the monotonic time due_ms (bench_mono_ms's scale); at once when past or 0. */
static void wait_until(double due_ms)
{
	struct timespec ts;

	if (due_ms <= 0 || due_ms <= bench_mono_ms())
		return;
	ts.tv_sec = (time_t)(due_ms / 1e3);
	ts.tv_nsec = (long)((due_ms - (double)ts.tv_sec * 1e3) * 1e6);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* One slot: takes the caller's next request, holds it until due, makes it, hands the reply back. */
static void *slot_run(void *arg)
{
	struct hapi *h = arg;
	char err[LIA_ERR_LEN];
	json_t *reply;
	double lag;
	int status, more;

	for (;;) {
		struct hapi_req r = { .method = EVHTTP_REQ_GET };

		pthread_mutex_lock(&h->lock);
		more = !h->stopped && h->next(h->ctx, &r) != 0;
		pthread_mutex_unlock(&h->lock);
		if (!more)
			break;
		wait_until(r.due_ms);
		lag = r.due_ms > 0 ? bench_mono_ms() - r.due_ms : 0;
		reply = NULL;
		status = 0;
		if (lia_httpc_request(h->sock, h->token, method_name(r.method), r.path, r.body,
		    HAPI_TIMEOUT_S, &status, &reply, err) != 0)
			fprintf(stderr, "hapi: %s\n", err);
		json_decref(r.body);
		pthread_mutex_lock(&h->lock);
		h->late += lag > BENCH_LATE_MS;
		if (lag > h->lag_max_ms)
			h->lag_max_ms = lag;
		if (!h->stopped && h->done(h->ctx, r.idx, status, reply) != 0)
			h->stopped = 1;
		pthread_mutex_unlock(&h->lock);
		json_decref(reply);
	}
	return NULL;
}

struct hapi *hapi_create(const struct lia_config *cfg, const char *dir, int window)
{
	struct hapi *h = calloc(1, sizeof *h);
	char err[LIA_ERR_LEN];

	(void)cfg;
	if (h == NULL) {
		fprintf(stderr, "hapi: out of memory\n");
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->window = window > 0 ? window : 1;
	if ((size_t)snprintf(h->sock, sizeof h->sock, "%s/api.sock", dir) >= sizeof h->sock ||
	    lia_token_read(dir, h->token, err) != 0) {
		fprintf(stderr, "hapi: %s\n", (size_t)snprintf(NULL, 0, "%s/api.sock", dir) >=
		    sizeof h->sock ? "node directory path too long" : err);
		hapi_destroy(h);
		return NULL;
	}
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

void hapi_lag(const struct hapi *h, long *late, double *max_ms)
{
	*late = h->late;
	*max_ms = h->lag_max_ms;
}

int hapi_get(struct hapi *h, const char *path, json_t **reply)
{
	char err[LIA_ERR_LEN];
	int status = 0;

	*reply = NULL;
	if (lia_httpc_request(h->sock, h->token, "GET", path, NULL, HAPI_TIMEOUT_S, &status,
	    reply, err) != 0) {
		fprintf(stderr, "hapi: GET %s: %s\n", path, err);
		return -1;
	}
	if (status != 200) {
		fprintf(stderr, "hapi: GET %s: HTTP %d\n", path, status);
		json_decref(*reply);
		*reply = NULL;
		return -1;
	}
	return 0;
}

void hapi_destroy(struct hapi *h)
{
	if (h == NULL)
		return;
	OPENSSL_cleanse(h->token, sizeof h->token);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
