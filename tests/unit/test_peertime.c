/* test_peertime.c - the rule for peer-claimed times (peertime.c): impossible refused, skewed flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "peertime.h"

#define NOW 1795779511000LL
#define MIN (60 * 1000LL)

static struct lia_entry entry(enum lia_entry_type type, int64_t time_ms)
{
	struct lia_entry e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	strcpy(e.origin, "beijing");
	e.seq = 7;
	e.time_ms = time_ms;
	strcpy(e.ref_origin, "tokyo");
	e.ref_seq = 3;
	return e;
}

static enum lia_peertime check(const struct lia_entry *e, int64_t ref, int64_t *skew, char *why)
{
	return lia_peertime_check(e, NOW, ref, skew, why);
}

static void test_future(void **state)
{
	char why[LIA_ERR_LEN] = "";
	int64_t skew = 0;
	struct lia_entry e = entry(LIA_ENTRY_MESSAGE, NOW + 61 * MIN);

	(void)state;
	assert_int_equal(check(&e, -1, &skew, why), LIA_PEERTIME_IMPOSSIBLE);
	assert_non_null(strstr(why, "in the future"));
	assert_int_equal(skew, 61 * MIN);
	e.time_ms = NOW + 59 * MIN;
	assert_int_equal(check(&e, -1, &skew, why), LIA_PEERTIME_SKEWED);
	e.time_ms = NOW + 1 * MIN;
	assert_int_equal(check(&e, -1, &skew, why), LIA_PEERTIME_OK);
	assert_int_equal(skew, 0);
}

/* Entries from the past are normal: they waited in an outbox. */
static void test_past(void **state)
{
	char why[LIA_ERR_LEN] = "";
	struct lia_entry e = entry(LIA_ENTRY_MESSAGE, NOW - 30LL * 24 * 60 * MIN);

	(void)state;
	assert_int_equal(check(&e, -1, NULL, why), LIA_PEERTIME_OK);
}

static void test_answer_before_question(void **state)
{
	char why[LIA_ERR_LEN] = "";
	int64_t skew = 0;
	struct lia_entry ack = entry(LIA_ENTRY_ACK, NOW - 2 * 60 * MIN);
	struct lia_entry receipt = entry(LIA_ENTRY_RECEIPT, NOW - 2 * 60 * MIN);
	struct lia_entry msg = entry(LIA_ENTRY_MESSAGE, NOW - 2 * 60 * MIN);

	(void)state;
	assert_int_equal(check(&ack, NOW - 10 * MIN, &skew, why), LIA_PEERTIME_IMPOSSIBLE);
	assert_non_null(strstr(why, "before tokyo/3, which it answers"));
	assert_int_equal(skew, -110 * MIN);
	assert_int_equal(check(&receipt, NOW - 10 * MIN, NULL, why), LIA_PEERTIME_IMPOSSIBLE);
	/* A message refers to nothing: its age alone is fine. */
	assert_int_equal(check(&msg, NOW - 10 * MIN, NULL, why), LIA_PEERTIME_OK);
	/* Unknown reference time: only the future rule applies. */
	assert_int_equal(check(&ack, -1, NULL, why), LIA_PEERTIME_OK);
}

/* Two clocks: an answer a little "before" its question is a skew, not a forgery. */
static void test_answer_skewed(void **state)
{
	char why[LIA_ERR_LEN] = "";
	int64_t skew = 0;
	struct lia_entry ack = entry(LIA_ENTRY_ACK, NOW - 3000);

	(void)state;
	assert_int_equal(check(&ack, NOW - 1000, &skew, why), LIA_PEERTIME_SKEWED);
	assert_int_equal(skew, -2000);
	ack.time_ms = NOW;
	assert_int_equal(check(&ack, NOW - 1000, &skew, why), LIA_PEERTIME_OK);
	assert_int_equal(lia_peertime_is_answer(&ack), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_future),
		cmocka_unit_test(test_past),
		cmocka_unit_test(test_answer_before_question),
		cmocka_unit_test(test_answer_skewed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
