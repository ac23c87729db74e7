/*
 * link.h - TLS 1.3 connections between nodes (libevent SSL bufferevents).
 *
 * One link per other node of the charter. Of each pair, the node whose name
 * sorts first dials; the other accepts. Both ends authenticate with their node
 * certificate; the peer's party and node come from its verified certificate
 * only. A dead link is noticed by heartbeats and redialled with backoff.
 *
 * A node may have several addresses in the charter: the link's paths, most
 * preferred first. The dialer uses one at a time; when it dies it dials the
 * next at once (policy in linkpath.h) and the session resumes from the
 * peer's cursor, so nothing is lost or doubled. The acceptor listens on each
 * of its own addresses and learns the path from the address dialled.
 */
#ifndef LIA_LINK_H
#define LIA_LINK_H

#include <stdint.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "charter.h"
#include "err.h"
#include "wire.h"

struct lia_net;

enum lia_link_state {
	LIA_LINK_DOWN = 0,       /* no connection; dialer waits to redial */
	LIA_LINK_CONNECTING,     /* TCP + TLS handshake under way */
	LIA_LINK_HELLO,          /* authenticated; waiting for the peer's hello */
	LIA_LINK_UP              /* hello exchanged; entries flow */
};

/* What a link knows of one of its paths (index into the dialer's peer->addrs or the acceptor's own addrs). */
struct lia_link_path {
	int64_t up_ms;                       /* wall time it last became active; 0 never */
	int64_t down_ms;                     /* wall time it last failed or was dropped; 0 never */
	uint64_t failures;                   /* failed dials and drops */
	int rtt_ms;                          /* last heartbeat round trip measured on it; -1 none */
};

/* Transport state only: what the record and the link tests keep per peer is theirs (engine/). */
struct lia_link {
	struct lia_net *net;                 /* borrowed */
	const struct lia_node_def *peer;     /* the peer in the charter (borrowed) */
	int dialer;                          /* 1 when this end dials */
	struct bufferevent *bev;             /* NULL when down */
	struct bufferevent *closing;         /* a dropped connection still sending its error frame */
	enum lia_link_state state;
	EVP_PKEY *peer_key;                  /* from the verified certificate (owned) */
	struct event *heartbeat;             /* persistent: pings and liveness */
	struct event *retry;                 /* one-shot: redial after backoff */
	int backoff_ms;
	int64_t since_ms;                    /* wall time of the last state change */
	int64_t last_rx_mono;                /* monotonic ms of the last frame received */
	int64_t ping_sent_mono;
	uint64_t ping_nonce;
	int rtt_ms;                          /* -1 until measured */
	uint64_t sent_upto;                  /* own seq last written to this connection */
	uint64_t sent_max;                   /* own seq highest ever written to this peer (store_sent.c) */
	int sent_known;                      /* 1 known; 0 after an unclean stop, until the peer's first hello; -1 not read */
	uint64_t cursor;                     /* peer seq last committed here */
	int charter_mismatch;                /* peer's charter hash differs from ours */
	int reading;                         /* inside lia_session_read: its batch pumps after "seen" */
	uint64_t frames_in, frames_out, rejected, reconnects;
	char last_error[LIA_ERR_LEN];
	/* redundant paths */
	int path;                            /* path of the current connection; -1 unknown (acceptor) */
	struct lia_link_path paths[LIA_ADDRS_MAX];
	int fails_in_row;                    /* dials failed since the last one that came up */
	int64_t lost_mono;                   /* monotonic ms the active path was lost; 0 when not failing over */
	int lost_path;
	uint64_t switches;                   /* times the link came up on another path after a loss */
	int last_switch_ms;                  /* how long the last switch took; -1 none yet */
	struct bufferevent *probe;           /* dialer: connection testing path 0 while on another */
	int64_t probe_mono;                  /* monotonic ms the last probe started */
};

/* Creates the TLS context: TLS 1.3 only, own certificate and the node key (given by the engine's signer), peers verified against the charter CAs. Caller SSL_CTX_free()s. */
int lia_link_tls_context(struct lia_net *net, const char *cert_path, void **ctx_out, char *err);

/* Sets up a link for peer (not yet connected); lia_link_finish undoes it. */
int lia_link_init(struct lia_link *l, struct lia_net *net, const struct lia_node_def *peer,
    char *err);
void lia_link_finish(struct lia_link *l);

/* Starts the link: dials now when this end is the dialer. */
void lia_link_start(struct lia_link *l);

/* Starts listening for peers on host:port; the listener is net's. */
int lia_link_listen(struct lia_net *net, const char *host, const char *port, char *err);

/* Encodes and queues one frame; drops the link on failure. 0 or -1. */
int lia_link_send(struct lia_link *l, const struct lia_frame *f);

/* Closes the connection with a logged reason (and an error frame to the peer when send_error); redials later if dialer. */
void lia_link_drop(struct lia_link *l, const char *reason, int send_error);

/* The session has exchanged hellos: the current path is up; logs a switch and its duration. */
void lia_link_path_up(struct lia_link *l);

/* Number of paths: the peer's addresses for the dialer, our own for the acceptor. */
int lia_link_path_count(const struct lia_link *l);

/* "HOST:PORT" of path i ("?" when unknown) into out. */
void lia_link_path_address(const struct lia_link *l, int i, char *out, size_t len);

/* The link's status object: peer, state, counters, paths, active path, switches and link tests (link_status.c). */
json_t *lia_link_status_json(const struct lia_link *l);

/* Bytes waiting in the output buffer (0 when down). */
size_t lia_link_pending(const struct lia_link *l);

/* 1 when so much waits for the peer that its frames are not taken until it reads (back-pressure). */
int lia_link_output_full(const struct lia_link *l);

/* "down", "connecting", "hello", "up". */
const char *lia_link_state_name(enum lia_link_state s);

#endif
