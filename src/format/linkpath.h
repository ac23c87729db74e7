/*
 * linkpath.h - choosing among a link's redundant paths (the addresses of a
 * node in the charter, most preferred first). Pure decisions, no I/O, so the
 * failover policy can be tested alone; link.c acts on them.
 *
 * Policy: when the active path dies the dialer tries the next path at once;
 * only after every path failed in a row does it wait (the link's backoff).
 * While on a less preferred path it probes the most preferred one now and
 * then and moves back when that path answers.
 */
#ifndef LIA_LINKPATH_H
#define LIA_LINKPATH_H

#include <stdint.h>
#include <sys/socket.h>

#include "charter.h"

/* The path to try after path cur of n (wraps to 0). */
int lia_path_next(int cur, int n);

/* Wait before the next dial: 0 while some path is untried since the last success, else backoff_ms. */
int lia_path_delay_ms(int fails_in_row, int n, int backoff_ms);

/*
 * 1 when a connection that was up for up_ms died too soon to count as a
 * success (under 2 s or two heartbeats): its redial backs off like a failed
 * dial, so a peer that drops us at once (say its disk is full) is not redialled
 * many times a second.
 */
int lia_path_short_lived(int64_t up_ms, int heartbeat_ms);

/* Index of the address in addrs[0..n) equal to the numeric socket address sa (IPv4 or IPv6), or -1. */
int lia_path_find(const struct lia_addr *addrs, int n, const struct sockaddr *sa);

/* 1 when a link on path cur should probe path 0 now (last probe started at last_ms, 0 = never). */
int lia_path_probe_due(int cur, int64_t now_ms, int64_t last_ms, int period_ms);

#endif
