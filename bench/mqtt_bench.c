/*
 * mqtt_bench.c - the reference load through a Mosquitto broker, for
 * comparison with hotline_bench.
 *
 * Two clients of one broker (persistent sessions, MQTT 3.1.1, QoS 2 both
 * ways): a responder subscribed to "hotline/b" that answers each message
 * with a receipt carrying the message's number on "hotline/a", and a
 * publisher that sends N messages to "hotline/b" keeping at most WINDOW
 * unconfirmed (no PUBCOMP yet) by the broker, like hotline_bench's window of
 * POSTs. Latency is from the publish call to the matching receipt's arrival.
 * With the window every publish happens on the publisher's network thread,
 * in its callbacks. The open loop (-r RATE -d SECONDS) publishes from the
 * main thread instead, message i at i / RATE s after the start (or as soon
 * as the window has room, counted late), and latency counts from that
 * intended time. With -1 the next message goes only once the last one's
 * receipt is in (from the receipt's callback). What both threads touch is
 * under the lock.
 *
 * Usage: mqtt_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] [-r RATE -d SECONDS [-S SLICE_S]]
 *                   [-H HOST] -p PORT [-P NAME=PID]...
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench.h"

#define TOPIC_MSG "hotline/b"
#define TOPIC_RECEIPT "hotline/a"
#define MAX_MESSAGES 10000000L

struct mq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mosquitto *pub, *resp;
	long n, window;
	double rate;           /* open loop: messages per second; 0 for the window */
	int serial;            /* -1: the next message once the last one's receipt is in */
	long next;             /* next message number to publish */
	long inflight;         /* published, no PUBCOMP yet */
	long accepted;         /* PUBCOMPs seen */
	long received;         /* receipts seen */
	int subscribed;        /* clients whose SUBACK came */
	bool done, failed;
	char *seen;            /* per message: receipt arrived */
	double *send_ms;       /* per message: time of the publish call, or when it was due */
	double *latency_ms;    /* per message: send_ms to the receipt's arrival */
	double *oneway_ms;     /* per message: publish call to the responder's callback */
	double first_ms, last_accept_ms, last_receipt_ms;
	char why[256];
};

/* Records a failure (first one wins) and wakes the main thread. */
static void mq_fail(struct mq *m, const char *what, int rc)
{
	pthread_mutex_lock(&m->lock);
	if (!m->failed)
		snprintf(m->why, sizeof m->why, "%s: %s", what, mosquitto_strerror(rc));
	m->failed = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

/* Under the lock: done once every message is both confirmed and receipted. */
static void mq_check_done(struct mq *m)
{
	if (m->received == m->n && m->accepted == m->n) {
		m->done = true;
		pthread_cond_broadcast(&m->cond);
	}
}

/* Publishes while the window has room; publisher thread only. */
static void mq_publish_more(struct mq *m)
{
	char payload[64];
	int len, rc;

	while (m->inflight < m->window && m->next < m->n && (!m->serial || m->received == m->next)) {
		long i = m->next++;

		len = snprintf(payload, sizeof payload, "%ld FLASH bench message", i);
		pthread_mutex_lock(&m->lock); /* the responder's thread reads it */
		m->send_ms[i] = bench_mono_ms();
		pthread_mutex_unlock(&m->lock);
		if (i == 0)
			m->first_ms = m->send_ms[0];
		pthread_mutex_lock(&m->lock);
		m->inflight++;
		pthread_mutex_unlock(&m->lock);
		rc = mosquitto_publish(m->pub, NULL, TOPIC_MSG, len, payload, 2, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			mq_fail(m, "publish", rc);
			return;
		}
	}
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct mq *m = obj;
	const char *topic = mosq == m->pub ? TOPIC_RECEIPT : TOPIC_MSG;

	if (rc != 0) {
		mq_fail(m, "connect refused", rc);
		return;
	}
	rc = mosquitto_subscribe(mosq, NULL, topic, 2);
	if (rc != MOSQ_ERR_SUCCESS)
		mq_fail(m, "subscribe", rc);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct mq *m = obj;

	if (rc != 0)
		mq_fail(m, mosq == m->pub ? "publisher lost the broker" : "responder lost the broker",
		    MOSQ_ERR_CONN_LOST);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
    const int *granted)
{
	struct mq *m = obj;

	if (qos_count != 1 || granted[0] != 2) {
		mq_fail(m, "subscription not granted at QoS 2", MOSQ_ERR_PROTOCOL);
		return;
	}
	pthread_mutex_lock(&m->lock);
	m->subscribed++;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	if (mosq == m->pub && m->rate == 0)
		mq_publish_more(m);
}

/* PUBCOMP of one of our QoS 2 messages: the broker has it; send the next. */
static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct mq *m = obj;

	if (mosq != m->pub)
		return;
	pthread_mutex_lock(&m->lock);
	m->inflight--;
	m->last_accept_ms = bench_mono_ms();
	m->accepted++;
	pthread_cond_broadcast(&m->cond); /* the open loop's pacer waits for room */
	mq_check_done(m);
	pthread_mutex_unlock(&m->lock);
	if (m->rate == 0)
		mq_publish_more(m);
}

/* Responder: note the arrival, answer with the message's number, at QoS 2. */
static void on_message_resp(struct mq *m, const struct mosquitto_message *msg)
{
	double now = bench_mono_ms();
	const char *p = msg->payload;
	char num[24];
	int len = 0, rc;
	long i;

	while (len < msg->payloadlen && len < 20 && p[len] >= '0' && p[len] <= '9')
		len++;
	memcpy(num, p, (size_t)len);
	num[len] = '\0';
	i = len > 0 ? strtol(num, NULL, 10) : -1;
	pthread_mutex_lock(&m->lock);
	if (i >= 0 && i < m->n && m->send_ms[i] > 0)
		m->oneway_ms[i] = now - m->send_ms[i];
	pthread_mutex_unlock(&m->lock);
	rc = mosquitto_publish(m->resp, NULL, TOPIC_RECEIPT, len, p, 2, false);
	if (rc != MOSQ_ERR_SUCCESS)
		mq_fail(m, "receipt publish", rc);
}

/* Publisher: a receipt; take its latency, finish after the last one. */
static void on_message_pub(struct mq *m, const struct mosquitto_message *msg)
{
	char num[24];
	long i;
	double now = bench_mono_ms();

	if (msg->payloadlen <= 0 || msg->payloadlen >= (int)sizeof num) {
		mq_fail(m, "receipt malformed", MOSQ_ERR_PROTOCOL);
		return;
	}
	memcpy(num, msg->payload, (size_t)msg->payloadlen);
	num[msg->payloadlen] = '\0';
	i = strtol(num, NULL, 10);
	pthread_mutex_lock(&m->lock);
	if (i < 0 || i >= m->next || m->seen[i]) {
		pthread_mutex_unlock(&m->lock);
		mq_fail(m, "receipt for no outstanding message", MOSQ_ERR_PROTOCOL);
		return;
	}
	m->seen[i] = 1;
	m->latency_ms[i] = now - m->send_ms[i];
	m->last_receipt_ms = now;
	m->received++;
	mq_check_done(m);
	pthread_mutex_unlock(&m->lock);
	if (m->serial)
		mq_publish_more(m);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct mq *m = obj;

	if (mosq == m->resp)
		on_message_resp(m, msg);
	else
		on_message_pub(m, msg);
}

/* A client with a fixed id and a persistent session, connected, its thread running. */
static struct mosquitto *mq_client(struct mq *m, const char *id, const char *host, int port)
{
	struct mosquitto *mosq = mosquitto_new(id, false, m);
	int rc;

	if (mosq == NULL) {
		fprintf(stderr, "mqtt_bench: cannot create client %s\n", id);
		return NULL;
	}
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, (int)m->window);
	rc = mosquitto_connect(mosq, host, port, 60);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_loop_start(mosq);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt_bench: %s cannot reach %s:%d: %s\n", id, host, port,
		    mosquitto_strerror(rc));
		mosquitto_destroy(mosq);
		return NULL;
	}
	return mosq;
}

/* Waits until pred holds, a client fails, or the monotonic deadline passes; 0 when pred held. */
static int mq_wait(struct mq *m, bool (*pred)(const struct mq *), double deadline_ms)
{
	struct timespec ts;
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	ts.tv_sec = (time_t)(deadline_ms / 1e3);
	ts.tv_nsec = (long)((deadline_ms - (double)ts.tv_sec * 1e3) * 1e6);
	while (!pred(m) && !m->failed && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&m->cond, &m->lock, &ts);
	rc = pred(m) ? 0 : -1;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static bool resp_ready(const struct mq *m) { return m->subscribed >= 1; }
static bool pub_ready(const struct mq *m) { return m->subscribed >= 2; }
static bool all_done(const struct mq *m) { return m->done; }

static int mq_init(struct mq *m, long n, long window, double rate, int serial)
{
	pthread_condattr_t ca;

	memset(m, 0, sizeof *m);
	m->serial = serial;
	m->n = n;
	m->window = window;
	m->rate = rate;
	m->seen = calloc((size_t)n, 1);
	m->send_ms = calloc((size_t)n, sizeof *m->send_ms);
	m->latency_ms = calloc((size_t)n, sizeof *m->latency_ms);
	m->oneway_ms = calloc((size_t)n, sizeof *m->oneway_ms);
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	return m->seen && m->send_ms && m->latency_ms && m->oneway_ms ? 0 : -1;
}

/* Disconnects both clients and joins their threads; the counters are then the main thread's. */
static void mq_stop(struct mq *m)
{
	struct mosquitto *clients[2] = { m->pub, m->resp };

	for (int i = 0; i < 2; i++) {
		if (clients[i] == NULL)
			continue;
		mosquitto_disconnect(clients[i]);
		mosquitto_loop_stop(clients[i], false);
		mosquitto_destroy(clients[i]);
	}
	m->pub = m->resp = NULL;
}

static void mq_finish(struct mq *m)
{
	mq_stop(m);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m->seen);
	free(m->send_ms);
	free(m->latency_ms);
	free(m->oneway_ms);
}

/* Sleeps until the monotonic time due_ms (bench_mono_ms), at most until deadline_ms. */
static void sleep_until(double due_ms, double deadline_ms)
{
	double t = due_ms < deadline_ms ? due_ms : deadline_ms;
	struct timespec ts = { .tv_sec = (time_t)(t / 1e3) };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec * 1e3) * 1e6);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * The open loop, on the main thread: message i at its due time, or when the
 * window has room if that is later (the lag noted in r); 0 when all went out.
 */
static int mq_pace(struct mq *m, struct bench_result *r, double deadline_ms)
{
	double t0 = bench_mono_ms();
	char payload[64];
	int len, rc;

	m->first_ms = t0;
	for (long i = 0; i < m->n; i++) {
		double due = t0 + bench_due_ms(i, m->rate);
		struct timespec ts = { .tv_sec = (time_t)(deadline_ms / 1e3) };
		int w = 0;

		ts.tv_nsec = (long)((deadline_ms - (double)ts.tv_sec * 1e3) * 1e6);
		sleep_until(due, deadline_ms);
		pthread_mutex_lock(&m->lock);
		while (m->inflight >= m->window && !m->failed && w != ETIMEDOUT)
			w = pthread_cond_timedwait(&m->cond, &m->lock, &ts);
		if (m->failed || w == ETIMEDOUT) {
			pthread_mutex_unlock(&m->lock);
			return -1;
		}
		m->send_ms[i] = due;
		m->inflight++;
		m->next = i + 1;
		pthread_mutex_unlock(&m->lock);
		bench_note_lag(r, bench_mono_ms() - due);
		len = snprintf(payload, sizeof payload, "%ld FLASH bench message", i);
		rc = mosquitto_publish(m->pub, NULL, TOPIC_MSG, len, payload, 2, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			mq_fail(m, "publish", rc);
			return -1;
		}
	}
	return 0;
}

/* Connects both clients and runs the load; 0 when every receipt came in time. */
static int mq_run(struct mq *m, struct bench_result *r, const char *host, int port,
    double timeout_ms)
{
	double deadline = bench_mono_ms() + timeout_ms;

	m->resp = mq_client(m, "hotline-b", host, port);
	if (m->resp == NULL)
		return -1;
	if (mq_wait(m, resp_ready, bench_mono_ms() + 10e3) != 0) {
		fprintf(stderr, "mqtt_bench: responder not subscribed: %s\n",
		    m->failed ? m->why : "timed out");
		return -1;
	}
	m->pub = mq_client(m, "hotline-a", host, port);
	if (m->pub == NULL)
		return -1;
	if (m->rate > 0 && (mq_wait(m, pub_ready, bench_mono_ms() + 10e3) != 0 ||
	    mq_pace(m, r, deadline) != 0)) {
		fprintf(stderr, "mqtt_bench: the open loop stopped: %s\n",
		    m->failed ? m->why : "timed out");
		return -1;
	}
	if (mq_wait(m, all_done, deadline) != 0) {
		pthread_mutex_lock(&m->lock);
		fprintf(stderr, "mqtt_bench: %ld of %ld receipts: %s\n", m->received, m->n,
		    m->failed ? m->why : "timed out");
		pthread_mutex_unlock(&m->lock);
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mqtt_bench [-1] [-n N] [-w WINDOW] [-t TIMEOUT_S] "
	    "[-r RATE -d SECONDS [-S SLICE_S]] [-H HOST] -p PORT [-P NAME=PID]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_result r = { .system = "mosquitto" };
	struct bench_opts o = { .n = 10000, .window = 64, .timeout_s = 300 };
	const char *host = "127.0.0.1";
	long port = -1;
	struct mq m;
	int c, rc = 1;

	while ((c = getopt(argc, argv, BENCH_OPTS "H:p:")) != -1) {
		if (c == 'H')
			host = optarg;
		else if (c == 'p')
			port = bench_parse_count(optarg, 65535);
		else if (bench_opt(c, optarg, &o, &r, MAX_MESSAGES, 65535) != 1)
			usage();
	}
	if (optind != argc || port < 0 || bench_opts_finish(&o, &r, MAX_MESSAGES) != 0)
		usage();
	if (!bench_loopback(host)) {
		fprintf(stderr, "mqtt_bench: %s is not a loopback address\n", host);
		return 2;
	}
	/* Every wait has its own bound; this one ends the program if any failed to. */
	alarm((unsigned)(o.timeout_s + 60));
	mosquitto_lib_init();
	if (mq_init(&m, o.n, o.window, o.rate, o.serial) != 0) {
		fprintf(stderr, "mqtt_bench: out of memory for %ld messages\n", o.n);
	} else if (mq_run(&m, &r, host, (int)port, (double)o.timeout_s * 1e3) == 0) {
		mq_stop(&m);
		r.messages = (size_t)m.received;
		r.seconds = (m.last_receipt_ms - m.first_ms) / 1e3;
		r.accept_seconds = (m.last_accept_ms - m.first_ms) / 1e3;
		r.latency_ms = m.latency_ms;
		r.oneway_ms = m.oneway_ms;
		rc = bench_print(stdout, &r) == 0 ? 0 : 1;
	}
	mq_finish(&m);
	mosquitto_lib_cleanup();
	return rc;
}
