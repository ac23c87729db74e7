/*
 * link_status.c - a link as JSON for /v1/links and /v1/status: its state and
 * counters, its redundant paths (each path's address, state, round trip and
 * failures, which one is active, how the last failover went) and the engine's
 * link test figures for its peer.
 */
#include "net_internal.h"

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

/* Adds the link's paths, active path, switches and link tests to its status object o. */
static void add_paths(const struct lia_link *l, json_t *o)
{
	json_t *paths = json_array();
	char addr[LIA_HOST_MAX + 16];
	int n = lia_link_path_count(l);
	int64_t skew;

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
	skew = lia_node_peer_clock_skew(l->net->node, l->peer->name);
	json_object_set_new(o, "clock_skew_ms", skew != 0 ? json_integer((json_int_t)skew) :
	    json_null());
	json_object_set_new(o, "last_switch_ms", json_integer(l->last_switch_ms));
	json_object_set_new(o, "linktest", lia_linktest_json(l->net->node, l->peer->name));
}

json_t *lia_link_status_json(const struct lia_link *l)
{
	char since[LIA_TIME_LEN], err[LIA_ERR_LEN];
	int64_t queued = -1;
	json_t *o;

	lia_store_outbox_count(l->net->store, l->peer->name, &queued, err);
	lia_time_format(l->since_ms, since);
	o = json_pack(
	    "{s:s, s:s, s:s+++, s:s, s:s, s:s?, s:i, s:I, s:b, s:I, s:I, s:I, s:I}",
	    "peer", l->peer->name, "party", l->peer->party,
	    "address", l->peer->host, ":", l->peer->port, "",
	    "state", lia_link_state_name(l->state), "since", since,
	    "last_error", l->last_error[0] ? l->last_error : NULL,
	    "rtt_ms", l->rtt_ms, "outbox", (json_int_t)queued,
	    "charter_mismatch", l->charter_mismatch,
	    "frames_in", (json_int_t)l->frames_in,
	    "frames_out", (json_int_t)l->frames_out,
	    "rejected", (json_int_t)l->rejected,
	    "reconnects", (json_int_t)l->reconnects);
	if (o != NULL)
		add_paths(l, o);
	return o;
}
