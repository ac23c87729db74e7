/*
 * radio_internal.h - what radio.c (socket, pacing, retransmission) and
 * radio_rx.c (what arrives) share; not an API.
 */
#ifndef LIA_RADIO_INTERNAL_H
#define LIA_RADIO_INTERNAL_H

#include <stdint.h>
#include <sys/socket.h>
#include <event2/event.h>
#include <openssl/evp.h>

#include "config.h"
#include "err.h"
#include "node.h"
#include "radio.h"
#include "radio_guard.h"
#include "radio_wire.h"

#define RADIO_WINDOW 8          /* own entries in flight per peer */
#define RADIO_URGENT 32         /* receipts and certificates waiting for the channel */

/* An own entry sent and waiting for the peer's receipt. */
struct radio_out {
	uint64_t seq;
	uint8_t *cose;              /* owned */
	size_t len;
	int tries;                  /* sends so far */
	int64_t due_ms;             /* monotonic: next send */
};

/* A datagram to send before any entry: a receipt or a certificate. */
struct radio_msg {
	uint8_t buf[LIA_DGRAM_MAX];
	size_t len;
};

struct radio_peer {
	const struct lia_node_def *def;     /* borrowed from the charter */
	const struct lia_radio_peer_cfg *cfg; /* borrowed from the node's config */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct lia_bucket bucket;
	struct radio_out out[RADIO_WINDOW];
	int n_out;
	uint64_t loaded_upto;               /* highest own seq taken from the outbox */
	struct radio_msg urgent[RADIO_URGENT];
	int n_urgent;
	int64_t cert_asked_ms, cert_offered_ms;
	uint64_t sent, resent, received, duplicates, receipts, refused;
	char last_error[LIA_ERR_LEN];
	EVP_PKEY *pub;                      /* its key from the stored certificate, checked once (owned; NULL: not yet) */
};

struct lia_radio {
	struct lia_node *node;              /* the engine (borrowed) */
	struct event_base *base;            /* borrowed from main */
	const struct lia_config *cfg;       /* the engine's (borrowed) */
	const struct lia_charter *charter;  /* borrowed */
	const struct lia_node_def *self;    /* borrowed */
	struct lia_store *store;            /* the engine's: outbox and certificates (borrowed) */
	int fd;
	struct event *rx, *tick;
	struct radio_peer peers[LIA_RADIO_PEERS];
	int n_peers;
	uint64_t refused;                   /* datagrams no peer could be named for */
	struct lia_radio_guard guard;       /* per-source limits, refusal counts (radio_guard.h) */
	uint64_t rng;
	int64_t rto_ms;                     /* first retransmission timeout */
};

/* The peer of that node name, or NULL. */
struct radio_peer *lia_radio_peer(struct lia_radio *r, const char *node);

/* Queues d for p ahead of entries; drops it (logged) when the queue is full. */
void lia_radio_urgent(struct lia_radio *r, struct radio_peer *p, const struct lia_dgram *d);

/* Asks p for its certificate, at most every few seconds. */
void lia_radio_ask_cert(struct lia_radio *r, struct radio_peer *p);

/* Offers our certificate to p, at most every few seconds. */
void lia_radio_offer_cert(struct lia_radio *r, struct radio_peer *p);

/* p's receipt for own seq arrived and is committed: stop sending it, take the next. */
void lia_radio_confirmed(struct lia_radio *r, struct radio_peer *p, uint64_t seq);

/* Handles one datagram that arrived (radio_rx.c); from names the sender's address for logs. */
void lia_radio_receive(struct lia_radio *r, const uint8_t *buf, size_t len, const char *from);

#endif
