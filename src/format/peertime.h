/*
 * peertime.h - the one rule for times a peer claims in its signed entries
 * (issue 10). Pure: the caller passes our clock and the time of the entry an
 * answer refers to.
 *
 * Impossible, and refused:
 *   - an entry dated more than LIA_PEERTIME_TOLERANCE_MS after our clock;
 *   - an answer (receipt, ack, link test answer) dated more than the
 *     tolerance before the entry it answers.
 * Merely skewed, and flagged (logged once per peer, in link status):
 *   - an entry dated more than LIA_PEERTIME_SKEW_MS after our clock;
 *   - an answer dated before the entry it answers, within the tolerance.
 * An entry dated in the past is normal (it waited in an outbox) unless it
 * answers something younger.
 *
 * Why 1 hour: stations keep UTC by NTP (milliseconds off) and a unit at sea
 * on a free-running clock drifts seconds to minutes between syncs; an hour
 * is far beyond either, so an honest node is never refused, yet it stops a
 * rival from pre-dating or post-dating its part of the joint record by more
 * than that (a receipt "before" the FLASH it answers, a warning dated
 * tomorrow). The comparisons cross two clocks (our entry, the peer's
 * answer), which is why an answer slightly "before" its question is only
 * skewed. Why flag at 2 minutes: a FLASH is due within 10 minutes, and an
 * operator reading times in the record should know when a peer's clock is
 * off by a noticeable part of that.
 */
#ifndef LIA_PEERTIME_H
#define LIA_PEERTIME_H

#include <stdint.h>

#include "entry.h"

#define LIA_PEERTIME_TOLERANCE_MS (60 * 60 * 1000)
#define LIA_PEERTIME_SKEW_MS (2 * 60 * 1000)

enum lia_peertime {
	LIA_PEERTIME_IMPOSSIBLE = -1,
	LIA_PEERTIME_OK = 0,
	LIA_PEERTIME_SKEWED = 1
};

/*
 * Judges e's time against now_ms (our UTC clock) and, when e answers an
 * entry whose time is known, ref_time_ms (-1 when unknown or not an answer).
 * Writes a sentence naming the entry into why (LIA_ERR_LEN) for the other
 * outcomes; *skew_ms (may be NULL) gets the signed difference found (e's
 * time minus our clock, or minus the answered entry's), 0 when none.
 */
enum lia_peertime lia_peertime_check(const struct lia_entry *e, int64_t now_ms,
    int64_t ref_time_ms, int64_t *skew_ms, char *why);

/* 1 for the entry types that answer another entry by ref-origin/ref-seq: receipt, ack, link test answer. */
int lia_peertime_is_answer(const struct lia_entry *e);

#endif
