/*
 * test_incident.c - incident entries and their rules: the codec of entry
 * type 5 for each action (round trips through sign and open, and refusals of
 * ill-formed fields), each refusal of lia_incident_decide on hand-made views,
 * and lia_incident_accept on a real store with a two-party charter built in
 * memory: open from a signal, attach, propose, confirm, state and timeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "charter.h"
#include "entry.h"
#include "err.h"
#include "fixture.h"
#include "incident.h"
#include "store.h"
#include "store_incident.h"

#define T0 INT64_C(1795779511123) /* 2026-11-27T11:38:31.123Z */

static EVP_PKEY *test_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	assert_non_null(k);
	return k;
}

/* An incident entry of action a from origin/seq with every field its action needs. */
static struct lia_entry make(enum lia_incident_action a, const char *origin, uint64_t seq)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_INCIDENT;
	e.action = a;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	e.seq = seq;
	e.time_ms = T0 + (int64_t)seq;
	snprintf(e.to, sizeof(e.to), "%s", strcmp(origin, "tokyo") == 0 ? "china" : "japan");
	if (a != LIA_INCIDENT_OPEN) {
		snprintf(e.inc_origin, sizeof(e.inc_origin), "tokyo");
		e.inc_seq = 1;
	}
	if (a == LIA_INCIDENT_OPEN || a == LIA_INCIDENT_PROPOSE || a == LIA_INCIDENT_NOTE)
		snprintf(e.inc_text, sizeof(e.inc_text), "%s", a == LIA_INCIDENT_OPEN ?
		    "Near collision, 30 nm east of the line" : "tugs alongside, no one hurt");
	if (a == LIA_INCIDENT_PROPOSE)
		e.state = LIA_STATE_CONTAINED;
	if (a == LIA_INCIDENT_ATTACH || a == LIA_INCIDENT_CONFIRM) {
		snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
		e.subj_seq = 7;
		memset(e.subj_hash, 0xab, 32);
	}
	return e;
}

static void round_trip(const struct lia_entry *e)
{
	char err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = test_key();
	uint8_t *cose = NULL, *p1 = NULL, *p2 = NULL;
	size_t cose_len = 0, n1 = 0, n2 = 0;
	struct lia_entry back;

	assert_int_equal(lia_entry_sign(e, key, &cose, &cose_len, err), 0);
	assert_int_equal(lia_entry_verify(cose, cose_len, key, &back, err), 0);
	assert_int_equal(back.type, LIA_ENTRY_INCIDENT);
	assert_int_equal(back.action, e->action);
	assert_string_equal(back.inc_origin, e->inc_origin);
	assert_int_equal(back.inc_seq, e->inc_seq);
	assert_string_equal(back.inc_text, e->inc_text);
	assert_string_equal(back.subj_origin, e->subj_origin);
	assert_int_equal(back.subj_seq, e->subj_seq);
	assert_memory_equal(back.subj_hash, e->subj_hash, 32);
	assert_int_equal(back.has_position, e->has_position);
	assert_int_equal(back.lat, e->lat);
	assert_int_equal(back.lon, e->lon);
	assert_int_equal(back.state, e->state);
	assert_string_equal(back.operator_name, e->operator_name);
	/* One entry, one encoding. */
	assert_int_equal(lia_entry_encode(e, &p1, &n1, err), 0);
	assert_int_equal(lia_entry_encode(&back, &p2, &n2, err), 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(p1, p2, n1);
	lia_entry_finish(&back);
	free(p1);
	free(p2);
	free(cose);
	EVP_PKEY_free(key);
}

static void test_round_trips(void **state)
{
	struct lia_entry e;

	(void)state;
	for (int a = LIA_INCIDENT_OPEN; a <= LIA_INCIDENT_NOTE; a++) {
		e = make((enum lia_incident_action)a, a == LIA_INCIDENT_CONFIRM ? "beijing" : "tokyo",
		    (uint64_t)a + 1);
		round_trip(&e);
	}
	/* open from a signal, at a position (negative coordinates too) */
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
	e.subj_seq = 3;
	memset(e.subj_hash, 0x11, 32);
	e.has_position = 1;
	e.lat = -3012345;
	e.lon = 12967890;
	round_trip(&e);
	e = make(LIA_INCIDENT_PROPOSE, "tokyo", 2);
	e.state = LIA_STATE_CLOSED;
	round_trip(&e);
	/* each action naming its operator (key 11) */
	for (int a = LIA_INCIDENT_OPEN; a <= LIA_INCIDENT_NOTE; a++) {
		e = make((enum lia_incident_action)a, "tokyo", (uint64_t)a + 1);
		snprintf(e.operator_name, sizeof(e.operator_name), "Sato 佐藤");
		round_trip(&e);
	}
}

static void expect_invalid(const struct lia_entry *e, const char *words)
{
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_entry_validate(e, err), -1);
	if (strstr(err, words) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, words);
}

static void test_invalid_fields(void **state)
{
	struct lia_entry e;

	(void)state;
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	e.inc_text[0] = '\0';
	expect_invalid(&e, "field 16 (text): empty");
	e = make(LIA_INCIDENT_NOTE, "tokyo", 2);
	e.inc_text[3] = '\n';
	expect_invalid(&e, "field 16 (text): control character");
	e = make(LIA_INCIDENT_NOTE, "tokyo", 2);
	e.action = (enum lia_incident_action)5;
	expect_invalid(&e, "field 14 (action): 5 is not");
	e = make(LIA_INCIDENT_PROPOSE, "tokyo", 2);
	e.state = LIA_STATE_OPEN;
	expect_invalid(&e, "field 17 (state): 0 is not");
	e = make(LIA_INCIDENT_ATTACH, "tokyo", 2);
	e.subj_seq = 0;
	expect_invalid(&e, "field 18 (subject)");
	e = make(LIA_INCIDENT_ATTACH, "tokyo", 2);
	e.inc_origin[0] = '\0';
	expect_invalid(&e, "field 15 (incident)");
	e = make(LIA_INCIDENT_ATTACH, "tokyo", 2);
	e.has_position = 1;
	expect_invalid(&e, "field 13 (position): not allowed in an incident attach");
	e = make(LIA_INCIDENT_NOTE, "tokyo", 2);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
	e.subj_seq = 1;
	expect_invalid(&e, "field 18 (subject): not allowed in an incident note");
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	e.has_position = 1;
	e.lat = LIA_LAT_MAX + 1;
	expect_invalid(&e, "field 13 (position)");
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	memset(e.inc_text, 'x', sizeof(e.inc_text));
	expect_invalid(&e, "longer than 256 bytes");
}

/* Payload of e with the map's field `drop` removed (by re-encoding a mutilated copy is not possible: splice bytes). */
static void test_decode_refusals(void **state)
{
	struct lia_entry e = make(LIA_INCIDENT_CONFIRM, "beijing", 4), back;
	char err[LIA_ERR_LEN] = "";
	uint8_t *p = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(lia_entry_encode(&e, &p, &n, err), 0);
	/* The last field is 19 subject-hash (0x13 then 0x58 0x20 and 32 bytes): drop it and fix the map head. */
	assert_int_equal(p[n - 35], 0x13);
	p[0] = (uint8_t)(p[0] - 1);
	assert_int_equal(lia_entry_decode(p, n - 35, &back, err), -1);
	assert_non_null(strstr(err, "subject and subject-hash go together"));
	/* Action 9 is no action. */
	p[0] = (uint8_t)(p[0] + 1);
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == 0x0e && p[i + 1] == LIA_INCIDENT_CONFIRM) {
			p[i + 1] = 9;
			break;
		}
	assert_int_equal(lia_entry_decode(p, n, &back, err), -1);
	assert_non_null(strstr(err, "field 14 (action): 9 is not"));
	free(p);
}

/* A view of incident tokyo/1 between japan and china, open. */
static struct lia_incident_view view(void)
{
	struct lia_incident_view v;

	memset(&v, 0, sizeof(v));
	v.have_incident = 1;
	snprintf(v.inc.origin, sizeof(v.inc.origin), "tokyo");
	v.inc.seq = 1;
	snprintf(v.inc.party_a, sizeof(v.inc.party_a), "japan");
	snprintf(v.inc.party_b, sizeof(v.inc.party_b), "china");
	v.have_subject = 1;
	v.subject_type = LIA_ENTRY_MESSAGE;
	memset(v.subject_hash, 0xab, 32);
	return v;
}

static void expect_refused(const struct lia_incident_view *v, const struct lia_entry *e,
    const char *party, const char *to_party, const char *words)
{
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_incident_decide(v, e, party, to_party, err), 1);
	if (strstr(err, words) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, words);
}

static void test_decide_open(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	v.have_incident = 0;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	expect_refused(&v, &e, "japan", "japan", "its own party");
	snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
	e.subj_seq = 7;
	memset(e.subj_hash, 0xab, 32);
	expect_refused(&v, &e, "japan", "china", "which is a message, not a signal");
	v.subject_type = LIA_ENTRY_SIGNAL;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	e.subj_hash[0] ^= 1;
	expect_refused(&v, &e, "japan", "china", "does not match ours");
	v.have_subject = 0;
	expect_refused(&v, &e, "japan", "china", "which is not stored here");
}

static void test_decide_sides(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_NOTE, "tokyo", 2);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	expect_refused(&v, &e, "korea", "china", "not a side of incident tokyo/1");
	expect_refused(&v, &e, "japan", "korea", "not to the other side (china)");
	v.inc.state = LIA_STATE_CLOSED;
	expect_refused(&v, &e, "japan", "china", "is closed");
	v.have_incident = 0;
	expect_refused(&v, &e, "japan", "china", "no incident tokyo/1 is stored here");
}

static void test_decide_attach(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_ATTACH, "tokyo", 2);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	v.subject_type = LIA_ENTRY_SIGNAL;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	v.attached = 1;
	expect_refused(&v, &e, "japan", "china", "already attached");
	v.attached = 0;
	v.subject_type = LIA_ENTRY_RECEIPT;
	expect_refused(&v, &e, "japan", "china", "only messages and signals");
	v.subject_type = LIA_ENTRY_MESSAGE;
	e.subj_hash[5] ^= 1;
	expect_refused(&v, &e, "japan", "china", "does not match ours");
	v.have_subject = 0;
	expect_refused(&v, &e, "japan", "china", "which is not stored here");
	/* From a station of our own party, an entry we do not hold is taken on its word. */
	v.received = v.own_side = 1;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
}

static void test_decide_propose(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_PROPOSE, "tokyo", 2);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	v.inc.state = LIA_STATE_CONTAINED;
	expect_refused(&v, &e, "japan", "china", "already contained (a state only moves forward)");
	e.state = LIA_STATE_CLOSED;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	v.inc.state = LIA_STATE_OPEN;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0); /* open -> closed */
}

static void test_decide_confirm(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_CONFIRM, "beijing", 4);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	v.have_step = 1;
	v.step.action = LIA_INCIDENT_PROPOSE;
	snprintf(v.step.inc_origin, sizeof(v.step.inc_origin), "tokyo");
	v.step.inc_seq = 1;
	snprintf(v.step.party, sizeof(v.step.party), "japan");
	v.step.state = LIA_STATE_CONTAINED;
	assert_int_equal(lia_incident_decide(&v, &e, "china", "japan", err), 0);
	expect_refused(&v, &e, "japan", "china", "a proposal of its own side (japan)");
	v.step.confirmed = 1;
	expect_refused(&v, &e, "china", "japan", "already confirmed");
	v.step.confirmed = 0;
	v.inc.state = LIA_STATE_CONTAINED;
	expect_refused(&v, &e, "china", "japan", "no longer pending");
	v.inc.state = LIA_STATE_OPEN;
	e.subj_hash[0] ^= 1;
	expect_refused(&v, &e, "china", "japan", "hash of proposal beijing/7 that does not match");
	e.subj_hash[0] ^= 1;
	v.step.inc_seq = 2;
	expect_refused(&v, &e, "china", "japan", "a proposal of another incident");
	v.step.inc_seq = 1;
	v.step.action = LIA_INCIDENT_NOTE;
	expect_refused(&v, &e, "china", "japan", "not a proposal stored here");
	v.have_step = 0;
	expect_refused(&v, &e, "china", "japan", "not a proposal stored here");
}

/* A received proposal or confirmation that crossed a state change is kept without effect; notes on a closed incident are not. */
static void test_decide_received(void **state)
{
	struct lia_incident_view v = view();
	struct lia_entry e = make(LIA_INCIDENT_PROPOSE, "tokyo", 2);
	char err[LIA_ERR_LEN] = "";

	(void)state;
	v.received = 1;
	v.inc.state = LIA_STATE_CONTAINED;
	assert_int_equal(lia_incident_decide(&v, &e, "japan", "china", err), 0);
	e = make(LIA_INCIDENT_CONFIRM, "beijing", 4);
	v.have_step = 1;
	v.step.action = LIA_INCIDENT_PROPOSE;
	snprintf(v.step.inc_origin, sizeof(v.step.inc_origin), "tokyo");
	v.step.inc_seq = 1;
	snprintf(v.step.party, sizeof(v.step.party), "japan");
	v.step.state = LIA_STATE_CONTAINED;
	v.inc.state = LIA_STATE_CLOSED;
	assert_int_equal(lia_incident_decide(&v, &e, "china", "japan", err), 0);
	expect_refused(&v, &e, "japan", "china", "its own side"); /* still refused when received */
	e = make(LIA_INCIDENT_NOTE, "beijing", 5);
	expect_refused(&v, &e, "china", "japan", "is closed");
	v.received = 0;
	e = make(LIA_INCIDENT_CONFIRM, "beijing", 4);
	expect_refused(&v, &e, "china", "japan", "is closed");
}

/* ---- lia_incident_accept on a store ---- */

struct fx {
	char dir[4096];
	char path[4096 + 16];
	struct lia_store *s;
	struct lia_charter c;
	EVP_PKEY *key;
	char err[LIA_ERR_LEN];
};

static void add_node(struct lia_charter *c, const char *name, const char *party)
{
	struct lia_node_def *d = &c->nodes[c->n_nodes++];

	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->party, sizeof(d->party), "%s", party);
	d->role = LIA_ROLE_STATION;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fixture_tmpdir("incident", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/liaison.db", f->dir);
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
	snprintf(f->c.parties[0].name, sizeof(f->c.parties[0].name), "japan");
	snprintf(f->c.parties[1].name, sizeof(f->c.parties[1].name), "china");
	f->c.n_parties = 2;
	add_node(&f->c, "tokyo", "japan");
	add_node(&f->c, "beijing", "china");
	add_node(&f->c, "haijing", "china");
	f->c.nodes[2].role = LIA_ROLE_UNIT;
	f->key = test_key();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	lia_store_close(f->s);
	EVP_PKEY_free(f->key);
	fixture_rmrf(f->dir);
	free(f);
	return 0;
}

/* Signs e and offers it to lia_incident_accept on store s as a received entry; its hash into hash (may be NULL). */
static int offer_to(struct fx *f, struct lia_store *s, const struct lia_entry *e, uint8_t hash[32])
{
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	assert_int_equal(lia_entry_sign(e, f->key, &cose, &len, f->err), 0);
	if (hash != NULL)
		lia_entry_hash(cose, len, hash);
	assert_int_equal(lia_store_begin(s, f->err), 0);
	if (e->type == LIA_ENTRY_INCIDENT)
		rc = lia_incident_accept(s, &f->c, "korea", e, cose, len, LIA_DIR_IN, f->err);
	else
		rc = lia_store_add_entry(s, e, LIA_DIR_IN, cose, len, e->time_ms, f->err);
	if (rc == 0)
		assert_int_equal(lia_store_commit(s, f->err), 0);
	else
		lia_store_rollback(s);
	free(cose);
	return rc;
}

static int offer(struct fx *f, const struct lia_entry *e, uint8_t hash[32])
{
	return offer_to(f, f->s, e, hash);
}

static enum lia_incident_state state_of(struct fx *f)
{
	struct lia_incident_row row;

	assert_int_equal(lia_store_incident_get(f->s, "tokyo", 1, &row, f->err), 0);
	return row.state;
}

static void test_accept_flow(void **state)
{
	struct fx *f = *state;
	struct lia_entry sig, msg, e;
	uint8_t sig_hash[32], msg_hash[32], prop_hash[32];
	json_t *o = NULL;

	memset(&sig, 0, sizeof(sig));
	sig.type = LIA_ENTRY_SIGNAL;
	snprintf(sig.origin, sizeof(sig.origin), "beijing");
	sig.seq = 1;
	sig.time_ms = T0 - 1000;
	snprintf(sig.to, sizeof(sig.to), "japan");
	sig.nsignals = 1;
	snprintf(sig.signals[0].code, sizeof(sig.signals[0].code), "NC");
	sig.lat = 3000000;
	sig.lon = 12900000;
	assert_int_equal(offer(f, &sig, sig_hash), 0);
	memset(&msg, 0, sizeof(msg));
	msg.type = LIA_ENTRY_MESSAGE;
	snprintf(msg.origin, sizeof(msg.origin), "beijing");
	msg.seq = 2;
	msg.time_ms = T0 - 500;
	snprintf(msg.to, sizeof(msg.to), "tokyo");
	snprintf(msg.lang, sizeof(msg.lang), "en");
	msg.text = (char *)"We see your frigate";
	assert_int_equal(offer(f, &msg, msg_hash), 0);

	/* A unit keeps no incidents. */
	e = make(LIA_INCIDENT_OPEN, "haijing", 1);
	assert_int_equal(offer(f, &e, NULL), 1);
	assert_non_null(strstr(f->err, "only stations keep incidents"));
	/* Open from the signal; its wrong hash first. */
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
	e.subj_seq = 1;
	assert_int_equal(offer(f, &e, NULL), 1);
	memcpy(e.subj_hash, sig_hash, 32);
	if (offer(f, &e, NULL) != 0)
		fail_msg("%s", f->err);
	assert_int_equal(state_of(f), LIA_STATE_OPEN);
	/* Attach the message; a missing entry is refused. */
	e = make(LIA_INCIDENT_ATTACH, "tokyo", 2);
	e.subj_seq = 9;
	assert_int_equal(offer(f, &e, NULL), 1);
	assert_non_null(strstr(f->err, "not stored here"));
	e.subj_seq = 2;
	memcpy(e.subj_hash, msg_hash, 32);
	assert_int_equal(offer(f, &e, NULL), 0);
	e.seq = 3;
	assert_int_equal(offer(f, &e, NULL), 1);
	assert_non_null(strstr(f->err, "already attached"));
	/* tokyo proposes contained: still open until beijing confirms. */
	e = make(LIA_INCIDENT_PROPOSE, "tokyo", 4);
	assert_int_equal(offer(f, &e, prop_hash), 0);
	assert_int_equal(state_of(f), LIA_STATE_OPEN);
	/* tokyo cannot confirm its own proposal. */
	e = make(LIA_INCIDENT_CONFIRM, "tokyo", 5);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "tokyo");
	e.subj_seq = 4;
	memcpy(e.subj_hash, prop_hash, 32);
	assert_int_equal(offer(f, &e, NULL), 1);
	assert_non_null(strstr(f->err, "its own side"));
	e = make(LIA_INCIDENT_CONFIRM, "beijing", 3);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "tokyo");
	e.subj_seq = 4;
	assert_int_equal(offer(f, &e, NULL), 1); /* wrong hash */
	memcpy(e.subj_hash, prop_hash, 32);
	snprintf(e.operator_name, sizeof(e.operator_name), "Lt. Wang");  /* signed by the confirming operator */
	assert_int_equal(offer(f, &e, NULL), 0);
	assert_int_equal(state_of(f), LIA_STATE_CONTAINED);
	e.seq = 4;
	assert_int_equal(offer(f, &e, NULL), 1); /* confirmed once only */

	assert_int_equal(lia_store_incident_json(f->s, "tokyo", 1, &o, f->err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "contained");
	assert_int_equal(json_array_size(json_object_get(o, "timeline")), 4);
	assert_int_equal(json_array_size(json_object_get(o, "pending")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(o, "timeline"), 1), "entry"), "text")), "We see your frigate");
	assert_true(json_is_false(json_object_get(json_object_get(json_array_get(
	    json_object_get(o, "timeline"), 0), "entry"), "broadcast")));
	/* The confirmation names its operator (from the signed entry); the steps that name none carry no member. */
	for (size_t i = 0; i < json_array_size(json_object_get(o, "timeline")); i++) {
		json_t *step = json_array_get(json_object_get(o, "timeline"), i);
		const char *action = json_string_value(json_object_get(step, "action"));

		assert_non_null(action);
		if (strcmp(action, "confirm") == 0)
			assert_string_equal(json_string_value(json_object_get(step, "operator")), "Lt. Wang");
		else
			assert_null(json_object_get(step, "operator"));
	}
	json_decref(o);
	/* The tables survive a reopen. */
	lia_store_close(f->s);
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
	assert_int_equal(state_of(f), LIA_STATE_CONTAINED);
	assert_int_equal(lia_store_incidents_json(f->s, 10, &o, f->err), 0);
	assert_int_equal(json_array_size(o), 1);
	json_decref(o);
}

/* An incident opened from a broadcast signal (no `to`, heard on the radio): the timeline says so, and an addressed signal says it is not. */
static void test_timeline_broadcast(void **state)
{
	struct fx *f = *state;
	struct lia_entry sig, e;
	uint8_t sig_hash[32];
	json_t *o = NULL, *entry;

	memset(&sig, 0, sizeof(sig));
	sig.type = LIA_ENTRY_SIGNAL;
	snprintf(sig.origin, sizeof(sig.origin), "beijing");
	sig.seq = 1;
	sig.time_ms = T0 - 1000;
	sig.nsignals = 1;
	snprintf(sig.signals[0].code, sizeof(sig.signals[0].code), "NC");
	assert_int_equal(offer(f, &sig, sig_hash), 0);
	e = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	snprintf(e.subj_origin, sizeof(e.subj_origin), "beijing");
	e.subj_seq = 1;
	memcpy(e.subj_hash, sig_hash, 32);
	if (offer(f, &e, NULL) != 0)
		fail_msg("%s", f->err);
	assert_int_equal(lia_store_incident_json(f->s, "tokyo", 1, &o, f->err), 0);
	entry = json_object_get(json_array_get(json_object_get(o, "timeline"), 0), "entry");
	assert_true(json_is_true(json_object_get(entry, "broadcast")));
	assert_string_equal(json_string_value(json_object_get(entry, "to")), "");
	json_decref(o);
}

/*
 * Crossing confirmations: tokyo proposes contained (P1), beijing proposes
 * closed (P2); tokyo confirms P2 while beijing confirms P1. Each side stores
 * the two confirmations in the other order and both end closed, with the
 * same timeline and nothing pending.
 */
static void test_crossing_confirms(void **state)
{
	struct fx *f = *state;
	struct lia_store *other = NULL;
	struct lia_entry open = make(LIA_INCIDENT_OPEN, "tokyo", 1);
	struct lia_entry p1 = make(LIA_INCIDENT_PROPOSE, "tokyo", 2);
	struct lia_entry p2 = make(LIA_INCIDENT_PROPOSE, "beijing", 1);
	struct lia_entry c1 = make(LIA_INCIDENT_CONFIRM, "beijing", 2);
	struct lia_entry c2 = make(LIA_INCIDENT_CONFIRM, "tokyo", 3);
	uint8_t h1[32], h2[32];
	char path[4096 + 16];
	json_t *a = NULL, *b = NULL;

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(lia_store_open(path, &other, f->err), 0);
	p2.state = LIA_STATE_CLOSED;
	assert_int_equal(offer_to(f, f->s, &open, NULL), 0);
	assert_int_equal(offer_to(f, other, &open, NULL), 0);
	assert_int_equal(offer_to(f, f->s, &p1, h1), 0);
	assert_int_equal(offer_to(f, other, &p1, NULL), 0);
	assert_int_equal(offer_to(f, f->s, &p2, h2), 0);
	assert_int_equal(offer_to(f, other, &p2, NULL), 0);
	snprintf(c1.subj_origin, sizeof(c1.subj_origin), "tokyo");
	c1.subj_seq = 2;
	memcpy(c1.subj_hash, h1, 32);
	snprintf(c2.subj_origin, sizeof(c2.subj_origin), "beijing");
	c2.subj_seq = 1;
	memcpy(c2.subj_hash, h2, 32);
	/* Tokyo's store: its confirm (closed) first; beijing's: its own (contained) first. */
	assert_int_equal(offer_to(f, f->s, &c2, NULL), 0);
	if (offer_to(f, f->s, &c1, NULL) != 0)
		fail_msg("crossed confirm refused: %s", f->err);
	assert_int_equal(offer_to(f, other, &c1, NULL), 0);
	assert_int_equal(offer_to(f, other, &c2, NULL), 0);
	assert_int_equal(lia_store_incident_json(f->s, "tokyo", 1, &a, f->err), 0);
	assert_int_equal(lia_store_incident_json(other, "tokyo", 1, &b, f->err), 0);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "closed");
	assert_true(json_equal(a, b));
	assert_int_equal(json_array_size(json_object_get(a, "pending")), 0);
	json_decref(a);
	json_decref(b);
	lia_store_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_invalid_fields),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_decide_open),
		cmocka_unit_test(test_decide_sides),
		cmocka_unit_test(test_decide_attach),
		cmocka_unit_test(test_decide_propose),
		cmocka_unit_test(test_decide_confirm),
		cmocka_unit_test(test_decide_received),
		cmocka_unit_test_setup_teardown(test_accept_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crossing_confirms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline_broadcast, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
