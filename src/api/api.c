/*
 * api.c - the node's HTTP JSON API: the bearer token check, the one route
 * table every listener shares (api_listen.c makes the listeners), request
 * bodies, /v1/status and /v1/links. The /v1/messages routes live in
 * api_messages.c.
 *
 * Assumes nothing of a client: the listener has authenticated the
 * connection, the token is checked in constant time before anything else,
 * and bodies must be one JSON object with known, typed fields.
 */
#include "api.h"
#include "api_guard.h"
#include "api_internal.h"
#include "charter.h"
#include "encoding.h"
#include "err.h"
#include "linktest.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>


static const char *status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 429: return "Too Many Requests";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 507: return "Insufficient Storage";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static const char *method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	default: return "other";
	}
}

void lia_api_reply(struct evhttp_request *req, int status, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	if (buf == NULL || text == NULL) {
		lia_log_error("api: out of memory answering a request");
		evhttp_send_error(req, 500, NULL);
		goto out;
	}
	evbuffer_add(buf, text, strlen(text));
	evbuffer_add(buf, "\n", 1);
	evhttp_add_header(headers, "Content-Type", "application/json");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_send_reply(req, status, status_reason(status), buf);
out:
	free(text);
	if (buf != NULL)
		evbuffer_free(buf);
	json_decref(body);
}

/*
 * A sentence may quote the client's bytes (a query key), or cut a character
 * in two (a "%.40s" of a JSON key, the LIA_ERR_LEN limit), and jansson
 * refuses to put anything but UTF-8 in the answer: without lia_text_sanitize
 * the client got a bare 500 and the log blamed memory.
 */
void lia_api_error(struct evhttp_request *req, int status, const char *fmt, ...)
{
	char sentence[LIA_ERR_LEN];
	const char *uri = evhttp_request_get_uri(req);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sentence, sizeof(sentence), fmt, ap);
	va_end(ap);
	lia_text_sanitize(sentence, sentence, strlen(sentence), 0);
	/* The log neutralises the URI itself (log.c); 127 bytes of it are enough. */
	if (status >= 500)
		lia_log_error("api: %s %.127s failed (%d): %s",
		    method_name(evhttp_request_get_command(req)), uri != NULL ? uri : "", status, sentence);
	else
		lia_log_warn("api: %s %.127s refused (%d): %s",
		    method_name(evhttp_request_get_command(req)), uri != NULL ? uri : "", status, sentence);
	lia_api_reply(req, status, json_pack("{s:s}", "error", sentence));
}

void lia_api_busy(struct evhttp_request *req, int retry_s, const char *sentence)
{
	const char *uri = evhttp_request_get_uri(req);
	char safe[LIA_ERR_LEN], after[16];

	snprintf(safe, sizeof(safe), "%s", sentence);
	lia_text_sanitize(safe, safe, strlen(safe), 0);
	snprintf(after, sizeof(after), "%d", retry_s);
	/* Not a failure of this node: the client is told when to come back. */
	lia_log_warn("api: %s %.127s deferred (503): %s",
	    method_name(evhttp_request_get_command(req)), uri != NULL ? uri : "", safe);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", after);
	lia_api_reply(req, 503, json_pack("{s:s}", "error", safe));
}

int lia_api_status_for(int rc)
{
	switch (rc) {
	case LIA_ENOTFOUND: return 404;
	case LIA_EDUP: return 409;
	case LIA_EFULL: return 507;
	default: return 500;
	}
}

int lia_api_method(struct evhttp_request *req, enum evhttp_cmd_type allowed)
{
	if (evhttp_request_get_command(req) == allowed)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", method_name(allowed));
	lia_api_error(req, 405, "this resource only answers %s", method_name(allowed));
	return -1;
}

static const char *type_phrase(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int type_matches(const json_t *v, json_type want)
{
	if (want == JSON_TRUE || want == JSON_FALSE)
		return json_is_boolean(v);
	return json_typeof(v) == want;
}

/* Checks obj against fields; fills sentence and returns -1 at the first fault. */
static int check_fields(json_t *obj, const struct lia_api_field *fields, char *sentence)
{
	const struct lia_api_field *f;
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(obj, key, v) {
		for (f = fields; f->name != NULL && strcmp(f->name, key) != 0; f++)
			;
		if (f->name == NULL) {
			lia_err_set(sentence, "field \"%.40s\" is not known here", key);
			rc = -1;
		} else if (!type_matches(v, f->type)) {
			lia_err_set(sentence, "field \"%s\": must be %s, not %s", f->name,
			    type_phrase(f->type), type_phrase(json_typeof(v)));
			rc = -1;
		}
		if (rc < 0)
			goto out;
	}
	for (f = fields; f->name != NULL; f++) {
		if (f->required && json_object_get(obj, f->name) == NULL) {
			lia_err_set(sentence, "field \"%s\" is missing", f->name);
			rc = -1;
			goto out;
		}
	}
out:
	return rc;
}

int lia_api_read_body(struct evhttp_request *req, const struct lia_api_field *fields,
    json_t **out)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char sentence[LIA_ERR_LEN] = "";
	json_error_t jerr;
	json_t *obj = NULL;
	int rc = -1;

	*out = NULL;
	if (len == 0) {
		lia_err_set(sentence, "the request body is empty; a JSON object is expected");
		goto out;
	}
	obj = json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		lia_err_set(sentence, "the request body is not JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(obj)) {
		lia_err_set(sentence, "the request body must be a JSON object, not %s",
		    type_phrase(json_typeof(obj)));
		goto out;
	}
	if (check_fields(obj, fields, sentence) < 0)
		goto out;
	*out = obj;
	obj = NULL;
	rc = 0;
out:
	if (rc < 0)
		lia_api_error(req, 400, "%s", sentence);
	json_decref(obj);
	return rc;
}

static int query_empty(struct evhttp_request *req, const char *query)
{
	if (query == NULL || query[0] == '\0')
		return 1;
	lia_api_error(req, 400, "this resource takes no query parameters");
	return 0;
}

static void api_status(struct lia_api *api, struct evhttp_request *req)
{
	const struct lia_charter *c = lia_node_charter(api->node);
	const struct lia_node_def *self = lia_charter_node(c, lia_node_name(api->node));
	char err[LIA_ERR_LEN] = "", hash[2 * sizeof(c->hash) + 1];
	json_t *counts = NULL, *body;

	if (lia_store_counts(lia_node_store(api->node), &counts, err) < 0 ||
	    lia_api_overdue_count(api, counts, err) < 0) {
		json_decref(counts);
		lia_api_error(req, 500, "%s", err);
		return;
	}
	lia_hex_encode(c->hash, sizeof(c->hash), hash);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
	    "node", lia_node_name(api->node), "party", lia_node_party(api->node),
	    "role", self != NULL ? lia_role_name(self->role) : "unknown",
	    "mechanism", c->mechanism, "charter_hash", hash,
	    "links", lia_node_links_json(api->node), "counts", counts,
	    "radio", lia_node_radio_json(api->node));
	/* What floods were turned away (issue 10): peer port and API. */
	if (body != NULL) {
		json_object_set_new(body, "api_connections", lia_api_guard_json(api->guard));
		if (api->extra_fn != NULL)
			json_object_set_new(body, api->extra_key, api->extra_fn(api->extra_ctx));
	}
	if (body == NULL)
		lia_api_error(req, 500, "cannot build the status reply (out of memory)");
	else
		lia_api_reply(req, 200, body);
}

static void api_links(struct lia_api *api, struct evhttp_request *req)
{
	json_t *body = json_pack("{s:o}", "links", lia_node_links_json(api->node));

	if (body == NULL)
		lia_api_error(req, 500, "cannot build the links reply (out of memory)");
	else
		lia_api_reply(req, 200, body);
}

/* POST /v1/links/PEER/test: a link test to PEER now -> 201 {"id"}; its answer shows in the link's "linktest". */
static void api_link_test(struct lia_api *api, struct evhttp_request *req, const char *rest)
{
	char peer[LIA_NAME_MAX + 1], err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	const char *slash = strchr(rest, '/');
	size_t len = slash != NULL ? (size_t)(slash - rest) : 0;

	if (slash == NULL || strcmp(slash, "/test") != 0 || len == 0 || len > LIA_NAME_MAX) {
		lia_api_error(req, 404, "no such resource (POST /v1/links/PEER/test)");
		return;
	}
	if (lia_api_method(req, EVHTTP_REQ_POST) < 0)
		return;
	memcpy(peer, rest, len);
	peer[len] = '\0';
	if (!lia_name_valid(peer) || lia_linktest_send(api->node, peer, id, err) < 0)
		lia_api_error(req, lia_name_valid(peer) ? 409 : 404, "%s", lia_name_valid(peer) ? err :
		    "no such peer");
	else
		lia_api_reply(req, 201, json_pack("{s:s}", "id", id));
}

/* 1 when the Authorization header carries our token; the comparison does not leak how much matched. */
static int api_authorized(const struct lia_api *api, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	static const char scheme[] = "Bearer ";

	if (h == NULL || strncasecmp(h, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	h += sizeof(scheme) - 1;
	if (strlen(h) != LIA_TOKEN_LEN)
		return 0;
	return CRYPTO_memcmp(h, api->token, LIA_TOKEN_LEN) == 0;
}

void lia_api_request(struct evhttp_request *req, void *arg)
{
	struct lia_api *api = arg;

	lia_api_guard_request(api->guard, req); /* a whole request: the connection's deadline restarts */
	if (!api_authorized(api, req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
		    "Bearer realm=\"liaisond\"");
		lia_api_error(req, 401, "missing or wrong bearer token (see api.token in the node directory)");
	} else {
		lia_api_route(api, req, 0);
	}
}

void lia_api_route(struct lia_api *api, struct evhttp_request *req, int console)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;

	if (path == NULL) {
		lia_api_error(req, 400, "the request has no path");
	} else if (strcmp(path, "/v1/status") == 0) {
		if (lia_api_method(req, EVHTTP_REQ_GET) == 0 && query_empty(req, query))
			api_status(api, req);
	} else if (strcmp(path, "/v1/links") == 0) {
		if (lia_api_method(req, EVHTTP_REQ_GET) == 0 && query_empty(req, query))
			api_links(api, req);
	} else if (strncmp(path, "/v1/links/", 10) == 0) {
		api_link_test(api, req, path + 10);
	} else if (strncmp(path, "/v1/messages", 12) == 0 && (path[12] == '\0' || path[12] == '/')) {
		lia_api_messages_route(api, req, path + 12, query);
	} else if (strncmp(path, "/v1/signals", 11) == 0 && (path[11] == '\0' || path[11] == '/')) {
		lia_api_signals_route(api, req, path + 11, query);
	} else if (strncmp(path, "/v1/record", 10) == 0 && (path[10] == '\0' || path[10] == '/')) {
		lia_api_record_route(api, req, path + 10, query);
	} else if (strncmp(path, "/v1/incidents", 13) == 0 && (path[13] == '\0' || path[13] == '/')) {
		lia_api_incidents_route(api, req, path + 13, query);
	} else if (strncmp(path, "/v1/overdue", 11) == 0 && (path[11] == '\0' || path[11] == '/')) {
		lia_api_overdue_route(api, req, path + 11, query);
	} else if (strcmp(path, "/v1/events") == 0 && api->events != NULL) {
		api->events_serve(api->events, req, query);
	} else if (!console && strncmp(path, "/v1/operators", 13) == 0 &&
	    (path[13] == '\0' || path[13] == '/')) {
		lia_api_operators_route(api, req, path + 13, query);
	} else {
		lia_api_error(req, 404, "no such resource");
	}
}

void lia_api_set_events(struct lia_api *api, void *events,
    void (*serve)(void *events, struct evhttp_request *req, const char *query))
{
	api->events = events;
	api->events_serve = serve;
}

void lia_api_status_extra(struct lia_api *api, const char *key, json_t *(*fn)(void *ctx),
    void *ctx)
{
	api->extra_key = key;
	api->extra_fn = fn;
	api->extra_ctx = ctx;
}
