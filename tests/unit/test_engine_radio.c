/*
 * test_engine_radio.c - the same accept rules (engine/accept.c) for what is
 * heard on the unit link, on a real unit (kaiyo of japan, whose radio peer
 * is haixun of china) with a fake transport: a broadcast signal taken with
 * its receipt handed back and a relay queued for kaiyo's station, the same
 * signal heard again, refusals, and receipts of kaiyo's own signals (which
 * may come twice on the air). The datagram, the attribution to a radio peer
 * and the signature with its certificate are radio_rx.c's and are covered by
 * tests/integ/31- and 33-.
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
#include "id.h"
#include "node.h"
#include "store.h"
#include "transport.h"

static int setup(void **state)
{
	static struct efx f;

	efx_open(&f, "kaiyo");
	efx_learn_cert(&f, "haixun");   /* the radio learns it before it takes an entry */
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	efx_close(*state);
	return 0;
}

static struct lia_entry heard(const char *to, unsigned number)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_SIGNAL;
	e.narrow = 1;
	snprintf(e.origin, sizeof(e.origin), "haixun");
	snprintf(e.to, sizeof(e.to), "%s", to);
	e.nsignals = 1;
	e.signals[0].number = number;
	e.lat = 3150000;
	e.lon = 12475000;
	return e;
}

static void test_broadcast_taken_receipt_and_relay(void **state)
{
	struct efx *f = *state;
	struct lia_entry s = heard("", 4), again;
	struct lia_accepted out, dup;
	struct lia_entry r;
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &s, &out, err), 0);
	assert_true(efx_has(f, "haixun", s.seq));
	assert_non_null(out.answer);                 /* the radio sends it after the commit */
	memset(&r, 0, sizeof(r));
	assert_int_equal(lia_entry_open(out.answer, out.answer_len, &r, err), 0);
	assert_int_equal(r.type, LIA_ENTRY_RECEIPT);
	assert_string_equal(r.origin, "kaiyo");
	assert_string_equal(r.ref_origin, "haixun");
	assert_int_equal(r.ref_seq, s.seq);
	lia_entry_finish(&r);
	assert_int_equal(efx_outbox(f, "haixun"), 0); /* not queued: handed back */
	assert_int_equal(out.relayed, 1);
	assert_int_equal(efx_outbox(f, "tokyo"), 1);  /* the relay for our station */
	assert_true(efx_woken(f, "tokyo"));

	again = s;                                     /* the same datagram heard again */
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &again, &dup, err), LIA_EDUP);
	assert_non_null(dup.answer);
	assert_int_equal(dup.answer_len, out.answer_len);
	assert_memory_equal(dup.answer, out.answer, out.answer_len);
	assert_int_equal(efx_outbox(f, "tokyo"), 1);  /* relayed once */
	free(out.answer);
	free(dup.answer);
}

static void test_heard_signal_refusals(void **state)
{
	struct efx *f = *state;
	struct lia_entry unknown = heard("kaiyo", 999), elsewhere = heard("tokyo", 4);
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &unknown, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "unknown signal number 999"));
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &elsewhere, NULL, err),
	    LIA_REFUSED);
	assert_non_null(strstr(err, "does not include kaiyo"));
	assert_false(efx_has(f, "haixun", unknown.seq));
	assert_int_equal(efx_outbox(f, "tokyo"), 0);
	assert_int_equal(f->t.n_woken, 0);
}

/* kaiyo signals haixun (the API's path): the seq of its entry. */
static uint64_t signal_haixun(struct efx *f)
{
	struct lia_entry_signal sg = {.code = "D"};
	char id[LIA_ID_LEN], err[LIA_ERR_LEN] = "", origin[LIA_NAME_MAX + 1];
	uint64_t seq = 0;

	if (lia_node_send_signal(f->node, "haixun", &sg, 1, 3150000, 12475000, id, err) < 0)
		fail_msg("send_signal: %s", err);
	assert_int_equal(lia_id_parse(id, origin, &seq, err), 0);
	return seq;
}

static void test_receipts_on_the_air(void **state)
{
	struct efx *f = *state;
	uint64_t seq = signal_haixun(f);
	struct lia_entry r, repeat, forged;
	struct lia_accepted out, again;
	char err[LIA_ERR_LEN] = "";

	assert_true(efx_woken(f, "haixun"));
	assert_true(efx_woken(f, "tokyo"));           /* a unit copies its signals to its stations */
	memset(&r, 0, sizeof(r));
	r.type = LIA_ENTRY_RECEIPT;
	snprintf(r.origin, sizeof(r.origin), "haixun");
	snprintf(r.ref_origin, sizeof(r.ref_origin), "kaiyo");
	r.ref_seq = seq;
	efx_hash(f, "kaiyo", seq, r.ref_hash);
	repeat = r;
	forged = r;
	forged.ref_hash[0] ^= 1;
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &forged, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "does not match ours"));
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &r, &out, err), 0);
	assert_int_equal(out.receipted, seq);
	assert_int_equal(out.first, 1);
	/* Our re-send crossed its receipt: a second receipt is fine on the air, but not news. */
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &repeat, &again, err), 0);
	assert_int_equal(again.receipted, seq);
	assert_int_equal(again.first, 0);
}

static void test_message_not_on_the_air(void **state)
{
	struct efx *f = *state;
	struct lia_entry m;
	char err[LIA_ERR_LEN] = "";

	memset(&m, 0, sizeof(m));
	m.type = LIA_ENTRY_MESSAGE;
	snprintf(m.origin, sizeof(m.origin), "haixun");
	snprintf(m.to, sizeof(m.to), "kaiyo");
	snprintf(m.lang, sizeof(m.lang), "zh");
	m.text = "保持航向";
	assert_int_equal(efx_accept(f, "haixun", LIA_VIA_RADIO, &m, NULL, err), LIA_REFUSED);
	assert_non_null(strstr(err, "only signals and receipts travel on the unit link"));
	assert_false(efx_has(f, "haixun", m.seq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broadcast_taken_receipt_and_relay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_heard_signal_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipts_on_the_air, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_not_on_the_air, setup, teardown),
	};

	efx_mechanism();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
