/*
 * api_operators.c - /v1/operators on the CLI's API (never the console's):
 * the station's console operators, for `liaison operator add|list|disable|passwd`.
 *   GET  /v1/operators                     {"operators":[{"name","role","lang","disabled"}]}
 *   POST /v1/operators                     {"name","role","password","lang"?} -> 201
 *   POST /v1/operators/NAME/disable        {} -> 200 (ends the operator's sessions at next use)
 *   POST /v1/operators/NAME/enable         {} -> 200
 *   POST /v1/operators/NAME/passwd         {"password"} -> 200
 *   GET  /v1/operators/audit               {"audit":[...]} the console's audit, newest first (200 rows)
 * The password is hashed here (Argon2id, console_password.h) and wiped; the
 * body buffer that held it is drained and cleared before the reply.
 */
#include "api_internal.h"
#include "clock.h"
#include "console_password.h"
#include "err.h"
#include "log.h"
#include "store_operator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

static const struct lia_api_field add_fields[] = {
	{"name", JSON_STRING, 1},
	{"role", JSON_STRING, 1},
	{"password", JSON_STRING, 1},
	{"lang", JSON_STRING, 0},
	{NULL, JSON_NULL, 0},
};

static const struct lia_api_field passwd_fields[] = {
	{"password", JSON_STRING, 1},
	{NULL, JSON_NULL, 0},
};

static const struct lia_api_field no_fields[] = {
	{NULL, JSON_NULL, 0},
};

/* Wipes the request body (it may hold a password) and a password string of body. */
static void operators_add(struct lia_api *api, struct evhttp_request *req)
{
	struct lia_operator op;
	char err[LIA_ERR_LEN] = "";
	json_t *body = NULL;
	const char *lang;
	int rc;

	memset(&op, 0, sizeof(op));
	if (lia_api_read_body(req, add_fields, &body) < 0)
		goto out;
	lang = json_string_value(json_object_get(body, "lang"));
	if (lia_store_operator_name_check(json_string_value(json_object_get(body, "name")), err) < 0 ||
	    lia_store_operator_role_parse(json_string_value(json_object_get(body, "role")),
	    &op.role, err) < 0 || lia_store_operator_lang_check(lang != NULL ? lang : "en", err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	snprintf(op.name, sizeof(op.name), "%s", json_string_value(json_object_get(body, "name")));
	snprintf(op.lang, sizeof(op.lang), "%s", lang != NULL ? lang : "en");
	op.created_ms = lia_now_ms();
	if (lia_console_password_hash(json_string_value(json_object_get(body, "password")),
	    op.hash, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		goto out;
	}
	rc = lia_store_operator_add(lia_node_store(api->node), &op, err);
	if (rc < 0) {
		lia_api_error(req, rc == LIA_EDUP ? 409 : rc == -1 ? 400 : lia_api_status_for(rc),
		    "%s", err);
		goto out;
	}
	lia_log_info("operators: added %s (%s, %s)", op.name, lia_store_operator_role_name(op.role),
	    op.lang);
	lia_api_reply(req, 201, json_pack("{s:s, s:s, s:s}", "name", op.name, "role",
	    lia_store_operator_role_name(op.role), "lang", op.lang));
out:
	lia_api_wipe_password(req, body);
	sodium_memzero(&op, sizeof(op));
	json_decref(body);
}

static void operators_list(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "";
	json_t *list = NULL;

	if (lia_store_operator_list(lia_node_store(api->node), &list, err) < 0)
		lia_api_error(req, 500, "%s", err);
	else
		lia_api_reply(req, 200, json_pack("{s:o}", "operators", list));
}

static void operators_audit(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "";
	json_t *list = NULL;

	if (lia_store_audit_list(lia_node_store(api->node), 200, &list, err) < 0)
		lia_api_error(req, 500, "%s", err);
	else
		lia_api_reply(req, 200, json_pack("{s:o}", "audit", list));
}

/* POST /v1/operators/NAME/(disable|enable|passwd). */
static void operators_change(struct lia_api *api, struct evhttp_request *req, const char *name,
    const char *what)
{
	char err[LIA_ERR_LEN] = "", hash[LIA_OPERATOR_HASH_MAX + 1] = "";
	int passwd = strcmp(what, "passwd") == 0, rc;
	json_t *body = NULL;

	if (lia_api_read_body(req, passwd ? passwd_fields : no_fields, &body) < 0)
		goto out;
	if (passwd) {
		if (lia_console_password_hash(json_string_value(json_object_get(body, "password")),
		    hash, err) < 0) {
			lia_api_error(req, 400, "%s", err);
			goto out;
		}
		rc = lia_store_operator_set_hash(lia_node_store(api->node), name, hash, err);
	} else {
		rc = lia_store_operator_set_disabled(lia_node_store(api->node), name,
		    strcmp(what, "disable") == 0, err);
	}
	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		goto out;
	}
	lia_log_info("operators: %s %s", name, passwd ? "has a new password" :
	    strcmp(what, "disable") == 0 ? "disabled" : "enabled");
	lia_api_reply(req, 200, json_pack("{s:s, s:s}", "name", name, "done", what));
out:
	lia_api_wipe_password(req, body);
	sodium_memzero(hash, sizeof(hash));
	json_decref(body);
}

void lia_api_operators_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query)
{
	char name[3 * LIA_OPERATOR_NAME_MAX + 1], err[LIA_ERR_LEN];
	const char *slash, *what;
	char *decoded = NULL;

	if (query != NULL && query[0] != '\0') {
		lia_api_error(req, 400, "this resource takes no query parameters");
	} else if (rest[0] == '\0') {
		if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
			operators_add(api, req);
		else if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
			operators_list(api, req);
	} else if (strcmp(rest, "/audit") == 0) {
		if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
			operators_audit(api, req);
	} else if (rest[0] != '/' || (slash = strchr(rest + 1, '/')) == NULL ||
	    (size_t)(slash - rest - 1) > 3 * LIA_OPERATOR_NAME_MAX ||
	    (strcmp(slash + 1, "disable") != 0 && strcmp(slash + 1, "enable") != 0 &&
	    strcmp(slash + 1, "passwd") != 0)) {
		lia_api_error(req, 404, "no such resource (POST /v1/operators/NAME/disable, "
		    "/enable or /passwd)");
	} else if (lia_api_method(req, EVHTTP_REQ_POST) == 0) {
		what = slash + 1;
		snprintf(name, sizeof(name), "%.*s", (int)(slash - rest - 1), rest + 1);
		decoded = evhttp_uridecode(name, 0, NULL);
		if (decoded == NULL || lia_store_operator_name_check(decoded, err) < 0)
			lia_api_error(req, 400, "%s", decoded == NULL ? "bad operator name" : err);
		else
			operators_change(api, req, decoded, what);
	}
	free(decoded);
}
