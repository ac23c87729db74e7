/*
 * hotline_bench.c - throughput and latency of FLASH messages from one
 * running liaisond (A) to another (B), measured through A's HTTP JSON API.
 *
 * Sends N short FLASH messages to B with POST /v1/messages over WINDOW
 * keep-alive connections of libevent's asynchronous HTTP client (one request
 * in flight on each), taking the wall-clock time just before each POST. Then
 * reads A's outbox with the project's blocking client (lia_httpc_request):
 * GET /v1/messages?box=out&limit=1 until the newest message is delivered,
 * then the whole run with limit=N, until every message has B's receipt. A
 * message's latency is its delivery's "delivered" time (stamped by A when
 * B's receipt was committed) minus its send time; both clocks are this
 * host's, so they agree to the millisecond the API resolves.
 *
 * Assumes both node directories hold liaisond.conf and A's holds api.token,
 * written by a liaisond that is running.
 *
 * Usage: hotline_bench [-n N] [-w WINDOW] [-t TIMEOUT_S] [-P NAME=PID]... NODEDIR_A NODEDIR_B
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "api.h"
#include "bench.h"
#include "clock.h"
#include "config.h"
#include "err.h"
#include "httpc.h"

#define MAX_MESSAGES 1000000L
#define POLL_NEWEST_MS 100
#define POLL_ALL_MS 1000
#define HTTP_TIMEOUT_S 30

struct hmsg {
	int64_t send_ms;       /* wall clock just before the POST */
	uint64_t seq;          /* from the id A returned */
	int64_t delivered_ms;  /* B's receipt committed at A; 0 until seen */
};

struct hb;

struct slot {
	struct hb *hb;
	struct evhttp_connection *conn;
	long idx;              /* message in flight on this connection */
};

struct hb {
	struct lia_config a, b;
	char token[LIA_TOKEN_LEN + 1];
	char auth[LIA_TOKEN_LEN + 16];
	char host_header[LIA_HOST_MAX + 16];
	long n, window;
	long next, accepted, delivered;
	struct hmsg *msgs;
	long *by_seq;          /* message indexes sorted by seq, for lookups */
	struct event_base *base;
	struct slot *slots;
	int64_t first_ms, last_accept_ms;
	bool failed;
};

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

/* Reports why the sending stopped and ends the event loop. */
static void hb_fail(struct hb *hb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hb_fail(struct hb *hb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hotline_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	hb->failed = true;
	event_base_loopbreak(hb->base);
}

static void post_next(struct slot *s);

/* The "error" sentence of a reply body, or "" (for failure messages). */
static const char *reply_error(json_t *reply)
{
	const char *e = json_string_value(json_object_get(reply, "error"));

	return e ? e : "";
}

/* A POST finished: record the id, start the next one on this connection. */
static void on_posted(struct evhttp_request *req, void *arg)
{
	struct slot *s = arg;
	struct hb *hb = s->hb;
	struct evbuffer *body;
	json_t *reply = NULL;
	int status = req ? evhttp_request_get_response_code(req) : 0;

	if (status == 0) {
		hb_fail(hb, "POST /v1/messages to %s:%s: no answer (message %ld)", hb->a.api_host,
		    hb->a.api_port, s->idx);
		return;
	}
	body = evhttp_request_get_input_buffer(req);
	reply = json_loadb((const char *)evbuffer_pullup(body, -1), evbuffer_get_length(body), 0, NULL);
	if (status != 201 || parse_own_id(hb, json_string_value(json_object_get(reply, "id")),
	    &hb->msgs[s->idx].seq) != 0)
		hb_fail(hb, "POST /v1/messages refused: %s (HTTP %d)", reply_error(reply), status);
	json_decref(reply);
	if (hb->failed)
		return;
	hb->last_accept_ms = lia_now_ms();
	if (++hb->accepted == hb->n)
		event_base_loopexit(hb->base, NULL);
	else
		post_next(s);
}

/* Adds the headers every request carries. */
static void add_headers(struct hb *hb, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Host", hb->host_header);
	evhttp_add_header(h, "Authorization", hb->auth);
	evhttp_add_header(h, "Content-Type", "application/json");
}

/* Starts the next message on slot s, if any remain. */
static void post_next(struct slot *s)
{
	struct hb *hb = s->hb;
	struct evhttp_request *req;
	char text[64], *body;
	json_t *j;

	if (hb->next >= hb->n)
		return;
	s->idx = hb->next++;
	snprintf(text, sizeof text, "bench %ld FLASH hotline message", s->idx);
	j = json_pack("{s:s, s:s, s:s}", "to", hb->b.node, "precedence", "FLASH", "text", text);
	body = json_dumps(j, JSON_COMPACT);
	req = evhttp_request_new(on_posted, s);
	if (body == NULL || req == NULL) {
		fprintf(stderr, "hotline_bench: out of memory\n");
		abort();
	}
	add_headers(hb, req);
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	free(body);
	json_decref(j);
	hb->msgs[s->idx].send_ms = lia_now_ms();
	if (s->idx == 0)
		hb->first_ms = hb->msgs[0].send_ms;
	if (evhttp_make_request(s->conn, req, EVHTTP_REQ_POST, "/v1/messages") != 0)
		hb_fail(hb, "cannot start a request to %s (message %ld)", hb->a.api_host, s->idx);
}

/* Opens the window's connections to A's API. */
static int open_slots(struct hb *hb)
{
	long w = hb->window < hb->n ? hb->window : hb->n;

	hb->slots = calloc((size_t)w, sizeof *hb->slots);
	if (hb->slots == NULL)
		return -1;
	for (long i = 0; i < w; i++) {
		struct slot *s = &hb->slots[i];

		s->hb = hb;
		s->conn = evhttp_connection_base_new(hb->base, NULL, hb->a.api_host,
		    (unsigned short)atoi(hb->a.api_port));
		if (s->conn == NULL)
			return -1;
		evhttp_connection_set_timeout(s->conn, HTTP_TIMEOUT_S);
	}
	hb->window = w;
	return 0;
}

/* Sends all N messages; 0 when A accepted every one. */
static int send_all(struct hb *hb)
{
	hb->base = event_base_new();
	if (hb->base == NULL || open_slots(hb) != 0) {
		fprintf(stderr, "hotline_bench: cannot set up the HTTP client\n");
		return -1;
	}
	for (long i = 0; i < hb->window; i++)
		post_next(&hb->slots[i]);
	if (!hb->failed)
		event_base_dispatch(hb->base);
	return hb->failed || hb->accepted != hb->n ? -1 : 0;
}

static void close_slots(struct hb *hb)
{
	for (long i = 0; hb->slots != NULL && i < hb->window; i++)
		if (hb->slots[i].conn != NULL)
			evhttp_connection_free(hb->slots[i].conn);
	free(hb->slots);
	if (hb->base != NULL)
		event_base_free(hb->base);
}

static const struct hb *sort_ctx;

static int cmp_by_seq(const void *x, const void *y)
{
	uint64_t a = sort_ctx->msgs[*(const long *)x].seq, b = sort_ctx->msgs[*(const long *)y].seq;

	return (a > b) - (a < b);
}

/* Builds by_seq once every message has its seq. */
static int index_by_seq(struct hb *hb)
{
	hb->by_seq = malloc((size_t)hb->n * sizeof *hb->by_seq);
	if (hb->by_seq == NULL)
		return -1;
	for (long i = 0; i < hb->n; i++)
		hb->by_seq[i] = i;
	sort_ctx = hb;
	qsort(hb->by_seq, (size_t)hb->n, sizeof *hb->by_seq, cmp_by_seq);
	return 0;
}

/* Index of the message with that seq, or -1. */
static long find_seq(const struct hb *hb, uint64_t seq)
{
	long lo = 0, hi = hb->n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		uint64_t s = hb->msgs[hb->by_seq[mid]].seq;

		if (s == seq)
			return hb->by_seq[mid];
		if (s < seq)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
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

/* Takes the delivery times from one page of the outbox; returns how many of ours it held. */
static long apply_messages(struct hb *hb, json_t *messages)
{
	json_t *msg;
	size_t i;
	long ours = 0;

	json_array_foreach(messages, i, msg) {
		uint64_t seq;
		long idx;

		if (parse_own_id(hb, json_string_value(json_object_get(msg, "id")), &seq) != 0 ||
		    (idx = find_seq(hb, seq)) < 0)
			continue;
		ours++;
		if (hb->msgs[idx].delivered_ms == 0) {
			hb->msgs[idx].delivered_ms = delivered_at(hb, msg);
			hb->delivered += hb->msgs[idx].delivered_ms != 0;
		}
	}
	return ours;
}

/* GET A's newest `limit` outgoing messages and apply them; returns how many were ours, -1 on error. */
static long poll_outbox(struct hb *hb, long limit)
{
	char path[64], err[LIA_ERR_LEN];
	json_t *reply = NULL;
	int status = 0;
	long ours = -1;

	snprintf(path, sizeof path, "/v1/messages?box=out&limit=%ld", limit);
	if (lia_httpc_request(hb->a.api_host, hb->a.api_port, hb->token, "GET", path, NULL,
	    HTTP_TIMEOUT_S, &status, &reply, err) != 0)
		fprintf(stderr, "hotline_bench: %s\n", err);
	else if (status != 200 || !json_is_array(json_object_get(reply, "messages")))
		fprintf(stderr, "hotline_bench: GET %s: HTTP %d %s\n", path, status, reply_error(reply));
	else
		ours = apply_messages(hb, json_object_get(reply, "messages"));
	json_decref(reply);
	return ours;
}

/* The message sent last: its index. */
static long newest(const struct hb *hb)
{
	return hb->by_seq[hb->n - 1];
}

/* Polls A's outbox until every message is delivered or the deadline passes. */
static int await_receipts(struct hb *hb, int64_t deadline_ms)
{
	while (hb->msgs[newest(hb)].delivered_ms == 0 && lia_mono_ms() < deadline_ms) {
		if (poll_outbox(hb, 1) < 0)
			return -1;
		if (hb->msgs[newest(hb)].delivered_ms == 0)
			usleep(POLL_NEWEST_MS * 1000);
	}
	while (hb->delivered < hb->n && lia_mono_ms() < deadline_ms) {
		long ours = poll_outbox(hb, hb->n);

		if (ours < 0)
			return -1;
		if (ours < hb->n) {
			fprintf(stderr, "hotline_bench: the outbox listed %ld of our %ld messages\n",
			    ours, hb->n);
			return -1;
		}
		if (hb->delivered < hb->n)
			usleep(POLL_ALL_MS * 1000);
	}
	if (hb->delivered == hb->n)
		return 0;
	fprintf(stderr, "hotline_bench: %ld of %ld delivered before the timeout\n",
	    hb->delivered, hb->n);
	return -1;
}

/* Fills r from the run: latencies into a new array (caller frees r->latency_ms). */
static int fill_result(const struct hb *hb, struct bench_result *r)
{
	int64_t last = 0;

	r->latency_ms = malloc((size_t)hb->n * sizeof *r->latency_ms);
	if (r->latency_ms == NULL)
		return -1;
	for (long i = 0; i < hb->n; i++) {
		const struct hmsg *m = &hb->msgs[i];

		r->latency_ms[i] = (double)(m->delivered_ms - m->send_ms);
		if (m->delivered_ms > last)
			last = m->delivered_ms;
	}
	r->messages = (size_t)hb->n;
	r->seconds = (double)(last - hb->first_ms) / 1e3;
	r->accept_seconds = (double)(hb->last_accept_ms - hb->first_ms) / 1e3;
	return 0;
}

/* Loads both nodes' configuration and A's token. */
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
	if (read_token(dir_a, hb->token) != 0)
		return -1;
	snprintf(hb->auth, sizeof hb->auth, "Bearer %s", hb->token);
	snprintf(hb->host_header, sizeof hb->host_header, "%s:%s", hb->a.api_host, hb->a.api_port);
	hb->msgs = calloc((size_t)hb->n, sizeof *hb->msgs);
	return hb->msgs ? 0 : -1;
}

/* The whole run; prints the result block on success. */
static int hb_run(struct hb *hb, struct bench_result *r, long timeout_s)
{
	int64_t deadline = lia_mono_ms() + timeout_s * 1000;
	int rc = -1;

	if (send_all(hb) == 0 && index_by_seq(hb) == 0 && await_receipts(hb, deadline) == 0 &&
	    fill_result(hb, r) == 0) {
		bench_print(stdout, r);
		rc = 0;
	}
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: hotline_bench [-n N] [-w WINDOW] [-t TIMEOUT_S] [-P NAME=PID]... "
	    "NODEDIR_A NODEDIR_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_result r = { .system = "liaison" };
	struct hb hb = { .n = 10000, .window = 64 };
	long timeout_s = 600;
	int c, rc = 1;

	while ((c = getopt(argc, argv, "n:w:t:P:")) != -1) {
		switch (c) {
		case 'n': hb.n = bench_parse_count(optarg, MAX_MESSAGES); break;
		case 'w': hb.window = bench_parse_count(optarg, 1024); break;
		case 't': timeout_s = bench_parse_count(optarg, 86400); break;
		case 'P': if (bench_add_pid(&r, optarg) != 0) usage(); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || hb.n < 0 || hb.window < 0 || timeout_s < 0)
		usage();
	if (hb_load(&hb, argv[optind], argv[optind + 1]) == 0 && hb_run(&hb, &r, timeout_s) == 0)
		rc = 0;
	close_slots(&hb);
	free(hb.msgs);
	free(hb.by_seq);
	free(r.latency_ms);
	return rc;
}
