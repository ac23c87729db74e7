/*
 * radio.h - the unit link: signals between units of different parties over
 * UDP datagrams (think radio: loss, a few thousand bit/s), see docs/wire.md
 * "Unit link" and docs/design.md.
 *
 * Each `radio peer` of liaisond.conf is a unit of another party. Own entries
 * queued for a peer (the store's outbox) are sent one per datagram, paced by
 * a token bucket of `radio rate` bit/s, and re-sent with backoff until the
 * peer's signed receipt arrives; the outbox row goes only then, so
 * outstanding sends survive a restart. A signal received is verified with
 * its origin's charter-checked certificate and handed to the engine
 * (lia_node_accept: the same rules as the TLS session's), which checks it
 * against the catalogue and stores it with its receipt and a relay entry for
 * this unit's own stations; only after the commit is the receipt sent.
 * Certificates travel on request. The radio is a transport of the engine
 * (transport.h): it registers itself when created.
 */
#ifndef LIA_RADIO_H
#define LIA_RADIO_H

#include <event2/event.h>
#include <jansson.h>

struct lia_node;
struct lia_radio;

/* Sets up the unit link from n's configuration and registers it with n: *out stays NULL when there is no `radio listen`; errors name liaisond.conf. Caller frees with lia_radio_destroy. */
int lia_radio_create(struct lia_node *n, struct event_base *base, struct lia_radio **out,
    char *err);

/* Binds the UDP socket, offers our certificate to every peer and starts sending; NULL r is fine. */
int lia_radio_start(struct lia_radio *r, char *err);

/* New own entries were committed for dest: send them when dest is a radio peer. NULL r is fine. */
void lia_radio_wake(struct lia_radio *r, const char *dest);

/* {"listen","rate","refused","peers":[{"peer","party","address","outbox","in_flight","sent","retransmissions","received","duplicates","receipts","refused","last_error"}]}; null when r is NULL. */
json_t *lia_radio_json(struct lia_radio *r);

/* Closes the socket and frees r; NULL is fine. */
void lia_radio_destroy(struct lia_radio *r);

#endif
