/*
 * linktest.h - link tests: on a schedule (liaisond.conf "linktest", default
 * 1 h, down to 1 s) each link sends a signed link test entry (type 7) to its
 * peer, which answers with a signed link test answer (type 8) naming the
 * test's hash. Both are entries: they are in both logs. Per link we keep the
 * last success, its round trip (commit of the test to arrival of the answer)
 * and the failures (no answer within liaisond.conf's "linktest-timeout",
 * default 10 s).
 * One test is outstanding at a time; a tick while it waits sends nothing.
 * The tests are the engine's (one per link peer, lia_node_link_peers): a test
 * is an entry queued in the outbox like any other, whatever the link's state.
 */
#ifndef LIA_LINKTEST_H
#define LIA_LINKTEST_H

#include <stdint.h>
#include <event2/event.h>
#include <jansson.h>

#include "entry.h"
#include "id.h"


#define LIA_LINKTEST_HISTORY 10  /* recent tests per peer that lia_linktest_json lists */

struct lia_node;

/* One peer's tests (linktest.c owns them; not an API). */
struct lia_linktest {
	struct lia_node *node;             /* borrowed */
	const char *peer;                  /* borrowed from the charter */
	struct event *timer;               /* persistent; NULL when tests are off */
	struct event *deadline;            /* one-shot: the pending test's answer is due */
	uint64_t pending_seq;              /* own seq of the test awaiting its answer; 0 none */
	uint8_t pending_hash[32];
	uint64_t pending_nonce;
	int64_t sent_mono;                 /* monotonic ms the pending test was committed */
	int64_t last_sent_ms;              /* wall times; 0 never */
	int64_t last_success_ms;
	int64_t last_failure_ms;
	int last_rtt_ms;                   /* -1 until an answer came */
	uint64_t sent, answered, failures, late;
};

/* Sets up the tests of every link peer (period from the node's config; no timers when off). */
int lia_linktest_create(struct lia_node *n, char *err);

/* Starts the test timers. */
int lia_linktest_start(struct lia_node *n, char *err);

/* Stops the timers and frees the tests; NULL-safe. */
void lia_linktest_destroy(struct lia_node *n);

/*
 * Sends a test to peer now (what the timer does, and the API's POST
 * /v1/links/PEER/test): the new test is the pending one (a test still
 * awaiting its answer is no longer waited for). Writes its id when id is not
 * NULL. 0, or -1 with err when peer has no link or it could not be committed.
 */
int lia_linktest_send(struct lia_node *n, const char *peer, char id[LIA_ID_LEN], char *err);

/*
 * An answer from peer, signature already checked: 0 it answers one of our
 * tests to this peer (books success and rtt when it is the pending one),
 * LIA_REFUSED it does not (err says why; refuse it), -1 store failure.
 */
int lia_linktest_check_answer(struct lia_node *n, const char *peer,
    const struct lia_entry *answer, char *err);

/* Peer's test figures and recent history (from the store) as a JSON object (new reference; null when peer has no link). */
json_t *lia_linktest_json(struct lia_node *n, const char *peer);

#endif
