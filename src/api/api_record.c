/*
 * api_record.c - the /v1/record routes: the joint record's status, its log,
 * inclusion and consistency proofs, one entry's place in both logs (own and
 * the peer's, asked over the link), and the export bundle.
 *
 * Called by api.c after the bearer token was checked; every query value is
 * parsed and range-checked here before the store is asked.
 */
#include "api_internal.h"
#include "encoding.h"
#include "err.h"
#include "merkle.h"
#include "node.h"
#include "record.h"
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define LOG_LIST_MAX 10000

/* Reads the named unsigned query values (each required, once); sends the 400 itself on any fault. */
static int query_numbers(struct evhttp_request *req, const char *query, const char *const *names,
    uint64_t *values, int count)
{
	struct evkeyvalq params;
	struct evkeyval *kv;
	int seen = 0, rc = -1;

	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query != NULL ? query : "", &params) < 0) {
		lia_api_error(req, 400, "the query string is malformed");
		return -1;
	}
	TAILQ_FOREACH(kv, &params, next) {
		int i;
		char *end = NULL;
		for (i = 0; i < count && strcmp(kv->key, names[i]) != 0; i++)
			;
		if (i == count || (seen & (1 << i)) || kv->value[0] < '0' || kv->value[0] > '9' ||
		    strlen(kv->value) > 18) {
			lia_api_error(req, 400, "query parameter \"%.40s\": unknown, repeated or not a "
			    "whole number", kv->key);
			goto out;
		}
		values[i] = strtoull(kv->value, &end, 10);
		if (*end != '\0') {
			lia_api_error(req, 400, "query parameter \"%.40s\" is not a whole number", kv->key);
			goto out;
		}
		seen |= 1 << i;
	}
	if (seen != (1 << count) - 1) {
		lia_api_error(req, 400, "the query needs %s%s%s", names[0], count > 1 ? " and " : "",
		    count > 1 ? names[1] : "");
		goto out;
	}
	rc = 0;
out:
	evhttp_clear_headers(&params);
	return rc;
}

static json_t *proof_json(const struct lia_merkle_proof *p)
{
	json_t *hashes = json_array();
	char hex[65];

	for (size_t i = 0; i < p->len; i++) {
		lia_hex_encode(p->hash[i], 32, hex);
		json_array_append_new(hashes, json_string(hex));
	}
	return hashes;
}

static void record_inclusion(struct lia_api *api, struct evhttp_request *req, const char *query)
{
	static const char *const names[] = {"index", "size"};
	uint64_t v[2] = {0, 0};
	struct lia_merkle_proof proof;
	char err[LIA_ERR_LEN];
	int rc;

	if (query_numbers(req, query, names, v, 2) < 0)
		return;
	rc = lia_store_inclusion_proof(lia_node_store(api->node), v[0], v[1], &proof, err);
	if (rc < 0) {
		lia_api_error(req, 400, "%s", err);
		return;
	}
	lia_api_reply(req, 200, json_pack("{s:I, s:I, s:o}", "index", (json_int_t)v[0],
	    "size", (json_int_t)v[1], "proof", proof_json(&proof)));
}

static void record_consistency(struct lia_api *api, struct evhttp_request *req, const char *query)
{
	static const char *const names[] = {"old", "new"};
	uint64_t v[2] = {0, 0};
	struct lia_merkle_proof proof;
	char err[LIA_ERR_LEN];

	if (query_numbers(req, query, names, v, 2) < 0)
		return;
	if (lia_store_consistency_proof(lia_node_store(api->node), v[0], v[1], &proof, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		return;
	}
	lia_api_reply(req, 200, json_pack("{s:I, s:I, s:o}", "old", (json_int_t)v[0],
	    "new", (json_int_t)v[1], "proof", proof_json(&proof)));
}

static void record_log(struct lia_api *api, struct evhttp_request *req, const char *query)
{
	static const char *const names[] = {"from", "limit"};
	uint64_t v[2] = {0, 0};
	char err[LIA_ERR_LEN];
	json_t *out = NULL;
	int rc;

	if (query_numbers(req, query, names, v, 2) < 0)
		return;
	if (v[1] == 0 || v[1] > LOG_LIST_MAX) {
		lia_api_error(req, 400, "query parameter \"limit\" must be 1 to %d", LOG_LIST_MAX);
		return;
	}
	rc = lia_store_log_json(lia_node_store(api->node), v[0], (int)v[1], &out, err);
	if (rc < 0)
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
	else
		lia_api_reply(req, 200, out);
}

static void record_export(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN];
	json_t *bundle = lia_record_export(api->node, err);

	if (bundle == NULL)
		lia_api_error(req, 500, "cannot export the record: %s", err);
	else
		lia_api_reply(req, 200, bundle);
}

/* One /v1/record/entries request waiting for its peers' proofs. */
struct entry_wait {
	struct evhttp_request *req;
	json_t *reply;
	int outstanding;
};

static void entry_peer_done(void *ctx, json_t *result)
{
	struct entry_wait *w = ctx;

	if (result != NULL)
		json_array_append_new(json_object_get(w->reply, "logs"), result);
	if (--w->outstanding > 0)
		return;
	lia_api_reply(w->req, 200, w->reply);
	free(w);
}

/* The nodes whose logs should also hold origin/seq: its recipients, or its origin. */
static int entry_peers(struct lia_node *n, const char *origin, uint64_t seq,
    const char *peers[LIA_MAX_NODES])
{
	json_t *msg = NULL, *deliveries, *d;
	char err[LIA_ERR_LEN];
	size_t i;
	int count = 0;

	if (strcmp(origin, lia_node_name(n)) != 0) {
		peers[0] = lia_charter_node(lia_node_charter(n), origin)->name;
		return 1;
	}
	if (lia_store_message_json(lia_node_store(n), origin, seq, &msg, err) < 0)
		return 0;
	deliveries = json_object_get(msg, "deliveries");
	json_array_foreach(deliveries, i, d) {
		const struct lia_node_def *def = lia_charter_node(lia_node_charter(n),
		    json_string_value(json_object_get(d, "node")));
		if (def != NULL && count < LIA_MAX_NODES)
			peers[count++] = def->name;
	}
	json_decref(msg);
	return count;
}

static void record_entry(struct lia_api *api, struct evhttp_request *req, const char *id)
{
	char origin[LIA_NAME_MAX + 1], err[LIA_ERR_LEN];
	const char *peers[LIA_MAX_NODES];
	struct entry_wait *w;
	uint64_t seq = 0;
	int n_peers, rc;

	if (lia_id_parse(id, origin, &seq, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		return;
	}
	rc = lia_store_get_entry(lia_node_store(api->node), origin, seq, NULL, NULL, NULL, NULL, err);
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		lia_api_error(req, 500, "out of memory");
		return;
	}
	w->req = req;
	w->reply = json_pack("{s:s, s:[o]}", "id", id, "logs",
	    lia_record_own_proof(api->node, origin, seq));
	n_peers = entry_peers(api->node, origin, seq, peers);
	w->outstanding = n_peers + 1;
	for (int i = 0; i < n_peers; i++)
		lia_record_ask_proof(api->node, peers[i], origin, seq, entry_peer_done, w);
	entry_peer_done(w, NULL); /* releases the hold taken for the loop above */
}

void lia_api_record_route(struct lia_api *api, struct evhttp_request *req, const char *rest,
    const char *query)
{
	if (lia_api_method(req, EVHTTP_REQ_GET) < 0)
		return;
	if (rest[0] == '\0')
		lia_api_reply(req, 200, lia_record_status_json(api->node));
	else if (strcmp(rest, "/export") == 0)
		record_export(api, req);
	else if (strcmp(rest, "/log") == 0)
		record_log(api, req, query);
	else if (strcmp(rest, "/inclusion") == 0)
		record_inclusion(api, req, query);
	else if (strcmp(rest, "/consistency") == 0)
		record_consistency(api, req, query);
	else if (strncmp(rest, "/entries/", 9) == 0)
		record_entry(api, req, rest + 9);
	else
		lia_api_error(req, 404, "no such resource under /v1/record");
}
