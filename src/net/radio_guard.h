/*
 * radio_guard.h - what the unit link does with datagrams it refuses
 * (issue 10: 1 M garbage datagrams made 98.6 MB of log in 5 s, and each
 * forged one cost three signature checks and a read). Anyone who can reach
 * the UDP port can send, so:
 *   - each source (address and port) gets LIA_RADIO_SOURCE_BURST datagrams
 *     per second; beyond that they are dropped before anything is decoded
 *     or resolved, and only counted. A configured peer sends at its `radio
 *     rate` (a few datagrams a second), far below the limit; an attacker on
 *     other sources does not eat its budget;
 *   - refusals are counted by reason and summarised in one log line per
 *     LIA_RADIO_SUMMARY_MS (the individual lines go through the log's own
 *     per-site limit), and shown in `liaison radio --json` ("refusals").
 */
#ifndef LIA_RADIO_GUARD_H
#define LIA_RADIO_GUARD_H

#include <stdint.h>
#include <sys/socket.h>
#include <jansson.h>

#include "ratelimit.h"

#define LIA_RADIO_SOURCE_BURST 200   /* datagrams per source per second */
#define LIA_RADIO_SOURCES 64         /* sources tracked; the least recent is forgotten */
#define LIA_RADIO_SUMMARY_MS 10000

enum lia_radio_refusal {
	LIA_RADIO_REFUSED_RATE,       /* over its source's limit: not even decoded */
	LIA_RADIO_REFUSED_SIZE,       /* over 1400 bytes */
	LIA_RADIO_REFUSED_MALFORMED,  /* not a datagram, or an entry that does not parse */
	LIA_RADIO_REFUSED_ORIGIN,     /* names a node that is not a radio peer */
	LIA_RADIO_REFUSED_CERT,       /* certificate offered or stored that does not check */
	LIA_RADIO_REFUSED_SIGNATURE,  /* fails the peer's key: forged or altered */
	LIA_RADIO_REFUSED_CONTENT,    /* signed, but not for us, not in the catalogue, impossible time */
	LIA_RADIO_REFUSED_KINDS
};

struct lia_radio_source {
	uint8_t key[19];              /* family, port, address (IPv4 or IPv6) */
	int64_t last_mono;
	struct lia_ratelimit rl;
};

struct lia_radio_guard {
	struct lia_radio_source sources[LIA_RADIO_SOURCES];
	uint64_t counts[LIA_RADIO_REFUSED_KINDS];     /* since start */
	uint64_t reported[LIA_RADIO_REFUSED_KINDS];   /* at the last summary */
	int64_t summary_mono;
};

/* An empty guard. */
void lia_radio_guard_init(struct lia_radio_guard *g);

/* 1 when a datagram from sa (len bytes) may be looked at now_ms, else 0 (counted as rate). */
int lia_radio_guard_admit(struct lia_radio_guard *g, const struct sockaddr *sa, int64_t now_ms);

/* Counts one refusal of that kind. */
void lia_radio_guard_count(struct lia_radio_guard *g, enum lia_radio_refusal kind);

/* Logs one line with what was refused since the last one, at most every LIA_RADIO_SUMMARY_MS. */
void lia_radio_guard_summary(struct lia_radio_guard *g, int64_t now_ms);

/* {"rate":N, "size":N, ...} since start; caller owns the reference. */
json_t *lia_radio_guard_json(const struct lia_radio_guard *g);

#endif
