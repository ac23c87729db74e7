/*
 * store_sent.c - what this node has written to each peer, kept across a
 * clean restart, so a peer's hello cannot claim (and so erase from our
 * outbox) entries it was never sent (issue 10; session.c checks the hello).
 *
 * The exact figure lives in memory while the node runs (struct lia_link's
 * sent_max) and is written here at a clean stop; writing it before every
 * send would cost a commit per message. A marker written at start and
 * removed at the clean stop tells a crash apart: after one, the figure is
 * unknown and the first hello cannot be bounded by it (logged by the
 * caller). Rows live in the version-1 `meta` table: no schema change.
 */
#include "store_internal.h"

#include <inttypes.h>
#include <stdio.h>

/* Runs sql with key (and value when set) bound; for a SELECT *value gets the row's value: 1 found, 0 none, <0 error. */
static int meta_exec(struct lia_store *s, const char *sql, const char *key, const uint64_t *in,
    uint64_t *out, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), r;

	if (rc != SQLITE_OK) {
		r = store_fail(s, rc, err, "prepare the sent figure of %s", key);
		goto out;
	}
	rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && in != NULL)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)*in);
	r = store_step(s, st, rc, err, "keep the sent figure of %s", key);
	if (r == 1 && out != NULL)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return r;
}

static void key_of(char *key, size_t len, const char *what, const char *peer)
{
	snprintf(key, len, "%s:%s", what, peer);
}

int lia_store_sent_open(struct lia_store *s, const char *peer, uint64_t *sent_max, int *known,
    char *err)
{
	static const char get[] = "SELECT value FROM meta WHERE key = ?1";
	static const char mark[] = "INSERT INTO meta (key, value) VALUES (?1, 1)"
		" ON CONFLICT (key) DO UPDATE SET value = 1";
	char sent_key[LIA_NAME_MAX + 16], open_key[LIA_NAME_MAX + 16];
	uint64_t ignored = 0;
	int r, rc = -1;

	key_of(sent_key, sizeof(sent_key), "sent", peer);
	key_of(open_key, sizeof(open_key), "sent-open", peer);
	*sent_max = 0;
	if (lia_store_begin(s, err) < 0)
		return -1;
	if ((r = meta_exec(s, get, open_key, NULL, &ignored, err)) < 0)
		goto out;
	if (meta_exec(s, get, sent_key, NULL, sent_max, err) < 0 ||
	    meta_exec(s, mark, open_key, NULL, NULL, err) < 0)
		goto out;
	rc = lia_store_commit(s, err);
	if (rc == 0)
		*known = r == 0; /* a mark left means a run that did not stop cleanly */
out:
	if (rc < 0)
		lia_store_rollback(s);
	return rc;
}

int lia_store_sent_close(struct lia_store *s, const char *peer, uint64_t sent_max, char *err)
{
	static const char set[] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	static const char unmark[] = "DELETE FROM meta WHERE key = ?1";
	char sent_key[LIA_NAME_MAX + 16], open_key[LIA_NAME_MAX + 16];
	int rc = -1;

	key_of(sent_key, sizeof(sent_key), "sent", peer);
	key_of(open_key, sizeof(open_key), "sent-open", peer);
	if (lia_store_begin(s, err) < 0)
		return -1;
	if (meta_exec(s, set, sent_key, &sent_max, NULL, err) < 0 ||
	    meta_exec(s, unmark, open_key, NULL, NULL, err) < 0)
		goto out;
	rc = lia_store_commit(s, err);
out:
	if (rc < 0)
		lia_store_rollback(s);
	return rc;
}
