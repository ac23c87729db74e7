/*
 * test_engine.c - the engine's accept rules for what comes over a TLS
 * session (engine/accept.c), its one commit and the wake-ups it runs
 * (engine/commit.c), on a real node (tokyo, a station of japan) with a fake
 * transport and no sockets: for every entry type an accepted case and each
 * refusal the engine makes. What a transport checks itself (the signer
 * against the peer's certificate, prev against the cursor, replays) is the
 * session's and is covered by tests/integ/11-, 13- and 14-.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_fixture.h"
#include "err.h"
#include "linktest.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "store_incident.h"
#include "transport.h"

static int setup(void **state)
{
	static struct efx f;

	efx_open(&f, "tokyo");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	efx_close(*state);
	return 0;
}

static struct lia_entry message(const char *origin, const char *to)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_MESSAGE;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	snprintf(e.to, sizeof(e.to), "%s", to);
	e.precedence = LIA_FLASH;
	snprintf(e.lang, sizeof(e.lang), "zh");
	e.text = "保持航向";
	return e;
}

/* An entry of type that refers to origin/seq by the hash the node holds (hash NULL: that one). */
static struct lia_entry reference(enum lia_entry_type type, const char *from, const char *origin,
    uint64_t seq, const uint8_t *hash, struct efx *f)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	snprintf(e.origin, sizeof(e.origin), "%s", from);
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", origin);
	e.ref_seq = seq;
	if (hash != NULL)
		memcpy(e.ref_hash, hash, 32);
	else
		efx_hash(f, origin, seq, e.ref_hash);
	if (type == LIA_ENTRY_ACK)
		snprintf(e.operator_name, sizeof(e.operator_name), "Wang");
	return e;
}

/* tokyo sends a message to beijing (the API's path): its seq. */
static uint64_t send_to_beijing(struct efx *f)
{
	char id[LIA_ID_LEN], err[LIA_ERR_LEN] = "", origin[LIA_NAME_MAX + 1];
	uint64_t seq = 0;

	if (lia_node_send(f->node, "beijing", LIA_FLASH, "ja", "針路を保持せよ", id, err) < 0)
		fail_msg("send: %s", err);
	assert_int_equal(lia_id_parse(id, origin, &seq, err), 0);
	assert_string_equal(origin, "tokyo");
	return seq;
}

/* ---- commit: the one place that commits, and what it wakes ---- */

static void test_compose_commits_then_wakes(void **state)
{
	struct efx *f = *state;
	uint64_t seq = send_to_beijing(f);

	assert_true(efx_has(f, "tokyo", seq));
	assert_int_equal(efx_outbox(f, "beijing"), 1);
	assert_true(efx_woken(f, "beijing"));
	assert_false(efx_woken(f, "kaiyo"));
	assert_int_equal(f->t.woken_in_tx, 0);
}

static void test_rollback_wakes_nothing(void **state)
{
	struct efx *f = *state;
	struct lia_inbound in = {.peer = lia_charter_node(lia_node_charter(f->node), "beijing"),
	    .via = LIA_VIA_LINK};
	struct lia_entry e = message("beijing", "tokyo"), opened;
	struct lia_accepted out;
	EVP_PKEY *key = efx_key("beijing");
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t len = 0;

	efx_sign(f, key, &e, &cose, &len);
	assert_int_equal(lia_entry_open(cose, len, &opened, err), 0);
	assert_int_equal(lia_node_begin(f->node, err), 0);
	assert_int_equal(lia_node_accept(f->node, &in, &opened, cose, len, &out, err), 0);
	assert_int_equal(f->t.n_woken, 0); /* the receipt is queued, but nothing leaves yet */
	lia_node_rollback(f->node);
	assert_int_equal(f->t.n_woken, 0);
	assert_false(efx_has(f, "beijing", e.seq));
	assert_int_equal(efx_outbox(f, "beijing"), 0);
	lia_entry_finish(&opened);
	EVP_PKEY_free(key);
	free(cose);
}

/* ---- message ---- */

static void test_message_accepted(void **state)
{
	struct efx *f = *state;
	struct lia_entry e = message("beijing", "japan");
	char err[LIA_ERR_LEN] = "";
	int64_t next = 0;

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &e, NULL, err), 0);
	assert_true(efx_has(f, "beijing", e.seq));
	assert_int_equal(efx_outbox(f, "beijing"), 1);      /* our receipt */
	assert_true(efx_woken(f, "beijing"));
	assert_int_equal(lia_store_deadline_next(lia_node_store(f->node), &next, err), 0);
}

static void test_message_misaddressed_refused(void **state)
{
	struct efx *f = *state;
	struct lia_entry e = message("beijing", "kaiyo");
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &e, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "does not include tokyo"));
	assert_false(efx_has(f, "beijing", e.seq));
	assert_int_equal(efx_outbox(f, "beijing"), 0);
	assert_int_equal(f->t.n_woken, 0);
}

/* ---- receipt ---- */

static void test_receipt_accepted_once(void **state)
{
	struct efx *f = *state;
	uint64_t seq = send_to_beijing(f);
	struct lia_entry r = reference(LIA_ENTRY_RECEIPT, "beijing", "tokyo", seq, NULL, f);
	struct lia_entry again = reference(LIA_ENTRY_RECEIPT, "beijing", "tokyo", seq, NULL, f);
	struct lia_accepted out;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &r, &out, err), 0);
	assert_int_equal(out.receipted, seq);
	assert_int_equal(out.first, 1);
	assert_null(out.answer);
	assert_true(efx_has(f, "beijing", r.seq));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &again, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "is already receipted by beijing"));
	assert_false(efx_has(f, "beijing", again.seq));
}

static void test_receipt_refusals(void **state)
{
	struct efx *f = *state;
	uint64_t seq = send_to_beijing(f);
	uint8_t wrong[32] = {1};
	struct lia_entry other = reference(LIA_ENTRY_RECEIPT, "beijing", "kaiyo", seq, wrong, f);
	struct lia_entry forged = reference(LIA_ENTRY_RECEIPT, "beijing", "tokyo", seq, wrong, f);
	struct lia_entry stranger = reference(LIA_ENTRY_RECEIPT, "kaiyo", "tokyo", seq, NULL, f);
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &other, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "not a message of ours"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &forged, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "does not match ours"));
	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &stranger, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "which was not sent to kaiyo"));
}

/* ---- acknowledgement ---- */

static void test_ack_accepted_once(void **state)
{
	struct efx *f = *state;
	uint64_t seq = send_to_beijing(f);
	struct lia_entry a = reference(LIA_ENTRY_ACK, "beijing", "tokyo", seq, NULL, f);
	struct lia_entry again = reference(LIA_ENTRY_ACK, "beijing", "tokyo", seq, NULL, f);
	uint8_t wrong[32] = {2};
	struct lia_entry forged = reference(LIA_ENTRY_ACK, "beijing", "tokyo", seq, wrong, f);
	char err[LIA_ERR_LEN] = "";
	uint64_t ack_seq = 0;

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &forged, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "does not match ours"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &a, NULL, err), 0);
	assert_int_equal(lia_store_find_ack(lia_node_store(f->node), "tokyo", seq, "beijing",
	    &ack_seq, err), 0);
	assert_int_equal(ack_seq, a.seq);
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &again, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "already acknowledged"));
}

/* ---- signal over a session ---- */

static struct lia_entry signal_entry(const char *origin, const char *to, unsigned number)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_SIGNAL;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	snprintf(e.to, sizeof(e.to), "%s", to);
	e.nsignals = 1;
	if (number != 0)
		e.signals[0].number = number;
	else
		snprintf(e.signals[0].code, sizeof(e.signals[0].code), "D");
	e.lat = 3150000;
	e.lon = 12475000;
	return e;
}

static void test_signal_accepted_with_receipt(void **state)
{
	struct efx *f = *state;
	struct lia_entry s = signal_entry("beijing", "tokyo", 0);
	struct lia_accepted out;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &s, &out, err), 0);
	assert_true(efx_has(f, "beijing", s.seq));
	assert_int_equal(efx_outbox(f, "beijing"), 1);   /* the receipt rides the session */
	assert_null(out.answer);                         /* nothing handed back on a session */
	assert_int_equal(out.relayed, 0);
}

static void test_signal_refusals(void **state)
{
	struct efx *f = *state;
	struct lia_entry unknown = signal_entry("beijing", "tokyo", 999);
	struct lia_entry broadcast = signal_entry("beijing", "", 0);
	struct lia_entry elsewhere = signal_entry("beijing", "kaiyo", 0);
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &unknown, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "unknown signal number 999"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &broadcast, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "is a broadcast"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &elsewhere, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "does not include tokyo"));
	assert_int_equal(efx_outbox(f, "beijing"), 0);
}

/* A station takes its own unit's copy of a signal addressed elsewhere, broadcasts too. */
static void test_signal_own_unit_copy_accepted(void **state)
{
	struct efx *f = *state;
	struct lia_entry copy = signal_entry("kaiyo", "haixun", 0);
	struct lia_entry broadcast = signal_entry("kaiyo", "", 0);
	struct lia_entry not_own = signal_entry("haixun", "kaiyo", 0);
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &copy, NULL, err), 0);
	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &broadcast, NULL, err), 0);
	assert_int_equal(efx_outbox(f, "kaiyo"), 2);
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_LINK, &not_own, NULL, err), LIA_REFUSED);
}

/* ---- incident ---- */

static struct lia_entry incident_open(const char *origin, const char *to)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_INCIDENT;
	e.action = LIA_INCIDENT_OPEN;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	snprintf(e.to, sizeof(e.to), "%s", to);
	snprintf(e.inc_text, sizeof(e.inc_text), "Near collision, 30 nm east of the line");
	return e;
}

static void test_incident_accepted_and_refused(void **state)
{
	struct efx *f = *state;
	struct lia_entry open = incident_open("beijing", "japan");
	struct lia_entry other = incident_open("beijing", "china");
	struct lia_entry from_signal = incident_open("beijing", "japan");
	struct lia_entry by_unit = incident_open("haixun", "japan");
	char err[LIA_ERR_LEN] = "";
	json_t *o = NULL;

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &open, NULL, err), 0);
	assert_int_equal(lia_store_incident_json(lia_node_store(f->node), "beijing", open.seq, &o,
	    err), 0);
	json_decref(o);
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &other, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "is addressed to china"));
	snprintf(from_signal.subj_origin, sizeof(from_signal.subj_origin), "beijing");
	from_signal.subj_seq = 99;
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &from_signal, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "which is not stored here"));
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_LINK, &by_unit, NULL, err), LIA_REFUSED);
	assert_false(efx_has(f, "haixun", by_unit.seq));
}

/* ---- overdue notice ---- */

static struct lia_entry notice(struct efx *f, const char *late, uint64_t seq, const uint8_t *hash)
{
	struct lia_entry e = reference(LIA_ENTRY_OVERDUE, "beijing", "beijing", seq, hash, f);

	e.precedence = LIA_FLASH;
	snprintf(e.late_node, sizeof(e.late_node), "%s", late);
	e.deadline = LIA_DEADLINE_ACK;
	e.step = 1;
	e.late_s = 30;
	e.due_ms = 1795779511000;
	return e;
}

static void test_overdue_notice_accepted_and_refused(void **state)
{
	struct efx *f = *state;
	struct lia_entry m = message("beijing", "tokyo");
	uint8_t wrong[32] = {3};
	char err[LIA_ERR_LEN] = "";
	struct lia_entry good, stranger, not_ours, forged;

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &m, NULL, err), 0);
	good = notice(f, "tokyo", m.seq, NULL);
	stranger = notice(f, "nobody", m.seq, NULL);
	not_ours = notice(f, "kaiyo", m.seq, NULL);
	forged = notice(f, "tokyo", m.seq, wrong);
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &good, NULL, err), 0);
	assert_true(efx_has(f, "beijing", good.seq));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &stranger, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "not in the charter"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &not_ours, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "neither it nor its escalation target"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &forged, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "did not receive as named"));
}

/* ---- link test and its answer ---- */

static void test_linktest_answered(void **state)
{
	struct efx *f = *state;
	struct lia_entry t, elsewhere;
	char err[LIA_ERR_LEN] = "";

	memset(&t, 0, sizeof(t));
	t.type = LIA_ENTRY_LINKTEST;
	snprintf(t.origin, sizeof(t.origin), "beijing");
	snprintf(t.to, sizeof(t.to), "tokyo");
	t.nonce = 77;
	elsewhere = t;
	snprintf(elsewhere.to, sizeof(elsewhere.to), "kaiyo");
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &t, NULL, err), 0);
	assert_int_equal(efx_outbox(f, "beijing"), 1);   /* our signed answer */
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &elsewhere, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "is for kaiyo, not tokyo"));
}

/* The own test tokyo/seq as stored (its nonce). */
static uint64_t own_test_nonce(struct efx *f, uint64_t seq)
{
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_entry e;
	uint64_t nonce;

	memset(&e, 0, sizeof(e));
	assert_int_equal(lia_store_get_entry(lia_node_store(f->node), "tokyo", seq, &cose, &len,
	    NULL, NULL, err), 0);
	assert_int_equal(lia_entry_open(cose, len, &e, err), 0);
	assert_int_equal(e.type, LIA_ENTRY_LINKTEST);
	nonce = e.nonce;
	lia_entry_finish(&e);
	free(cose);
	return nonce;
}

static void test_linktest_answer_accepted_and_refused(void **state)
{
	struct efx *f = *state;
	char err[LIA_ERR_LEN] = "";
	struct lia_entry a, wrong_nonce, not_ours, from_other;
	json_t *figures;

	assert_int_equal(lia_linktest_send(f->node, "beijing", NULL, err), 0);
	assert_true(efx_woken(f, "beijing"));
	a = reference(LIA_ENTRY_LINKTEST_ANSWER, "beijing", "tokyo", 1, NULL, f);
	a.nonce = own_test_nonce(f, 1);
	a.heard_ms = 1795779511000;
	wrong_nonce = a;
	wrong_nonce.nonce ^= 1;
	not_ours = a;
	snprintf(not_ours.ref_origin, sizeof(not_ours.ref_origin), "kaiyo");
	from_other = a;
	snprintf(from_other.origin, sizeof(from_other.origin), "kaiyo");
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &wrong_nonce, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "not a link test we sent to beijing"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &not_ours, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "not a test of ours"));
	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &from_other, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "not a link test we sent to kaiyo"));
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &a, NULL, err), 0);
	figures = lia_linktest_json(f->node, "beijing");
	assert_int_equal(json_integer_value(json_object_get(figures, "answered")), 1);
	assert_false(json_is_true(json_object_get(figures, "pending")));
	json_decref(figures);
}

/* ---- relay (a station's own unit, around a signal heard on the radio) ---- */

/* A relay by kaiyo around haixun's signal to kaiyo, its inner entry signed with inner_key. */
static struct lia_entry relay(struct efx *f, const char *by, EVP_PKEY *inner_key,
    uint8_t **inner, uint8_t **der)
{
	struct lia_entry s = signal_entry("haixun", "kaiyo", 0), r;
	size_t len = 0, der_len = 0;

	efx_sign(f, inner_key, &s, inner, &len);
	*der = efx_cert_der("haixun", &der_len);
	memset(&r, 0, sizeof(r));
	r.type = LIA_ENTRY_RELAY;
	snprintf(r.origin, sizeof(r.origin), "%s", by);
	r.inner = *inner;
	r.inner_len = len;
	r.inner_cert = *der;
	r.inner_cert_len = der_len;
	return r;
}

static void test_relay_accepted_and_refused(void **state)
{
	struct efx *f = *state;
	EVP_PKEY *haixun = efx_key("haixun"), *beijing = efx_key("beijing");
	uint8_t *inner[3] = {0}, *der[3] = {0};
	struct lia_entry good = relay(f, "kaiyo", haixun, &inner[0], &der[0]);
	struct lia_entry not_own = relay(f, "beijing", haixun, &inner[1], &der[1]);
	struct lia_entry forged = relay(f, "kaiyo", beijing, &inner[2], &der[2]);
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &good, NULL, err), 0);
	assert_true(efx_has(f, "haixun", 1));      /* the inner signal, on its own signature */
	assert_int_equal(efx_outbox(f, "kaiyo"), 1); /* our receipt of the relay */
	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_LINK, &not_own, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "only a unit of japan relays to tokyo"));
	assert_int_equal(efx_accept(f, "kaiyo", LIA_VIA_LINK, &forged, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "not a signal signed by its origin"));
	assert_false(efx_has(f, "haixun", 3));
	for (int i = 0; i < 3; i++) {
		free(inner[i]);
		free(der[i]);
	}
	EVP_PKEY_free(haixun);
	EVP_PKEY_free(beijing);
}

/* ---- what only the radio carries, and what it does not ---- */

static void test_session_types_refused_on_radio(void **state)
{
	struct efx *f = *state;
	struct lia_entry m = message("beijing", "tokyo");
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "beijing", LIA_VIA_RADIO, &m, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "only signals and receipts travel on the unit link"));
	assert_false(efx_has(f, "beijing", m.seq));
}

/* ---- a frame the engine initiates goes through a transport that has the peer up ---- */

static void proof_done(void *ctx, json_t *result)
{
	json_t **out = ctx;

	*out = result;
}

static void test_proof_request_needs_a_transport_up(void **state)
{
	struct efx *f = *state;
	json_t *result = NULL, *links = lia_node_links_json(f->node);
	json_t *radio = lia_node_radio_json(f->node);

	lia_record_ask_proof(f->node, "beijing", "tokyo", 1, proof_done, &result);
	assert_int_equal(f->t.sends, 1);                 /* asked of the transport */
	assert_non_null(result);
	assert_false(json_is_true(json_object_get(result, "verified")));
	assert_non_null(strstr(json_string_value(json_object_get(result, "error")),
	    "beijing is not linked now"));
	json_decref(result);
	assert_true(json_is_array(links));   /* a transport without status: an empty list */
	assert_true(json_is_null(radio));    /* no radio registered */
	json_decref(links);
	json_decref(radio);
}

/* ---- record: the log's side of a conflict ---- */

struct sent_frames {
	int n;
	uint64_t old[4];
	enum lia_frame_kind kind[4];
};

static int capture_frame(void *ctx, const struct lia_frame *fr)
{
	struct sent_frames *s = ctx;

	if (s->n < 4) {
		s->kind[s->n] = fr->kind;
		s->old[s->n] = fr->old;
	}
	s->n++;
	return 0;
}

/*
 * A witness that holds nothing of our log (it lost a batch, or its store was
 * replaced) names size 0 in its conflict: the log answers once with its
 * checkpoint from 0, and not again for the same size (size 0 is a size, not
 * "no conflict yet").
 */
static void test_conflict_from_size_zero_answered_once(void **state)
{
	struct efx *f = *state;
	struct sent_frames sent = {0};
	struct lia_record_io io = {.peer = lia_charter_node(lia_node_charter(f->node), "beijing"),
	    .send = capture_frame, .ctx = &sent};
	struct lia_frame conflict = {.kind = LIA_FRAME_CONFLICT, .old = 0};
	char err[LIA_ERR_LEN] = "";

	send_to_beijing(f);
	assert_int_equal(lia_record_checkpoint(f->node, err), 0);
	lia_record_connected(f->node, "beijing");
	assert_int_equal(lia_record_handle_conflict(f->node, &io, &conflict, err), 0);
	assert_int_equal(sent.n, 1);
	assert_int_equal(sent.kind[0], LIA_FRAME_CHECKPOINT);
	assert_int_equal(sent.old[0], 0);
	assert_int_equal(lia_record_handle_conflict(f->node, &io, &conflict, err), 0);
	assert_int_equal(sent.n, 1);
	lia_record_connected(f->node, "beijing"); /* a new connection may ask again */
	assert_int_equal(lia_record_handle_conflict(f->node, &io, &conflict, err), 0);
	assert_int_equal(sent.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compose_commits_then_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_wakes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_misaddressed_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_accepted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_accepted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_accepted_with_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_own_unit_copy_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incident_accepted_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue_notice_accepted_and_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_linktest_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linktest_answer_accepted_and_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relay_accepted_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_types_refused_on_radio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_from_size_zero_answered_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_proof_request_needs_a_transport_up, setup,
		    teardown),
	};

	efx_mechanism();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
