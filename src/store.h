/*
 * store.h - the node's SQLite database; the only module that speaks SQL.
 *
 * WAL mode with synchronous=FULL: a commit that returned is on disk. Tables:
 * entries (every signed entry made or received, by (origin, seq)), outbox
 * (own entries still to be confirmed by a peer), deliveries (own messages
 * awaiting or holding a receipt per recipient), cursors (highest seq committed
 * from each peer), certs (node certificates learned), meta (own sequence).
 * Writers group their changes between lia_store_begin and lia_store_commit.
 */
#ifndef LIA_STORE_H
#define LIA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "entry.h"

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

/* Stores an entry with its exact COSE bytes and hash; LIA_EDUP when (origin, seq) is already there. */
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
 * Views for the API, as JSON (caller json_decref). A message object:
 * {"id":"tokyo/3","origin","seq","to","precedence","time","lang","text",
 *  "direction":"out"|"in","stored","state", "deliveries":[{"node","state":
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

#endif
