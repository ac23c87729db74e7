/*
 * link_status.c - a link's redundant paths as JSON for /v1/links and
 * /v1/status: each path's address, state, round trip and failures, which one
 * is active, and how the last failover went.
 */
#include "node_internal.h"

#include "admission.h"
#include "clock.h"
#include "linktest.h"

/* "active", "connecting", "failed" (its last event was a failure), "standby" (worked before) or "untried". */
static const char *path_state(const struct lia_link *l, int i)
{
	const struct lia_link_path *p = &l->paths[i];

	if (i == l->path && l->state >= LIA_LINK_HELLO)
		return "active";
	if (i == l->path && l->state == LIA_LINK_CONNECTING)
		return "connecting";
	if (p->down_ms > 0 && p->failures > 0 && p->down_ms >= p->up_ms)
		return "failed";
	return p->up_ms > 0 ? "standby" : "untried";
}

static json_t *path_json(const struct lia_link *l, int i)
{
	const struct lia_link_path *p = &l->paths[i];
	char addr[LIA_HOST_MAX + 16], up[LIA_TIME_LEN], down[LIA_TIME_LEN];
	int active = i == l->path && l->state >= LIA_LINK_HELLO;

	lia_link_path_address(l, i, addr, sizeof(addr));
	if (p->up_ms > 0)
		lia_time_format(p->up_ms, up);
	if (p->down_ms > 0)
		lia_time_format(p->down_ms, down);
	return json_pack("{s:i, s:s, s:s, s:b, s:i, s:I, s:s?, s:s?}",
	    "path", i + 1, "address", addr, "state", path_state(l, i), "active", active,
	    "rtt_ms", active ? l->rtt_ms : p->rtt_ms, "failures", (json_int_t)p->failures,
	    "last_up", p->up_ms > 0 ? up : NULL, "last_down", p->down_ms > 0 ? down : NULL);
}

void lia_link_status_json(const struct lia_link *l, json_t *o)
{
	json_t *paths = json_array();
	char addr[LIA_HOST_MAX + 16];
	int n = lia_link_path_count(l);

	for (int i = 0; i < n && i < LIA_ADDRS_MAX; i++)
		json_array_append_new(paths, path_json(l, i));
	json_object_set_new(o, "paths", paths);
	json_object_set_new(o, "path_role", json_string(l->dialer ? "peer addresses (we dial)" :
	    "own addresses (the peer dials)"));
	json_object_set_new(o, "active_path", l->path >= 0 && l->state >= LIA_LINK_HELLO ?
	    json_integer(l->path + 1) : json_null());
	if (l->dialer && l->state >= LIA_LINK_CONNECTING && l->path >= 0) {
		lia_link_path_address(l, l->path, addr, sizeof(addr));
		json_object_set_new(o, "address", json_string(addr));
	}
	json_object_set_new(o, "switches", json_integer((json_int_t)l->switches));
	/* Skew of the peer's entry times (peertime.h): null when none was seen. */
	json_object_set_new(o, "clock_skew_ms", l->clock_skew_ms != 0 ?
	    json_integer((json_int_t)l->clock_skew_ms) : json_null());
	json_object_set_new(o, "last_switch_ms", json_integer(l->last_switch_ms));
	json_object_set_new(o, "linktest", lia_linktest_json(l));
}

json_t *lia_link_admission_json(const struct lia_node *n)
{
	return lia_admission_json(n->admission);
}
