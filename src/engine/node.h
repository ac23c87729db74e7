/*
 * node.h - the engine: one running Liaison node's identity, charter, store
 * and rules, as an opaque struct lia_node (docs/architecture.md).
 *
 * The daemon builds one lia_node in main, then its transports (net/), which
 * register with it (transport.h), then the API. The API composes entries
 * only through these calls (compose.c), so every own entry is signed by the
 * one signer (signer.h) and committed by the one commit (commit.c).
 */
#ifndef LIA_NODE_H
#define LIA_NODE_H

#include <stdint.h>
#include <jansson.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "charter.h"
#include "config.h"
#include "entry.h"
#include "id.h"
#include "store.h"


struct lia_node;

/* Builds the node from its configuration: charter, key, certificate check, signal catalogue, store; *out caller frees with lia_node_destroy. */
int lia_node_create(const struct lia_config *cfg, struct event_base *base,
    struct lia_node **out, char *err);

/* Starts the engine's timers: checkpoints, deadlines, link tests. The transports start after it. */
int lia_node_start(struct lia_node *n, char *err);

/* Frees timers, store, keys (after the transports are gone); NULL is fine. */
void lia_node_destroy(struct lia_node *n);

/*
 * Composes, signs and commits a message to `to` (node or party); it counts as
 * sent when this returns 0. Writes the id ("origin/seq") into id.
 */
int lia_node_send(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, char id[LIA_ID_LEN], char *err);

/* As lia_node_send, naming the sending operator in the signed message (wire key 32); NULL names none. */
int lia_node_send_as(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, const char *operator_name, char id[LIA_ID_LEN],
    char *err);

/*
 * Back-pressure for the API: 0 when one more message to each of to[0..n_to)
 * (node or party names; a name repeated counts again) fits under the bound
 * on each recipient's outbox: own entries queued toward that peer and not
 * yet confirmed by it, at most outbox-max (liaisond.conf, default 10,000).
 * LIA_EFULL with a sentence naming the peer and the bound when one would
 * pass it; -1 when a name has no recipient or the store fails. Writes nothing.
 */
int lia_node_outbox_room(struct lia_node *n, const char *const *to, int n_to, char *err);

/* Signs and commits an operator's acknowledgement of received message (origin, seq); it travels back to the origin. */
int lia_node_ack(struct lia_node *n, const char *origin, uint64_t seq,
    const char *operator_name, char id[LIA_ID_LEN], char *err);

/*
 * Checks sigs against the catalogue (codes known, each parameter value in
 * range, values in catalogue order), then composes, signs and commits a
 * signal entry to `to` at position lat, lon (1e-5 degree). Nothing is signed
 * when a check fails: err names the code and parameter; LIA_ENOTFOUND for an
 * unknown code. Writes the id into id. A `to` of NULL or "" is a broadcast:
 * on a unit, queued for every radio peer (and its own stations).
 */
int lia_node_send_signal(struct lia_node *n, const char *to, const struct lia_entry_signal *sigs,
    size_t nsigs, int32_t lat, int32_t lon, char id[LIA_ID_LEN], char *err);

/*
 * The nodes a broadcast signal goes to: this unit's radio peers, into dests
 * (at most max); the count, or -1 with err when there are none or this node
 * is a station (a station has no radio: it addresses its signals).
 */
int lia_node_broadcast_peers(struct lia_node *n, const char **dests, int max, char *err);

/*
 * Completes incident entry e (type, action and its fields set by the caller;
 * `to` is the other side's party or station), signs it and, in one
 * transaction, checks it against the incident's rules (incident.c), stores
 * and queues it for every recipient of e->to. Nothing is signed into the
 * store when a rule refuses it (or `to` names no recipient): returns
 * LIA_REFUSED (err.h) with err saying why. Writes the id.
 */
int lia_node_incident(struct lia_node *n, struct lia_entry *e, char id[LIA_ID_LEN], char *err);

/* Checks every signal of entry e against the node's catalogue; -1 (or LIA_ENOTFOUND) with err. */
int lia_node_check_signals(struct lia_node *n, const struct lia_entry *e, char *err);

/* The code of catalogue number number, or NULL when the catalogue has none (borrowed). */
const char *lia_node_signal_code(struct lia_node *n, unsigned number);

/* Renders signal sg as "CODE — text" in lang into out (cap bytes); 0, or negative with err. */
int lia_node_render_signal(struct lia_node *n, const struct lia_entry_signal *sg,
    enum lia_signal_lang lang, char *out, size_t cap, char *err);

/* Public key of node name (own or learned from its certificate); *out caller frees. */
int lia_node_public_key(struct lia_node *n, const char *name, EVP_PKEY **out, char *err);

/* The links transport's status (net/link.h): [{"peer","address","state",...}], [] without one (caller decrefs). */
json_t *lia_node_links_json(struct lia_node *n);

/* The unit link's state (radio.h, lia_radio_json): null when the node has none. */
json_t *lia_node_radio_json(struct lia_node *n);

/* DER of node name's certificate (own, or learned at a TLS handshake); *der caller frees. */
int lia_node_cert_der(struct lia_node *n, const char *name, uint8_t **der, size_t *len, char *err);

/* The charter nodes this node keeps a TLS link with (all others but its radio peers), into peers; the count. */
int lia_node_link_peers(const struct lia_node *n, const struct lia_node_def **peers, int max);

/* Gives the node key to TLS context ctx (signer.h: the key never leaves the signer). 0, or -1 with err. */
int lia_node_tls_key(struct lia_node *n, SSL_CTX *ctx, char *err);

/* Borrowed accessors. */
struct lia_store *lia_node_store(struct lia_node *n);
const struct lia_charter *lia_node_charter(const struct lia_node *n);
const struct lia_config *lia_node_config(const struct lia_node *n);
const struct lia_node_def *lia_node_self(const struct lia_node *n);
const char *lia_node_name(const struct lia_node *n);
const char *lia_node_party(const struct lia_node *n);

#endif
