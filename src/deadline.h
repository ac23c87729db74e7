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

struct lia_node;
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

/* Node side (deadline_timer.c). */

/* Creates the timer and arms it to the earliest pending deadline. */
int lia_deadline_start(struct lia_node *n, char *err);

/* Frees the timer; NULL-safe on a node never started. */
void lia_deadline_stop(struct lia_node *n);

/* Re-arms the timer to the earliest pending deadline (after a commit that added or met some). */
void lia_deadline_rearm(struct lia_node *n);

/* Inside the caller's transaction: own message e was queued for dest: its receipt and ack deadlines. */
int lia_deadline_sent(struct lia_node *n, const struct lia_entry *e, const char *dest, char *err);

/* Inside the caller's transaction: message e was received here: this node's ack deadline. */
int lia_deadline_received(struct lia_node *n, const struct lia_entry *e, char *err);

/*
 * Inside the caller's transaction: the answer of kind to own message seq came
 * from node by (its receipt, or its ack, which answers every recipient's ack
 * deadline and by's receipt too). Deadlines already overdue get a closing
 * notice (step 0) for the late node and its escalation target.
 */
int lia_deadline_answered(struct lia_node *n, uint64_t seq, const char *by,
    enum lia_deadline_kind kind, char *err);

/* Inside the caller's transaction: this node's operator acknowledged (origin, seq). */
int lia_deadline_acked_here(struct lia_node *n, const char *origin, uint64_t seq, char *err);

/*
 * Inside the caller's transaction: checks and records an overdue notice from
 * peer (already verified as peer's): 0 stored, 1 refused (err says why),
 * negative on a store failure. Logs it loudly (the re-announcement).
 */
int lia_deadline_notice_in(struct lia_node *n, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err);

#endif
