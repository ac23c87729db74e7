/*
 * net_internal.h - what link.c, session.c, link_status.c and net.c share:
 * the TLS transport's state. Not an API; net/ only.
 */
#ifndef LIA_NET_INTERNAL_H
#define LIA_NET_INTERNAL_H

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "config.h"
#include "link.h"
#include "net.h"
#include "node.h"
#include "transport.h"

struct lia_net {
	struct lia_node *node;                /* the engine (borrowed) */
	struct event_base *base;              /* borrowed from main */
	const struct lia_config *cfg;         /* the engine's (borrowed) */
	const struct lia_charter *charter;    /* borrowed */
	const struct lia_node_def *self;      /* borrowed from the charter */
	struct lia_store *store;              /* the engine's: cursors, outbox, certificates (borrowed) */
	SSL_CTX *tls;                         /* owned */
	struct evconnlistener *listeners[LIA_ADDRS_MAX]; /* owned; one per listening address */
	int n_listeners;
	struct lia_admission *admission;      /* owned; connections not yet authenticated (admission.h) */
	struct lia_link links[LIA_MAX_NODES]; /* one per link peer */
	int n_links;
};

/* The link to peer name, or NULL. */
struct lia_link *lia_net_link(struct lia_net *net, const char *peer);

#endif
