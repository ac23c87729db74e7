/* ratelimit.c - fixed windows of `burst` events; what is beyond is counted, never acted on (ratelimit.h). */
#include "ratelimit.h"

void lia_ratelimit_init(struct lia_ratelimit *rl, uint32_t burst, int64_t period_ms)
{
	rl->period_ms = period_ms > 0 ? period_ms : 1;
	rl->burst = burst > 0 ? burst : 1;
	rl->used = 0;
	rl->start_ms = 0;
	rl->suppressed = 0;
	rl->total_suppressed = 0;
}

/* Starts a new window at now when the current one is over; returns what the old one refused. */
static uint64_t roll(struct lia_ratelimit *rl, int64_t now_ms)
{
	uint64_t ended = 0;

	if (rl->start_ms == 0 || now_ms - rl->start_ms >= rl->period_ms || now_ms < rl->start_ms) {
		ended = rl->suppressed;
		rl->start_ms = now_ms != 0 ? now_ms : 1;
		rl->used = 0;
		rl->suppressed = 0;
	}
	return ended;
}

int lia_ratelimit_allow(struct lia_ratelimit *rl, int64_t now_ms, uint64_t *ended_suppressed)
{
	uint64_t ended = roll(rl, now_ms);

	if (ended_suppressed != 0)
		*ended_suppressed = ended;
	if (rl->used < rl->burst) {
		rl->used++;
		return 1;
	}
	rl->suppressed++;
	rl->total_suppressed++;
	return 0;
}

uint64_t lia_ratelimit_flush(struct lia_ratelimit *rl, int64_t now_ms)
{
	if (rl->start_ms == 0 || rl->suppressed == 0)
		return 0;
	return roll(rl, now_ms);
}
