/*
 * node_internal.h - the node's state, shared by node.c, link.c, session.c and liaisond.c only.
 */
#ifndef LIA_NODE_INTERNAL_H
#define LIA_NODE_INTERNAL_H

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "config.h"
#include "link.h"
#include "node.h"

/* A proof asked of a peer, waiting for its answer (record.c). */
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

struct lia_node {
	struct lia_config cfg;
	struct lia_charter *charter;          /* owned */
	const struct lia_node_def *self;      /* borrowed from charter */
	EVP_PKEY *key;                        /* node signing key (owned) */
	EVP_PKEY *pub;                        /* own public key (owned) */
	X509 *cert;                           /* own certificate (owned) */
	struct lia_store *store;              /* owned */
	struct event_base *base;              /* borrowed from main */
	SSL_CTX *tls;                         /* owned */
	struct evconnlistener *listeners[LIA_ADDRS_MAX]; /* owned; one per listening address */
	int n_listeners;
	struct lia_admission *admission;      /* owned; connections not yet authenticated (net/admission.h) */
	struct lia_link links[LIA_MAX_NODES]; /* one per other charter node */
	int n_links;
	struct event *checkpoint_timer;       /* record.c: a checkpoint after appends */
	int checkpoint_pending;
	uint64_t alarms;                      /* witness alarms raised since start */
	uint64_t next_request;                /* proof request numbers */
	struct lia_proof_wait waits[LIA_PROOF_WAITS];
	struct lia_signal_catalogue *signals; /* owned; NULL when cfg.signals_path is absent */
	struct event *deadline_timer;         /* deadline_timer.c: armed to the earliest deadline */
	int deadline_notices;                 /* notices queued since links were last woken for them */
	struct lia_radio *radio;              /* owned; NULL without `radio listen` (radio.h) */
};

/* Builds the node from its configuration: charter, key, certificate check, store, links; *out caller frees with lia_node_destroy. */
int lia_node_create(const struct lia_config *cfg, struct event_base *base,
    struct lia_node **out, char *err);

/* Listens and starts every link. */
int lia_node_start(struct lia_node *n, char *err);

/* Closes links, store and keys; NULL is fine. */
void lia_node_destroy(struct lia_node *n);

/*
 * Inside the caller's transaction: signs a receipt for msg (whose COSE hashes
 * to msg_hash) and queues it for peer. Sent only after the caller commits.
 */
int lia_node_receipt(struct lia_node *n, const char *peer, const struct lia_entry *msg,
    const uint8_t msg_hash[32], char *err);

/* Signs, commits and queues a link test (type 7) for peer with nonce; its seq and hash into *seq and hash. */
int lia_node_linktest(struct lia_node *n, const char *peer, uint64_t nonce, uint64_t *seq,
    uint8_t hash[32], char *err);

/* Inside the caller's transaction: signs an answer to peer's link test (whose COSE hashes to test_hash) and queues it for peer. */
int lia_node_linktest_answer(struct lia_node *n, const char *peer, const struct lia_entry *test,
    const uint8_t test_hash[32], char *err);
/*
 * Inside the caller's transaction: signs the overdue notice e (type, ref_*,
 * precedence and the notice fields filled by the caller; origin, seq and time
 * here) and queues it for dests. Sent only after the caller commits.
 */
int lia_node_overdue_notice(struct lia_node *n, struct lia_entry *e,
    const char *const *dests, int n_dests, char *err);
/*
 * Inside the caller's transaction: signs e as an own entry (origin, seq, time
 * filled here), stores it, queues it for each of dests (and awaits their
 * receipts when deliveries); its COSE bytes into *cose (caller frees) unless
 * cose is NULL. Exists only once the caller commits. Returns 1 (err says why)
 * when an incident entry is refused under the incident's rules.
 */
int lia_node_make_entry(struct lia_node *n, struct lia_entry *e, const char *const *dests,
    int n_dests, int deliveries, uint8_t **cose, size_t *cose_len, char *err);

/* A unit's own party's stations (borrowed names) into dests, at most max; 0 for a station. */
int lia_node_own_stations(struct lia_node *n, const char **dests, int max);

/* DER of node name's certificate (own, or learned at a TLS handshake); *der caller frees. */
int lia_node_cert_der(struct lia_node *n, const char *name, uint8_t **der, size_t *len, char *err);

/* The link to peer name, or NULL. */
struct lia_link *lia_node_link(struct lia_node *n, const char *peer);

#endif
