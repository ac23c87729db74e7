/*
 * deadline_timer.c - the node's side of deadlines: one timer armed to the
 * earliest pending deadline, the steps it takes when one passes, and the
 * hooks that add and meet deadlines inside the caller's transaction.
 *
 * The timer never scans messages: the store's deadlines table is indexed on
 * next_ms, and each firing handles what is due, then re-arms to the next. A
 * step is one transaction (the notice entry, its queueing, the row's new
 * step), so a crash repeats at most the step it was in. The wall clock may
 * jump: the timer wakes at least hourly and compares against it again.
 */
#include "deadline_timer.h"
#include "node_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "store.h"

#define DUE_BATCH 32                  /* rows handled per firing; more re-arm at once */
#define MET_MAX (2 * LIA_MAX_NODES)   /* a message's deadlines: receipt and ack per recipient */
#define RETRY_MS 1000                 /* after a store failure */
#define WAKE_MAX_MS (3600 * 1000)
#define ANNOUNCE_TEXT 120             /* bytes of a message's text in a re-announcement */

struct lia_deadlines {
	struct event *timer;              /* armed to the earliest pending deadline; NULL until started */
};

static int is_self(const struct lia_node *n, const char *name)
{
	return strcmp(n->self->name, name) == 0;
}

/* The notice's recipients: the late node and, when the charter names one, its escalation target. */
static int notice_dests(struct lia_node *n, const char *late, const char *dests[2])
{
	const struct lia_node_def *t = lia_charter_escalation(n->charter, late);
	int nd = 0;

	dests[nd++] = late;
	if (t != NULL && !is_self(n, t->name))
		dests[nd++] = t->name;
	return nd;
}

/* Inside a transaction: signs and queues the notice of step (0 closes) about own deadline r. */
static int make_notice(struct lia_node *n, const struct lia_deadline_row *r, uint32_t step,
    int64_t now, char *err)
{
	const char *dests[2];
	struct lia_entry e;
	int nd, rc;

	memset(&e, 0, sizeof(e));
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", n->self->name);
	e.ref_seq = r->seq;
	rc = lia_store_get_entry(n->store, n->self->name, r->seq, NULL, NULL, NULL, e.ref_hash, err);
	if (rc < 0)
		return rc;
	e.precedence = r->precedence;
	snprintf(e.late_node, sizeof(e.late_node), "%s", r->node);
	e.deadline = r->kind;
	e.step = step;
	e.late_s = lia_deadline_late_s(r->due_ms, now);
	if (e.late_s > LIA_OVERDUE_LATE_MAX)
		e.late_s = LIA_OVERDUE_LATE_MAX;
	e.due_ms = r->due_ms;
	nd = notice_dests(n, r->node, dests);
	rc = lia_node_overdue_notice(n, &e, dests, nd, err);
	if (rc == 0) {
		lia_log_warn("%s %s/%" PRIu64 " (%s) to %s: %s %s, %" PRIu64 " s past due; notice %s/%"
		    PRIu64 " (step %" PRIu32 ") for %s%s%s", step ? "OVERDUE" : "answered late:",
		    r->origin, r->seq, lia_precedence_name(r->precedence), r->node,
		    step ? "no" : "the", lia_deadline_kind_name(r->kind), e.late_s, e.origin, e.seq,
		    step, dests[0], nd > 1 ? " and escalation target " : "", nd > 1 ? dests[1] : "");
	}
	return rc;
}

/* Logs a received message again, loudly, with the start of its text: the re-announcement. */
static void announce(struct lia_node *n, const char *origin, uint64_t seq, const char *why)
{
	char err[LIA_ERR_LEN];
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	if (lia_store_get_entry(n->store, origin, seq, &cose, &len, NULL, NULL, err) == 0 &&
	    lia_entry_open(cose, len, &e, err) == 0 && e.type == LIA_ENTRY_MESSAGE)
		lia_log_warn("OVERDUE HERE (%s): %s %s/%" PRIu64 " to %s: \"%.*s%s\" - acknowledge "
		    "it with: liaison ack %s/%" PRIu64, why, lia_precedence_name(e.precedence), origin,
		    seq, e.to, ANNOUNCE_TEXT, e.text, strlen(e.text) > ANNOUNCE_TEXT ? "..." : "",
		    origin, seq);
	else
		lia_log_warn("OVERDUE HERE (%s): %s/%" PRIu64 " (not readable: %s)", why, origin, seq,
		    err);
	lia_entry_finish(&e);
	free(cose);
}

/* The sender's next step on r: a notice, the row moved on; one transaction (its commit wakes the notice's peers). */
static int sender_step(struct lia_node *n, const struct lia_deadline_row *r, int64_t now,
    char *err)
{
	struct lia_deadline_row u = *r;
	int64_t period = lia_deadline_period(n->charter, r->precedence, r->kind);
	int rc;

	u.step = r->step + 1;
	u.overdue_ms = r->overdue_ms >= 0 ? r->overdue_ms : now;
	u.next_ms = u.step >= LIA_OVERDUE_STEP_MAX ? -1 : now + lia_deadline_interval(period, u.step);
	if ((rc = lia_node_begin(n, err)) < 0)
		return rc;
	if ((rc = make_notice(n, r, u.step, now, err)) < 0 ||
	    (rc = lia_store_deadline_step(n->store, &u, err)) < 0) {
		lia_node_rollback(n);
		return rc;
	}
	return lia_node_commit(n, err);
}

/* The receiver's own clock: its operator has not acknowledged r in time. */
static int receiver_mark(struct lia_node *n, const struct lia_deadline_row *r, int64_t now,
    char *err)
{
	struct lia_deadline_row u = *r;
	int rc;

	u.overdue_ms = now;
	u.next_ms = -1;
	rc = lia_store_deadline_step(n->store, &u, err);
	if (rc == 0)
		announce(n, r->origin, r->seq, "not acknowledged in time");
	return rc;
}

void lia_deadline_rearm(struct lia_node *n)
{
	char err[LIA_ERR_LEN];
	int64_t next = 0, delay = RETRY_MS;
	struct timeval tv;
	int rc;

	if (n->deadlines == NULL || n->deadlines->timer == NULL)
		return;
	rc = lia_store_deadline_next(n->store, &next, err);
	if (rc == LIA_ENOTFOUND) {
		evtimer_del(n->deadlines->timer);
		return;
	}
	if (rc < 0)
		lia_log_error("deadlines: %s (trying again in %d ms)", err, RETRY_MS);
	else
		delay = next - lia_now_ms();
	delay = delay < 0 ? 0 : delay > WAKE_MAX_MS ? WAKE_MAX_MS : delay;
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	evtimer_add(n->deadlines->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct lia_node *n = arg;
	struct lia_deadline_row rows[DUE_BATCH];
	char err[LIA_ERR_LEN];
	int64_t now = lia_now_ms();
	int count = 0, failed = 0;

	(void)fd;
	(void)what;
	if (lia_store_deadline_due(n->store, now, rows, DUE_BATCH, &count, err) < 0) {
		lia_log_error("deadlines: %s", err);
		failed = 1;
	}
	for (int i = 0; i < count && !failed; i++) {
		int rc;
		if (is_self(n, rows[i].origin))
			rc = sender_step(n, &rows[i], now, err);
		else
			rc = receiver_mark(n, &rows[i], now, err);
		if (rc < 0) {
			lia_log_error("deadlines: %s/%" PRIu64 " for %s: %s", rows[i].origin,
			    rows[i].seq, rows[i].node, err);
			failed = 1;
		}
	}
	if (failed) {
		struct timeval tv = {RETRY_MS / 1000, 0};
		evtimer_add(n->deadlines->timer, &tv);
		return;
	}
	lia_deadline_rearm(n);
}

int lia_deadline_create(struct lia_node *n, char *err)
{
	if ((n->deadlines = calloc(1, sizeof(*n->deadlines))) == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	return 0;
}

int lia_deadline_start(struct lia_node *n, char *err)
{
	n->deadlines->timer = evtimer_new(n->base, on_timer, n);
	if (n->deadlines->timer == NULL) {
		lia_err_set(err, "cannot create the deadline timer");
		return -1;
	}
	lia_deadline_rearm(n);
	return 0;
}

void lia_deadline_destroy(struct lia_node *n)
{
	if (n == NULL || n->deadlines == NULL)
		return;
	if (n->deadlines->timer != NULL)
		event_free(n->deadlines->timer);
	free(n->deadlines);
	n->deadlines = NULL;
}

static int add_row(struct lia_node *n, const struct lia_entry *e, const char *node,
    enum lia_deadline_kind kind, char *err)
{
	struct lia_deadline_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.origin, sizeof(r.origin), "%s", e->origin);
	r.seq = e->seq;
	snprintf(r.node, sizeof(r.node), "%s", node);
	r.kind = kind;
	r.precedence = e->precedence;
	r.due_ms = lia_deadline_due(n->charter, e->precedence, kind, e->time_ms);
	return lia_store_deadline_add(n->store, &r, err);
}

int lia_deadline_sent(struct lia_node *n, const struct lia_entry *e, const char *dest, char *err)
{
	int rc = add_row(n, e, dest, LIA_DEADLINE_RECEIPT, err);

	return rc < 0 ? rc : add_row(n, e, dest, LIA_DEADLINE_ACK, err);
}

int lia_deadline_received(struct lia_node *n, const struct lia_entry *e, char *err)
{
	return add_row(n, e, n->self->name, LIA_DEADLINE_ACK, err);
}

/* Meets deadlines and sends a closing notice for each that was overdue. */
static int meet(struct lia_node *n, uint64_t seq, const char *by, enum lia_deadline_kind kind,
    int64_t now, char *err)
{
	struct lia_deadline_row closed[MET_MAX];
	int count = 0, rc;

	rc = lia_store_deadline_met(n->store, n->self->name, seq, by, kind, now, closed, MET_MAX,
	    &count, err);
	for (int i = 0; rc == 0 && i < count; i++)
		if (closed[i].step > 0)
			rc = make_notice(n, &closed[i], 0, now, err);
	return rc;
}

int lia_deadline_answered(struct lia_node *n, uint64_t seq, const char *by,
    enum lia_deadline_kind kind, char *err)
{
	int64_t now = lia_now_ms();
	int rc = meet(n, seq, by, LIA_DEADLINE_RECEIPT, now, err);

	/* An ack proves its maker's receipt, and answers the message for every recipient. */
	if (rc == 0 && kind == LIA_DEADLINE_ACK)
		rc = meet(n, seq, NULL, LIA_DEADLINE_ACK, now, err);
	return rc;
}

int lia_deadline_acked_here(struct lia_node *n, const char *origin, uint64_t seq, char *err)
{
	struct lia_deadline_row closed[1];
	int count = 0;
	int rc = lia_store_deadline_met(n->store, origin, seq, n->self->name, LIA_DEADLINE_ACK,
	    lia_now_ms(), closed, 1, &count, err);

	if (rc == 0 && count == 1 && closed[0].overdue_ms >= 0)
		lia_log_info("%s/%" PRIu64 " acknowledged here %" PRIu64 " s after its deadline",
		    origin, seq, lia_deadline_late_s(closed[0].due_ms, lia_now_ms()));
	return rc;
}

/* 0 when the notice may be kept here: about a charter node, and this node is it or its escalation target. */
static int notice_for_us(struct lia_node *n, const struct lia_entry *e, char *err)
{
	const struct lia_node_def *t = lia_charter_escalation(n->charter, e->late_node);
	uint8_t hash[32];
	enum lia_dir dir = LIA_DIR_OUT;
	int rc;

	if (lia_charter_node(n->charter, e->late_node) == NULL) {
		lia_err_set(err, "overdue notice %s/%" PRIu64 " names late node %s, not in the charter",
		    e->origin, e->seq, e->late_node);
		return LIA_REFUSED;
	}
	if (!is_self(n, e->late_node)) {
		if (t != NULL && t == n->self)
			return 0;
		lia_err_set(err, "overdue notice %s/%" PRIu64 " is about %s, and %s is neither it nor "
		    "its escalation target", e->origin, e->seq, e->late_node, n->self->name);
		return LIA_REFUSED;
	}
	rc = lia_store_get_entry(n->store, e->ref_origin, e->ref_seq, NULL, NULL, &dir, hash, err);
	if (rc == LIA_ENOTFOUND || (rc == 0 && (dir != LIA_DIR_IN ||
	    CRYPTO_memcmp(hash, e->ref_hash, 32) != 0))) {
		lia_err_set(err, "overdue notice %s/%" PRIu64 " is about %s/%" PRIu64 ", which %s "
		    "did not receive as named", e->origin, e->seq, e->ref_origin, e->ref_seq,
		    n->self->name);
		return LIA_REFUSED;
	}
	return rc < 0 ? -1 : 0;
}

static void log_notice(struct lia_node *n, const struct lia_entry *e)
{
	char due[LIA_TIME_LEN], err[LIA_ERR_LEN];
	int late_here = is_self(n, e->late_node);

	lia_time_format(e->due_ms, due);
	/* A notice that crossed our own ack on the wire: nothing to announce. */
	if (late_here && e->step > 0 && e->deadline == LIA_DEADLINE_ACK &&
	    lia_store_find_ack(n->store, e->ref_origin, e->ref_seq, n->self->name, NULL, err) == 0) {
		lia_log_info("notice %s/%" PRIu64 " (step %" PRIu32 "): %s/%" PRIu64 " is already "
		    "acknowledged here", e->origin, e->seq, e->step, e->ref_origin, e->ref_seq);
		return;
	}
	if (e->step == 0) {
		lia_log_info("notice %s/%" PRIu64 ": the %s of %s/%" PRIu64 " by %s came %" PRIu64
		    " s late (due %s)", e->origin, e->seq, lia_deadline_kind_name(e->deadline),
		    e->ref_origin, e->ref_seq, e->late_node, e->late_s, due);
		return;
	}
	lia_log_warn("OVERDUE NOTICE %s/%" PRIu64 " (step %" PRIu32 ") from %s: %s %s/%" PRIu64
	    " to %s has no %s, %" PRIu64 " s past due (%s)%s", e->origin, e->seq, e->step, e->origin,
	    lia_precedence_name(e->precedence), e->ref_origin, e->ref_seq, e->late_node,
	    lia_deadline_kind_name(e->deadline), e->late_s, due,
	    late_here ? "" : " - escalated to this station");
	if (late_here && e->deadline == LIA_DEADLINE_ACK)
		announce(n, e->ref_origin, e->ref_seq, "the sender reports it overdue");
}

int lia_deadline_notice_in(struct lia_node *n, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err)
{
	struct lia_deadline_row r, closed[1];
	int64_t now = lia_now_ms();
	int count = 0, rc = notice_for_us(n, e, err);

	if (rc != 0)
		return rc;
	if (lia_store_add_entry(n->store, e, LIA_DIR_IN, cose, cose_len, now, err) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	snprintf(r.origin, sizeof(r.origin), "%s", e->ref_origin);
	r.seq = e->ref_seq;
	snprintf(r.node, sizeof(r.node), "%s", e->late_node);
	r.kind = e->deadline;
	r.precedence = e->precedence;
	r.due_ms = e->due_ms;
	r.step = e->step;
	if (lia_store_deadline_heard(n->store, &r, now, err) < 0)
		return -1;
	/* A late receipt is ours to give, and was given with the message: nothing stays open. */
	if (is_self(n, e->late_node) && e->deadline == LIA_DEADLINE_RECEIPT &&
	    lia_store_deadline_met(n->store, r.origin, r.seq, r.node, r.kind, now, closed, 1,
	    &count, err) < 0)
		return -1;
	log_notice(n, e);
	return 0;
}
