/*
 * relay.h - a station's side of what its units heard on the unit link: the
 * relay entry (type 9) a unit of the station's own party made around a
 * signal signed by a unit of another party (docs/wire.md, "Unit link").
 */
#ifndef LIA_RELAY_H
#define LIA_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "charter.h"
#include "entry.h"

struct lia_node;

/*
 * Inside the caller's transaction (an accept rule, accept.c): checks relay e
 * (verified as made by peer) came from a unit of our own party, that the inner entry is a
 * signal verified with the enclosed certificate, which the charter must give
 * to the inner origin (a unit of another party), and that the signal passes
 * our catalogue; stores the relay, the inner signal (once: a copy already
 * held is fine) and that certificate, and queues our receipt of the relay.
 * 0 stored, LIA_REFUSED refused (err says why), -1 store failure.
 */
int lia_relay_accept(struct lia_node *n, const struct lia_node_def *peer,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, char *err);

/* 1 when a signal not addressed to this station is a copy its own unit (peer, which sent it) sends up: a unit forwards its signals to its stations. */
int lia_relay_own_unit_copy(const struct lia_node *n, const struct lia_node_def *peer,
    const struct lia_entry *e);

#endif
