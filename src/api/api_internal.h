/*
 * api_internal.h - what api.c (token, routing) and api_listen.c (listeners
 * and their authentication) share with the route files api_<resource>.c. Not
 * part of the API contract (see api.h).
 *
 * Every handler runs on the daemon's event loop, after the listener has
 * authenticated the connection and api.c has checked the bearer token, and
 * answers exactly once through lia_api_reply or lia_api_error.
 */
#ifndef LIA_API_INTERNAL_H
#define LIA_API_INTERNAL_H

#include <event2/http.h>
#include <jansson.h>

#include "api.h"

#include <sys/types.h>
#include <time.h>

#define LIA_API_LISTENERS_MAX 4

/* How a listener authenticates a client before the shared route table runs. */
enum lia_api_auth {
	LIA_API_AUTH_PEER_UID,             /* Unix socket: SO_PEERCRED uid is ours or root, then the token */
};

/* One listening socket with its own evhttp (limits, timeouts) and authentication. */
struct lia_api_listener {
	struct lia_api *api;               /* borrowed */
	struct evhttp *http;
	enum lia_api_auth auth;
	char path[108];                    /* the socket file (Unix listeners) */
	int bound;                         /* 1 once path is ours to unlink */
};

struct lia_api {
	struct lia_node *node;             /* borrowed */
	struct event_base *base;           /* borrowed */
	struct lia_api_guard *guard;       /* caps and deadlines on connections (api_guard.h); NULL in fuzz_api */
	const char *extra_key;             /* lia_api_status_extra: one more /v1/status member */
	json_t *(*extra_fn)(void *ctx);
	void *extra_ctx;
	char token[LIA_TOKEN_LEN + 1];
	void *events;                       /* borrowed (console_events.h); NULL until lia_api_set_events */
	void (*events_serve)(void *events, struct evhttp_request *req, const char *query);
	uid_t uid;                         /* the daemon's uid: who may use the Unix socket, with root */
	struct lia_api_listener *listeners[LIA_API_LISTENERS_MAX];
	size_t n_listeners;
	time_t refused_logged;             /* last refusal logged, for the rate limit */
	unsigned long refused_quiet;       /* refusals not logged since */
};

/* One field a JSON request body may hold: its name, JSON type and whether it must be present. */
struct lia_api_field {
	const char *name;
	json_type type;
	int required;
};

/*
 * Answers one request (arg is the struct lia_api): the bearer token, then
 * lia_api_route. The Unix listener calls it once the peer's uid passed;
 * exported so fuzz/fuzz_api.c can feed it requests built in memory.
 */
void lia_api_request(struct evhttp_request *req, void *arg);

/*
 * Answers one request whose client is already authenticated (the bearer
 * token, or a console session: console != 0, which hides /v1/operators).
 * The one route table of the CLI's API and the console.
 */
void lia_api_route(struct lia_api *api, struct evhttp_request *req, int console);

/* Handles /v1/operators (api_operators.c): add, list, disable, passwd; the CLI's API only. */
void lia_api_operators_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Sends status with body as compact JSON; takes the reference to body. A NULL body (a json_pack that ran out of memory) sends 500. */
void lia_api_reply(struct evhttp_request *req, int status, json_t *body);

/* Sends status with {"error": sentence} and logs the refusal once. */
void lia_api_error(struct evhttp_request *req, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Sends 503 with Retry-After: retry_s (seconds) and {"error": sentence}: a
 * bound is reached (the outbox toward a peer), nothing was done, the client
 * may try again. Logged as a warning, not a failure.
 */
void lia_api_busy(struct evhttp_request *req, int retry_s, const char *sentence);

/*
 * Parses the request body as one JSON object (duplicate keys refused), checks
 * that it holds only the listed fields (the list ends with a NULL name), each
 * of its type, and the required ones. On failure sends the 400 itself and
 * returns -1; on success *out is the caller's (json_decref).
 */
int lia_api_read_body(struct evhttp_request *req, const struct lia_api_field *fields,
    json_t **out);

/* 0 when the request uses method allowed; otherwise sends 405 (with Allow) and returns -1. */
int lia_api_method(struct evhttp_request *req, enum evhttp_cmd_type allowed);

/*
 * 0 when op is 1..LIA_OPERATOR_MAX bytes without control characters or bidi
 * overrides (text.h's set), the rules of a signed operator name (an ack's,
 * a message's sender, an incident entry's); else -1 with sentence naming the field.
 */
int lia_api_operator_check(const char *op, char *sentence);

/* HTTP status for a module's return code: LIA_ENOTFOUND 404, LIA_EDUP 409, LIA_EFULL 507, else 500. */
int lia_api_status_for(int rc);

/*
 * Handles every path under /v1/messages; rest is what follows "/v1/messages"
 * ("" or "/ORIGIN/SEQ..."), query the raw query string or NULL.
 */
void lia_api_messages_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Handles /v1/overdue (api_overdue.c): GET lists what is overdue here; rest follows "/v1/overdue". */
void lia_api_overdue_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Adds "overdue" (lia_store_overdue_of's list) to each message object of the array messages; -1 with err. */
int lia_api_overdue_mark(struct lia_api *api, json_t *messages, char *err);

/* Adds "overdue" (how many deadlines are overdue here) to the status counts object. */
int lia_api_overdue_count(struct lia_api *api, json_t *counts, char *err);

/* Handles /v1/signals (api_signals.c): POST sends, GET ?lang= lists rendered; rest follows "/v1/signals". */
void lia_api_signals_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Handles /v1/incidents (api_incidents.c): list, open, show, and POST ID/attach|propose|confirm|note; rest follows "/v1/incidents". */
void lia_api_incidents_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Handles every path under /v1/record (api_record.c); rest follows "/v1/record". */
void lia_api_record_route(struct lia_api *api, struct evhttp_request *req,
    const char *rest, const char *query);

/* Zeroes the request's raw body and the "password" member of body (api_secret.c); body may be NULL. */
void lia_api_wipe_password(struct evhttp_request *req, json_t *body);

#endif
