/*
 * net.h - the TLS links of a node as one transport (transport.h): the TLS
 * context, the listeners and one link per link peer of the engine
 * (lia_node_link_peers). main creates it after the engine and before the
 * API; it registers itself with the engine, which wakes it after commits.
 */
#ifndef LIA_NET_H
#define LIA_NET_H

#include <event2/event.h>
#include <jansson.h>

struct lia_node;
struct lia_net;

/* Builds the TLS context and the links (not yet connected) and registers them with n; *out caller frees with lia_net_destroy. */
int lia_net_create(struct lia_node *n, struct event_base *base, struct lia_net **out, char *err);

/* Listens on the node's addresses and starts every link (the dialer dials). */
int lia_net_start(struct lia_net *net, char *err);

/* The peer port's unauthenticated connections (admission.h) for /v1/status's "admission"; caller owns it. */
json_t *lia_net_admission_json(const struct lia_net *net);

/* Closes links and listeners and unregisters from the engine; NULL is fine. */
void lia_net_destroy(struct lia_net *net);

#endif
