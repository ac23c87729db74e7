/*
 * api_signals.c - the /v1/signals routes of the API: send a signal entry,
 * and list the signals sent and received rendered in one language.
 *
 * Called by api.c after the bearer token was checked; bodies and queries are
 * still the client's: every code and value is checked against the node's
 * catalogue (lia_node_check_signals) before the node signs anything.
 */
#include "api_internal.h"
#include "clock.h"
#include "entry.h"
#include "err.h"
#include "node.h"
#include "signals.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define SIGNALS_LISTED 1000 /* newest signal entries a listing shows (a unit link test moves a few hundred) */

static const struct lia_api_field send_fields[] = {
	{"to", JSON_STRING, 0}, /* missing or "": a broadcast (a unit's radio peers) */
	{"signals", JSON_ARRAY, 1},
	{"lat", JSON_INTEGER, 1},
	{"lon", JSON_INTEGER, 1},
	{NULL, JSON_NULL, 0},
};

/* Copies one {"code", "params"} object into sg; fills sentence naming signal i at fault. */
static int read_signal(json_t *obj, size_t i, struct lia_entry_signal *sg, char *sentence)
{
	json_t *code = json_object_get(obj, "code"), *params = json_object_get(obj, "params");
	size_t nkeys = json_is_object(obj) ? json_object_size(obj) : 0;

	if (!json_is_object(obj) || !json_is_string(code) || nkeys != 1u + (params != NULL) ||
	    (params != NULL && !json_is_array(params)))
		return lia_err_set(sentence, "field \"signals\"[%zu]: must be {\"code\": string, "
		    "\"params\": [string, ...]}", i), -1;
	if (json_string_length(code) == 0 || json_string_length(code) > LIA_SIGNAL_CODE_MAX)
		return lia_err_set(sentence, "field \"signals\"[%zu]: code must hold 1 to %d bytes",
		    i, LIA_SIGNAL_CODE_MAX), -1;
	snprintf(sg->code, sizeof(sg->code), "%s", json_string_value(code));
	sg->nparams = params != NULL ? json_array_size(params) : 0;
	if (sg->nparams > LIA_SIGNAL_PARAMS_MAX)
		return lia_err_set(sentence, "signal %s: %zu parameters, at most %d", sg->code,
		    sg->nparams, LIA_SIGNAL_PARAMS_MAX), -1;
	for (size_t j = 0; j < sg->nparams; j++) {
		json_t *v = json_array_get(params, j);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > LIA_SIGNAL_VALUE_MAX)
			return lia_err_set(sentence, "signal %s: parameter %zu must be a string of 1 "
			    "to %d bytes", sg->code, j + 1, LIA_SIGNAL_VALUE_MAX), -1;
		snprintf(sg->params[j], sizeof(sg->params[j]), "%s", json_string_value(v));
	}
	return 0;
}

/*
 * The recipients of `to` in the charter, as a send would resolve them: an
 * unknown name, this node itself or a party with no other station is the
 * client's mistake (400), not a failure of the node's (found by fuzz_api).
 */
static int recipients_check(struct lia_api *api, const char *to, char *sentence)
{
	const struct lia_node_def *targets[LIA_MAX_NODES];
	char err[LIA_ERR_LEN] = "";
	int n = 0;

	if (lia_charter_recipients(lia_node_charter(api->node), to, lia_node_name(api->node),
	    targets, LIA_MAX_NODES, &n, err) < 0)
		return lia_err_set(sentence, "field \"to\": %s", err), -1;
	return 0;
}

/* Checks the body's "to": a name with recipients, or missing or "" for a broadcast a unit may send. */
static int read_to(struct lia_api *api, const char *to, char *sentence)
{
	const char *peers[LIA_MAX_NODES];
	char err[LIA_ERR_LEN] = "";

	if (to == NULL || to[0] == '\0') {
		if (lia_node_broadcast_peers(api->node, peers, LIA_MAX_NODES, err) < 0)
			return lia_err_set(sentence, "field \"to\" missing: %s", err), -1;
		return 0;
	}
	if (!lia_name_valid(to))
		return lia_err_set(sentence, "field \"to\": \"%.40s\" is not a node or party name", to),
		    -1;
	return recipients_check(api, to, sentence);
}

/* Reads and checks a send body into e (type, to, signals, position); fills sentence. */
static int read_send(struct lia_api *api, json_t *body, struct lia_entry *e, char *sentence)
{
	json_t *sigs = json_object_get(body, "signals");
	const char *to = json_string_value(json_object_get(body, "to"));
	json_int_t lat = json_integer_value(json_object_get(body, "lat"));
	json_int_t lon = json_integer_value(json_object_get(body, "lon"));
	int rc = 0;

	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_SIGNAL;
	e->nsignals = json_array_size(sigs);
	if (read_to(api, to, sentence) < 0)
		return -1;
	snprintf(e->to, sizeof(e->to), "%s", to != NULL ? to : "");
	if (e->nsignals < 1 || e->nsignals > LIA_ENTRY_SIGNALS_MAX)
		return lia_err_set(sentence, "field \"signals\": must hold 1 to %d signals, not %zu",
		    LIA_ENTRY_SIGNALS_MAX, e->nsignals), -1;
	if (lat < -LIA_LAT_MAX || lat > LIA_LAT_MAX || lon < -LIA_LON_MAX || lon > LIA_LON_MAX)
		return lia_err_set(sentence, "fields \"lat\", \"lon\": 1e-5 degree within "
		    "-%d..%d and -%d..%d", LIA_LAT_MAX, LIA_LAT_MAX, LIA_LON_MAX, LIA_LON_MAX), -1;
	e->lat = (int32_t)lat;
	e->lon = (int32_t)lon;
	for (size_t i = 0; i < e->nsignals && rc == 0; i++)
		rc = read_signal(json_array_get(sigs, i), i, &e->signals[i], sentence);
	if (rc == 0)
		rc = lia_node_check_signals(api->node, e, sentence);
	return rc;
}

static void signals_send(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	struct lia_entry e;
	json_t *body = NULL;
	int rc;

	if (lia_api_read_body(req, send_fields, &body) < 0)
		return;
	if (read_send(api, body, &e, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	rc = lia_node_send_signal(api->node, e.to, e.signals, e.nsignals, e.lat, e.lon, id, err);
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	lia_api_reply(req, 201, json_pack("{s:s}", "id", id));
out:
	json_decref(body);
}

/* One listed entry's rendering, while scanning the store. */
struct list_ctx {
	struct lia_node *node;
	enum lia_signal_lang lang;
	json_t *list;
};

static json_t *render_all(struct list_ctx *ctx, const struct lia_entry *e)
{
	char out[LIA_SIGNAL_RENDER_MAX], why[LIA_ERR_LEN];
	json_t *lines = json_array();

	for (size_t i = 0; i < e->nsignals; i++) {
		if (lia_node_render_signal(ctx->node, &e->signals[i], ctx->lang, out, sizeof(out),
		    why) < 0)
			snprintf(out, sizeof(out), "%s — (cannot render: %s)", e->signals[i].code, why);
		json_array_append_new(lines, json_string(out));
	}
	return lines;
}

static int list_one(void *arg, const char *origin, uint64_t seq, const uint8_t *cose,
    size_t cose_len)
{
	struct list_ctx *ctx = arg;
	char id[LIA_ID_LEN], when[LIA_TIME_LEN], why[LIA_ERR_LEN];
	struct lia_entry e;

	lia_id_format(origin, seq, id);
	if (lia_entry_open(cose, cose_len, &e, why) < 0) {
		json_array_append_new(ctx->list, json_pack("{s:s, s:s}", "id", id, "error", why));
		return 0;
	}
	lia_time_format(e.time_ms, when);
	/* A broadcast keeps "to": "" (no name) and says so in "broadcast". */
	json_array_append_new(ctx->list, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:i, s:i, s:o}",
	    "id", id, "from", e.origin, "to", e.to, "broadcast", e.to[0] == '\0', "time", when,
	    "box", strcmp(e.origin, lia_node_name(ctx->node)) == 0 ? "out" : "in",
	    "lat", (json_int_t)e.lat, "lon", (json_int_t)e.lon, "signals", render_all(ctx, &e)));
	lia_entry_finish(&e);
	return 0;
}

/* Reads lang (en, zh, ja, ko; default en) from the query; sends the 400 itself on a fault. */
static int list_lang(struct evhttp_request *req, const char *query, enum lia_signal_lang *lang)
{
	struct evkeyvalq params;
	struct evkeyval *kv;
	char err[LIA_ERR_LEN];
	int seen = 0, rc = -1;

	*lang = LIA_SIGNAL_EN;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query != NULL ? query : "", &params) < 0) {
		lia_api_error(req, 400, "the query string is malformed");
		goto out;
	}
	TAILQ_FOREACH(kv, &params, next) {
		if (strcmp(kv->key, "lang") != 0 || seen++) {
			lia_api_error(req, 400, "query parameter \"%.40s\" is unknown or repeated "
			    "(expected lang, once)", kv->key);
			goto out;
		}
		if (lia_signal_lang_parse(kv->value, lang, err) < 0) {
			lia_api_error(req, 400, "query parameter \"lang\": %s", err);
			goto out;
		}
	}
	rc = 0;
out:
	evhttp_clear_headers(&params);
	return rc;
}

static void signals_list(struct lia_api *api, struct evhttp_request *req, const char *query)
{
	struct list_ctx ctx = {.node = api->node};
	char err[LIA_ERR_LEN] = "";
	int rc;

	if (list_lang(req, query, &ctx.lang) < 0)
		return;
	ctx.list = json_array();
	rc = lia_store_scan_signals(lia_node_store(api->node), SIGNALS_LISTED, list_one, &ctx, err);
	if (rc < 0)
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
	else
		lia_api_reply(req, 200, json_pack("{s:O}", "signals", ctx.list));
	json_decref(ctx.list);
}

void lia_api_signals_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (rest[0] != '\0')
		lia_api_error(req, 404, "no such resource");
	else if (cmd == EVHTTP_REQ_POST)
		signals_send(api, req);
	else if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
		signals_list(api, req, query);
}
