/*
 * ratelimit.h - bounded repetition: at most `burst` events of one kind per
 * period, the rest only counted. Used for log lines (log.c keys one limit
 * per format string, i.e. per call site), for refused datagrams per source
 * (radio_rx.c) and for anything else a peer can make us repeat at will.
 *
 * Times are monotonic milliseconds (lia_mono_ms). No allocation, no clock
 * of its own: the caller passes now, so the module is testable as is.
 */
#ifndef LIA_RATELIMIT_H
#define LIA_RATELIMIT_H

#include <stdint.h>

struct lia_ratelimit {
	int64_t period_ms;      /* length of one window */
	uint32_t burst;         /* events allowed in one window */
	uint32_t used;          /* events allowed in the current window */
	int64_t start_ms;       /* monotonic start of the current window; 0 none yet */
	uint64_t suppressed;    /* events refused in the current window */
	uint64_t total_suppressed; /* since init, for counters */
};

/* Sets up a limit of burst events per period_ms (both at least 1). */
void lia_ratelimit_init(struct lia_ratelimit *rl, uint32_t burst, int64_t period_ms);

/*
 * One event at now_ms: 1 when it may be acted on, 0 when it is over the
 * limit (counted in suppressed). When a new window begins, *ended_suppressed
 * (may be NULL) receives what the previous window refused, so the caller can
 * write one "... repeated K times" summary; otherwise it receives 0.
 */
int lia_ratelimit_allow(struct lia_ratelimit *rl, int64_t now_ms, uint64_t *ended_suppressed);

/*
 * Closes the current window if it has ended by now_ms: returns the count it
 * refused (0 if none or the window still runs) and starts afresh. For
 * periodic summaries of limits that see no further events.
 */
uint64_t lia_ratelimit_flush(struct lia_ratelimit *rl, int64_t now_ms);

#endif
