/*
 * commit.c - the one transaction of the engine (transport.h): begin, commit
 * with its post-commit hooks, rollback, and the transports it wakes.
 *
 * Every site that writes the store (an inbound batch, a datagram, an
 * operator's entry, a deadline step) goes through here, so "commit, then
 * note the log growth, re-arm the deadlines and wake the transports" is
 * written once, and nothing queued in a transaction is sent before it is
 * on disk.
 */
#include "node_internal.h"

#include <stdio.h>
#include <string.h>

#include "deadline_timer.h"
#include "err.h"
#include "record.h"

int lia_node_add_transport(struct lia_node *n, const struct lia_transport_ops *ops, void *ctx,
    char *err)
{
	for (int i = 0; i < LIA_TRANSPORTS; i++) {
		if (n->transports[i].ops == NULL) {
			n->transports[i].ops = ops;
			n->transports[i].ctx = ctx;
			return 0;
		}
	}
	lia_err_set(err, "more than %d transports", LIA_TRANSPORTS);
	return -1;
}

void lia_node_remove_transport(struct lia_node *n, void *ctx)
{
	for (int i = 0; n != NULL && i < LIA_TRANSPORTS; i++)
		if (n->transports[i].ctx == ctx)
			memset(&n->transports[i], 0, sizeof(n->transports[i]));
}

void lia_node_wake_later(struct lia_node *n, const char *peer)
{
	for (int i = 0; i < n->n_wake; i++)
		if (strcmp(n->wake[i], peer) == 0)
			return;
	if (n->n_wake < LIA_MAX_NODES)
		snprintf(n->wake[n->n_wake++], sizeof(n->wake[0]), "%s", peer);
}

void lia_node_checkpoint_made(struct lia_node *n)
{
	for (int i = 0; i < LIA_TRANSPORTS; i++) {
		const struct lia_transport *t = &n->transports[i];
		if (t->ops != NULL && t->ops->checkpoint != NULL)
			t->ops->checkpoint(t->ctx);
	}
}

int lia_node_begin(struct lia_node *n, char *err)
{
	int rc = lia_store_begin(n->store, err);

	if (rc == 0) {
		n->in_tx = 1;
		n->n_wake = 0;
	}
	return rc;
}

void lia_node_rollback(struct lia_node *n)
{
	if (!n->in_tx)
		return;
	lia_store_rollback(n->store);
	n->in_tx = 0;
	n->n_wake = 0;
}

/* The post-commit hooks, in this order: the log grew, deadlines moved, peers have entries. */
static void after_commit(struct lia_node *n)
{
	char wake[LIA_MAX_NODES][LIA_NAME_MAX + 1];
	int n_wake = n->n_wake;

	/* A transport woken here may commit again (never today): take the list first. */
	memcpy(wake, n->wake, sizeof(wake[0]) * (size_t)n_wake);
	n->n_wake = 0;
	lia_record_appended(n);
	lia_deadline_rearm(n);
	for (int i = 0; i < n_wake; i++)
		for (int j = 0; j < LIA_TRANSPORTS; j++) {
			const struct lia_transport *t = &n->transports[j];
			if (t->ops != NULL && t->ops->wake != NULL)
				t->ops->wake(t->ctx, wake[i]);
		}
}

int lia_node_commit(struct lia_node *n, char *err)
{
	if (lia_store_commit(n->store, err) < 0) {
		lia_node_rollback(n);
		return -1;
	}
	n->in_tx = 0;
	after_commit(n);
	return 0;
}

int lia_node_send_frame(struct lia_node *n, const char *peer, const struct lia_frame *f)
{
	for (int i = 0; i < LIA_TRANSPORTS; i++) {
		const struct lia_transport *t = &n->transports[i];
		int rc;

		if (t->ops == NULL || t->ops->send == NULL)
			continue;
		if ((rc = t->ops->send(t->ctx, peer, f)) != LIA_ENOTFOUND)
			return rc;
	}
	return LIA_ENOTFOUND;
}
