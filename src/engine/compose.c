/*
 * compose.c - the own entries this node makes: an operator's message,
 * acknowledgement, signal and incident entry (the API calls these), and what
 * the engine makes itself (receipts, link tests and their answers, overdue
 * notices, relays). Each is completed here, signed by the signer (signer.h)
 * and stored inside a transaction that lia_node_commit closes (commit.c);
 * the peers it is queued for are woken only after that commit.
 */
#include "node_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "deadline_timer.h"
#include "err.h"
#include "incident.h"
#include "log.h"
#include "signer.h"

/*
 * Stores own entry e: 0, negative on failure, or LIA_REFUSED when incident.c refuses an
 * incident entry under the incident's rules (it stores what it accepts, with
 * the incident's tables, the same way for our entries and our peers').
 */
static int store_own_entry(struct lia_node *n, const struct lia_entry *e, const uint8_t *cose,
    size_t cose_len, char *err)
{
	if (e->type == LIA_ENTRY_INCIDENT)
		return lia_incident_accept(n->store, n->charter, n->self->party, e, cose, cose_len,
		    LIA_DIR_OUT, err);
	return lia_store_add_entry(n->store, e, LIA_DIR_OUT, cose, cose_len, e->time_ms, err) < 0 ?
	    -1 : 0;
}

int lia_node_make_entry(struct lia_node *n, struct lia_entry *e, const char *const *dests,
    int n_dests, int deliveries, uint8_t **cose_out, size_t *len_out, char *err)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int rc = -1;

	snprintf(e->origin, sizeof(e->origin), "%s", n->self->name);
	e->time_ms = lia_now_ms();
	if (e->narrow)
		e->time_ms -= e->time_ms % 1000; /* the narrow form carries whole seconds */
	if (lia_store_next_seq(n->store, &e->seq, err) < 0 ||
	    lia_signer_entry(n->signer, e, &cose, &cose_len, err) < 0)
		goto out;
	if ((rc = store_own_entry(n, e, cose, cose_len, err)) != 0)
		goto out;
	rc = -1;
	for (int i = 0; i < n_dests; i++) {
		if (lia_store_queue(n->store, dests[i], e->seq, err) < 0)
			goto out;
		lia_node_wake_later(n, dests[i]);
		if (deliveries && lia_store_add_delivery(n->store, e->seq, dests[i], err) < 0)
			goto out;
		if (deliveries && e->type == LIA_ENTRY_MESSAGE &&
		    lia_deadline_sent(n, e, dests[i], err) < 0)
			goto out;
	}
	if (e->type == LIA_ENTRY_ACK &&
	    lia_deadline_acked_here(n, e->ref_origin, e->ref_seq, err) < 0)
		goto out;
	if (cose_out != NULL) {
		*cose_out = cose;
		*len_out = cose_len;
		cose = NULL;
	}
	rc = 0;
out:
	free(cose);
	return rc;
}

/*
 * Signs e (origin and seq filled here) and stores it as own entry inside the
 * caller's transaction, queued for each of dests. The entry exists only once
 * the caller commits.
 */
static int sign_and_queue(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, int deliveries, char *err)
{
	return lia_node_make_entry(n, e, dests, n_dests, deliveries, NULL, NULL, err);
}

int lia_node_own_stations(struct lia_node *n, const char **dests, int max)
{
	int count = 0;

	if (n->self->role != LIA_ROLE_UNIT)
		return 0;
	for (int i = 0; i < n->charter->n_nodes && count < max; i++) {
		const struct lia_node_def *d = &n->charter->nodes[i];
		if (d->role == LIA_ROLE_STATION && strcmp(d->party, n->self->party) == 0)
			dests[count++] = d->name;
	}
	return count;
}

/* Adds the unit's own stations to dests (a unit forwards what it sends to them); the new count. */
static int add_own_stations(struct lia_node *n, const char **dests, int count)
{
	const char *stations[LIA_MAX_NODES];
	int n_stations = lia_node_own_stations(n, stations, LIA_MAX_NODES);

	for (int i = 0; i < n_stations && count < LIA_MAX_NODES; i++) {
		int j = 0;
		while (j < count && strcmp(dests[j], stations[i]) != 0)
			j++;
		if (j == count)
			dests[count++] = stations[i];
	}
	return count;
}

/* Begins, runs sign_and_queue, commits (which wakes the dests); rolls back on any failure. */
static int commit_own_entry(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, int deliveries, char *err)
{
	if (lia_node_begin(n, err) < 0)
		return -1;
	if (sign_and_queue(n, e, dests, n_dests, deliveries, err) < 0) {
		lia_node_rollback(n);
		return -1;
	}
	return lia_node_commit(n, err);
}

/* Adds one queued entry for each recipient of to into the tally (names borrowed from the charter). */
static int tally_recipients(struct lia_node *n, const char *to, const char **names,
    int64_t *counts, int *n_names, char *err)
{
	const struct lia_node_def *recipients[LIA_MAX_NODES];
	int n_recipients = 0;

	if (lia_charter_recipients(n->charter, to, n->self->name, recipients,
	    LIA_MAX_NODES, &n_recipients, err) < 0)
		return -1;
	for (int i = 0; i < n_recipients; i++) {
		int j = 0;
		while (j < *n_names && strcmp(names[j], recipients[i]->name) != 0)
			j++;
		if (j == *n_names && *n_names == LIA_MAX_NODES)
			continue;
		if (j == *n_names) {
			names[j] = recipients[i]->name;
			counts[j] = 0;
			(*n_names)++;
		}
		counts[j]++;
	}
	return 0;
}

int lia_node_outbox_room(struct lia_node *n, const char *const *to, int n_to, char *err)
{
	const char *names[LIA_MAX_NODES];
	int64_t counts[LIA_MAX_NODES], queued = 0;
	int n_names = 0, rc = -1;

	for (int i = 0; i < n_to; i++)
		if (tally_recipients(n, to[i], names, counts, &n_names, err) < 0)
			goto out;
	for (int i = 0; i < n_names; i++) {
		if (lia_store_outbox_count(n->store, names[i], &queued, err) < 0)
			goto out;
		if (queued + counts[i] > n->cfg.outbox_max) {
			lia_err_set(err, "the outbox toward %s holds %" PRId64 " entries it has not "
			    "confirmed yet; %" PRId64 " more would pass the bound of %d (outbox-max in "
			    "liaisond.conf): nothing was stored, retry later", names[i], queued,
			    counts[i], n->cfg.outbox_max);
			rc = LIA_EFULL;
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

int lia_node_send(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, char id[LIA_ID_LEN], char *err)
{
	return lia_node_send_as(n, to, precedence, lang, text, NULL, id, err);
}

int lia_node_send_as(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, const char *operator_name, char id[LIA_ID_LEN],
    char *err)
{
	const struct lia_node_def *recipients[LIA_MAX_NODES];
	const char *dests[LIA_MAX_NODES];
	struct lia_entry e;
	int n_recipients = 0;

	if (lia_charter_recipients(n->charter, to, n->self->name, recipients,
	    LIA_MAX_NODES, &n_recipients, err) < 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_MESSAGE;
	snprintf(e.to, sizeof(e.to), "%s", to);
	e.precedence = precedence;
	snprintf(e.lang, sizeof(e.lang), "%s", lang);
	e.text = (char *)text; /* borrowed for signing only */
	if (operator_name != NULL)
		snprintf(e.sender_operator, sizeof(e.sender_operator), "%s", operator_name);
	for (int i = 0; i < n_recipients; i++)
		dests[i] = recipients[i]->name;
	if (commit_own_entry(n, &e, dests, n_recipients, 1, err) < 0)
		return -1;
	lia_id_format(e.origin, e.seq, id);
	lia_log_info("sent %s %s to %s (%d recipient%s)", lia_precedence_name(precedence),
	    id, to, n_recipients, n_recipients == 1 ? "" : "s");
	return 0;
}

int lia_node_broadcast_peers(struct lia_node *n, const char **dests, int max, char *err)
{
	int count = 0;

	/* Only the radio makes a broadcast meaningful: everyone in range hears it. */
	if (n->self->role != LIA_ROLE_UNIT)
		return lia_err_set(err, "a station addresses its signals: give --to"), -1;
	for (int i = 0; i < n->cfg.n_radio_peers && count < max; i++)
		dests[count++] = n->cfg.radio_peers[i].node;
	if (count == 0)
		return lia_err_set(err, "unit %s has no radio peer to broadcast to: give --to",
		    n->self->name), -1;
	return count;
}

/* The recipients of a signal to `to`, or of a broadcast ("" or NULL) the radio peers; -1 refused. */
static int signal_recipients(struct lia_node *n, const char *to, const char **dests, char *err)
{
	const struct lia_node_def *recipients[LIA_MAX_NODES];
	int count = 0;

	if (to == NULL || to[0] == '\0')
		return lia_node_broadcast_peers(n, dests, LIA_MAX_NODES, err);
	if (lia_charter_recipients(n->charter, to, n->self->name, recipients,
	    LIA_MAX_NODES, &count, err) < 0)
		return -1;
	for (int i = 0; i < count; i++)
		dests[i] = recipients[i]->name;
	return count;
}

int lia_node_send_signal(struct lia_node *n, const char *to, const struct lia_entry_signal *sigs,
    size_t nsigs, int32_t lat, int32_t lon, char id[LIA_ID_LEN], char *err)
{
	const char *dests[LIA_MAX_NODES];
	struct lia_entry e;
	int n_recipients = 0, n_dests, rc;

	memset(&e, 0, sizeof(e));
	if (nsigs < 1 || nsigs > LIA_ENTRY_SIGNALS_MAX) {
		lia_err_set(err, "%zu signals: one entry carries 1 to %d", nsigs, LIA_ENTRY_SIGNALS_MAX);
		return -1;
	}
	e.type = LIA_ENTRY_SIGNAL;
	e.nsignals = nsigs;
	memcpy(e.signals, sigs, nsigs * sizeof(*sigs));
	e.lat = lat;
	e.lon = lon;
	snprintf(e.to, sizeof(e.to), "%s", to != NULL ? to : "");
	if ((rc = lia_node_check_signals(n, &e, err)) < 0)
		return rc;
	lia_node_narrow_signals(n, &e);
	if ((n_recipients = signal_recipients(n, to, dests, err)) < 0)
		return -1;
	n_dests = add_own_stations(n, dests, n_recipients);
	if (commit_own_entry(n, &e, dests, n_dests, 1, err) < 0)
		return -1;
	lia_id_format(e.origin, e.seq, id);
	lia_log_info("sent signal %s (%s%s) to %s (%d recipient%s)", id, e.signals[0].code,
	    nsigs > 1 ? ", ..." : "", e.to[0] ? e.to : "(all)", n_recipients, n_recipients == 1 ? "" : "s");
	return 0;
}

/* The other stations of this (station) node's party, appended to dests (they keep the incident too). */
static int add_fellow_stations(struct lia_node *n, const char **dests, int n_dests)
{
	for (int i = 0; i < n->charter->n_nodes && n_dests < LIA_MAX_NODES; i++) {
		const struct lia_node_def *d = &n->charter->nodes[i];
		if (d != n->self && d->role == LIA_ROLE_STATION && strcmp(d->party, n->self->party) == 0)
			dests[n_dests++] = d->name;
	}
	return n_dests;
}

int lia_node_incident(struct lia_node *n, struct lia_entry *e, char id[LIA_ID_LEN], char *err)
{
	const struct lia_node_def *recipients[LIA_MAX_NODES];
	const char *dests[LIA_MAX_NODES];
	int n_recipients = 0, rc;

	e->type = LIA_ENTRY_INCIDENT;
	if (lia_charter_recipients(n->charter, e->to, n->self->name, recipients,
	    LIA_MAX_NODES, &n_recipients, err) < 0)
		return LIA_REFUSED; /* the operator's `to`: a refusal, not a failure of the node */
	for (int i = 0; i < n_recipients; i++)
		dests[i] = recipients[i]->name;
	n_recipients = add_fellow_stations(n, dests, n_recipients);
	if (lia_node_begin(n, err) < 0)
		return -1;
	rc = lia_node_make_entry(n, e, dests, n_recipients, 0, NULL, NULL, err);
	if (rc != 0) {
		lia_node_rollback(n);
		return rc;
	}
	if (lia_node_commit(n, err) < 0)
		return -1;
	lia_id_format(e->origin, e->seq, id);
	lia_log_info("incident %s %s to %s (%d recipient%s)", lia_incident_action_name(e->action),
	    id, e->to, n_recipients, n_recipients == 1 ? "" : "s");
	return 0;
}

/* Checks that (origin, seq) is a message this node received, and returns its hash. */
static int received_message_hash(struct lia_node *n, const char *origin, uint64_t seq,
    uint8_t hash[32], char *err)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	enum lia_dir dir;
	struct lia_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = lia_store_get_entry(n->store, origin, seq, &cose, &cose_len, &dir, hash, err);
	if (rc < 0)
		return rc;
	rc = lia_entry_open(cose, cose_len, &e, err);
	if (rc == 0 && (dir != LIA_DIR_IN || e.type != LIA_ENTRY_MESSAGE)) {
		lia_err_set(err, "%s/%" PRIu64 " is not a message received by %s",
		    origin, seq, n->self->name);
		rc = LIA_ENOTFOUND;
	}
	lia_entry_finish(&e);
	free(cose);
	return rc;
}

int lia_node_ack(struct lia_node *n, const char *origin, uint64_t seq,
    const char *operator_name, char id[LIA_ID_LEN], char *err)
{
	const char *dests[1] = {origin};
	struct lia_entry e;
	uint64_t ack_seq;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = received_message_hash(n, origin, seq, e.ref_hash, err);
	if (rc < 0)
		return rc;
	rc = lia_store_find_ack(n->store, origin, seq, n->self->name, &ack_seq, err);
	if (rc == 0) {
		lia_id_format(n->self->name, ack_seq, id);
		lia_err_set(err, "%s/%" PRIu64 " is already acknowledged by %s", origin, seq, id);
		return LIA_EDUP;
	}
	if (rc != LIA_ENOTFOUND)
		return rc;
	e.type = LIA_ENTRY_ACK;
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", origin);
	e.ref_seq = seq;
	snprintf(e.operator_name, sizeof(e.operator_name), "%s", operator_name);
	if (commit_own_entry(n, &e, dests, 1, 0, err) < 0)
		return -1;
	lia_id_format(e.origin, e.seq, id);
	lia_log_info("acknowledged %s/%" PRIu64 " as %s by operator %s", origin, seq, id,
	    operator_name);
	return 0;
}

int lia_node_receipt(struct lia_node *n, const char *peer, const struct lia_entry *msg,
    const uint8_t msg_hash[32], char *err)
{
	const char *dests[1] = {peer};
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_RECEIPT;
	e.narrow = msg->type == LIA_ENTRY_SIGNAL; /* a signal's receipt may cross the same radio */
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", msg->origin);
	e.ref_seq = msg->seq;
	memcpy(e.ref_hash, msg_hash, 32);
	return sign_and_queue(n, &e, dests, 1, 0, err);
}

int lia_node_linktest(struct lia_node *n, const char *peer, uint64_t nonce, uint64_t *seq,
    uint8_t hash[32], char *err)
{
	const char *dests[1] = {peer};
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST;
	snprintf(e.to, sizeof(e.to), "%s", peer);
	e.nonce = nonce;
	if (commit_own_entry(n, &e, dests, 1, 0, err) < 0 ||
	    lia_store_get_entry(n->store, n->self->name, e.seq, NULL, NULL, NULL, hash, err) < 0)
		return -1;
	*seq = e.seq;
	return 0;
}

int lia_node_linktest_answer(struct lia_node *n, const char *peer, const struct lia_entry *test,
    const uint8_t test_hash[32], char *err)
{
	const char *dests[1] = {peer};
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST_ANSWER;
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", test->origin);
	e.ref_seq = test->seq;
	memcpy(e.ref_hash, test_hash, 32);
	e.nonce = test->nonce;
	e.heard_ms = lia_now_ms();
	return sign_and_queue(n, &e, dests, 1, 0, err);
}

int lia_node_overdue_notice(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, char *err)
{
	e->type = LIA_ENTRY_OVERDUE;
	return sign_and_queue(n, e, dests, n_dests, 0, err);
}

