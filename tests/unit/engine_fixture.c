/*
 * engine_fixture.c - see engine_fixture.h.
 */
#include "engine_fixture.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cert.h"
#include "clock.h"
#include "config.h"
#include "err.h"
#include "fixture.h"
#include "node_internal.h"
#include "store.h"

static char dir[4096];

static const char charter_text[] =
    "mechanism test\n"
    "party japan ca party-japan/ca.crt\n"
    "party china ca party-china/ca.crt\n"
    "node tokyo party japan role station address 127.0.0.1:1\n"
    "node beijing party china role station address 127.0.0.1:2\n"
    "node kaiyo party japan role unit address 127.0.0.1:3\n"
    "node haixun party china role unit address 127.0.0.1:4\n";

static const char *const names[4] = {"tokyo", "beijing", "kaiyo", "haixun"};

static void remove_dir(void)
{
	fixture_rmrf(dir);
}

static void copy_catalogue(const char *node)
{
	char from[4200], to[4200], buf[1 << 16];
	FILE *in, *out;
	size_t n;

	snprintf(from, sizeof(from), "%s/data/signals.json", LIA_TEST_SOURCE_DIR);
	snprintf(to, sizeof(to), "%s/%s/signals.json", dir, node);
	in = fopen(from, "rb");
	out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

void efx_mechanism(void)
{
	static const enum lia_role roles[4] = {LIA_ROLE_STATION, LIA_ROLE_STATION, LIA_ROLE_UNIT,
	    LIA_ROLE_UNIT};
	static const char *const parties[4] = {"japan", "china", "japan", "china"};
	char err[LIA_ERR_LEN] = "", path[4200], node[4200], conf[512], out[4096];

	fixture_tmpdir("engine", dir);
	atexit(remove_dir);
	snprintf(path, sizeof(path), "%s/party-japan", dir);
	assert_int_equal(lia_cert_create_party(path, "japan", err), 0);
	snprintf(path, sizeof(path), "%s/party-china", dir);
	assert_int_equal(lia_cert_create_party(path, "china", err), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/party-%s", dir, parties[i]);
		snprintf(node, sizeof(node), "%s/%s", dir, names[i]);
		if (lia_cert_issue_node(path, names[i], roles[i], node, err) < 0)
			fail_msg("%s: %s", names[i], err);
		snprintf(conf, sizeof(conf), "node %s\ncharter ../charter\n%s",
		    names[i], strcmp(names[i], "kaiyo") == 0 ?
		    "radio listen 127.0.0.1:5\nradio peer haixun 127.0.0.1:6\n" : "");
		fixture_write(node, "liaisond.conf", conf, strlen(conf), out);
		copy_catalogue(names[i]);
	}
	fixture_write(dir, "charter", charter_text, strlen(charter_text), out);
}

static int peer_index(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	fail_msg("no node %s in the fixture", name);
	return -1;
}

static void fake_wake(void *ctx, const char *peer)
{
	struct efx *f = ctx;

	if (f->node->in_tx)
		f->t.woken_in_tx++;
	if (f->t.n_woken < EFX_WAKES)
		snprintf(f->t.woken[f->t.n_woken++], sizeof(f->t.woken[0]), "%s", peer);
}

static void fake_checkpoint(void *ctx)
{
	struct efx *f = ctx;

	f->t.checkpoints++;
}

static int fake_send(void *ctx, const char *peer, const struct lia_frame *fr)
{
	struct efx *f = ctx;

	f->t.sends++;
	return LIA_ENOTFOUND; /* no peer is up: the engine must say so */
}

static const struct lia_transport_ops fake_ops = {
	.name = "links",
	.wake = fake_wake,
	.checkpoint = fake_checkpoint,
	.send = fake_send,
};

void efx_open(struct efx *f, const char *name)
{
	char err[LIA_ERR_LEN] = "", node[4200], path[4300];
	struct lia_config cfg;

	memset(f, 0, sizeof(*f));
	snprintf(node, sizeof(node), "%s/%s", dir, name);
	snprintf(path, sizeof(path), "%s/liaison.db", node);
	unlink(path);
	snprintf(path, sizeof(path), "%s/liaison.db-wal", node);
	unlink(path);
	snprintf(path, sizeof(path), "%s/liaison.db-shm", node);
	unlink(path);
	assert_non_null(f->base = event_base_new());
	if (lia_config_load(node, &cfg, err) < 0 || lia_node_create(&cfg, f->base, &f->node, err) < 0)
		fail_msg("%s: %s", node, err);
	assert_int_equal(lia_node_add_transport(f->node, &fake_ops, f, err), 0);
	for (int i = 0; i < 4; i++)
		f->next_seq[i] = 1;
}

void efx_close(struct efx *f)
{
	lia_node_remove_transport(f->node, f);
	lia_node_destroy(f->node);
	event_base_free(f->base);
	assert_int_equal(f->t.woken_in_tx, 0);
}

EVP_PKEY *efx_key(const char *name)
{
	char path[4200], err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = NULL;

	snprintf(path, sizeof(path), "%s/%s/node.key", dir, name);
	if (lia_cert_load_key(path, &key, err) < 0)
		fail_msg("%s: %s", path, err);
	return key;
}

uint8_t *efx_cert_der(const char *name, size_t *len)
{
	char path[4200], err[LIA_ERR_LEN] = "";
	X509 *cert = NULL;
	uint8_t *der = NULL;

	snprintf(path, sizeof(path), "%s/%s/node.crt", dir, name);
	if (lia_cert_load(path, &cert, err) < 0 || lia_cert_to_der(cert, &der, len, err) < 0)
		fail_msg("%s: %s", path, err);
	X509_free(cert);
	return der;
}

void efx_learn_cert(struct efx *f, const char *name)
{
	char err[LIA_ERR_LEN] = "";
	size_t len = 0;
	uint8_t *der = efx_cert_der(name, &len);

	if (lia_store_put_cert(lia_node_store(f->node), name, der, len, err) < 0)
		fail_msg("%s: %s", name, err);
	free(der);
}

void efx_sign(struct efx *f, EVP_PKEY *key, struct lia_entry *e, uint8_t **cose, size_t *len)
{
	char err[LIA_ERR_LEN] = "";

	if (e->seq == 0)
		e->seq = f->next_seq[peer_index(e->origin)]++;
	if (e->time_ms == 0)
		e->time_ms = lia_now_ms();
	if (e->narrow)
		e->time_ms -= e->time_ms % 1000;
	if (lia_entry_sign(e, key, cose, len, err) < 0)
		fail_msg("signing %s/%llu: %s", e->origin, (unsigned long long)e->seq, err);
}

int efx_accept(struct efx *f, const char *peer, enum lia_via via, struct lia_entry *e,
    struct lia_accepted *out, char *err)
{
	const struct lia_node_def *def = lia_charter_node(lia_node_charter(f->node), peer);
	struct lia_inbound in = {.peer = def, .via = via};
	struct lia_accepted ignored;
	struct lia_entry opened;
	EVP_PKEY *key = efx_key(e->origin);
	uint8_t *cose = NULL;
	size_t len = 0;
	char why[LIA_ERR_LEN] = "";
	int rc;

	assert_non_null(def);
	memset(&opened, 0, sizeof(opened));
	efx_sign(f, key, e, &cose, &len);
	if (lia_entry_open(cose, len, &opened, why) < 0)
		fail_msg("opening %s/%llu: %s", e->origin, (unsigned long long)e->seq, why);
	assert_int_equal(lia_node_begin(f->node, why), 0);
	rc = lia_node_accept(f->node, &in, &opened, cose, len, out ? out : &ignored, err);
	if (rc == 0)
		assert_int_equal(lia_node_commit(f->node, why), 0);
	else
		lia_node_rollback(f->node);
	if (out == NULL)
		free(ignored.answer);
	lia_entry_finish(&opened);
	EVP_PKEY_free(key);
	free(cose);
	return rc;
}

int efx_woken(const struct efx *f, const char *peer)
{
	for (int i = 0; i < f->t.n_woken; i++)
		if (strcmp(f->t.woken[i], peer) == 0)
			return 1;
	return 0;
}

int64_t efx_outbox(struct efx *f, const char *dest)
{
	char err[LIA_ERR_LEN] = "";
	int64_t n = -1;

	assert_int_equal(lia_store_outbox_count(lia_node_store(f->node), dest, &n, err), 0);
	return n;
}

int efx_has(struct efx *f, const char *origin, uint64_t seq)
{
	char err[LIA_ERR_LEN] = "";
	int rc = lia_store_get_entry(lia_node_store(f->node), origin, seq, NULL, NULL, NULL, NULL,
	    err);

	assert_true(rc == 0 || rc == LIA_ENOTFOUND);
	return rc == 0;
}

void efx_hash(struct efx *f, const char *origin, uint64_t seq, uint8_t hash[32])
{
	char err[LIA_ERR_LEN] = "";

	if (lia_store_get_entry(lia_node_store(f->node), origin, seq, NULL, NULL, NULL, hash,
	    err) < 0)
		fail_msg("%s/%llu: %s", origin, (unsigned long long)seq, err);
}
