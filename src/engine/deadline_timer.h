/*
 * deadline_timer.h - the node's side of deadlines (see deadline.h for the
 * schedule): one libevent timer armed to the earliest pending deadline (the
 * store's index finds it), and the hooks that add and meet deadlines inside
 * the caller's transaction.
 */
#ifndef LIA_DEADLINE_TIMER_H
#define LIA_DEADLINE_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "deadline.h"

struct lia_node;

/* Sets up the deadlines' state (its timer comes with lia_deadline_start). */
int lia_deadline_create(struct lia_node *n, char *err);

/* Creates the timer and arms it to the earliest pending deadline. */
int lia_deadline_start(struct lia_node *n, char *err);

/* Frees the timer and state; NULL-safe on a node never started. */
void lia_deadline_destroy(struct lia_node *n);

/* Re-arms the timer to the earliest pending deadline (commit.c, after every commit); nothing before start. */
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
 * peer (already verified as peer's): 0 stored, LIA_REFUSED refused (err says why),
 * negative on a store failure. Logs it loudly (the re-announcement).
 */
int lia_deadline_notice_in(struct lia_node *n, const struct lia_entry *e,
    const uint8_t *cose, size_t cose_len, char *err);

#endif
