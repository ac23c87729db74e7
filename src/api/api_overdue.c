/*
 * api_overdue.c - GET /v1/overdue and the overdue marks of message lists
 * and status: what is overdue here, which deadline, for how long, the steps
 * taken, and on which side this node stands (sender, late receiver, or the
 * escalation target told about it). Reads the store only.
 */
#include "api_internal.h"

#include <string.h>

#include "clock.h"
#include "err.h"
#include "node.h"
#include "store.h"

/* "sender" when the message is ours, "receiver" when the answer is ours to give, else "escalation". */
static const char *side(struct lia_api *api, json_t *item)
{
	const char *self = lia_node_name(api->node);
	const char *origin = json_string_value(json_object_get(item, "origin"));
	const char *node = json_string_value(json_object_get(item, "node"));

	if (origin != NULL && strcmp(origin, self) == 0)
		return "sender";
	return node != NULL && strcmp(node, self) == 0 ? "receiver" : "escalation";
}

static int add_sides(struct lia_api *api, json_t *list)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if (json_object_set_new(item, "side", json_string(side(api, item))) != 0)
			return -1;
	return 0;
}

static void overdue_list(struct lia_api *api, struct evhttp_request *req)
{
	char err[LIA_ERR_LEN] = "";
	json_t *list = NULL;
	int rc = lia_store_overdue_json(lia_node_store(api->node), lia_now_ms(), &list, err);

	if (rc < 0) {
		lia_api_error(req, lia_api_status_for(rc), "%s", err);
		return;
	}
	if (add_sides(api, list) < 0) {
		json_decref(list);
		lia_api_error(req, 500, "cannot build the overdue list (out of memory)");
		return;
	}
	lia_api_reply(req, 200, json_pack("{s:o}", "overdue", list));
}

void lia_api_overdue_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query)
{
	if (rest[0] != '\0' && strcmp(rest, "/") != 0)
		lia_api_error(req, 404, "no such resource under /v1/overdue");
	else if (query != NULL && query[0] != '\0')
		lia_api_error(req, 400, "/v1/overdue takes no query parameters");
	else if (lia_api_method(req, EVHTTP_REQ_GET) == 0)
		overdue_list(api, req);
}

int lia_api_overdue_mark(struct lia_api *api, json_t *messages, char *err)
{
	struct lia_store *s = lia_node_store(api->node);
	int64_t now = lia_now_ms();
	json_t *m, *marks;
	size_t i;

	json_array_foreach(messages, i, m) {
		const char *origin = json_string_value(json_object_get(m, "origin"));
		json_int_t seq = json_integer_value(json_object_get(m, "seq"));
		marks = NULL;
		if (origin == NULL || seq < 1)
			continue;
		if (lia_store_overdue_of(s, origin, (uint64_t)seq, now, &marks, err) < 0)
			return -1;
		if (add_sides(api, marks) < 0) {
			json_decref(marks);
			marks = NULL; /* json_object_set_new below fails on NULL */
		}
		if (json_object_set_new(m, "overdue", marks) != 0) {
			lia_err_set(err, "cannot mark overdue messages (out of memory)");
			return -1;
		}
	}
	return 0;
}

int lia_api_overdue_count(struct lia_api *api, json_t *counts, char *err)
{
	json_t *list = NULL;
	int rc = lia_store_overdue_json(lia_node_store(api->node), lia_now_ms(), &list, err);

	if (rc == 0 && json_object_set_new(counts, "overdue",
	    json_integer((json_int_t)json_array_size(list))) != 0) {
		lia_err_set(err, "cannot count what is overdue (out of memory)");
		rc = -1;
	}
	json_decref(list);
	return rc;
}
