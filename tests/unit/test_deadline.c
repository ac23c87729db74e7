/*
 * test_deadline.c - the deadline schedule: periods from the charter (given
 * and default), due times for every precedence and both kinds, the step
 * intervals (period, then doubling, capped) and lateness, on a made-up clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "deadline.h"

#define T0 INT64_C(1795779511123)
#define S(x) ((int64_t)(x) * 1000)
#define H(x) ((int64_t)(x) * 3600 * 1000)

/* A charter as charter.c leaves it with "deadline FLASH receipt 2s ack 5s" and the defaults. */
static void charter(struct lia_charter *c)
{
	memset(c, 0, sizeof(*c));
	c->deadlines[LIA_FLASH] = (struct lia_deadline_def){S(2), S(5)};
	c->deadlines[LIA_IMMEDIATE] = (struct lia_deadline_def){S(30), S(30 * 60)};
	c->deadlines[LIA_PRIORITY] = (struct lia_deadline_def){S(60), H(3)};
	c->deadlines[LIA_ROUTINE] = (struct lia_deadline_def){S(60), H(6)};
}

static void test_due_every_precedence(void **state)
{
	static const struct { enum lia_precedence p; int64_t receipt, ack; } want[] = {
		{LIA_FLASH, S(2), S(5)}, {LIA_IMMEDIATE, S(30), S(1800)},
		{LIA_PRIORITY, S(60), H(3)}, {LIA_ROUTINE, S(60), H(6)},
	};
	struct lia_charter c;

	(void)state;
	charter(&c);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(lia_deadline_period(&c, want[i].p, LIA_DEADLINE_RECEIPT), want[i].receipt);
		assert_int_equal(lia_deadline_period(&c, want[i].p, LIA_DEADLINE_ACK), want[i].ack);
		assert_int_equal(lia_deadline_due(&c, want[i].p, LIA_DEADLINE_RECEIPT, T0),
		    T0 + want[i].receipt);
		assert_int_equal(lia_deadline_due(&c, want[i].p, LIA_DEADLINE_ACK, T0), T0 + want[i].ack);
	}
	/* A precedence out of range (never from a validated entry) counts as ROUTINE. */
	assert_int_equal(lia_deadline_period(&c, (enum lia_precedence)9, LIA_DEADLINE_ACK), H(6));
}

static void test_step_intervals(void **state)
{
	(void)state;
	assert_int_equal(lia_deadline_interval(S(5), 1), S(5));
	assert_int_equal(lia_deadline_interval(S(5), 2), S(10));
	assert_int_equal(lia_deadline_interval(S(5), 3), S(20));
	assert_int_equal(lia_deadline_interval(S(5), 4), S(40));
	/* Capped at a day ... */
	assert_int_equal(lia_deadline_interval(H(6), 2), H(12));
	assert_int_equal(lia_deadline_interval(H(6), 3), H(24));
	assert_int_equal(lia_deadline_interval(H(6), 4), H(24));
	assert_int_equal(lia_deadline_interval(S(1), 1000), H(24));
	/* ... or the period when it is longer. */
	assert_int_equal(lia_deadline_interval(H(48), 1), H(48));
	assert_int_equal(lia_deadline_interval(H(48), 5), H(48));
}

/* The steps of a FLASH ack on the clock: due at 5 s, step 2 five seconds after step 1, then 10, 20. */
static void test_schedule_on_a_clock(void **state)
{
	struct lia_charter c;
	int64_t period, due, at;
	uint32_t step = 0;
	int64_t steps_at[4];

	(void)state;
	charter(&c);
	period = lia_deadline_period(&c, LIA_FLASH, LIA_DEADLINE_ACK);
	due = lia_deadline_due(&c, LIA_FLASH, LIA_DEADLINE_ACK, T0);
	for (at = due; step < 4; step++) {
		steps_at[step] = at;
		at += lia_deadline_interval(period, step + 1);
	}
	assert_int_equal(steps_at[0] - T0, S(5));
	assert_int_equal(steps_at[1] - T0, S(10));
	assert_int_equal(steps_at[2] - T0, S(20));
	assert_int_equal(steps_at[3] - T0, S(40));
}

static void test_late(void **state)
{
	(void)state;
	assert_int_equal(lia_deadline_late_s(T0, T0 - 1), 0);
	assert_int_equal(lia_deadline_late_s(T0, T0), 0);
	assert_int_equal(lia_deadline_late_s(T0, T0 + 999), 0);
	assert_int_equal(lia_deadline_late_s(T0, T0 + 1000), 1);
	assert_int_equal(lia_deadline_late_s(T0, T0 + H(1) + 500), 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_every_precedence),
		cmocka_unit_test(test_step_intervals),
		cmocka_unit_test(test_schedule_on_a_clock),
		cmocka_unit_test(test_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
