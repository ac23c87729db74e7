/*
 * store.h - the node's SQLite database; the only module that speaks SQL.
 *
 * WAL mode with synchronous=FULL: a commit that returned is on disk. Tables:
 * entries (every signed entry made or received, by (origin, seq)), outbox
 * (own entries still to be confirmed by a peer), deliveries (own messages
 * awaiting or holding a receipt per recipient), cursors (highest seq committed
 * from each peer), certs (node certificates learned), meta (own sequence).
 * Writers group their changes between lia_store_begin and lia_store_commit.
 *
 * The joint record (schema version 2): every entry stored is also appended
 * to the node's log, leaf index = log size, in the same transaction; tree
 * keeps the log's RFC 9162 Merkle tree as its complete subtrees (merkle.h),
 * the leaf hash being over the entry's exact COSE bytes. Beside it:
 * checkpoints (signed notes of our log), cosignatures (witnesses' lines on
 * them), witnessed (each peer's latest checkpoint we checked and cosigned)
 * and evidence (a peer's fork or rewritten history, kept forever). What is
 * recorded is never changed or removed. A version-1 database is migrated at
 * open: its entries become the log in stored order.
 */
#ifndef LIA_STORE_H
#define LIA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "entry.h"
#include "merkle.h"

struct lia_store;

enum lia_dir { LIA_DIR_OUT = 0, LIA_DIR_IN = 1 };

/* Opens (creating when absent) the database at path; *out is the caller's (lia_store_close). */
int lia_store_open(const char *path, struct lia_store **out, char *err);

/* Closes the database; NULL is fine. */
void lia_store_close(struct lia_store *s);

/* Transactions: begin (IMMEDIATE), commit (durable when it returns 0), rollback (never fails). */
int lia_store_begin(struct lia_store *s, char *err);
int lia_store_commit(struct lia_store *s, char *err);
void lia_store_rollback(struct lia_store *s);

/* Inside a transaction: takes the node's next own sequence number (1, 2, ...). */
int lia_store_next_seq(struct lia_store *s, uint64_t *seq, char *err);

/* Stores an entry with its exact COSE bytes and hash and appends it to the log (in a transaction of its own when called outside one; inside, a failure asks the caller to roll back); LIA_EDUP when (origin, seq) is already there. */
int lia_store_add_entry(struct lia_store *s, const struct lia_entry *e, enum lia_dir dir,
    const uint8_t *cose, size_t cose_len, int64_t stored_ms, char *err);

/* The COSE bytes of (origin, seq) into *cose (caller frees), its direction and hash; LIA_ENOTFOUND. Any out pointer may be NULL. */
int lia_store_get_entry(struct lia_store *s, const char *origin, uint64_t seq,
    uint8_t **cose, size_t *cose_len, enum lia_dir *dir, uint8_t hash[32], char *err);

/* Puts own entry seq in the outbox for dest. */
int lia_store_queue(struct lia_store *s, const char *dest, uint64_t seq, char *err);

/* Own entries queued for dest after seq `after`, ascending, at most limit; fn may stop the scan by returning non-zero. Returns the count passed to fn, or negative. */
typedef int (*lia_store_entry_fn)(void *ctx, uint64_t seq, const uint8_t *cose, size_t cose_len);
int lia_store_scan_outbox(struct lia_store *s, const char *dest, uint64_t after, int limit,
    lia_store_entry_fn fn, void *ctx, char *err);

/* Drops own entry seq from dest's queue alone (the unit link's receipts arrive in any order); 0 also when it was not queued. */
int lia_store_dequeue(struct lia_store *s, const char *dest, uint64_t seq, char *err);

/* Number of entries still queued for dest. */
int lia_store_outbox_count(struct lia_store *s, const char *dest, int64_t *n, char *err);

/* The peer confirmed every entry of ours up to seq: drop those outbox rows. */
int lia_store_peer_seen(struct lia_store *s, const char *peer, uint64_t seq, char *err);

/* Highest seq committed from peer (0 when none) and its update. */
int lia_store_get_cursor(struct lia_store *s, const char *peer, uint64_t *seq, char *err);
int lia_store_set_cursor(struct lia_store *s, const char *peer, uint64_t seq, char *err);

/* Own message seq awaits a receipt from dest. */
int lia_store_add_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err);

/* Records dest's receipt (the entry dest/receipt_seq, made by dest) for own message seq; LIA_ENOTFOUND when no such delivery, LIA_EDUP when already receipted. */
int lia_store_mark_delivered(struct lia_store *s, uint64_t seq, const char *dest,
    uint64_t receipt_seq, int64_t when_ms, char *err);

/* 1 when the delivery of own message seq to dest exists, 0 when not, negative on error. */
int lia_store_has_delivery(struct lia_store *s, uint64_t seq, const char *dest, char *err);

/* Seq of the ack made by node `by` of message (origin, seq) into *ack_seq (may be NULL); LIA_ENOTFOUND when none. */
int lia_store_find_ack(struct lia_store *s, const char *origin, uint64_t seq, const char *by,
    uint64_t *ack_seq, char *err);

/* Certificates learned from peers (DER), by node name; put replaces. get: *der caller frees; LIA_ENOTFOUND. */
int lia_store_put_cert(struct lia_store *s, const char *node, const uint8_t *der, size_t len, char *err);
int lia_store_get_cert(struct lia_store *s, const char *node, uint8_t **der, size_t *len, char *err);

/* Every receipt and ack that references message (origin, seq), by stored order. */
typedef int (*lia_store_ref_fn)(void *ctx, const char *origin, uint64_t seq,
    const uint8_t *cose, size_t cose_len);
int lia_store_scan_refs(struct lia_store *s, const char *origin, uint64_t seq,
    lia_store_ref_fn fn, void *ctx, char *err);

/*
 * The newest `limit` own link tests (type 7) to peer, newest first, as JSON
 * [{"id", "time" (signed), "result", "rtt_ms"}]: result "answered" (peer's
 * answer stored within timeout_ms of the test), "late" (after it), "failed"
 * (none, and older than timeout_ms at now_ms) or "pending"; rtt_ms from the
 * test's storing to the answer's (wall clock), null without an answer.
 * self is this node's name (the answers' ref-origin). *out is the caller's.
 */
int lia_store_linktest_history(struct lia_store *s, const char *self, const char *peer, int limit,
    int64_t now_ms, int timeout_ms, json_t **out, char *err);

/* The newest `limit` signal entries, sent and received, oldest first, passed to fn as (origin, seq, COSE). */
int lia_store_scan_signals(struct lia_store *s, int limit, lia_store_ref_fn fn, void *ctx,
    char *err);

/* The joint record's log: its size (number of leaves). */
int lia_store_log_size(struct lia_store *s, uint64_t *size, char *err);

/* The RFC 9162 root of the log's first size leaves; LIA_ENOTFOUND when the log is shorter. */
int lia_store_log_root(struct lia_store *s, uint64_t size, uint8_t root[static 32], char *err);

/* The log index of entry (origin, seq); LIA_ENOTFOUND when it is not stored. */
int lia_store_log_index(struct lia_store *s, const char *origin, uint64_t seq, uint64_t *idx,
    char *err);

/* The exact COSE bytes of log leaf idx into *cose (caller frees); LIA_ENOTFOUND past the end. */
int lia_store_log_entry(struct lia_store *s, uint64_t idx, uint8_t **cose, size_t *len,
    char *err);

/* RFC 9162 inclusion proof of leaf idx in the tree of size leaves (idx < size <= log size); LIA_ENOTFOUND when the log is shorter. */
int lia_store_inclusion_proof(struct lia_store *s, uint64_t idx, uint64_t size,
    struct lia_merkle_proof *proof, char *err);

/* RFC 9162 consistency proof from size old to size new_size (0 < old <= new_size <= log size); LIA_ENOTFOUND when the log is shorter. */
int lia_store_consistency_proof(struct lia_store *s, uint64_t old, uint64_t new_size,
    struct lia_merkle_proof *proof, char *err);

/* Keeps our signed checkpoint note of the log at size, after checking root is the log's root there; LIA_EDUP when one of that size is kept. */
int lia_store_add_checkpoint(struct lia_store *s, uint64_t size, const uint8_t root[static 32],
    const char *note, int64_t made_ms, char *err);

/* The largest checkpoint: its size, root and note (*note caller frees; root and note may be NULL); LIA_ENOTFOUND when none. */
int lia_store_latest_checkpoint(struct lia_store *s, uint64_t *size, uint8_t root[32],
    char **note, char *err);

/* The note of our checkpoint of size into *note (caller frees); LIA_ENOTFOUND when none. */
int lia_store_checkpoint(struct lia_store *s, uint64_t size, char **note, char *err);

/* Keeps witness's cosignature line on our checkpoint of size; LIA_EDUP when that witness's is kept, LIA_ENOTFOUND when no such checkpoint. */
int lia_store_add_cosignature(struct lia_store *s, uint64_t size, const char *witness,
    const char *line, int64_t received_ms, char *err);

/* Every cosignature of our checkpoint of size, by witness name (borrowed for the call); fn may stop the scan by returning non-zero. */
typedef int (*lia_store_cosig_fn)(void *ctx, const char *witness, const char *line,
    int64_t received_ms);
int lia_store_scan_cosignatures(struct lia_store *s, uint64_t size, lia_store_cosig_fn fn,
    void *ctx, char *err);

/* Every checkpoint of ours in ascending size, with its note (borrowed for the call); fn may stop the scan. */
typedef int (*lia_store_checkpoint_fn)(void *ctx, uint64_t size, const char *note);
int lia_store_scan_checkpoints(struct lia_store *s, lia_store_checkpoint_fn fn, void *ctx,
    char *err);

/* The largest size of our checkpoints that witness has cosigned (0 when none). */
int lia_store_cosigned_size(struct lia_store *s, const char *witness, uint64_t *size, char *err);

/* The latest checkpoint of peer's log we checked and cosigned: size, root, note (*note caller frees; root and note may be NULL); LIA_ENOTFOUND. */
int lia_store_get_witnessed(struct lia_store *s, const char *peer, uint64_t *size,
    uint8_t root[32], char **note, char *err);

/* Replaces what lia_store_get_witnessed returns for peer. */
int lia_store_set_witnessed(struct lia_store *s, const char *peer, uint64_t size,
    const uint8_t root[static 32], const char *note, int64_t when_ms, char *err);

/* Keeps evidence against peer (a fork or rewritten history) forever: reason, the two notes (either may be NULL). */
int lia_store_add_evidence(struct lia_store *s, const char *peer, const char *reason,
    const char *note_old, const char *note_new, int64_t found_ms, char *err);

/* Recomputes leaf hashes from the stored COSE bytes and the tree from them, against the stored tree and every checkpoint's root: 0 intact (*bad_idx = log size), 1 damaged (*bad_idx = first index not vouched for, err says what), negative when it cannot read. */
int lia_store_log_check(struct lia_store *s, uint64_t *bad_idx, char *err);

/*
 * Deadlines (store_deadline.c, schema version 6): one row per answer awaited
 * (a receipt or an ack of message (origin, seq) by node). Times in UTC ms;
 * -1 stands for none in next_ms, overdue_ms and met_ms.
 */
struct lia_deadline_row {
	char origin[LIA_NAME_MAX + 1];
	uint64_t seq;
	char node[LIA_NAME_MAX + 1];
	enum lia_deadline_kind kind;
	enum lia_precedence precedence;
	int64_t due_ms;
	int64_t next_ms;                    /* when the timer looks at it again */
	uint32_t step;                      /* notices made (sender) or heard (elsewhere) */
	int64_t overdue_ms;
	int64_t met_ms;
};

/* Adds a pending deadline (next_ms = due_ms) unless one of that key exists (then nothing changes). */
int lia_store_deadline_add(struct lia_store *s, const struct lia_deadline_row *r, char *err);

/* Marks met at when_ms the open deadlines of (origin, seq, kind), of node only when node is not NULL; copies up to max of the rows it closed into out[] (their state before), *n their count. */
int lia_store_deadline_met(struct lia_store *s, const char *origin, uint64_t seq,
    const char *node, enum lia_deadline_kind kind, int64_t when_ms,
    struct lia_deadline_row *out, int max, int *n, char *err);

/* The earliest next_ms of any deadline into *next_ms; LIA_ENOTFOUND when none is pending. */
int lia_store_deadline_next(struct lia_store *s, int64_t *next_ms, char *err);

/* Up to max deadlines whose next_ms <= now_ms, earliest first, into out[]; *n their count. */
int lia_store_deadline_due(struct lia_store *s, int64_t now_ms, struct lia_deadline_row *out,
    int max, int *n, char *err);

/* After a step: step, overdue_ms (kept when already set) and next_ms (-1: none) of r's key. */
int lia_store_deadline_step(struct lia_store *s, const struct lia_deadline_row *r, char *err);

/* A notice heard about r's key (r->step 0: the answer came): creates or raises the row, overdue (or met) at when_ms, never scheduled here. */
int lia_store_deadline_heard(struct lia_store *s, const struct lia_deadline_row *r,
    int64_t when_ms, char *err);

/* What is overdue now (marked, not met), oldest due first: [{"id","origin","seq","node","deadline","precedence","due","overdue_since","late_s","steps"}]. */
int lia_store_overdue_json(struct lia_store *s, int64_t now_ms, json_t **out, char *err);

/* The overdue deadlines of one message, as lia_store_overdue_json's items (an empty array when none). */
int lia_store_overdue_of(struct lia_store *s, const char *origin, uint64_t seq, int64_t now_ms,
    json_t **out, char *err);

/*
 * Views for the API, as JSON (caller json_decref). A message object:
 * {"id":"tokyo/3","origin","seq","to","precedence","time","lang","text",
 *  "direction":"out"|"in","stored","log_index","state", "deliveries":[{"node","state":
 *  "queued"|"delivered","receipt":"beijing/5"|null,"delivered":time|null}],
 *  "acks":[{"id","node","operator","time"}]}
 * state: out: queued (some recipient without receipt), delivered (all
 * receipted), acknowledged (any ack); in: received or acknowledged.
 */
int lia_store_list_messages(struct lia_store *s, enum lia_dir dir, int limit,
    json_t **out, char *err);
int lia_store_message_json(struct lia_store *s, const char *origin, uint64_t seq,
    json_t **out, char *err);

/* Counts for status: {"entries","messages_in","messages_out","outbox","unacknowledged"}. */
int lia_store_counts(struct lia_store *s, json_t **out, char *err);

/* Log leaves from index from_idx on, at most limit (all when limit <= 0): [{"index","id":"origin/seq","type","direction","leaf_hash":hex}]. */
int lia_store_log_json(struct lia_store *s, uint64_t from_idx, int limit, json_t **out,
    char *err);

/* All evidence kept, oldest first: [{"n","peer","reason","note_old","note_new","found"}]. */
int lia_store_evidence_json(struct lia_store *s, json_t **out, char *err);

/*
 * What this node wrote to peer (store_sent.c), for bounding a hello's seen:
 * open reads the figure kept at the last clean stop (*known 0 after a crash
 * or an unclean stop: the figure may be too low) and marks the run as
 * started; close keeps sent_max and clears the mark (call it only when the
 * figure is known). 0 or -1 with err.
 */
int lia_store_sent_open(struct lia_store *s, const char *peer, uint64_t *sent_max, int *known,
    char *err);
int lia_store_sent_close(struct lia_store *s, const char *peer, uint64_t sent_max, char *err);

#endif
