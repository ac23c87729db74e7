/*
 * engine_fixture.h - a real engine (lia_node_create on a node directory made
 * at start) with a fake transport and no sockets, for test_engine*.c.
 *
 * The mechanism: parties japan and china; stations tokyo (japan) and beijing
 * (china); units kaiyo (japan) and haixun (china). kaiyo has a unit link
 * (radio) to haixun in its liaisond.conf; every other pair is a TLS link.
 * Peers' entries are signed here with their own node keys, opened as a
 * transport would open them, and handed to lia_node_accept.
 */
#ifndef LIA_ENGINE_FIXTURE_H
#define LIA_ENGINE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>
#include <openssl/evp.h>

#include "entry.h"
#include "node.h"
#include "transport.h"

#define EFX_WAKES 64

/* What the engine asked of the fake transport. */
struct efx_transport {
	char woken[EFX_WAKES][LIA_NAME_MAX + 1];
	int n_woken;
	int woken_in_tx;       /* wakes that came while a transaction was open: must stay 0 */
	int checkpoints;
	int sends;
};

struct efx {
	struct event_base *base;
	struct lia_node *node;           /* the node under test */
	struct efx_transport t;
	uint64_t next_seq[4];            /* per peer, the seq of its next entry */
};

/* Makes the mechanism's directory once (atexit removes it). */
void efx_mechanism(void);

/* Opens node name (a fresh, empty database) into f with the fake transport registered. */
void efx_open(struct efx *f, const char *name);

/* Closes what efx_open opened. */
void efx_close(struct efx *f);

/* The node key of name (caller frees). */
EVP_PKEY *efx_key(const char *name);

/* Stores name's certificate in the node's store, as a handshake or the radio would. */
void efx_learn_cert(struct efx *f, const char *name);

/* DER of name's certificate (caller frees). */
uint8_t *efx_cert_der(const char *name, size_t *len);

/* Signs e (origin set by the caller; seq and time filled when 0) with key, COSE into *cose. */
void efx_sign(struct efx *f, EVP_PKEY *key, struct lia_entry *e, uint8_t **cose, size_t *len);

/*
 * e from its origin (signed with the origin's key), opened as a transport
 * would, accepted inside a transaction from peer over via: committed on 0,
 * rolled back otherwise. The answer of *out (when out) is the caller's.
 */
int efx_accept(struct efx *f, const char *peer, enum lia_via via, struct lia_entry *e,
    struct lia_accepted *out, char *err);

/* 1 when the transport was woken for peer. */
int efx_woken(const struct efx *f, const char *peer);

/* Entries queued in the outbox for dest. */
int64_t efx_outbox(struct efx *f, const char *dest);

/* 1 when origin/seq is stored at the node. */
int efx_has(struct efx *f, const char *origin, uint64_t seq);

/* SHA-256 of stored origin/seq (as receipts name it). */
void efx_hash(struct efx *f, const char *origin, uint64_t seq, uint8_t hash[32]);

#endif
