/*
 * admission.h - bounds on connections nobody has authenticated yet, and on
 * listeners that run out of file descriptors (issue 10, "Connection floods").
 *
 * Anyone who can reach a port can open connections and trickle a TLS
 * ClientHello (no certificate needed) or an HTTP request one byte at a
 * time. Admission keeps every such pending connection in a table with:
 *   - a cap in total and a cap per source address (IPv4 address, or IPv6
 *     /64): beyond a cap the OLDEST pending connection (of that address, or
 *     of all) is closed to make room. Why the oldest: a charter peer's
 *     handshake takes milliseconds, an attacker's trickle takes as long as
 *     we let it; closing the newest would let whoever filled the table first
 *     keep every later peer out until the deadlines ran, while closing the
 *     oldest lets a redialling peer in at once, and it stays in as long as
 *     fewer than the cap new connections from its address arrive during its
 *     handshake. Pre-handshake a peer cannot be told from an attacker on
 *     the same address; what it is then is decided by its certificate;
 *   - an ABSOLUTE deadline from the accept, which bytes do not extend;
 * so a flood costs at most the caps' worth of descriptors and memory, and
 * the descriptors the links, the store and the API need stay free.
 *
 * The owner hands each accepted connection over with lia_admission_add and
 * takes it back with lia_admission_remove once it is authenticated (or when
 * it frees it itself). Connections closed by admission are freed through
 * the owner's close function; their callbacks are not called.
 */
#ifndef LIA_ADMISSION_H
#define LIA_ADMISSION_H

#include <stdint.h>
#include <sys/socket.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "err.h"

struct lia_admission;

struct lia_admission_limits {
	int max_total;          /* pending connections in all */
	int max_per_addr;       /* pending connections from one source address */
	int deadline_ms;        /* from accept to authenticated, absolute */
	const char *what;       /* for log lines: "TLS handshake", "API request" */
};

/* Counters since start, for status output and tests. */
struct lia_admission_stats {
	int pending;            /* now */
	int pending_max;        /* highest seen */
	uint64_t admitted, evicted, expired;
};

/* Creates an empty table on base; close frees a connection it gives up. *out caller frees (lia_admission_destroy). 0 or -1 with err. */
int lia_admission_create(struct event_base *base, const struct lia_admission_limits *lim,
    void (*close)(struct bufferevent *bev), struct lia_admission **out, char *err);

/* Closes every pending connection and frees the table; NULL is fine. */
void lia_admission_destroy(struct lia_admission *a);

/*
 * Takes bev (just accepted from sa) as pending: closes the oldest pending
 * connections beyond the caps first, and starts bev's deadline. On failure
 * (out of memory) bev is closed and -1 returned.
 */
int lia_admission_add(struct lia_admission *a, struct bufferevent *bev, const struct sockaddr *sa);

/* bev is no longer pending (authenticated, or the owner frees it): forgets it, 1 when it was there. */
int lia_admission_remove(struct lia_admission *a, struct bufferevent *bev);

/* The counters. */
void lia_admission_get_stats(const struct lia_admission *a, struct lia_admission_stats *out);

/*
 * Makes lev pause on an accept error that retrying cannot fix (EMFILE,
 * ENFILE, ENOBUFS, ENOMEM) instead of spinning (engine/listen_pause.h). Up
 * to LIA_LISTEN_PAUSE_MAX per table; lev must outlive a (destroy the table
 * first). 0, or -1 with err.
 */
int lia_admission_guard_listener(struct lia_admission *a, struct evconnlistener *lev, char *err);

/* Times a guarded listener was paused for lack of descriptors. */
uint64_t lia_admission_pauses(const struct lia_admission *a);

/* {"pending","pending_max","admitted","closed_over_cap","closed_deadline","listener_pauses"}; a NULL table gives zeros. Caller owns it. */
json_t *lia_admission_json(const struct lia_admission *a);

#endif
