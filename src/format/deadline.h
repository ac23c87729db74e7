/*
 * deadline.h - deadlines for receipts and acknowledgements, and escalation.
 *
 * A message's receipt from each recipient and its human acknowledgement are
 * due a charter-given period (per precedence) after the message's own time.
 * When one passes unanswered, the sender marks it overdue and makes a signed
 * overdue notice (entry type 6) for the late node and the charter's
 * escalation target for it: step 1 at the deadline, step 2 one period later,
 * then at doubling intervals (capped at a day) until the answer comes, which
 * a closing notice (step 0) reports. The receiver marks its own unanswered
 * messages overdue on its own clock. See docs/deadlines.md.
 *
 * deadline.c holds the schedule (pure functions of the charter); deadline_timer.c
 * the node's side: one libevent timer armed to the earliest pending
 * deadline (the store's index finds it), and the hooks that add and meet
 * deadlines inside the caller's transaction.
 */
#ifndef LIA_DEADLINE_H
#define LIA_DEADLINE_H

#include <stdint.h>

#include "charter.h"
#include "entry.h"

#define LIA_DEADLINE_INTERVAL_CAP_MS (INT64_C(24) * 3600 * 1000)

struct lia_deadline_row;

/* The charter's period for kind at precedence p, in ms. */
int64_t lia_deadline_period(const struct lia_charter *c, enum lia_precedence p,
    enum lia_deadline_kind kind);

/* When the answer of kind to a message of precedence p made at time_ms is due. */
int64_t lia_deadline_due(const struct lia_charter *c, enum lia_precedence p,
    enum lia_deadline_kind kind, int64_t time_ms);

/* The wait after step (>= 1) before the next: period, 2 x period, 4 x ..., capped at a day (or the period when longer). */
int64_t lia_deadline_interval(int64_t period_ms, uint32_t step);

/* Whole seconds from due_ms to now_ms (0 when not yet due). */
uint64_t lia_deadline_late_s(int64_t due_ms, int64_t now_ms);

#endif
