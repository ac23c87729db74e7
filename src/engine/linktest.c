/*
 * linktest.c - periodic signed link tests and their answers (see linktest.h).
 * The test entry is made and committed by compose.c (lia_node_linktest);
 * this file keeps the schedule and the figures, per link peer. Answers come
 * from the accept rule (accept.c) after the transport checked their
 * signature; only a reference to an own test sent to that very peer, with
 * the hash we hold, is taken.
 */
#include "node_internal.h"
#include "linktest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "clock.h"
#include "log.h"
#include "store.h"

struct lia_linktests {
	struct lia_linktest t[LIA_MAX_NODES];
	int n;
};

/* peer's tests, or NULL when peer has no link. */
static struct lia_linktest *find(struct lia_node *n, const char *peer)
{
	for (int i = 0; n->linktests != NULL && i < n->linktests->n; i++)
		if (strcmp(n->linktests->t[i].peer, peer) == 0)
			return &n->linktests->t[i];
	return NULL;
}

/* A pending test not answered in time is a failure; the slot is freed for the next. */
static void check_timeout(struct lia_linktest *t)
{
	/* Less 100 ms: the deadline timer and the monotonic clock may disagree by a tick. */
	int timeout_s = t->node->cfg.linktest_timeout_s;

	if (t->pending_seq == 0 || lia_mono_ms() - t->sent_mono < (int64_t)timeout_s * 1000 - 100)
		return;
	t->failures++;
	t->last_failure_ms = lia_now_ms();
	lia_log_warn("link %s: link test %s/%" PRIu64 " unanswered after %d s (%" PRIu64
	    " failure%s)", t->peer, t->node->self->name, t->pending_seq,
	    timeout_s, t->failures, t->failures == 1 ? "" : "s");
	t->pending_seq = 0;
}

int lia_linktest_send(struct lia_node *n, const char *peer, char id[LIA_ID_LEN], char *err)
{
	struct lia_linktest *t = find(n, peer);
	uint64_t nonce = 0, seq = 0;
	uint8_t hash[32];

	if (t == NULL) {
		lia_err_set(err, "%s is not a link peer of %s: no link tests", peer, n->self->name);
		return -1;
	}
	if (RAND_bytes((unsigned char *)&nonce, sizeof(nonce)) != 1) {
		lia_err_set(err, "no random nonce for a link test to %s", peer);
		return -1;
	}
	if (lia_node_linktest(n, peer, nonce, &seq, hash, err) < 0)
		return -1;
	t->pending_seq = seq;
	t->pending_nonce = nonce;
	memcpy(t->pending_hash, hash, 32);
	t->sent_mono = lia_mono_ms();
	t->last_sent_ms = lia_now_ms();
	t->sent++;
	if (id != NULL)
		lia_id_format(n->self->name, seq, id);
	if (t->deadline != NULL) {
		struct timeval tv = {n->cfg.linktest_timeout_s, 0};
		evtimer_add(t->deadline, &tv);
	}
	return 0;
}

/* The answer's time is up (whatever the period): a failure unless it came. */
static void deadline_cb(evutil_socket_t fd, short what, void *ctx)
{
	check_timeout(ctx);
}

static void tick_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_linktest *t = ctx;
	char err[LIA_ERR_LEN];

	check_timeout(t);
	if (t->pending_seq != 0)
		return;
	if (lia_linktest_send(t->node, t->peer, NULL, err) < 0)
		lia_log_error("link %s: cannot send a link test: %s", t->peer, err);
}

int lia_linktest_create(struct lia_node *n, char *err)
{
	const struct lia_node_def *peers[LIA_MAX_NODES];
	int count = lia_node_link_peers(n, peers, LIA_MAX_NODES);

	if ((n->linktests = calloc(1, sizeof(*n->linktests))) == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	for (int i = 0; i < count; i++) {
		struct lia_linktest *t = &n->linktests->t[n->linktests->n++];

		t->node = n;
		t->peer = peers[i]->name;
		t->last_rtt_ms = -1;
		if (n->cfg.linktest_s <= 0)
			continue;
		t->timer = event_new(n->base, -1, EV_PERSIST, tick_cb, t);
		t->deadline = evtimer_new(n->base, deadline_cb, t);
		if (t->timer == NULL || t->deadline == NULL) {
			lia_err_set(err, "cannot create the link test timer for %s", t->peer);
			return -1;
		}
	}
	return 0;
}

int lia_linktest_start(struct lia_node *n, char *err)
{
	struct timeval tv = {n->cfg.linktest_s, 0};

	for (int i = 0; i < n->linktests->n; i++) {
		struct lia_linktest *t = &n->linktests->t[i];
		if (t->timer != NULL && event_add(t->timer, &tv) != 0) {
			lia_err_set(err, "cannot start the link test timer for %s", t->peer);
			return -1;
		}
	}
	return 0;
}

void lia_linktest_destroy(struct lia_node *n)
{
	if (n == NULL || n->linktests == NULL)
		return;
	for (int i = 0; i < n->linktests->n; i++) {
		struct lia_linktest *t = &n->linktests->t[i];
		if (t->timer != NULL)
			event_free(t->timer);
		if (t->deadline != NULL)
			event_free(t->deadline);
	}
	free(n->linktests);
	n->linktests = NULL;
}

/* 0 when the answer names an own link test to this peer by its true hash, LIA_REFUSED when not, -1 store failure. */
static int late_answer_ours(struct lia_node *n, const char *peer, const struct lia_entry *a,
    char *err)
{
	struct lia_entry test;
	uint8_t hash[32], *cose = NULL;
	size_t cose_len = 0;
	enum lia_dir dir;
	char why[LIA_ERR_LEN];
	int rc;

	memset(&test, 0, sizeof(test));
	rc = lia_store_get_entry(n->store, a->ref_origin, a->ref_seq, &cose, &cose_len, &dir,
	    hash, err);
	if (rc < 0 && rc != LIA_ENOTFOUND)
		return -1;
	rc = rc == 0 && dir == LIA_DIR_OUT && CRYPTO_memcmp(hash, a->ref_hash, 32) == 0 &&
	    lia_entry_open(cose, cose_len, &test, why) == 0 && test.type == LIA_ENTRY_LINKTEST &&
	    strcmp(test.to, peer) == 0 && test.nonce == a->nonce ? 0 : LIA_REFUSED;
	if (rc == LIA_REFUSED)
		lia_err_set(err, "link test answer %s/%" PRIu64 " names %s/%" PRIu64
		    ", which is not a link test we sent to %s (or not with that hash and nonce)",
		    a->origin, a->seq, a->ref_origin, a->ref_seq, peer);
	lia_entry_finish(&test);
	free(cose);
	return rc;
}

int lia_linktest_check_answer(struct lia_node *n, const char *peer,
    const struct lia_entry *a, char *err)
{
	struct lia_linktest *t = find(n, peer);
	int rc;

	if (strcmp(a->ref_origin, n->self->name) != 0) {
		lia_err_set(err, "link test answer %s/%" PRIu64 " refers to %s/%" PRIu64
		    ", not a test of ours", a->origin, a->seq, a->ref_origin, a->ref_seq);
		return LIA_REFUSED;
	}
	if (t != NULL && a->ref_seq == t->pending_seq && a->nonce == t->pending_nonce &&
	    CRYPTO_memcmp(a->ref_hash, t->pending_hash, 32) == 0) {
		t->last_rtt_ms = (int)(lia_mono_ms() - t->sent_mono);
		t->last_success_ms = lia_now_ms();
		t->answered++;
		t->pending_seq = 0;
		if (t->deadline != NULL)
			evtimer_del(t->deadline);
		return 0;
	}
	/* Not the pending one: an answer that came after its timeout, if it is ours at all. */
	rc = late_answer_ours(n, peer, a, err);
	if (rc != 0)
		return rc;
	if (t != NULL)
		t->late++;
	return 0;
}

json_t *lia_linktest_json(struct lia_node *n, const char *peer)
{
	const struct lia_linktest *t = find(n, peer);
	char sent[LIA_TIME_LEN], ok[LIA_TIME_LEN], bad[LIA_TIME_LEN], err[LIA_ERR_LEN];
	json_t *o, *history = NULL;

	if (t == NULL)
		return json_null();
	/* The recent tests from the store (they outlive a restart, unlike the figures below). */
	if (lia_store_linktest_history(n->store, n->self->name, peer, LIA_LINKTEST_HISTORY,
	    lia_now_ms(), n->cfg.linktest_timeout_s * 1000, &history, err) < 0) {
		lia_log_error("link %s: %s", peer, err);
		history = json_null();
	}
	if (t->last_sent_ms)
		lia_time_format(t->last_sent_ms, sent);
	if (t->last_success_ms)
		lia_time_format(t->last_success_ms, ok);
	if (t->last_failure_ms)
		lia_time_format(t->last_failure_ms, bad);
	o = json_pack("{s:i, s:i, s:s?, s:s?, s:i, s:s?, s:I, s:I, s:I, s:I, s:b}",
	    "period_s", n->cfg.linktest_s, "timeout_s", n->cfg.linktest_timeout_s,
	    "last_sent", t->last_sent_ms ? sent : NULL,
	    "last_success", t->last_success_ms ? ok : NULL, "rtt_ms", t->last_rtt_ms,
	    "last_failure", t->last_failure_ms ? bad : NULL,
	    "sent", (json_int_t)t->sent, "answered", (json_int_t)t->answered,
	    "failures", (json_int_t)t->failures, "late", (json_int_t)t->late,
	    "pending", t->pending_seq != 0);
	if (o != NULL)
		json_object_set_new(o, "history", history);
	else
		json_decref(history);
	return o;
}
