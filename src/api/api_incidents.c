/*
 * api_incidents.c - the /v1/incidents routes of the API: list, show with
 * timeline, open, and attach / propose / confirm / note on one incident.
 *
 * Called by api.c after the bearer token was checked; bodies and paths are
 * still the client's and are checked here; the incident's rules are checked
 * by lia_node_incident (incident.c) before anything is stored. Every POST
 * may name the operator who makes the entry ("operator", signed as key 11):
 * the console sets it to the signed-in operator (console.c), the CLI to its
 * --operator.
 */
#include "api_internal.h"
#include "entry.h"
#include "err.h"
#include "incident.h"
#include "node.h"
#include "store.h"
#include "store_incident.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCIDENTS_LISTED 200 /* newest incidents a listing shows */
#define ACTION_MAX 16

static const struct lia_api_field open_fields[] = {
	{"to", JSON_STRING, 0},
	{"title", JSON_STRING, 1},
	{"signal", JSON_STRING, 0},
	{"lat", JSON_INTEGER, 0},
	{"lon", JSON_INTEGER, 0},
	{"operator", JSON_STRING, 0},
	{NULL, JSON_NULL, 0},
};
static const struct lia_api_field attach_fields[] = {
	{"entry", JSON_STRING, 1}, {"operator", JSON_STRING, 0}, {NULL, JSON_NULL, 0},
};
static const struct lia_api_field propose_fields[] = {
	{"state", JSON_STRING, 1}, {"reason", JSON_STRING, 1}, {"operator", JSON_STRING, 0},
	{NULL, JSON_NULL, 0},
};
static const struct lia_api_field confirm_fields[] = {
	{"proposal", JSON_STRING, 1}, {"operator", JSON_STRING, 0}, {NULL, JSON_NULL, 0},
};
static const struct lia_api_field note_fields[] = {
	{"text", JSON_STRING, 1}, {"operator", JSON_STRING, 0}, {NULL, JSON_NULL, 0},
};

/* Copies a body string into a bounded incident text; fills sentence naming the field. */
static int read_text(json_t *body, const char *field, char dst[LIA_INCIDENT_TEXT_MAX + 1],
    char *sentence)
{
	json_t *v = json_object_get(body, field);

	if (json_string_length(v) == 0 || json_string_length(v) > LIA_INCIDENT_TEXT_MAX)
		return lia_err_set(sentence, "field \"%s\": must hold 1 to %d bytes", field,
		    LIA_INCIDENT_TEXT_MAX), -1;
	snprintf(dst, LIA_INCIDENT_TEXT_MAX + 1, "%s", json_string_value(v));
	return 0;
}

/* Names entry id (a body field) as subject of e, with the hash of our copy; status for a fault. */
static int read_subject(struct lia_api *api, json_t *body, const char *field,
    struct lia_entry *e, char *sentence)
{
	const char *id = json_string_value(json_object_get(body, field));
	char why[LIA_ERR_LEN];
	int rc;

	if (lia_id_parse(id, e->subj_origin, &e->subj_seq, why) < 0)
		return lia_err_set(sentence, "field \"%s\": %s", field, why), 400;
	rc = lia_store_get_entry(lia_node_store(api->node), e->subj_origin, e->subj_seq, NULL,
	    NULL, NULL, e->subj_hash, why);
	if (rc == LIA_ENOTFOUND)
		return lia_err_set(sentence, "field \"%s\": no entry %s is stored here", field, id),
		    404;
	if (rc < 0)
		return lia_err_set(sentence, "%s", why), lia_api_status_for(rc);
	return 0;
}

/* The body's "operator" (optional) into e: who makes the entry; -1 with sentence when it breaks the rules. */
static int read_operator(json_t *body, struct lia_entry *e, char *sentence)
{
	const char *op = json_string_value(json_object_get(body, "operator"));

	if (op == NULL)
		return 0;
	if (lia_api_operator_check(op, sentence) < 0)
		return -1;
	snprintf(e->operator_name, sizeof(e->operator_name), "%s", op);
	return 0;
}

/* Signs and stores e, answering 201 {"id"}, or the refusal (400 for a field the entry format refuses). */
static void commit(struct lia_api *api, struct evhttp_request *req, json_t *body,
    struct lia_entry *e)
{
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	struct lia_entry probe;
	int rc;

	if (read_operator(body, e, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		return;
	}
	probe = *e;

	/* The form first, as it will be signed (origin, seq and time are the node's). */
	probe.type = LIA_ENTRY_INCIDENT;
	snprintf(probe.origin, sizeof(probe.origin), "%s", lia_node_name(api->node));
	probe.seq = 1;
	if (lia_entry_validate(&probe, err) < 0) {
		lia_api_error(req, 400, "%s", err);
		return;
	}
	rc = lia_node_incident(api->node, e, id, err);
	if (rc == LIA_REFUSED)
		lia_api_error(req, 409, "%s", err);
	else if (rc != 0)
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
	else
		lia_api_reply(req, 201, json_pack("{s:s}", "id", id));
}

/* `to` of an open without one: the party of the signal's origin, when it is not ours. */
static int default_to(struct lia_api *api, struct lia_entry *e, char *sentence)
{
	char party[LIA_NAME_MAX + 1];

	if (e->subj_origin[0] == '\0' ||
	    lia_incident_party_of(lia_node_charter(api->node), e->subj_origin, party, sentence) < 0 ||
	    strcmp(party, lia_node_party(api->node)) == 0)
		return lia_err_set(sentence, "field \"to\" is required (the other party or one of "
		    "its stations)"), -1;
	snprintf(e->to, sizeof(e->to), "%s", party);
	return 0;
}

static int read_open(struct lia_api *api, json_t *body, struct lia_entry *e, char *sentence)
{
	json_t *to = json_object_get(body, "to"), *lat = json_object_get(body, "lat");
	json_t *lon = json_object_get(body, "lon");
	int rc = 0;

	e->action = LIA_INCIDENT_OPEN;
	if (read_text(body, "title", e->inc_text, sentence) < 0)
		return 400;
	if (json_object_get(body, "signal") != NULL &&
	    (rc = read_subject(api, body, "signal", e, sentence)) != 0)
		return rc;
	if (to != NULL && !lia_name_valid(json_string_value(to)))
		return lia_err_set(sentence, "field \"to\": \"%.40s\" is not a node or party name",
		    json_string_value(to)), 400;
	if (to != NULL)
		snprintf(e->to, sizeof(e->to), "%s", json_string_value(to));
	else if (default_to(api, e, sentence) < 0)
		return 400;
	if ((lat == NULL) != (lon == NULL))
		return lia_err_set(sentence, "fields \"lat\" and \"lon\" go together"), 400;
	if (lat != NULL && (json_integer_value(lat) < -LIA_LAT_MAX ||
	    json_integer_value(lat) > LIA_LAT_MAX || json_integer_value(lon) < -LIA_LON_MAX ||
	    json_integer_value(lon) > LIA_LON_MAX))
		return lia_err_set(sentence, "fields \"lat\", \"lon\": 1e-5 degree within -%d..%d "
		    "and -%d..%d", LIA_LAT_MAX, LIA_LAT_MAX, LIA_LON_MAX, LIA_LON_MAX), 400;
	e->has_position = lat != NULL;
	e->lat = (int32_t)json_integer_value(lat);
	e->lon = (int32_t)json_integer_value(lon);
	return 0;
}

static void incident_open(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "";
	struct lia_entry e;
	json_t *body = NULL;
	int status;

	memset(&e, 0, sizeof(e));
	if (lia_api_read_body(req, open_fields, &body) < 0)
		return;
	status = read_open(api, body, &e, err);
	if (status != 0)
		lia_api_error(req, status, "%s", err);
	else
		commit(api, req, body, &e);
	json_decref(body);
}

/* Fills e's incident and `to` (the incident's other side); status for a fault. */
static int read_incident(struct lia_api *api, const char *origin, uint64_t seq,
    struct lia_entry *e, char *sentence)
{
	struct lia_incident_row row;
	int rc = lia_store_incident_get(lia_node_store(api->node), origin, seq, &row, sentence);

	if (rc < 0)
		return lia_api_status_for(rc);
	snprintf(e->inc_origin, sizeof(e->inc_origin), "%s", origin);
	e->inc_seq = seq;
	snprintf(e->to, sizeof(e->to), "%s", strcmp(row.party_a, lia_node_party(api->node)) == 0 ?
	    row.party_b : row.party_a);
	return 0;
}

/* The body of one action on an incident into e; status for a fault. */
static int read_action(struct lia_api *api, const char *action, json_t *body,
    struct lia_entry *e, char *sentence)
{
	char state[16];

	if (strcmp(action, "attach") == 0) {
		e->action = LIA_INCIDENT_ATTACH;
		return read_subject(api, body, "entry", e, sentence);
	}
	if (strcmp(action, "confirm") == 0) {
		e->action = LIA_INCIDENT_CONFIRM;
		return read_subject(api, body, "proposal", e, sentence);
	}
	if (strcmp(action, "note") == 0) {
		e->action = LIA_INCIDENT_NOTE;
		return read_text(body, "text", e->inc_text, sentence) < 0 ? 400 : 0;
	}
	e->action = LIA_INCIDENT_PROPOSE;
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(body, "state")));
	if (lia_incident_state_parse(state, &e->state, sentence) < 0 || e->state == LIA_STATE_OPEN)
		return lia_err_set(sentence, "field \"state\": must be contained or closed"), 400;
	return read_text(body, "reason", e->inc_text, sentence) < 0 ? 400 : 0;
}

static const struct lia_api_field *action_fields(const char *action)
{
	if (strcmp(action, "attach") == 0)
		return attach_fields;
	if (strcmp(action, "propose") == 0)
		return propose_fields;
	if (strcmp(action, "confirm") == 0)
		return confirm_fields;
	if (strcmp(action, "note") == 0)
		return note_fields;
	return NULL;
}

static void incident_act(struct lia_api *api, struct evhttp_request *req, const char *origin,
    uint64_t seq, const char *action)
{
	const struct lia_api_field *fields = action_fields(action);
	char err[LIA_ERR_LEN] = "";
	struct lia_entry e;
	json_t *body = NULL;
	int status;

	memset(&e, 0, sizeof(e));
	if (fields == NULL) {
		lia_api_error(req, 404, "no such resource (actions: attach, propose, confirm, note)");
		return;
	}
	if (lia_api_read_body(req, fields, &body) < 0)
		return;
	status = read_incident(api, origin, seq, &e, err);
	if (status == 0)
		status = read_action(api, action, body, &e, err);
	if (status != 0)
		lia_api_error(req, status, "%s", err);
	else
		commit(api, req, body, &e);
	json_decref(body);
}

/* Replaces the store's "#N" (a signal sent by catalogue number) with the code our catalogue gives N. */
static void resolve_signal_codes(struct lia_api *api, json_t *incident)
{
	json_t *step, *code;
	size_t i, j;
	unsigned number;
	const char *known;

	json_array_foreach(json_object_get(incident, "timeline"), i, step) {
		json_array_foreach(json_object_get(json_object_get(step, "entry"), "signals"), j, code) {
			if (sscanf(json_string_value(code) != NULL ? json_string_value(code) : "",
			    "#%u", &number) == 1 &&
			    (known = lia_node_signal_code(api->node, number)) != NULL)
				json_string_set(code, known);
		}
	}
}

static void incident_show(struct lia_api *api, struct evhttp_request *req, const char *origin,
    uint64_t seq)
{
	char err[LIA_ERR_LEN] = "";
	json_t *o = NULL;
	int rc = lia_store_incident_json(lia_node_store(api->node), origin, seq, &o, err);

	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
	} else {
		resolve_signal_codes(api, o);
		lia_api_reply(req, 200, o);
	}
}

static void incident_list(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "";
	json_t *list = NULL;
	int rc = lia_store_incidents_json(lia_node_store(api->node), INCIDENTS_LISTED, &list, err);

	if (rc < 0)
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
	else
		lia_api_reply(req, 200, json_pack("{s:o}", "incidents", list));
}

/* Splits "ORIGIN/SEQ" or "ORIGIN/SEQ/ACTION" (rest without its leading '/'). */
static int parse_target(const char *rest, char origin[LIA_NAME_MAX + 1], uint64_t *seq,
    char action[ACTION_MAX], char *sentence)
{
	char id[LIA_ID_LEN + ACTION_MAX];
	const char *slash = strchr(rest, '/');
	char *second;

	if (strlen(rest) >= sizeof(id))
		return lia_err_set(sentence, "the path is too long"), -1;
	snprintf(id, sizeof(id), "%s", rest);
	action[0] = '\0';
	second = slash != NULL ? strchr(id + (slash - rest) + 1, '/') : NULL;
	if (second != NULL) {
		if (strlen(second + 1) >= ACTION_MAX)
			return lia_err_set(sentence, "no such action"), -1;
		snprintf(action, ACTION_MAX, "%s", second + 1);
		*second = '\0';
	}
	return lia_id_parse(id, origin, seq, sentence);
}

void lia_api_incidents_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char origin[LIA_NAME_MAX + 1], action[ACTION_MAX], err[LIA_ERR_LEN];
	uint64_t seq = 0;

	if (query != NULL && query[0] != '\0') {
		lia_api_error(req, 400, "/v1/incidents takes no query parameters");
	} else if (rest[0] == '\0') {
		if (cmd == EVHTTP_REQ_POST)
			incident_open(api, req);
		else if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
			incident_list(api, req);
	} else if (parse_target(rest + 1, origin, &seq, action, err) < 0) {
		lia_api_error(req, 404, "%s", err);
	} else if (action[0] == '\0') {
		if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
			incident_show(api, req, origin, seq);
	} else if (lia_api_method(req, EVHTTP_REQ_POST) == 0) {
		incident_act(api, req, origin, seq, action);
	}
}
