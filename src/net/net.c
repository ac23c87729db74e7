/*
 * net.c - the TLS links as one transport of the engine (net.h): builds the
 * TLS context and one link per link peer, listens, and answers the engine's
 * callbacks (transport.h): wake a peer's session, offer a new checkpoint,
 * send a frame the engine asks for, and the links' status.
 */
#include "net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "err.h"
#include "log.h"
#include "record.h"
#include "session.h"

struct lia_link *lia_net_link(struct lia_net *net, const char *peer)
{
	for (int i = 0; i < net->n_links; i++)
		if (strcmp(net->links[i].peer->name, peer) == 0)
			return &net->links[i];
	return NULL;
}

/* New own entries for peer are committed: push them now if its link is up. */
static void net_wake(void *ctx, const char *peer)
{
	struct lia_link *l = lia_net_link(ctx, peer);

	/* A batch being read pumps after its "seen" (session.c, finish_batch). */
	if (l != NULL && l->state == LIA_LINK_UP && !l->reading)
		lia_session_pump(l);
}

static void net_checkpoint(void *ctx)
{
	struct lia_net *net = ctx;

	for (int i = 0; i < net->n_links; i++)
		if (net->links[i].state == LIA_LINK_UP)
			lia_session_offer(&net->links[i]);
}

static int net_send(void *ctx, const char *peer, const struct lia_frame *f)
{
	struct lia_link *l = lia_net_link(ctx, peer);

	if (l == NULL || l->state != LIA_LINK_UP)
		return LIA_ENOTFOUND;
	return lia_link_send(l, f);
}

static json_t *net_json(void *ctx)
{
	struct lia_net *net = ctx;
	json_t *links = json_array();

	for (int i = 0; i < net->n_links; i++)
		json_array_append_new(links, lia_link_status_json(&net->links[i]));
	return links;
}

static const struct lia_transport_ops net_ops = {
	.name = "links",
	.wake = net_wake,
	.checkpoint = net_checkpoint,
	.send = net_send,
	.json = net_json,
};

int lia_net_create(struct lia_node *n, struct event_base *base, struct lia_net **out, char *err)
{
	const struct lia_node_def *peers[LIA_MAX_NODES];
	struct lia_net *net = calloc(1, sizeof(*net));
	char path[4200];
	int count;

	if (net == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	net->node = n;
	net->base = base;
	net->cfg = lia_node_config(n);
	net->charter = lia_node_charter(n);
	net->self = lia_node_self(n);
	net->store = lia_node_store(n);
	snprintf(path, sizeof(path), "%s/node.crt", net->cfg->dir);
	if (lia_link_tls_context(net, path, (void **)&net->tls, err) < 0)
		goto fail;
	count = lia_node_link_peers(n, peers, LIA_MAX_NODES);
	for (int i = 0; i < count; i++) {
		if (lia_link_init(&net->links[net->n_links], net, peers[i], err) < 0)
			goto fail;
		net->n_links++;
	}
	if (lia_node_add_transport(n, &net_ops, net, err) < 0)
		goto fail;
	*out = net;
	return 0;
fail:
	lia_net_destroy(net);
	return -1;
}

/* The listen line's address, or else every address of this node in the charter (its paths). */
static int listen_all(struct lia_net *net, char *err)
{
	if (net->cfg->listen_host[0])
		return lia_link_listen(net, net->cfg->listen_host, net->cfg->listen_port, err);
	for (int i = 0; i < net->self->n_addrs; i++)
		if (lia_link_listen(net, net->self->addrs[i].host, net->self->addrs[i].port, err) < 0)
			return -1;
	return 0;
}

int lia_net_start(struct lia_net *net, char *err)
{
	const char *host = net->cfg->listen_host[0] ? net->cfg->listen_host : net->self->host;
	const char *port = net->cfg->listen_port[0] ? net->cfg->listen_port : net->self->port;

	if (listen_all(net, err) < 0)
		return -1;
	for (int i = 0; i < net->n_links; i++)
		lia_link_start(&net->links[i]);
	lia_log_info("node %s of %s listening on %s:%s%s with %d peer%s", net->self->name,
	    net->self->party, host, port, net->n_listeners > 1 ? " and its other addresses" : "",
	    net->n_links, net->n_links == 1 ? "" : "s");
	return 0;
}

void lia_net_destroy(struct lia_net *net)
{
	if (net == NULL)
		return;
	lia_node_remove_transport(net->node, net);
	for (int i = 0; i < net->n_links; i++)
		lia_link_finish(&net->links[i]);
	lia_admission_destroy(net->admission); /* before the listeners it guards */
	for (int i = 0; i < net->n_listeners; i++)
		evconnlistener_free(net->listeners[i]);
	SSL_CTX_free(net->tls);
	free(net);
}

json_t *lia_net_admission_json(const struct lia_net *net)
{
	return lia_admission_json(net != NULL ? net->admission : NULL);
}
