/*
 * node.c - the node: its identity, charter, store and links, and the two
 * things an operator does that make entries here (send and acknowledge).
 * Every own entry is composed, signed and committed in this file, so there is
 * one narrow place where the node key is used (see STYLE.md, "for security").
 */
#include "node_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "clock.h"
#include "deadline_timer.h"
#include "err.h"
#include "incident.h"
#include "log.h"
#include "radio.h"
#include "record.h"
#include "session.h"

struct lia_store *lia_node_store(struct lia_node *n) { return n->store; }
const struct lia_charter *lia_node_charter(const struct lia_node *n) { return n->charter; }
const char *lia_node_name(const struct lia_node *n) { return n->self->name; }
const char *lia_node_party(const struct lia_node *n) { return n->self->party; }

struct lia_link *lia_node_link(struct lia_node *n, const char *peer)
{
	for (int i = 0; i < n->n_links; i++)
		if (strcmp(n->links[i].peer->name, peer) == 0)
			return &n->links[i];
	return NULL;
}

/* Pushes newly committed entries towards dest when its link is up. */
static void wake_link(struct lia_node *n, const char *dest)
{
	struct lia_link *l = lia_node_link(n, dest);

	if (l != NULL && l->state == LIA_LINK_UP)
		lia_session_pump(l);
	else if (l == NULL)
		lia_radio_wake(n->radio, dest);
}

/*
 * Stores own entry e: 0, negative on failure, or 1 when incident.c refuses an
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
	    lia_entry_sign(e, n->key, &cose, &cose_len, err) < 0)
		goto out;
	if ((rc = store_own_entry(n, e, cose, cose_len, err)) != 0)
		goto out;
	rc = -1;
	for (int i = 0; i < n_dests; i++) {
		if (lia_store_queue(n->store, dests[i], e->seq, err) < 0)
			goto out;
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

/* Begins, runs sign_and_queue, commits; rolls back on any failure. */
static int commit_own_entry(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, int deliveries, char *err)
{
	if (lia_store_begin(n->store, err) < 0)
		return -1;
	if (sign_and_queue(n, e, dests, n_dests, deliveries, err) < 0) {
		lia_store_rollback(n->store);
		return -1;
	}
	if (lia_store_commit(n->store, err) < 0) {
		lia_store_rollback(n->store);
		return -1;
	}
	lia_record_appended(n);
	lia_deadline_rearm(n);
	return 0;
}

int lia_node_send(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, char id[LIA_ID_LEN], char *err)
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
	for (int i = 0; i < n_recipients; i++)
		dests[i] = recipients[i]->name;
	if (commit_own_entry(n, &e, dests, n_recipients, 1, err) < 0)
		return -1;
	lia_id_format(e.origin, e.seq, id);
	lia_log_info("sent %s %s to %s (%d recipient%s)", lia_precedence_name(precedence),
	    id, to, n_recipients, n_recipients == 1 ? "" : "s");
	for (int i = 0; i < n_recipients; i++)
		wake_link(n, dests[i]);
	return 0;
}

/* sg's catalogue entry, by number or code (both must agree when both are given); -1 or LIA_ENOTFOUND with err. */
static int signal_def(struct lia_node *n, const struct lia_entry_signal *sg,
    const struct lia_signal **def, char *err)
{
	if (n->signals == NULL) {
		lia_err_set(err, "node %s has no signal catalogue (%s is absent): signals are refused",
		    n->self->name, n->cfg.signals_path);
		return -1;
	}
	*def = sg->number != 0 ? lia_signal_find_number(n->signals, sg->number) :
	    lia_signal_find(n->signals, sg->code);
	if (*def == NULL && sg->number != 0) {
		lia_err_set(err, "unknown signal number %u", sg->number);
		return LIA_ENOTFOUND;
	}
	if (*def == NULL) {
		lia_err_set(err, "unknown signal code \"%s\"", sg->code);
		return LIA_ENOTFOUND;
	}
	if (sg->number != 0 && sg->code[0] != '\0' && strcmp(sg->code, (*def)->code) != 0) {
		lia_err_set(err, "signal number %u is %s in our catalogue, not %s", sg->number,
		    (*def)->code, sg->code);
		return -1;
	}
	return 0;
}

/*
 * The catalogue's parameter names for sg's values, in order, into args, numbers written back
 * as text into vals (see lia_signal_value_unpack); -1 with err when they do not match.
 */
static int signal_args(struct lia_node *n, const struct lia_entry_signal *sg,
    const struct lia_signal **def, struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX],
    char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1], char *err)
{
	int rc = signal_def(n, sg, def, err);

	if (rc != 0)
		return rc;
	if ((*def)->nparams != sg->nparams) {
		lia_err_set(err, "signal %s takes %zu parameter%s, not %zu", (*def)->code,
		    (*def)->nparams, (*def)->nparams == 1 ? "" : "s", sg->nparams);
		return -1;
	}
	for (size_t i = 0; i < sg->nparams; i++) {
		args[i].name = (*def)->params[i].name;
		args[i].value = sg->params[i];
		if (sg->is_num[i] && lia_signal_value_unpack(*def, i, sg->num[i], vals[i],
		    sizeof(vals[i]), err) != 0)
			return -1;
		if (sg->is_num[i])
			args[i].value = vals[i];
	}
	return 0;
}

int lia_node_check_signals(struct lia_node *n, const struct lia_entry *e, char *err)
{
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
	const struct lia_signal *def = NULL;
	int rc = 0;

	for (size_t i = 0; i < e->nsignals && rc == 0; i++) {
		rc = signal_args(n, &e->signals[i], &def, args, vals, err);
		if (rc == 0)
			rc = lia_signal_check(n->signals, def->code, args, e->signals[i].nparams, err);
	}
	return rc;
}

const char *lia_node_signal_code(struct lia_node *n, unsigned number)
{
	const struct lia_signal *def = n->signals != NULL ?
	    lia_signal_find_number(n->signals, number) : NULL;

	return def != NULL ? def->code : NULL;
}

int lia_node_render_signal(struct lia_node *n, const struct lia_entry_signal *sg,
    enum lia_signal_lang lang, char *out, size_t cap, char *err)
{
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
	const struct lia_signal *def = NULL;
	int rc = signal_args(n, sg, &def, args, vals, err);

	if (rc == 0)
		rc = lia_signal_render(n->signals, def->code, lang, args, sg->nparams, out, cap, err);
	return rc;
}

/* Puts checked signals in the narrow form (docs/wire.md): catalogue numbers, numeric values as uints. */
static void narrow_signals(struct lia_node *n, struct lia_entry *e)
{
	char ignored[LIA_ERR_LEN];
	const struct lia_signal *def;
	unsigned long num;

	e->narrow = 1;
	for (size_t i = 0; i < e->nsignals; i++) {
		struct lia_entry_signal *sg = &e->signals[i];

		if (signal_def(n, sg, &def, ignored) != 0)
			continue; /* checked before: cannot happen */
		sg->number = def->number;
		for (size_t j = 0; j < sg->nparams; j++)
			if (def->params[j].type != LIA_SIGNAL_TEXT &&
			    lia_signal_value_pack(def, j, sg->params[j], &num, ignored) == 0) {
				sg->is_num[j] = 1;
				sg->num[j] = (uint32_t)num;
			}
	}
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
	narrow_signals(n, &e);
	if ((n_recipients = signal_recipients(n, to, dests, err)) < 0)
		return -1;
	n_dests = add_own_stations(n, dests, n_recipients);
	if (commit_own_entry(n, &e, dests, n_dests, 1, err) < 0)
		return -1;
	lia_id_format(e.origin, e.seq, id);
	lia_log_info("sent signal %s (%s%s) to %s (%d recipient%s)", id, e.signals[0].code,
	    nsigs > 1 ? ", ..." : "", e.to[0] ? e.to : "(all)", n_recipients, n_recipients == 1 ? "" : "s");
	for (int i = 0; i < n_dests; i++)
		wake_link(n, dests[i]);
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
		return 1; /* the operator's `to`: a refusal, not a failure of the node */
	for (int i = 0; i < n_recipients; i++)
		dests[i] = recipients[i]->name;
	n_recipients = add_fellow_stations(n, dests, n_recipients);
	if (lia_store_begin(n->store, err) < 0)
		return -1;
	rc = lia_node_make_entry(n, e, dests, n_recipients, 0, NULL, NULL, err);
	if (rc != 0 || lia_store_commit(n->store, err) < 0) {
		lia_store_rollback(n->store);
		return rc != 0 ? rc : -1;
	}
	lia_record_appended(n);
	lia_id_format(e->origin, e->seq, id);
	lia_log_info("incident %s %s to %s (%d recipient%s)", lia_incident_action_name(e->action),
	    id, e->to, n_recipients, n_recipients == 1 ? "" : "s");
	for (int i = 0; i < n_recipients; i++)
		wake_link(n, dests[i]);
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
	wake_link(n, origin);
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
	wake_link(n, peer);
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

int lia_node_public_key(struct lia_node *n, const char *name, EVP_PKEY **out, char *err)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	X509 *cert = NULL;
	struct lia_identity id;
	int rc;

	if (strcmp(name, n->self->name) == 0) {
		if (EVP_PKEY_up_ref(n->pub) != 1)
			return -1;
		*out = n->pub;
		return 0;
	}
	rc = lia_store_get_cert(n->store, name, &der, &der_len, err);
	if (rc < 0)
		return rc;
	rc = -1;
	if (lia_cert_from_der(der, der_len, &cert, err) < 0 ||
	    lia_cert_check(n->charter, cert, &id, err) < 0)
		goto out;
	if (strcmp(id.node, name) != 0) {
		lia_err_set(err, "certificate stored for %s names node %s", name, id.node);
		goto out;
	}
	*out = X509_get_pubkey(cert);
	rc = *out ? 0 : -1;
out:
	X509_free(cert);
	free(der);
	return rc;
}

int lia_node_cert_der(struct lia_node *n, const char *name, uint8_t **der, size_t *len, char *err)
{
	if (strcmp(name, n->self->name) == 0)
		return lia_cert_to_der(n->cert, der, len, err);
	return lia_store_get_cert(n->store, name, der, len, err);
}

json_t *lia_node_radio_json(struct lia_node *n)
{
	return lia_radio_json(n->radio);
}

json_t *lia_node_links_json(struct lia_node *n)
{
	json_t *links = json_array();
	char since[LIA_TIME_LEN];

	for (int i = 0; i < n->n_links; i++) {
		struct lia_link *l = &n->links[i];
		int64_t queued = -1;
		char err[LIA_ERR_LEN];

		lia_store_outbox_count(n->store, l->peer->name, &queued, err);
		lia_time_format(l->since_ms, since);
		json_t *o = json_pack(
		    "{s:s, s:s, s:s+++, s:s, s:s, s:s?, s:i, s:I, s:b, s:I, s:I, s:I, s:I}",
		    "peer", l->peer->name, "party", l->peer->party,
		    "address", l->peer->host, ":", l->peer->port, "",
		    "state", lia_link_state_name(l->state), "since", since,
		    "last_error", l->last_error[0] ? l->last_error : NULL,
		    "rtt_ms", l->rtt_ms, "outbox", (json_int_t)queued,
		    "charter_mismatch", l->charter_mismatch,
		    "frames_in", (json_int_t)l->frames_in,
		    "frames_out", (json_int_t)l->frames_out,
		    "rejected", (json_int_t)l->rejected,
		    "reconnects", (json_int_t)l->reconnects);
		if (o != NULL)
			lia_link_status_json(l, o);
		json_array_append_new(links, o);
	}
	return links;
}

/* Loads the node's key and certificate and checks the certificate names this node in the charter. */
static int load_identity(struct lia_node *n, char *err)
{
	char path[4200];
	X509 *cert = NULL;
	struct lia_identity id;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/node.key", n->cfg.dir);
	if (lia_cert_load_key(path, &n->key, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/node.crt", n->cfg.dir);
	if (lia_cert_load(path, &cert, err) < 0)
		goto out;
	if (lia_cert_check(n->charter, cert, &id, err) < 0)
		goto out;
	if (strcmp(id.node, n->cfg.node) != 0) {
		lia_err_set(err, "%s names node %s but liaisond.conf says %s", path, id.node,
		    n->cfg.node);
		goto out;
	}
	n->pub = X509_get_pubkey(cert);
	if (n->pub == NULL || EVP_PKEY_eq(n->pub, n->key) != 1) {
		lia_err_set(err, "%s does not match %s/node.key", path, n->cfg.dir);
		goto out;
	}
	if (lia_link_tls_context(n->charter, path, n->key, (void **)&n->tls, err) < 0)
		goto out;
	n->cert = cert;
	cert = NULL;
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

/* The catalogue at cfg.signals_path; an absent file leaves signals refused, a bad one stops the node. */
static int load_signals(struct lia_node *n, char *err)
{
	struct stat st;

	if (stat(n->cfg.signals_path, &st) < 0 && errno == ENOENT) {
		lia_log_warn("no signal catalogue at %s: signal entries will be refused",
		    n->cfg.signals_path);
		return 0;
	}
	return lia_signal_catalogue_load(n->cfg.signals_path, &n->signals, err) < 0 ? -1 : 0;
}

static int open_links(struct lia_node *n, char *err)
{
	for (int i = 0; i < n->charter->n_nodes; i++) {
		const struct lia_node_def *peer = &n->charter->nodes[i];
		/* Units of different parties talk over the unit link when one is configured. */
		if (peer == n->self || lia_config_radio_peer(&n->cfg, peer->name) != NULL)
			continue;
		if (lia_link_init(&n->links[n->n_links], n, peer, err) < 0)
			return -1;
		n->n_links++;
	}
	return 0;
}

int lia_node_create(const struct lia_config *cfg, struct event_base *base,
    struct lia_node **out, char *err)
{
	struct lia_node *n = calloc(1, sizeof(*n));
	char path[4200];

	if (n == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	n->cfg = *cfg;
	n->base = base;
	if (lia_charter_load(cfg->charter_path, &n->charter, err) < 0)
		goto fail;
	n->self = lia_charter_node(n->charter, cfg->node);
	if (n->self == NULL) {
		lia_err_set(err, "%s/liaisond.conf: node %s is not in the charter %s", cfg->dir,
		    cfg->node, cfg->charter_path);
		goto fail;
	}
	if (load_identity(n, err) < 0 || load_signals(n, err) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/liaison.db", cfg->dir);
	if (lia_store_open(path, &n->store, err) < 0 || open_links(n, err) < 0 ||
	    lia_radio_create(n, &n->radio, err) < 0)
		goto fail;
	*out = n;
	return 0;
fail:
	lia_node_destroy(n);
	return -1;
}

/* The listen line's address, or else every address of this node in the charter (its paths). */
static int listen_all(struct lia_node *n, char *err)
{
	if (n->cfg.listen_host[0])
		return lia_link_listen(n, n->cfg.listen_host, n->cfg.listen_port, err);
	for (int i = 0; i < n->self->n_addrs; i++)
		if (lia_link_listen(n, n->self->addrs[i].host, n->self->addrs[i].port, err) < 0)
			return -1;
	return 0;
}

int lia_node_start(struct lia_node *n, char *err)
{
	const char *host = n->cfg.listen_host[0] ? n->cfg.listen_host : n->self->host;
	const char *port = n->cfg.listen_port[0] ? n->cfg.listen_port : n->self->port;

	if (listen_all(n, err) < 0 || lia_record_start(n, err) < 0 ||
	    lia_deadline_start(n, err) < 0 || lia_radio_start(n->radio, err) < 0)
		return -1;
	for (int i = 0; i < n->n_links; i++)
		lia_link_start(&n->links[i]);
	lia_log_info("node %s of %s listening on %s:%s%s with %d peer%s", n->self->name,
	    n->self->party, host, port, n->n_listeners > 1 ? " and its other addresses" : "",
	    n->n_links, n->n_links == 1 ? "" : "s");
	return 0;
}

void lia_node_destroy(struct lia_node *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->n_links; i++)
		lia_link_finish(&n->links[i]);
	lia_radio_destroy(n->radio);
	for (int i = 0; i < n->n_listeners; i++)
		evconnlistener_free(n->listeners[i]);
	for (int i = 0; i < LIA_PROOF_WAITS; i++)
		if (n->waits[i].timer)
			event_free(n->waits[i].timer);
	if (n->checkpoint_timer)
		event_free(n->checkpoint_timer);
	lia_deadline_stop(n);
	X509_free(n->cert);
	SSL_CTX_free(n->tls);
	lia_store_close(n->store);
	EVP_PKEY_free(n->key);
	EVP_PKEY_free(n->pub);
	lia_charter_free(n->charter);
	lia_signal_catalogue_free(n->signals);
	free(n);
}
