/*
 * api_messages.c - the /v1/messages routes of the API: send, list, show (with
 * every signature checked again) and acknowledge.
 *
 * Called by api.c after the bearer token was checked; paths and bodies are
 * still the client's and are validated here before the node or store is
 * asked anything. Verification re-reads the exact stored COSE bytes, so what
 * "show" reports is what any party could check with the charter alone.
 */
#include "api_internal.h"
#include "charter.h"
#include "clock.h"
#include "entry.h"
#include "err.h"
#include "node.h"
#include "store.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>

/* The Retry-After of a 503 when the outbox toward a peer is at its bound (lia_node_outbox_room). */
#define LIA_API_RETRY_AFTER_S 1

static const struct lia_api_field send_fields[] = {
	{"to", JSON_STRING, 1},
	{"precedence", JSON_STRING, 1},
	{"text", JSON_STRING, 1},
	{"lang", JSON_STRING, 0},
	{"operator", JSON_STRING, 0},  /* the sending operator, signed into the message (the console sets it) */
	{NULL, JSON_NULL, 0},
};

static const struct lia_api_field ack_fields[] = {
	{"operator", JSON_STRING, 1},
	{NULL, JSON_NULL, 0},
};

/* What a "show" gathers while scanning the receipts and acks of one message. */
struct show_ctx {
	struct lia_node *node;
	uint8_t hash[32];                  /* the message's stored hash */
	json_t *receipts;
	json_t *acks;
	json_t *notices;                   /* overdue notices about it (docs/deadlines.md) */
};

/* Parses a decimal limit of at least 1 (up to 9 digits), read as at most LIA_API_LIST_MAX. */
static int parse_limit(const char *s, int *limit)
{
	long v = 0;

	if (s[0] == '\0' || strlen(s) > 9)
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1)
		return -1;
	*limit = v > LIA_API_LIST_MAX ? LIA_API_LIST_MAX : (int)v;
	return 0;
}

/* Reads box and limit from the query; sends the 400 itself on any fault. */
static int list_params(struct evhttp_request *req, const char *query, enum lia_dir *dir, int *limit)
{
	struct evkeyvalq params;
	struct evkeyval *kv;
	int seen_box = 0, seen_limit = 0, rc = -1;

	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query != NULL ? query : "", &params) < 0) {
		lia_api_error(req, 400, "the query string is malformed");
		goto out;
	}
	TAILQ_FOREACH(kv, &params, next) {
		if (strcmp(kv->key, "box") == 0 && !seen_box++) {
			if (strcmp(kv->value, "in") != 0 && strcmp(kv->value, "out") != 0) {
				lia_api_error(req, 400, "query parameter \"box\": must be \"in\" or \"out\"");
				goto out;
			}
			*dir = strcmp(kv->value, "in") == 0 ? LIA_DIR_IN : LIA_DIR_OUT;
		} else if (strcmp(kv->key, "limit") == 0 && !seen_limit++) {
			if (parse_limit(kv->value, limit) < 0) {
				lia_api_error(req, 400, "query parameter \"limit\": must be a whole "
				    "number from 1 (at most %d are listed)", LIA_API_LIST_MAX);
				goto out;
			}
		} else {
			lia_api_error(req, 400, "query parameter \"%.40s\" is unknown or repeated "
			    "(expected box and limit, once each)", kv->key);
			goto out;
		}
	}
	rc = 0;
out:
	evhttp_clear_headers(&params);
	return rc;
}

/*
 * {"messages": the newest `limit`, "more": whether older ones exist}. One
 * more than the limit is asked of the store to tell, then the oldest dropped.
 */
static json_t *list_reply(json_t *list, int limit)
{
	json_t *messages = json_is_array(list) ? list : json_object_get(list, "messages");
	int more = json_array_size(messages) > (size_t)limit;
	json_t *reply = NULL;

	if (more)
		json_array_remove(messages, 0);
	if (json_is_array(list))
		reply = json_pack("{s:o, s:b}", "messages", list, "more", more);
	else if (json_object_set_new(list, "more", json_boolean(more)) == 0)
		reply = list;
	else
		json_decref(list);
	return reply;
}

static void messages_list(struct lia_api *api, struct evhttp_request *req, const char *query)
{
	enum lia_dir dir = LIA_DIR_IN;
	int limit = LIA_API_LIST_DEFAULT;
	char err[LIA_ERR_LEN] = "";
	json_t *list = NULL;
	int rc;

	if (list_params(req, query, &dir, &limit) < 0)
		return;
	rc = lia_store_list_messages(lia_node_store(api->node), dir, limit + 1, &list, err);
	if (rc == 0 && lia_api_overdue_mark(api, json_is_array(list) ? list :
	    json_object_get(list, "messages"), err) < 0) {
		json_decref(list);
		rc = -1;
	}
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		return;
	}
	list = list_reply(list, limit);
	if (list == NULL)
		lia_api_error(req, 500, "cannot build the message list (out of memory)");
	else
		lia_api_reply(req, 200, list);
}

/* Checks a send request's values; fills sentence naming the field at fault. */
static int send_check(struct lia_api *api, json_t *body, enum lia_precedence *prec, char *sentence)
{
	const struct lia_node_def *targets[LIA_MAX_NODES];
	const char *to = json_string_value(json_object_get(body, "to"));
	const char *text = json_string_value(json_object_get(body, "text"));
	const char *lang = json_string_value(json_object_get(body, "lang"));
	char err[LIA_ERR_LEN] = "";
	size_t text_len = strlen(text);
	int n = 0, rc = -1;

	if (!lia_name_valid(to))
		lia_err_set(sentence, "field \"to\": \"%.40s\" is not a node or party name "
		    "(1 to %d of a-z, 0-9, -)", to, LIA_NAME_MAX);
	else if (lia_charter_recipients(lia_node_charter(api->node), to, lia_node_name(api->node),
	    targets, LIA_MAX_NODES, &n, err) < 0)
		lia_err_set(sentence, "field \"to\": %s", err);
	else if (lia_precedence_parse(json_string_value(json_object_get(body, "precedence")),
	    prec, err) < 0)
		lia_err_set(sentence, "field \"precedence\": %s", err);
	else if (text_len == 0 || text_len > LIA_TEXT_MAX)
		lia_err_set(sentence, "field \"text\": must hold 1 to %d bytes, not %zu",
		    LIA_TEXT_MAX, text_len);
	else if (lang != NULL && !lia_lang_valid(lang))
		lia_err_set(sentence, "field \"lang\": \"%.40s\" is not a BCP 47 language tag", lang);
	else
		rc = 0;
	return rc;
}


static void messages_send(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN], location[LIA_ID_LEN + 16];
	enum lia_precedence prec = LIA_ROUTINE;
	json_t *body = NULL, *lang;
	const char *op, *to;
	int rc;

	if (lia_api_read_body(req, send_fields, &body) < 0)
		return;
	if (send_check(api, body, &prec, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	op = json_string_value(json_object_get(body, "operator"));
	if (op != NULL && lia_api_operator_check(op, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	to = json_string_value(json_object_get(body, "to"));
	rc = lia_node_outbox_room(api->node, &to, 1, err);
	if (rc == LIA_EFULL) {
		lia_api_busy(req, LIA_API_RETRY_AFTER_S, err);
		goto out;
	}
	if (rc < 0) {
		lia_api_error(req, 500, "%s", err);
		goto out;
	}
	lang = json_object_get(body, "lang");
	rc = lia_node_send_as(api->node, json_string_value(json_object_get(body, "to")), prec,
	    lang != NULL ? json_string_value(lang) : "en",
	    json_string_value(json_object_get(body, "text")), op, id, err);
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	snprintf(location, sizeof(location), "/v1/messages/%s", id);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location", location);
	lia_api_reply(req, 201, json_pack("{s:s, s:s}", "id", id, "state", "queued"));
out:
	json_decref(body);
}

static json_t *signature_json(const char *signer, int valid, const char *error)
{
	return json_pack("{s:s, s:b, s:s?}", "signer", signer, "valid", valid,
	    "error", valid ? NULL : error);
}

/* Checks cose's signature with origin's key; 0 when valid, else err says why. */
static int verify_with(struct lia_node *node, const char *origin, const uint8_t *cose,
    size_t cose_len, char *err)
{
	struct lia_entry e;
	EVP_PKEY *pub = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = lia_node_public_key(node, origin, &pub, err);
	if (rc == 0)
		rc = lia_entry_verify(cose, cose_len, pub, &e, err);
	lia_entry_finish(&e);
	EVP_PKEY_free(pub);
	return rc;
}

/* One receipt, ack or overdue notice referencing the message: its fields, hash check and signature. */
static int show_ref(void *arg, const char *origin, uint64_t seq, const uint8_t *cose, size_t cose_len)
{
	struct show_ctx *ctx = arg;
	char id[LIA_ID_LEN], when[LIA_TIME_LEN], err[LIA_ERR_LEN] = "";
	struct lia_entry e;
	json_t *sig, *item;
	int opened, valid;

	memset(&e, 0, sizeof(e));
	lia_id_format(origin, seq, id);
	opened = lia_entry_open(cose, cose_len, &e, err) == 0;
	valid = opened && verify_with(ctx->node, origin, cose, cose_len, err) == 0;
	sig = signature_json(origin, valid, err);
	lia_time_format(e.time_ms, when);
	item = json_pack("{s:s, s:s, s:s?, s:b, s:o}", "id", id, "node", origin,
	    "time", opened ? when : NULL,
	    "hash_matches", opened && CRYPTO_memcmp(e.ref_hash, ctx->hash, 32) == 0,
	    "signature", sig);
	if (item != NULL && opened && e.type == LIA_ENTRY_ACK) {
		json_object_set_new(item, "operator", json_string(e.operator_name));
		json_array_append_new(ctx->acks, item);
	} else if (item != NULL && opened && e.type == LIA_ENTRY_OVERDUE) {
		json_object_set_new(item, "late_node", json_string(e.late_node));
		json_object_set_new(item, "deadline", json_string(lia_deadline_kind_name(e.deadline)));
		json_object_set_new(item, "step", json_integer(e.step));
		json_object_set_new(item, "late_s", json_integer((json_int_t)e.late_s));
		json_array_append_new(ctx->notices, item);
	} else if (item != NULL) {
		json_array_append_new(ctx->receipts, item);
	}
	lia_entry_finish(&e);
	return 0;
}

/* The message's own signature, from its exact stored bytes. */
static json_t *show_signature(struct show_ctx *ctx, const char *origin, uint64_t seq, char *err)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int valid;

	valid = lia_store_get_entry(lia_node_store(ctx->node), origin, seq, &cose, &cose_len,
	    NULL, ctx->hash, err) == 0 &&
	    verify_with(ctx->node, origin, cose, cose_len, err) == 0;
	free(cose);
	return signature_json(origin, valid, err);
}

static void messages_show(struct lia_api *api, struct evhttp_request *req, const char *origin,
    uint64_t seq)
{
	struct show_ctx ctx = { .node = api->node };
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	json_t *message = NULL, *sig = NULL;
	int rc;

	lia_id_format(origin, seq, id);
	rc = lia_store_message_json(lia_node_store(api->node), origin, seq, &message, err);
	if (rc == LIA_ENOTFOUND) {
		lia_api_error(req, 404, "no message %s", id);
		goto out;
	}
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	sig = show_signature(&ctx, origin, seq, err);
	ctx.receipts = json_array();
	ctx.acks = json_array();
	ctx.notices = json_array();
	rc = lia_store_scan_refs(lia_node_store(api->node), origin, seq, show_ref, &ctx, err);
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	lia_api_reply(req, 200, json_pack("{s:O, s:O, s:O, s:O, s:O}", "message", message,
	    "signature", sig, "receipts", ctx.receipts, "acks", ctx.acks,
	    "overdue_notices", ctx.notices));
out:
	json_decref(message);
	json_decref(sig);
	json_decref(ctx.receipts);
	json_decref(ctx.acks);
	json_decref(ctx.notices);
}

int lia_api_operator_check(const char *op, char *sentence)
{
	size_t len = strlen(op);
	int controls = lia_text_unsafe_offset(op, len, 0) < len;
	int rc = -1;

	if (len == 0 || len > LIA_OPERATOR_MAX)
		lia_err_set(sentence, "field \"operator\": must hold 1 to %d bytes, not %zu",
		    LIA_OPERATOR_MAX, len);
	else if (controls > 0)
		lia_err_set(sentence, "field \"operator\": must not hold control characters");
	else
		rc = 0;
	return rc;
}

/* Whether (origin, seq) is a message this node received and has not acknowledged; status for the refusal or 0. */
static int ack_allowed(struct lia_api *api, const char *origin, uint64_t seq, char *sentence)
{
	struct lia_store *store = lia_node_store(api->node);
	char id[LIA_ID_LEN], ack_id[LIA_ID_LEN], err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	struct lia_entry e;
	enum lia_dir dir = LIA_DIR_OUT;
	uint64_t ack_seq = 0;
	int rc, status = 0;

	memset(&e, 0, sizeof(e));
	lia_id_format(origin, seq, id);
	rc = lia_store_get_entry(store, origin, seq, &cose, &cose_len, &dir, NULL, err);
	if (rc == 0)
		rc = lia_entry_open(cose, cose_len, &e, err);
	if (rc == LIA_ENOTFOUND || (rc == 0 && e.type != LIA_ENTRY_MESSAGE)) {
		lia_err_set(sentence, "no message %s", id);
		status = 404;
	} else if (rc < 0) {
		lia_err_set(sentence, "%s", err);
		status = lia_api_status_for(rc);
	} else if (dir != LIA_DIR_IN) {
		lia_err_set(sentence, "message %s was sent by this node; only its recipients acknowledge it", id);
		status = 409;
	} else if ((rc = lia_store_find_ack(store, origin, seq, lia_node_name(api->node), &ack_seq, err)) == 0) {
		lia_id_format(lia_node_name(api->node), ack_seq, ack_id);
		lia_err_set(sentence, "message %s is already acknowledged (%s)", id, ack_id);
		status = 409;
	} else if (rc != LIA_ENOTFOUND) {
		lia_err_set(sentence, "%s", err);
		status = lia_api_status_for(rc);
	}
	lia_entry_finish(&e);
	free(cose);
	return status;
}

static void messages_ack(struct lia_api *api, struct evhttp_request *req, const char *origin,
    uint64_t seq)
{
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	json_t *body = NULL;
	const char *op;
	int rc, status;

	if (lia_api_read_body(req, ack_fields, &body) < 0)
		return;
	op = json_string_value(json_object_get(body, "operator"));
	if (lia_api_operator_check(op, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	status = ack_allowed(api, origin, seq, err);
	if (status != 0) {
		lia_api_error(req, status, "%s", err);
		goto out;
	}
	rc = lia_node_ack(api->node, origin, seq, op, id, err);
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	lia_api_reply(req, 201, json_pack("{s:s}", "id", id));
out:
	json_decref(body);
}

/*
 * Splits "ORIGIN/SEQ" or "ORIGIN/SEQ/ack" (rest without its leading '/');
 * *ack tells which. Fills sentence on a malformed id.
 */
static int parse_target(const char *rest, char origin[LIA_NAME_MAX + 1], uint64_t *seq,
    int *ack, char *sentence)
{
	char id[LIA_ID_LEN + 8];
	char *slash;
	size_t len = strlen(rest);
	int rc = -1;

	*ack = 0;
	if (len >= sizeof(id)) {
		lia_err_set(sentence, "no such resource (the message id is too long)");
		goto out;
	}
	memcpy(id, rest, len + 1);
	slash = strchr(id, '/');
	if (slash != NULL && (slash = strchr(slash + 1, '/')) != NULL) {
		if (strcmp(slash, "/ack") != 0) {
			lia_err_set(sentence, "no such resource");
			goto out;
		}
		*slash = '\0';
		*ack = 1;
	}
	rc = lia_id_parse(id, origin, seq, sentence);
out:
	return rc;
}

void lia_api_messages_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query)
{
	char origin[LIA_NAME_MAX + 1], err[LIA_ERR_LEN] = "";
	uint64_t seq = 0;
	int ack = 0;

	if (rest[0] == '\0') {
		if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
			messages_send(api, req);
		else
			messages_list(api, req, query);
	} else if (parse_target(rest + 1, origin, &seq, &ack, err) < 0) {
		lia_api_error(req, 404, "%s", err);
	} else if (query != NULL && query[0] != '\0') {
		lia_api_error(req, 400, "this resource takes no query parameters");
	} else if (ack) {
		if (lia_api_method(req, EVHTTP_REQ_POST) == 0)
			messages_ack(api, req, origin, seq);
	} else if (lia_api_method(req, EVHTTP_REQ_GET) == 0) {
		messages_show(api, req, origin, seq);
	}
}
