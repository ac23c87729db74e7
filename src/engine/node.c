/*
 * node.c - the engine's lifecycle and identity: loads the charter, the node
 * key (into the signer), the certificate (checked against the charter and
 * the key), the signal catalogue and the store; starts the engine's timers;
 * answers who a node is (public keys, certificates, link peers). Entries are
 * made in compose.c, taken in accept.c, committed in commit.c.
 */
#include "node_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert.h"
#include "deadline_timer.h"
#include "err.h"
#include "linktest.h"
#include "log.h"
#include "record.h"
#include "signer.h"

struct lia_store *lia_node_store(struct lia_node *n) { return n->store; }
const struct lia_charter *lia_node_charter(const struct lia_node *n) { return n->charter; }
const struct lia_config *lia_node_config(const struct lia_node *n) { return &n->cfg; }
const struct lia_node_def *lia_node_self(const struct lia_node *n) { return n->self; }
const char *lia_node_name(const struct lia_node *n) { return n->self->name; }
const char *lia_node_party(const struct lia_node *n) { return n->self->party; }

int lia_node_link_peers(const struct lia_node *n, const struct lia_node_def **peers, int max)
{
	int count = 0;

	for (int i = 0; i < n->charter->n_nodes && count < max; i++) {
		const struct lia_node_def *peer = &n->charter->nodes[i];
		/* Units of different parties talk over the unit link when one is configured. */
		if (peer == n->self || lia_config_radio_peer(&n->cfg, peer->name) != NULL)
			continue;
		peers[count++] = peer;
	}
	return count;
}

int lia_node_tls_key(struct lia_node *n, SSL_CTX *ctx, char *err)
{
	return lia_signer_tls(n->signer, ctx, err);
}

int lia_node_public_key(struct lia_node *n, const char *name, EVP_PKEY **out, char *err)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	X509 *cert = NULL;
	struct lia_identity id;
	int rc;

	if (strcmp(name, n->self->name) == 0) {
		if (EVP_PKEY_up_ref(n->pub) != 1)
			return -1;
		*out = n->pub;
		return 0;
	}
	rc = lia_store_get_cert(n->store, name, &der, &der_len, err);
	if (rc < 0)
		return rc;
	rc = -1;
	if (lia_cert_from_der(der, der_len, &cert, err) < 0 ||
	    lia_cert_check(n->charter, cert, &id, err) < 0)
		goto out;
	if (strcmp(id.node, name) != 0) {
		lia_err_set(err, "certificate stored for %s names node %s", name, id.node);
		goto out;
	}
	*out = X509_get_pubkey(cert);
	rc = *out ? 0 : -1;
out:
	X509_free(cert);
	free(der);
	return rc;
}

int lia_node_cert_der(struct lia_node *n, const char *name, uint8_t **der, size_t *len, char *err)
{
	if (strcmp(name, n->self->name) == 0)
		return lia_cert_to_der(n->cert, der, len, err);
	return lia_store_get_cert(n->store, name, der, len, err);
}

/* The status of the transport registered under name, or NULL when there is none. */
static json_t *transport_json(struct lia_node *n, const char *name)
{
	for (int i = 0; i < LIA_TRANSPORTS; i++) {
		const struct lia_transport *t = &n->transports[i];
		if (t->ops != NULL && t->ops->json != NULL && strcmp(t->ops->name, name) == 0)
			return t->ops->json(t->ctx);
	}
	return NULL;
}

json_t *lia_node_links_json(struct lia_node *n)
{
	json_t *links = transport_json(n, "links");

	return links != NULL ? links : json_array();
}

json_t *lia_node_radio_json(struct lia_node *n)
{
	json_t *radio = transport_json(n, "radio");

	return radio != NULL ? radio : json_null();
}

/* Loads the node's key and certificate and checks the certificate names this node in the charter. */
static int load_identity(struct lia_node *n, char *err)
{
	char path[4200];
	X509 *cert = NULL;
	struct lia_identity id;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/node.key", n->cfg.dir);
	if (lia_signer_load(path, &n->signer, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/node.crt", n->cfg.dir);
	if (lia_cert_load(path, &cert, err) < 0)
		goto out;
	if (lia_cert_check(n->charter, cert, &id, err) < 0)
		goto out;
	if (strcmp(id.node, n->cfg.node) != 0) {
		lia_err_set(err, "%s names node %s but liaisond.conf says %s", path, id.node,
		    n->cfg.node);
		goto out;
	}
	n->pub = X509_get_pubkey(cert);
	if (n->pub == NULL || !lia_signer_matches(n->signer, n->pub)) {
		lia_err_set(err, "%s does not match %s/node.key", path, n->cfg.dir);
		goto out;
	}
	n->cert = cert;
	cert = NULL;
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

/* The catalogue at cfg.signals_path; an absent file leaves signals refused, a bad one stops the node. */
static int load_signals(struct lia_node *n, char *err)
{
	struct stat st;

	if (stat(n->cfg.signals_path, &st) < 0 && errno == ENOENT) {
		lia_log_warn("no signal catalogue at %s: signal entries will be refused",
		    n->cfg.signals_path);
		return 0;
	}
	return lia_signal_catalogue_load(n->cfg.signals_path, &n->signals, err) < 0 ? -1 : 0;
}

int lia_node_create(const struct lia_config *cfg, struct event_base *base,
    struct lia_node **out, char *err)
{
	struct lia_node *n = calloc(1, sizeof(*n));
	char path[4200];

	if (n == NULL) {
		lia_err_set(err, "out of memory");
		return -1;
	}
	n->cfg = *cfg;
	n->base = base;
	if (lia_charter_load(cfg->charter_path, &n->charter, err) < 0)
		goto fail;
	n->self = lia_charter_node(n->charter, cfg->node);
	if (n->self == NULL) {
		lia_err_set(err, "%s/liaisond.conf: node %s is not in the charter %s", cfg->dir,
		    cfg->node, cfg->charter_path);
		goto fail;
	}
	if (load_identity(n, err) < 0 || load_signals(n, err) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/liaison.db", cfg->dir);
	if (lia_store_open(path, &n->store, err) < 0 || lia_record_create(n, err) < 0 ||
	    lia_deadline_create(n, err) < 0 || lia_linktest_create(n, err) < 0)
		goto fail;
	*out = n;
	return 0;
fail:
	lia_node_destroy(n);
	return -1;
}

int lia_node_start(struct lia_node *n, char *err)
{
	if (lia_record_start(n, err) < 0 || lia_deadline_start(n, err) < 0 ||
	    lia_linktest_start(n, err) < 0)
		return -1;
	return 0;
}

void lia_node_destroy(struct lia_node *n)
{
	if (n == NULL)
		return;
	lia_linktest_destroy(n);
	lia_deadline_destroy(n);
	lia_record_destroy(n);
	X509_free(n->cert);
	lia_store_close(n->store);
	lia_signer_free(n->signer);
	EVP_PKEY_free(n->pub);
	lia_charter_free(n->charter);
	lia_signal_catalogue_free(n->signals);
	free(n);
}
