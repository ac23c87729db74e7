/*
 * store_radio.c - the outbox as the unit link needs it: an entry sent over
 * the radio is confirmed by its own receipt, in any order, so rows leave the
 * outbox one by one instead of up to a cursor (lia_store_peer_seen). No
 * schema change: the unit link keeps its outstanding sends in the outbox.
 */
#include "store_internal.h"

#include <inttypes.h>
#include <sqlite3.h>

#include "err.h"

int lia_store_dequeue(struct lia_store *s, const char *dest, uint64_t seq, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "DELETE FROM outbox WHERE dest = ?1 AND seq = ?2", -1,
	    &st, NULL);
	int r;

	if (rc != SQLITE_OK)
		return store_fail(s, rc, err, "prepare to drop entry %" PRIu64 " for %s", seq, dest);
	r = store_step(s, st, store_bind(st, 1, "su", dest, seq), err,
	    "drop entry %" PRIu64 " from the outbox for %s", seq, dest);
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}
