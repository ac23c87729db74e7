/*
 * deadline.c - the deadline schedule: due times and step intervals from the
 * charter's periods. Pure functions, so they are tested with any clock.
 */
#include "deadline.h"

int64_t lia_deadline_period(const struct lia_charter *c, enum lia_precedence p,
    enum lia_deadline_kind kind)
{
	const struct lia_deadline_def *d = &c->deadlines[(unsigned)p < LIA_PRECEDENCES ? p : LIA_ROUTINE];

	return kind == LIA_DEADLINE_ACK ? d->ack_ms : d->receipt_ms;
}

int64_t lia_deadline_due(const struct lia_charter *c, enum lia_precedence p,
    enum lia_deadline_kind kind, int64_t time_ms)
{
	return time_ms + lia_deadline_period(c, p, kind);
}

int64_t lia_deadline_interval(int64_t period_ms, uint32_t step)
{
	int64_t cap = period_ms > LIA_DEADLINE_INTERVAL_CAP_MS ? period_ms :
	    LIA_DEADLINE_INTERVAL_CAP_MS;
	int64_t wait = period_ms;

	/* Doubling stops at the cap, so it never overflows. */
	for (uint32_t i = 1; i < step && wait < cap; i++)
		wait *= 2;
	return wait < cap ? wait : cap;
}

uint64_t lia_deadline_late_s(int64_t due_ms, int64_t now_ms)
{
	return now_ms > due_ms ? (uint64_t)(now_ms - due_ms) / 1000 : 0;
}
