/*
 * record_export.c - the joint record as the API shows it (record.h): its
 * status (size, root, latest checkpoint and who cosigned it, witnessed peers,
 * evidence, alarms) and the whole record as a bundle (docs/record.md) that
 * the offline verifier checks with the charter alone.
 */
#include "record_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "cert.h"
#include "conf.h"
#include "encoding.h"
#include "note.h"

static json_t *latest_json(struct lia_node *n)
{
	uint64_t size = 0;
	uint8_t root[32];
	char *note = NULL, *full = NULL, err[LIA_ERR_LEN];
	struct lia_note parsed = {0};
	json_t *out = NULL;

	if (lia_store_latest_checkpoint(n->store, &size, root, &note, err) < 0)
		return json_null();
	full = lia_record_note_with_cosignatures(n, size, err);
	if (full != NULL && lia_note_parse(full, strlen(full), &parsed, err) == 0)
		out = json_pack("{s:I, s:s, s:o}", "size", (json_int_t)size, "note", full,
		    "cosigned_by", lia_record_cosigners(n, &parsed, n->self->name));
	lia_note_finish(&parsed);
	free(full);
	free(note);
	return out ? out : json_null();
}

json_t *lia_record_status_json(struct lia_node *n)
{
	char origin[LIA_NOTE_NAME_MAX + 1], err[LIA_ERR_LEN], hex[65];
	uint64_t size = 0;
	uint8_t root[32] = {0};
	json_t *evidence = NULL, *witnessed = json_object();
	const struct lia_node_def *peers[LIA_MAX_NODES];
	int n_peers = lia_node_link_peers(n, peers, LIA_MAX_NODES);

	lia_record_origin(n, n->self->name, origin);
	if (lia_store_log_size(n->store, &size, err) < 0 ||
	    lia_store_log_root(n->store, size, root, err) < 0)
		return json_pack("{s:s}", "error", err);
	lia_hex_encode(root, 32, hex);
	for (int i = 0; i < n_peers; i++) {
		uint64_t wsize = 0;
		uint8_t wroot[32];
		char *note = NULL;
		if (lia_store_get_witnessed(n->store, peers[i]->name, &wsize, wroot, &note,
		    err) == 0)
			json_object_set_new(witnessed, peers[i]->name,
			    json_pack("{s:I, s:s}", "size", (json_int_t)wsize, "note", note));
		free(note);
	}
	if (lia_store_evidence_json(n->store, &evidence, err) < 0)
		evidence = json_array();
	return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:I}", "origin", origin,
	    "size", (json_int_t)size, "root", hex, "checkpoint", latest_json(n),
	    "witnessed", witnessed, "evidence", evidence, "alarms", (json_int_t)n->record->alarms);
}

static char *cert_pem(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert = d2i_X509(NULL, &p, (long)len);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;

	if (cert != NULL && bio != NULL && PEM_write_bio_X509(bio, cert) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		out = strndup(data, (size_t)n);
	BIO_free(bio);
	X509_free(cert);
	return out;
}

static int export_identities(struct lia_node *n, json_t *bundle, char *err)
{
	json_t *cas = json_object(), *certs = json_object();
	char *text = NULL;
	size_t len = 0;

	json_object_set_new(bundle, "cas", cas);
	json_object_set_new(bundle, "certs", certs);
	if (lia_read_file(n->charter->path, 1 << 20, &text, &len, err) < 0)
		return -1;
	json_object_set_new(bundle, "charter", json_stringn(text, len));
	free(text);
	for (int i = 0; i < n->charter->n_parties; i++) {
		unsigned char *der = NULL;
		size_t der_len = 0;
		if (lia_cert_to_der(n->charter->parties[i].ca, &der, &der_len, err) < 0)
			return -1;
		text = cert_pem(der, der_len);
		json_object_set_new(cas, n->charter->parties[i].name, json_string(text));
		free(text);
		free(der);
	}
	for (int i = 0; i < n->charter->n_nodes; i++) {
		const char *who = n->charter->nodes[i].name;
		uint8_t *der = NULL;
		size_t der_len = 0;
		if (lia_node_cert_der(n, who, &der, &der_len, err) < 0)
			continue; /* never connected: no entries of it can be in the log */
		text = cert_pem(der, der_len);
		json_object_set_new(certs, who, json_string(text));
		free(text);
		free(der);
	}
	return 0;
}

static int export_entries(struct lia_node *n, json_t *bundle, char *err)
{
	json_t *entries = json_array();
	uint64_t size = 0;

	json_object_set_new(bundle, "entries", entries);
	if (lia_store_log_size(n->store, &size, err) < 0)
		return -1;
	for (uint64_t i = 0; i < size; i++) {
		uint8_t *cose = NULL;
		size_t len = 0;
		char *b64;
		if (lia_store_log_entry(n->store, i, &cose, &len, err) < 0)
			return -1;
		b64 = malloc(4 * ((len + 2) / 3) + 1);
		if (b64 == NULL) {
			free(cose);
			lia_err_set(err, "out of memory exporting entry %" PRIu64, i);
			return -1;
		}
		lia_base64_encode(cose, len, b64);
		json_array_append_new(entries, json_string(b64));
		free(b64);
		free(cose);
	}
	return 0;
}

struct export_ctx {
	struct lia_node *node;
	json_t *list;
	char *err;
};

static int export_one_checkpoint(void *ctx, uint64_t size, const char *note)
{
	struct export_ctx *x = ctx;
	char *full = lia_record_note_with_cosignatures(x->node, size, x->err);

	if (full == NULL)
		return 1;
	json_array_append_new(x->list, json_string(full));
	free(full);
	return 0;
}

json_t *lia_record_export(struct lia_node *n, char *err)
{
	char origin[LIA_NOTE_NAME_MAX + 1];
	json_t *bundle, *witnessed = json_object();
	struct export_ctx x = {n, json_array(), err};
	const struct lia_node_def *peers[LIA_MAX_NODES];
	int n_peers = lia_node_link_peers(n, peers, LIA_MAX_NODES);

	lia_record_origin(n, n->self->name, origin);
	bundle = json_pack("{s:s, s:s, s:s, s:o, s:o}", "format", "liaison-record/1",
	    "node", n->self->name, "origin", origin, "checkpoints", x.list,
	    "witnessed", witnessed);
	if (export_identities(n, bundle, err) < 0 || export_entries(n, bundle, err) < 0 ||
	    lia_store_scan_checkpoints(n->store, export_one_checkpoint, &x, err) < 0) {
		json_decref(bundle);
		return NULL;
	}
	for (int i = 0; i < n_peers; i++) {
		uint64_t size = 0;
		uint8_t root[32];
		char *note = NULL;
		if (lia_store_get_witnessed(n->store, peers[i]->name, &size, root, &note,
		    err) == 0)
			json_object_set_new(witnessed, peers[i]->name, json_pack("[s]", note));
		free(note);
	}
	return bundle;
}
