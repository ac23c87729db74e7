/*
 * record_internal.h - what record.c, record_proof.c and record_export.c
 * share: the record's own state (per peer) and a few helpers; not an API.
 */
#ifndef LIA_RECORD_INTERNAL_H
#define LIA_RECORD_INTERNAL_H

#include <event2/event.h>

#include "merkle.h"
#include "node_internal.h"
#include "note.h"
#include "record.h"
#include "signer.h"

/* A proof asked of a peer, waiting for its answer (record_proof.c). */
struct lia_proof_wait {
	uint64_t request;
	char peer[LIA_NAME_MAX + 1];
	char origin[LIA_NAME_MAX + 1];
	uint64_t seq;
	void (*done)(void *ctx, json_t *result);  /* NULL when the slot is free */
	void *ctx;
	struct event *timer;
};

#define LIA_PROOF_WAITS 32

/* conflict_old before any conflict: 0 is a size a witness names (it holds nothing of our log). */
#define LIA_RECORD_NO_CONFLICT UINT64_MAX

/* What witnessing keeps per peer (it was the link's, but it is the record's). */
struct lia_record_peer {
	char name[LIA_NAME_MAX + 1];
	uint64_t offered_size;               /* own checkpoint last offered on this connection */
	uint64_t conflict_old;               /* size named by the peer's last conflict; LIA_RECORD_NO_CONFLICT for none */
	uint8_t alarmed[32];                 /* SHA-256 of the last checkpoint refused as evidence */
};

struct lia_record {
	struct event *checkpoint_timer;       /* a checkpoint after appends */
	int checkpoint_pending;
	uint64_t alarms;                      /* witness alarms raised since start */
	uint64_t next_request;                /* proof request numbers */
	struct lia_proof_wait waits[LIA_PROOF_WAITS];
	struct lia_record_peer peers[LIA_MAX_NODES];
	int n_peers;
};

/* peer's state, added on first use; NULL only when the table is full (cannot happen: one per charter node). */
struct lia_record_peer *lia_record_peer(struct lia_node *n, const char *peer);

/* Raw Ed25519 public key of pkey into pub; -1 with err. */
int lia_record_raw_key(EVP_PKEY *pkey, uint8_t pub[32], char *err);

/* Concatenated hashes of a frame into a proof; -1 with err. */
int lia_record_proof_from_frame(const struct lia_frame *f, struct lia_merkle_proof *p, char *err);

/* The signed note of own checkpoint size with every cosignature line received for it (caller frees); NULL with err. */
char *lia_record_note_with_cosignatures(struct lia_node *n, uint64_t size, char *err);

/* Names every node (other than the log's) whose cosignature on note verifies (new reference). */
json_t *lia_record_cosigners(struct lia_node *n, const struct lia_note *note, const char *log_node);

#endif
