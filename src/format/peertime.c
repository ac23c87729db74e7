/* peertime.c - sanity of peer-claimed times (peertime.h). */
#include "peertime.h"

#include <inttypes.h>

#include "err.h"

int lia_peertime_is_answer(const struct lia_entry *e)
{
	return e->type == LIA_ENTRY_RECEIPT || e->type == LIA_ENTRY_ACK ||
	    e->type == LIA_ENTRY_LINKTEST_ANSWER;
}

enum lia_peertime lia_peertime_check(const struct lia_entry *e, int64_t now_ms,
    int64_t ref_time_ms, int64_t *skew_ms, char *why)
{
	int64_t ahead = e->time_ms - now_ms;
	int64_t before = ref_time_ms >= 0 ? ref_time_ms - e->time_ms : 0;
	enum lia_peertime verdict = LIA_PEERTIME_OK;
	int64_t skew = 0;

	if (ahead > LIA_PEERTIME_TOLERANCE_MS) {
		lia_err_set(why, "%s %s/%" PRIu64 " is dated %" PRId64 " s in the future (more than "
		    "the %d s a clock may be off)", lia_entry_type_name(e->type), e->origin, e->seq,
		    ahead / 1000, LIA_PEERTIME_TOLERANCE_MS / 1000);
		skew = ahead;
		verdict = LIA_PEERTIME_IMPOSSIBLE;
	} else if (lia_peertime_is_answer(e) && before > LIA_PEERTIME_TOLERANCE_MS) {
		lia_err_set(why, "%s %s/%" PRIu64 " is dated %" PRId64 " s before %s/%" PRIu64
		    ", which it answers", lia_entry_type_name(e->type), e->origin, e->seq,
		    before / 1000, e->ref_origin, e->ref_seq);
		skew = -before;
		verdict = LIA_PEERTIME_IMPOSSIBLE;
	} else if (ahead > LIA_PEERTIME_SKEW_MS) {
		lia_err_set(why, "%s %s/%" PRIu64 " is dated %" PRId64 " s ahead of our clock",
		    lia_entry_type_name(e->type), e->origin, e->seq, ahead / 1000);
		skew = ahead;
		verdict = LIA_PEERTIME_SKEWED;
	} else if (lia_peertime_is_answer(e) && before > 0) {
		lia_err_set(why, "%s %s/%" PRIu64 " is dated %" PRId64 " ms before %s/%" PRIu64
		    ", which it answers", lia_entry_type_name(e->type), e->origin, e->seq, before,
		    e->ref_origin, e->ref_seq);
		skew = -before;
		verdict = LIA_PEERTIME_SKEWED;
	}
	if (skew_ms != 0)
		*skew_ms = skew;
	return verdict;
}
