/*
 * amqp_bench.c - the reference load through a RabbitMQ broker, for
 * comparison with hotline_bench: the durable peer that confirms a persistent
 * message only once it is on disk (for a quorum queue, once the Raft log
 * entry is written).
 *
 * Two durable quorum queues (x-queue-type quorum): "hotline.b" for the
 * messages, "hotline.a" for the receipts. Two connections, each with two
 * channels:
 *   publisher (main thread): publishes N persistent messages (delivery_mode
 *     2, mandatory) to hotline.b on channel 1 in confirm mode, keeping at
 *     most WINDOW without the broker's basic.ack (a message counts as
 *     accepted on that ack); consumes the receipts from hotline.a on
 *     channel 2 (manual acks, basic.qos prefetch WINDOW) and acks each.
 *   responder (its own thread): consumes hotline.b on channel 1 (manual
 *     acks, prefetch WINDOW); for each message publishes a receipt carrying
 *     the message's number to hotline.a on channel 2 (persistent, confirm
 *     mode) and acks the message only once the broker confirmed its receipt.
 * On a fresh channel the k-th delivery has delivery tag k and the k-th
 * receipt publish sequence number k, so the confirm of receipts up to k
 * (multiple or not) acks the deliveries up to k the same way.
 *
 * Latency is from just before the publish to the receipt's arrival at the
 * publisher (monotonic clock); one-way, to the message's arrival at the
 * responder. The open loop (-r RATE -d SECONDS) publishes message i at
 * i / RATE s after the start, or as soon as the window has room (counted
 * late), and counts latency from the intended time; with -1 the next
 * message goes only once the last one's receipt is in. Loopback only; the
 * connection and RPCs time out (IO_TIMEOUT_S), every wait is bounded by the
 * run's deadline, and SIGALRM ends the program if anything is stuck beyond.
 *
 * Usage: amqp_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] [-r RATE -d SECONDS [-S SLICE_S]]
 *                   [-H HOST] -p PORT [-u USER:PASSWORD] [-P NAME=PID]...
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include "bench.h"

#define QUEUE_MSG "hotline.b"
#define QUEUE_RECEIPT "hotline.a"
#define CH_A 1                 /* publisher: messages out; responder: messages in */
#define CH_B 2                 /* publisher: receipts in; responder: receipts out */
#define MAX_MESSAGES 10000000L
#define IO_TIMEOUT_S 10        /* connect, handshake and each RPC */
#define POLL_MS 100.0          /* longest wait for a frame between checks */
#define FRAME_MAX 131072

enum { ST_CONFIRMED = 1, ST_RECEIPTED = 2 };

struct aq {
	pthread_mutex_t lock;
	long n, window;
	double rate;           /* open loop: messages per second; 0 for the window */
	int serial;            /* -1: the next message once the last one's receipt is in */
	const char *host, *user, *password;
	int port;
	double deadline_ms;    /* bench_mono_ms() time the run must end by */
	/* The publisher's alone (main thread). */
	long inflight;         /* published, not yet confirmed */
	long low;              /* lowest message not yet confirmed */
	long accepted, received;
	char *state;           /* per message: ST_ bits */
	double *latency_ms;    /* per message: send_ms to the receipt's arrival */
	double first_ms, last_accept_ms, last_receipt_ms;
	/* Shared, under the lock. */
	long next;             /* messages published */
	double *send_ms;       /* per message: just before the publish, or when it was due */
	double *oneway_ms;     /* per message: send_ms to the arrival at the responder */
	bool responder_ready, stop, failed;
	char why[256];
};

/* What next_event saw. */
struct aq_event {
	enum { EV_NONE, EV_DELIVER, EV_CONFIRM } kind;
	amqp_channel_t channel;
	uint64_t tag;
	bool multiple;
	long number;           /* EV_DELIVER: the number in the body, -1 when it has none */
};

/* Records a failure (the first one wins). */
__attribute__((format(printf, 2, 3)))
static void aq_fail(struct aq *a, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&a->lock);
	if (!a->failed) {
		va_start(ap, fmt);
		vsnprintf(a->why, sizeof a->why, fmt, ap);
		va_end(ap);
	}
	a->failed = true;
	pthread_mutex_unlock(&a->lock);
}

static bool aq_failed(struct aq *a)
{
	bool f;

	pthread_mutex_lock(&a->lock);
	f = a->failed;
	pthread_mutex_unlock(&a->lock);
	return f;
}

/* The text of an amqp_rpc_reply_t that is not normal, into buf. */
static const char *reply_text(amqp_rpc_reply_t r, char *buf, size_t len)
{
	const amqp_bytes_t *text = NULL;

	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return "ok";
	case AMQP_RESPONSE_NONE:
		return "no reply";
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		return amqp_error_string2(r.library_error);
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD)
			text = &((amqp_connection_close_t *)r.reply.decoded)->reply_text;
		else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD)
			text = &((amqp_channel_close_t *)r.reply.decoded)->reply_text;
		break;
	}
	if (text == NULL)
		return "the broker closed with an unknown method";
	snprintf(buf, len, "the broker closed: %.*s", (int)text->len, (const char *)text->bytes);
	return buf;
}

/* 0 when the last RPC on conn went well, else -1 and the failure recorded. */
static int rpc_ok(struct aq *a, amqp_connection_state_t conn, const char *what)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
	char buf[200];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	aq_fail(a, "%s: %s", what, reply_text(r, buf, sizeof buf));
	return -1;
}

static void aq_close(amqp_connection_state_t conn)
{
	if (conn == NULL)
		return;
	amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(conn);
}

/* A logged-in connection to the broker; NULL with the failure recorded. */
static amqp_connection_state_t aq_connect(struct aq *a, const char *who)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	amqp_connection_state_t conn = amqp_new_connection();
	amqp_socket_t *sock = conn ? amqp_tcp_socket_new(conn) : NULL;
	char buf[200];
	amqp_rpc_reply_t r;
	int rc;

	if (sock == NULL) {
		aq_fail(a, "%s: out of memory for a connection", who);
		if (conn != NULL)
			amqp_destroy_connection(conn);
		return NULL;
	}
	rc = amqp_socket_open_noblock(sock, a->host, a->port, &tv);
	if (rc != AMQP_STATUS_OK) {
		aq_fail(a, "%s cannot reach %s:%d: %s", who, a->host, a->port, amqp_error_string2(rc));
		amqp_destroy_connection(conn);
		return NULL;
	}
	amqp_set_handshake_timeout(conn, &tv);
	amqp_set_rpc_timeout(conn, &tv);
	r = amqp_login(conn, "/", 0, FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN, a->user, a->password);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		aq_fail(a, "%s: login as %s: %s", who, a->user, reply_text(r, buf, sizeof buf));
		aq_close(conn);
		return NULL;
	}
	return conn;
}

/* Declares queue durable, of type quorum (the same arguments from both sides, so idempotent). */
static int declare_queue(struct aq *a, amqp_connection_state_t conn, const char *queue)
{
	amqp_table_entry_t type = {
		.key = amqp_cstring_bytes("x-queue-type"),
		.value = { .kind = AMQP_FIELD_KIND_UTF8, .value.bytes = amqp_cstring_bytes("quorum") },
	};
	amqp_table_t args = { .num_entries = 1, .entries = &type };

	amqp_queue_declare(conn, CH_A, amqp_cstring_bytes(queue), 0, 1, 0, 0, args);
	return rpc_ok(a, conn, "queue.declare (durable, quorum)");
}

/*
 * Opens both channels and declares both queues; confirm mode on the channel
 * that publishes, a consumer of consume_queue on the other.
 */
static int setup_channels(struct aq *a, amqp_connection_state_t conn, amqp_channel_t pub_ch,
    const char *consume_queue)
{
	amqp_channel_t sub_ch = pub_ch == CH_A ? CH_B : CH_A;

	amqp_channel_open(conn, CH_A);
	if (rpc_ok(a, conn, "channel.open 1") != 0)
		return -1;
	amqp_channel_open(conn, CH_B);
	if (rpc_ok(a, conn, "channel.open 2") != 0)
		return -1;
	if (declare_queue(a, conn, QUEUE_MSG) != 0 || declare_queue(a, conn, QUEUE_RECEIPT) != 0)
		return -1;
	amqp_confirm_select(conn, pub_ch);
	if (rpc_ok(a, conn, "confirm.select") != 0)
		return -1;
	amqp_basic_qos(conn, sub_ch, 0, (uint16_t)a->window, 0);
	if (rpc_ok(a, conn, "basic.qos") != 0)
		return -1;
	amqp_basic_consume(conn, sub_ch, amqp_cstring_bytes(consume_queue), amqp_empty_bytes,
	    0, 0, 0, amqp_empty_table);
	return rpc_ok(a, conn, "basic.consume (manual acks)");
}

/* Publishes body persistent and mandatory to queue through the default exchange. */
static int publish(struct aq *a, amqp_connection_state_t conn, amqp_channel_t ch,
    const char *queue, const char *body, size_t len)
{
	amqp_basic_properties_t props = {
		._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
		.delivery_mode = AMQP_DELIVERY_PERSISTENT,
	};
	amqp_bytes_t b = { .len = len, .bytes = (void *)(uintptr_t)body };
	int rc = amqp_basic_publish(conn, ch, amqp_empty_bytes, amqp_cstring_bytes(queue), 1, 0,
	    &props, b);

	if (rc == AMQP_STATUS_OK)
		return 0;
	aq_fail(a, "basic.publish: %s", amqp_error_string2(rc));
	return -1;
}

/* The decimal number a body starts with, or -1. */
static long body_number(amqp_bytes_t body)
{
	const char *p = body.bytes;
	long v = 0;
	size_t i = 0;

	while (i < body.len && i < 18 && p[i] >= '0' && p[i] <= '9')
		v = v * 10 + (p[i++] - '0');
	return i > 0 ? v : -1;
}

/*
 * Waits up to wait_ms for a delivery or a publisher confirm on conn; 0 with
 * ev filled (EV_NONE when the time ran out), -1 with the failure recorded
 * on anything else (a nack, a returned message, a closed channel).
 */
static int next_event(struct aq *a, amqp_connection_state_t conn, double wait_ms,
    struct aq_event *ev)
{
	long us = wait_ms > 0 ? (long)(wait_ms * 1e3) : 0;
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };
	amqp_envelope_t env;
	amqp_frame_t f;
	amqp_rpc_reply_t r;
	char buf[200];

	memset(ev, 0, sizeof *ev);
	amqp_maybe_release_buffers(conn);
	r = amqp_consume_message(conn, &env, &tv, 0);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		ev->kind = EV_DELIVER;
		ev->channel = env.channel;
		ev->tag = env.delivery_tag;
		ev->number = env.redelivered ? -1 : body_number(env.message.body);
		amqp_destroy_envelope(&env);
		return 0;
	}
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
		return 0;
	if (r.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
	    r.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
		aq_fail(a, "waiting for the broker: %s", reply_text(r, buf, sizeof buf));
		return -1;
	}
	/* Another frame than a delivery is waiting, already read: take it. */
	if (amqp_simple_wait_frame(conn, &f) != AMQP_STATUS_OK || f.frame_type != AMQP_FRAME_METHOD) {
		aq_fail(a, "%s", "a frame out of place from the broker");
		return -1;
	}
	switch (f.payload.method.id) {
	case AMQP_BASIC_ACK_METHOD: {
		const amqp_basic_ack_t *ack = f.payload.method.decoded;

		ev->kind = EV_CONFIRM;
		ev->channel = f.channel;
		ev->tag = ack->delivery_tag;
		ev->multiple = ack->multiple != 0;
		return 0;
	}
	case AMQP_BASIC_NACK_METHOD:
		aq_fail(a, "%s", "the broker refused a message (basic.nack)");
		return -1;
	case AMQP_BASIC_RETURN_METHOD:
		aq_fail(a, "%s", "the broker returned a message as unroutable");
		return -1;
	case AMQP_CHANNEL_CLOSE_METHOD:
		snprintf(buf, sizeof buf, "%.*s",
		    (int)((amqp_channel_close_t *)f.payload.method.decoded)->reply_text.len,
		    (const char *)((amqp_channel_close_t *)f.payload.method.decoded)->reply_text.bytes);
		aq_fail(a, "the broker closed a channel: %s", buf);
		return -1;
	default:
		aq_fail(a, "%s", "an unexpected method from the broker");
		return -1;
	}
}

/* ---- the responder ---- */

/* A message arrived: note its one-way time, publish its receipt. */
static int responder_deliver(struct aq *a, amqp_connection_state_t conn, const struct aq_event *ev,
    uint64_t *published)
{
	double now = bench_mono_ms();
	char body[24];
	int len;

	if (ev->channel != CH_A || ev->number < 0) {
		aq_fail(a, "%s", "responder: a delivery out of place (wrong channel, redelivered or no number)");
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	if (ev->number >= a->next) {
		pthread_mutex_unlock(&a->lock);
		aq_fail(a, "%s", "responder: a message that was never sent");
		return -1;
	}
	a->oneway_ms[ev->number] = now - a->send_ms[ev->number];
	pthread_mutex_unlock(&a->lock);
	if (ev->tag != *published + 1) {
		aq_fail(a, "%s", "responder: delivery tags out of step with the receipts");
		return -1;
	}
	len = snprintf(body, sizeof body, "%ld", ev->number);
	if (publish(a, conn, CH_B, QUEUE_RECEIPT, body, (size_t)len) != 0)
		return -1;
	(*published)++;
	return 0;
}

/* The broker confirmed receipts up to tag: ack the messages they answer, the same way. */
static int responder_confirm(struct aq *a, amqp_connection_state_t conn, const struct aq_event *ev,
    uint64_t published)
{
	int rc;

	if (ev->channel != CH_B || ev->tag == 0 || ev->tag > published) {
		aq_fail(a, "%s", "responder: a confirm for no receipt");
		return -1;
	}
	rc = amqp_basic_ack(conn, CH_A, ev->tag, ev->multiple);
	if (rc == AMQP_STATUS_OK)
		return 0;
	aq_fail(a, "responder: basic.ack: %s", amqp_error_string2(rc));
	return -1;
}

static bool responder_stopped(struct aq *a)
{
	bool s;

	pthread_mutex_lock(&a->lock);
	s = a->stop || a->failed;
	pthread_mutex_unlock(&a->lock);
	return s;
}

static void *responder(void *arg)
{
	struct aq *a = arg;
	amqp_connection_state_t conn = aq_connect(a, "responder");
	uint64_t published = 0;
	struct aq_event ev;

	if (conn == NULL || setup_channels(a, conn, CH_B, QUEUE_MSG) != 0)
		goto out;
	pthread_mutex_lock(&a->lock);
	a->responder_ready = true;
	pthread_mutex_unlock(&a->lock);
	while (!responder_stopped(a) && bench_mono_ms() < a->deadline_ms) {
		if (next_event(a, conn, POLL_MS, &ev) != 0)
			break;
		if (ev.kind == EV_DELIVER && responder_deliver(a, conn, &ev, &published) != 0)
			break;
		if (ev.kind == EV_CONFIRM && responder_confirm(a, conn, &ev, published) != 0)
			break;
	}
out:
	aq_close(conn);
	return NULL;
}

/* ---- the publisher ---- */

/* The broker confirmed messages up to tag (message tag - 1), one or all below too. */
static int publisher_confirm(struct aq *a, const struct aq_event *ev)
{
	long last = (long)ev->tag - 1, count = 0;
	long from = ev->multiple ? a->low : last;

	if (ev->channel != CH_A || ev->tag == 0 || last >= a->next) {
		aq_fail(a, "%s", "publisher: a confirm for no message");
		return -1;
	}
	for (long i = from; i <= last; i++) {
		if (!(a->state[i] & ST_CONFIRMED)) {
			a->state[i] |= ST_CONFIRMED;
			count++;
		}
	}
	while (a->low < a->next && (a->state[a->low] & ST_CONFIRMED))
		a->low++;
	a->inflight -= count;
	a->accepted += count;
	a->last_accept_ms = bench_mono_ms();
	return 0;
}

/* A receipt arrived: the message's latency, then ack the receipt. */
static int publisher_receipt(struct aq *a, amqp_connection_state_t conn, const struct aq_event *ev)
{
	double now = bench_mono_ms();
	long i = ev->number;
	int rc;

	if (ev->channel != CH_B || i < 0 || i >= a->next || (a->state[i] & ST_RECEIPTED)) {
		aq_fail(a, "%s", "publisher: a receipt for no outstanding message");
		return -1;
	}
	a->state[i] |= ST_RECEIPTED;
	a->latency_ms[i] = now - a->send_ms[i];
	a->last_receipt_ms = now;
	a->received++;
	rc = amqp_basic_ack(conn, CH_B, ev->tag, 0);
	if (rc == AMQP_STATUS_OK)
		return 0;
	aq_fail(a, "publisher: basic.ack: %s", amqp_error_string2(rc));
	return -1;
}

/*
 * Publishes what the window (and in the open loop, the schedule at t0)
 * allows now; returns how long to wait for the broker before looking again.
 */
static double publish_due(struct aq *a, amqp_connection_state_t conn, struct bench_result *r,
    double t0)
{
	char body[64];
	int len;

	while (a->inflight < a->window && a->next < a->n && (!a->serial || a->received == a->next)) {
		long i = a->next;
		double now = bench_mono_ms(), due = t0 + (a->rate > 0 ? bench_due_ms(i, a->rate) : 0);

		if (a->rate > 0 && due > now)
			return due - now < POLL_MS ? due - now : POLL_MS;
		if (a->rate > 0)
			bench_note_lag(r, now - due);
		len = snprintf(body, sizeof body, "%ld FLASH bench message", i);
		pthread_mutex_lock(&a->lock); /* the responder reads both */
		a->send_ms[i] = a->rate > 0 ? due : bench_mono_ms();
		a->next = i + 1;
		pthread_mutex_unlock(&a->lock);
		if (i == 0)
			a->first_ms = a->send_ms[0];
		a->inflight++;
		if (publish(a, conn, CH_A, QUEUE_MSG, body, (size_t)len) != 0)
			return -1;
	}
	return POLL_MS;
}

/* Runs the load on conn; 0 when every message was confirmed and receipted in time. */
static int publisher_run(struct aq *a, amqp_connection_state_t conn, struct bench_result *r)
{
	double t0 = bench_mono_ms(), wait, left;
	struct aq_event ev;

	while (a->accepted < a->n || a->received < a->n) {
		if (aq_failed(a) || (wait = publish_due(a, conn, r, t0)) < 0)
			return -1;
		left = a->deadline_ms - bench_mono_ms();
		if (left <= 0) {
			aq_fail(a, "%s", "timed out");
			return -1;
		}
		if (next_event(a, conn, wait < left ? wait : left, &ev) != 0)
			return -1;
		if (ev.kind == EV_CONFIRM && publisher_confirm(a, &ev) != 0)
			return -1;
		if (ev.kind == EV_DELIVER && publisher_receipt(a, conn, &ev) != 0)
			return -1;
	}
	return 0;
}

/* Waits (bounded) until the responder consumes, or fails. */
static int wait_responder(struct aq *a)
{
	double until = bench_mono_ms() + 3 * IO_TIMEOUT_S * 1e3;
	bool ready = false;

	while (!ready && !aq_failed(a) && bench_mono_ms() < until) {
		pthread_mutex_lock(&a->lock);
		ready = a->responder_ready;
		pthread_mutex_unlock(&a->lock);
		if (!ready)
			usleep(10000);
	}
	if (!ready)
		aq_fail(a, "%s", "the responder did not start consuming");
	return ready ? 0 : -1;
}

/* Connects, declares and empties both queues, starts the responder and runs the load. */
static int aq_run(struct aq *a, struct bench_result *r)
{
	amqp_connection_state_t conn = aq_connect(a, "publisher");
	pthread_t thread;
	bool started = false;
	int rc = -1;

	if (conn == NULL)
		goto out;
	amqp_channel_open(conn, CH_A);
	if (rpc_ok(a, conn, "channel.open 1") != 0 || declare_queue(a, conn, QUEUE_MSG) != 0 ||
	    declare_queue(a, conn, QUEUE_RECEIPT) != 0)
		goto out;
	amqp_queue_purge(conn, CH_A, amqp_cstring_bytes(QUEUE_MSG));
	if (rpc_ok(a, conn, "queue.purge") != 0)
		goto out;
	amqp_queue_purge(conn, CH_A, amqp_cstring_bytes(QUEUE_RECEIPT));
	if (rpc_ok(a, conn, "queue.purge") != 0)
		goto out;
	amqp_channel_close(conn, CH_A, AMQP_REPLY_SUCCESS); /* reopened fresh: tags from 1 */
	if (pthread_create(&thread, NULL, responder, a) != 0) {
		aq_fail(a, "%s", "cannot start the responder thread");
		goto out;
	}
	started = true;
	if (wait_responder(a) != 0 || setup_channels(a, conn, CH_A, QUEUE_RECEIPT) != 0)
		goto out;
	rc = publisher_run(a, conn, r);
out:
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_mutex_unlock(&a->lock);
	if (started)
		pthread_join(thread, NULL); /* it looks at stop every POLL_MS */
	aq_close(conn);
	return rc == 0 && !a->failed ? 0 : -1;
}

static int aq_init(struct aq *a, long n, long window, double rate, int serial)
{
	memset(a, 0, sizeof *a);
	a->serial = serial;
	a->n = n;
	a->window = window;
	a->rate = rate;
	a->state = calloc((size_t)n, 1);
	a->send_ms = calloc((size_t)n, sizeof *a->send_ms);
	a->latency_ms = calloc((size_t)n, sizeof *a->latency_ms);
	a->oneway_ms = calloc((size_t)n, sizeof *a->oneway_ms);
	pthread_mutex_init(&a->lock, NULL);
	return a->state && a->send_ms && a->latency_ms && a->oneway_ms ? 0 : -1;
}

static void aq_finish(struct aq *a)
{
	pthread_mutex_destroy(&a->lock);
	free(a->state);
	free(a->send_ms);
	free(a->latency_ms);
	free(a->oneway_ms);
}

static void usage(void)
{
	fprintf(stderr, "usage: amqp_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] "
	    "[-r RATE -d SECONDS [-S SLICE_S]] [-H HOST] -p PORT [-u USER:PASSWORD] "
	    "[-P NAME=PID]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_result r = { .system = "rabbitmq" };
	struct bench_opts o = { .n = 10000, .window = 64, .timeout_s = 300 };
	const char *host = "127.0.0.1";
	char user[128] = "guest", *colon;
	long port = -1;
	struct aq a;
	int c, rc = 1;

	while ((c = getopt(argc, argv, BENCH_OPTS "H:p:u:")) != -1) {
		if (c == 'H')
			host = optarg;
		else if (c == 'p')
			port = bench_parse_count(optarg, 65535);
		else if (c == 'u')
			snprintf(user, sizeof user, "%s", optarg);
		else if (bench_opt(c, optarg, &o, &r, MAX_MESSAGES, 65535) != 1)
			usage();
	}
	if (optind != argc || port < 0 || bench_opts_finish(&o, &r, MAX_MESSAGES) != 0)
		usage();
	if (!bench_loopback(host)) {
		fprintf(stderr, "amqp_bench: %s is not a loopback address\n", host);
		return 2;
	}
	/* Every wait has its own bound; this one ends the program if any failed to. */
	alarm((unsigned)(o.timeout_s + 6 * IO_TIMEOUT_S));
	if (aq_init(&a, o.n, o.window, o.rate, o.serial) != 0) {
		fprintf(stderr, "amqp_bench: out of memory for %ld messages\n", o.n);
		aq_finish(&a);
		return 1;
	}
	a.host = host;
	a.port = (int)port;
	a.user = user;
	a.password = "guest";
	if ((colon = strchr(user, ':')) != NULL) {
		*colon = '\0';
		a.password = colon + 1;
	}
	a.deadline_ms = bench_mono_ms() + (double)o.timeout_s * 1e3;
	if (aq_run(&a, &r) != 0) {
		fprintf(stderr, "amqp_bench: %ld of %ld confirmed, %ld receipts: %s\n", a.accepted, a.n,
		    a.received, a.why);
	} else {
		r.messages = (size_t)a.received;
		r.seconds = (a.last_receipt_ms - a.first_ms) / 1e3;
		r.accept_seconds = (a.last_accept_ms - a.first_ms) / 1e3;
		r.latency_ms = a.latency_ms;
		r.oneway_ms = a.oneway_ms;
		rc = bench_print(stdout, &r) == 0 ? 0 : 1;
	}
	aq_finish(&a);
	return rc;
}
