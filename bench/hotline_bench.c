/*
 * hotline_bench.c - throughput and latency of FLASH messages from one
 * running liaisond (A) to another (B), measured through A's HTTP JSON API.
 *
 * Waits for A's link to B, then sends N short FLASH messages to B with POST
 * /v1/messages over WINDOW slots on its Unix socket (hapi.c: a thread per
 * thread per slot, one request in flight on each), taking the
 * wall-clock time just before each POST. Then lists A's newest outgoing
 * message (one blocking request, hapi_get) until it is delivered, and reads each message with GET /v1/messages/ORIGIN/SEQ
 * (the listing stops at LIA_API_LIST_MAX) until every one has B's receipt.
 * A message's latency is its delivery's "delivered" time (stamped by A as it
 * stores B's receipt) minus its send time; its one-way time is its "stored"
 * time at B (read from B's API) minus its send time. All clocks are this
 * host's wall clock, at the millisecond the API resolves. Reading happens
 * after the sending, so it does not load the daemons while times are made.
 *
 * The open loop (-r RATE -d SECONDS) sends RATE x SECONDS messages on a
 * schedule instead, message i due at i / RATE s after the start: a free
 * connection takes the next message at once and holds it until it is due
 * (hapi), and a message whose connections are all busy goes as soon as one
 * frees, counted late. Its latencies count from the intended send time (the
 * schedule in wall-clock time), so a stall cannot hide by delaying the sends
 * behind it; WINDOW is then the number of connections, enough that the
 * client is not what stalls (late_sends and send_lag_max_ms say if it was).
 *
 * With -1, one message at a time: the next POST once A has the receipt of
 * the one before (next_serial).
 *
 * Assumes both node directories hold liaisond.conf and api.token, written by
 * liaisond processes that are running. Every request goes through hapi.c.
 *
 * Usage: hotline_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] [-r RATE -d SECONDS [-S SLICE_S]]
 *                      [-P NAME=PID]... NODEDIR_A NODEDIR_B
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "bench.h"
#include "clock.h"
#include "config.h"
#include "err.h"
#include "hapi.h"

#define MAX_MESSAGES 1000000L
#define POLL_NEWEST_MS 100
#define POLL_ALL_MS 1000
#define LINK_WAIT_S 30
#define SERIAL_POLL_MS 1.0     /* -1: between two looks at the message in flight */
#define GRACE_S 120            /* beyond -t, for reading the results, before SIGALRM ends it all */

struct hmsg {
	double send_ms;        /* wall clock just before the POST, or when it was due (open loop) */
	uint64_t seq;          /* from the id A returned */
	int64_t delivered_ms;  /* B's receipt stored at A; 0 until seen */
	int64_t arrived_ms;    /* the message stored at B */
};

struct hb {
	struct lia_config a, b;
	long n, window;
	double rate;           /* open loop: messages per second; 0 for the window */
	int serial;            /* -1: one message at a time */
	long cur;              /* -1: the message in flight */
	int polling;           /* -1: cur was accepted; its receipt is awaited */
	double deadline_ms;    /* bench_mono_ms() time the load must end by */
	double mono0_ms, wall0_ms; /* open loop: the schedule's start, both clocks */
	long next;             /* cursor of the running phase */
	long accepted, delivered;
	struct hmsg *msgs;
	long newest;           /* the message with the highest seq */
	struct hapi *api, *api_b;
	double first_ms, last_accept_ms;
};

/* Parses "origin/seq" when origin is A; 0 and *seq, or -1. */
static int parse_own_id(const struct hb *hb, const char *id, uint64_t *seq)
{
	const char *slash = id ? strrchr(id, '/') : NULL;
	char *end;

	if (slash == NULL || (size_t)(slash - id) != strlen(hb->a.node) ||
	    strncmp(id, hb->a.node, (size_t)(slash - id)) != 0 || slash[1] == '\0')
		return -1;
	*seq = strtoull(slash + 1, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* The "error" sentence of a reply body, or "" (for failure messages). */
static const char *reply_error(json_t *reply)
{
	const char *e = json_string_value(json_object_get(reply, "error"));

	return e ? e : "";
}

/* hapi_next_fn of the send phase: the next message's POST, timed. */
static int next_post(void *ctx, struct hapi_req *req)
{
	struct hb *hb = ctx;
	char text[64];

	if (hb->next >= hb->n)
		return 0;
	req->idx = hb->next++;
	req->method = EVHTTP_REQ_POST;
	snprintf(req->path, sizeof req->path, "/v1/messages");
	snprintf(text, sizeof text, "bench %ld FLASH hotline message", req->idx);
	req->body = json_pack("{s:s, s:s, s:s}", "to", hb->b.node, "precedence", "FLASH",
	    "text", text);
	if (hb->rate > 0) {
		double due = bench_due_ms(req->idx, hb->rate);

		req->due_ms = hb->mono0_ms + due;
		hb->msgs[req->idx].send_ms = hb->wall0_ms + due;
	} else {
		hb->msgs[req->idx].send_ms = (double)lia_now_ms();
	}
	if (req->idx == 0)
		hb->first_ms = hb->msgs[0].send_ms;
	return 1;
}

/* hapi_done_fn of the send phase: 201 with A's id for the message. */
static int done_post(void *ctx, long idx, int status, json_t *reply)
{
	struct hb *hb = ctx;

	if (status != 201 || parse_own_id(hb, json_string_value(json_object_get(reply, "id")),
	    &hb->msgs[idx].seq) != 0) {
		fprintf(stderr, "hotline_bench: POST /v1/messages (message %ld): HTTP %d %s\n",
		    idx, status, status ? reply_error(reply) : "no answer");
		return -1;
	}
	hb->last_accept_ms = (double)lia_now_ms();
	hb->accepted++;
	return 0;
}

/* The index of the message A numbered last (the highest seq). */
static long find_newest(const struct hb *hb)
{
	long best = 0;

	for (long i = 1; i < hb->n; i++)
		if (hb->msgs[i].seq > hb->msgs[best].seq)
			best = i;
	return best;
}

/* B's delivery time of one message object of the API, or 0 while queued. */
static int64_t delivered_at(const struct hb *hb, json_t *msg)
{
	json_t *d;
	size_t i;
	int64_t ms;
	char err[LIA_ERR_LEN];

	json_array_foreach(json_object_get(msg, "deliveries"), i, d) {
		const char *node = json_string_value(json_object_get(d, "node"));
		const char *state = json_string_value(json_object_get(d, "state"));
		const char *when = json_string_value(json_object_get(d, "delivered"));

		if (node == NULL || strcmp(node, hb->b.node) != 0 || state == NULL ||
		    strcmp(state, "delivered") != 0 || when == NULL)
			continue;
		if (lia_time_parse(when, &ms, err) == 0)
			return ms;
		fprintf(stderr, "hotline_bench: %s\n", err);
	}
	return 0;
}

/* 1 when A's /v1/links shows its link to B up, 0 when not, -1 on error. */
static int link_up(struct hb *hb)
{
	json_t *reply, *l;
	size_t i;
	int up = 0;

	if (hapi_get(hb->api, "/v1/links", &reply) != 0)
		return -1;
	json_array_foreach(json_object_get(reply, "links"), i, l) {
		const char *peer = json_string_value(json_object_get(l, "peer"));
		const char *state = json_string_value(json_object_get(l, "state"));

		if (peer && state && strcmp(peer, hb->b.node) == 0 && strcmp(state, "up") == 0)
			up = 1;
	}
	json_decref(reply);
	return up;
}

/* Waits for the link A to B, so the run does not time the first connection. */
static int wait_link_up(struct hb *hb)
{
	int64_t deadline = lia_mono_ms() + LINK_WAIT_S * 1000;
	int up;

	while ((up = link_up(hb)) == 0 && lia_mono_ms() < deadline)
		usleep(POLL_NEWEST_MS * 1000);
	if (up == 0)
		fprintf(stderr, "hotline_bench: the link %s -> %s is not up after %d s\n",
		    hb->a.node, hb->b.node, LINK_WAIT_S);
	return up == 1 ? 0 : -1;
}

/* Lists A's newest outgoing message; 1 when it is our last one and delivered. */
static int newest_delivered(struct hb *hb)
{
	json_t *reply, *msg;
	uint64_t seq;
	int rc;

	if (hapi_get(hb->api, "/v1/messages?box=out&limit=1", &reply) != 0)
		return -1;
	msg = json_array_get(json_object_get(reply, "messages"), 0);
	rc = parse_own_id(hb, json_string_value(json_object_get(msg, "id")), &seq) == 0 &&
	    seq == hb->msgs[hb->newest].seq && delivered_at(hb, msg) != 0;
	json_decref(reply);
	return rc;
}

/* hapi_next_fn of a read round: GET the next message not yet seen delivered. */
static int next_get(void *ctx, struct hapi_req *req)
{
	struct hb *hb = ctx;

	while (hb->next < hb->n && hb->msgs[hb->next].delivered_ms != 0)
		hb->next++;
	if (hb->next >= hb->n)
		return 0;
	req->idx = hb->next++;
	snprintf(req->path, sizeof req->path, "/v1/messages/%s/%" PRIu64, hb->a.node,
	    hb->msgs[req->idx].seq);
	return 1;
}

/* hapi_done_fn of a read round: {"message":{...,"deliveries":[...]}, ...}. */
static int done_get(void *ctx, long idx, int status, json_t *reply)
{
	struct hb *hb = ctx;

	if (status != 200) {
		fprintf(stderr, "hotline_bench: GET /v1/messages/%s/%" PRIu64 ": HTTP %d %s\n",
		    hb->a.node, hb->msgs[idx].seq, status, status ? reply_error(reply) : "no answer");
		return -1;
	}
	hb->msgs[idx].delivered_ms = delivered_at(hb, json_object_get(reply, "message"));
	hb->delivered += hb->msgs[idx].delivered_ms != 0;
	return 0;
}

/*
 * hapi_next_fn of one message at a time (-1), on one keep-alive connection:
 * POST message cur, then GET it every SERIAL_POLL_MS until A has B's
 * receipt, then the next. The polls do not change the figures (the
 * delivered time is A's stamp, not when the client sees it); they only add
 * a read of A's database per poll beside an otherwise idle link.
 */
static int next_serial(void *ctx, struct hapi_req *req)
{
	struct hb *hb = ctx;

	if (hb->cur >= hb->n)
		return 0;
	if (!hb->polling) {
		hb->next = hb->cur;
		return next_post(ctx, req);
	}
	req->idx = hb->cur;
	req->due_ms = bench_mono_ms() + SERIAL_POLL_MS;
	snprintf(req->path, sizeof req->path, "/v1/messages/%s/%" PRIu64, hb->a.node,
	    hb->msgs[hb->cur].seq);
	return 1;
}

/* hapi_done_fn of -1: the POST's 201, or a poll's answer. */
static int done_serial(void *ctx, long idx, int status, json_t *reply)
{
	struct hb *hb = ctx;

	if (!hb->polling) {
		if (done_post(ctx, idx, status, reply) != 0)
			return -1;
		hb->polling = 1;
		return 0;
	}
	if (done_get(ctx, idx, status, reply) != 0)
		return -1;
	if (hb->msgs[idx].delivered_ms != 0) {
		hb->cur++;
		hb->polling = 0;
	} else if (bench_mono_ms() > hb->deadline_ms) {
		fprintf(stderr, "hotline_bench: no receipt for message %ld before the timeout\n", idx);
		return -1;
	}
	return 0;
}

/*
 * Waits until A lists the last message delivered (a cheap listing of one),
 * then reads every message's delivery time, again for those still queued,
 * until all are delivered or the deadline passes. The listing caps at
 * LIA_API_LIST_MAX, so the times come from one GET per message.
 */
static int await_receipts(struct hb *hb, int64_t deadline_ms)
{
	int rc;

	while ((rc = newest_delivered(hb)) == 0 && lia_mono_ms() < deadline_ms)
		usleep(POLL_NEWEST_MS * 1000);
	while (rc >= 0 && hb->delivered < hb->n && lia_mono_ms() < deadline_ms) {
		hb->next = 0;
		if (hapi_run(hb->api, next_get, done_get, hb) != 0)
			return -1;
		if (hb->delivered < hb->n)
			usleep(POLL_ALL_MS * 1000);
	}
	if (hb->delivered == hb->n)
		return 0;
	fprintf(stderr, "hotline_bench: %ld of %ld delivered before the timeout\n",
	    hb->delivered, hb->n);
	return -1;
}

/* hapi_next_fn of the read at B: every message, in order. */
static int next_get_b(void *ctx, struct hapi_req *req)
{
	struct hb *hb = ctx;

	if (hb->next >= hb->n)
		return 0;
	req->idx = hb->next++;
	snprintf(req->path, sizeof req->path, "/v1/messages/%s/%" PRIu64, hb->a.node,
	    hb->msgs[req->idx].seq);
	return 1;
}

/* hapi_done_fn of the read at B: the message's "stored" time there. */
static int done_get_b(void *ctx, long idx, int status, json_t *reply)
{
	struct hb *hb = ctx;
	const char *stored = json_string_value(json_object_get(json_object_get(reply, "message"),
	    "stored"));
	char err[LIA_ERR_LEN] = "no \"stored\" time";

	if (status == 200 && stored != NULL &&
	    lia_time_parse(stored, &hb->msgs[idx].arrived_ms, err) == 0)
		return 0;
	fprintf(stderr, "hotline_bench: GET /v1/messages/%s/%" PRIu64 " at %s: HTTP %d %s\n",
	    hb->a.node, hb->msgs[idx].seq, hb->b.node, status,
	    status == 200 ? err : status ? reply_error(reply) : "no answer");
	return -1;
}

/* Reads when each message was stored at B, for the one-way figures. */
static int read_arrivals(struct hb *hb)
{
	hb->next = 0;
	return hapi_run(hb->api_b, next_get_b, done_get_b, hb);
}

/* Fills r from the run: latencies into a new array (caller frees r->latency_ms). */
static int fill_result(const struct hb *hb, struct bench_result *r)
{
	double last = 0;

	r->latency_ms = malloc((size_t)hb->n * sizeof *r->latency_ms);
	r->oneway_ms = malloc((size_t)hb->n * sizeof *r->oneway_ms);
	if (r->latency_ms == NULL || r->oneway_ms == NULL)
		return -1;
	for (long i = 0; i < hb->n; i++) {
		const struct hmsg *m = &hb->msgs[i];

		r->latency_ms[i] = (double)m->delivered_ms - m->send_ms;
		r->oneway_ms[i] = (double)m->arrived_ms - m->send_ms;
		if ((double)m->delivered_ms > last)
			last = (double)m->delivered_ms;
	}
	r->messages = (size_t)hb->n;
	r->seconds = (last - hb->first_ms) / 1e3;
	r->accept_seconds = (hb->last_accept_ms - hb->first_ms) / 1e3;
	return 0;
}

/* Loads both nodes' configuration; makes the clients of both APIs (window connections each). */
static int hb_load(struct hb *hb, const char *dir_a, const char *dir_b)
{
	char err[LIA_ERR_LEN];

	if (lia_config_load(dir_a, &hb->a, err) != 0 || lia_config_load(dir_b, &hb->b, err) != 0) {
		fprintf(stderr, "hotline_bench: %s\n", err);
		return -1;
	}
	if (strcmp(hb->a.node, hb->b.node) == 0) {
		fprintf(stderr, "hotline_bench: %s and %s are the same node\n", dir_a, dir_b);
		return -1;
	}
	hb->api = hapi_create(&hb->a, dir_a, (int)(hb->window < hb->n ? hb->window : hb->n));
	hb->api_b = hapi_create(&hb->b, dir_b, (int)(hb->window < hb->n ? hb->window : hb->n));
	if (hb->api == NULL || hb->api_b == NULL)
		return -1;
	hb->msgs = calloc((size_t)hb->n, sizeof *hb->msgs);
	if (hb->msgs != NULL)
		return 0;
	fprintf(stderr, "hotline_bench: out of memory for %ld messages\n", hb->n);
	return -1;
}

/* The whole run; prints the result block on success. */
static int hb_run(struct hb *hb, struct bench_result *r, long timeout_s)
{
	int64_t deadline;

	if (wait_link_up(hb) != 0)
		return -1;
	deadline = lia_mono_ms() + timeout_s * 1000;
	hb->next = 0;
	hb->mono0_ms = bench_mono_ms();
	hb->wall0_ms = (double)lia_now_ms();
	hb->deadline_ms = hb->mono0_ms + (double)timeout_s * 1e3;
	if (hapi_run(hb->api, hb->serial ? next_serial : next_post,
	    hb->serial ? done_serial : done_post, hb) != 0)
		return -1;
	if (hb->rate > 0)
		hapi_lag(hb->api, &r->late_sends, &r->send_lag_max_ms);
	hb->newest = find_newest(hb);
	if (await_receipts(hb, deadline) != 0 || read_arrivals(hb) != 0 || fill_result(hb, r) != 0)
		return -1;
	return bench_print(stdout, r);
}

static void usage(void)
{
	fprintf(stderr, "usage: hotline_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] "
	    "[-r RATE -d SECONDS [-S SLICE_S]] [-P NAME=PID]... NODEDIR_A NODEDIR_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_result r = { .system = "liaison" };
	struct bench_opts o = { .n = 10000, .window = 64, .timeout_s = 600 };
	struct hb hb = { 0 };
	int c, rc = 1;

	while ((c = getopt(argc, argv, BENCH_OPTS)) != -1)
		if (bench_opt(c, optarg, &o, &r, MAX_MESSAGES, 1024) != 1)
			usage();
	if (argc - optind != 2 || bench_opts_finish(&o, &r, MAX_MESSAGES) != 0)
		usage();
	hb.n = o.n;
	hb.window = o.window;
	hb.rate = o.rate;
	hb.serial = o.serial;
	/* Every wait below has its own bound; this one ends the program if any failed to. */
	alarm((unsigned)(o.timeout_s + LINK_WAIT_S + GRACE_S));
	if (hb_load(&hb, argv[optind], argv[optind + 1]) == 0 && hb_run(&hb, &r, o.timeout_s) == 0)
		rc = 0;
	hapi_destroy(hb.api);
	hapi_destroy(hb.api_b);
	free(hb.msgs);
	free(r.latency_ms);
	free(r.oneway_ms);
	return rc;
}
