/*
 * console.c - the operator console's listener (see console.h): static
 * assets, sign-in, sessions and the API's routes behind them.
 *
 * Assumes nothing of a browser: every path is matched exactly or checked
 * character by character before it touches the file system; every request to
 * /v1 needs a live session, every POST also the session's CSRF token; what an
 * operator does is written to the audit (who, from where, what, outcome),
 * refusals too. Bodies are bounded by evhttp (LIA_API_BODY_MAX).
 */
#include "console.h"
#include "api_internal.h"
#include "charter.h"
#include "clock.h"
#include "entry.h"
#include "console_limit.h"
#include "console_password.h"
#include "console_session.h"
#include "err.h"
#include "log.h"
#include "store_operator.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sodium.h>

#define CONSOLE_HEADERS_MAX (8 * 1024)
#define CONSOLE_TIMEOUT_S 60
#define SESSION_IDLE_MS (30 * 60 * 1000)
#define SESSION_LIFE_MS (12 * 60 * 60 * 1000)
#define LIMIT_WINDOW_MS (5 * 60 * 1000)
#define LIMIT_PER_OPERATOR 5
#define LIMIT_PER_ADDRESS 20
#define ASSET_MAX (16 * 1024 * 1024)
#define COOKIE "lia_session"

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; media-src 'none'; object-src 'none'; "
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct lia_console {
	struct lia_node *node;                /* borrowed */
	struct lia_api *api;                  /* borrowed: the route table */
	struct lia_console_events *events;    /* borrowed */
	struct evhttp *http;
	SSL_CTX *tls;                         /* NULL on loopback */
	char webroot[4096];
	char signals_path[4096];              /* the node's catalogue file, "" when none */
	char dummy_hash[LIA_OPERATOR_HASH_MAX + 1]; /* verified for unknown names: same cost */
	struct lia_console_sessions sessions;
	struct lia_console_limit limit;
};

/* One request's context: who asks, from where. */
struct ctx {
	struct lia_console *c;
	struct evhttp_request *req;
	char address[LIA_CONSOLE_ADDR_MAX + 1];
	struct lia_console_session *s;        /* borrowed; NULL before the session check */
};

static void security_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Security-Policy", csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(h, "Cross-Origin-Resource-Policy", "same-origin");
}

static void audit(struct ctx *x, const char *operator_name, const char *action,
    const char *outcome, const char *detail)
{
	char err[LIA_ERR_LEN];

	if (lia_store_audit_add(lia_node_store(x->c->node), lia_now_ms(), operator_name,
	    x->address, action, outcome, detail, err) < 0)
		lia_log_error("console: cannot write the audit: %s", err);
}

/* Refuses with status and sentence, logs it (lia_api_error) and audits it. */
static void refuse(struct ctx *x, int status, const char *action, const char *sentence)
{
	char outcome[32];

	snprintf(outcome, sizeof(outcome), "refused %d", status);
	audit(x, x->s != NULL ? x->s->operator_name : NULL, action, outcome, sentence);
	lia_api_error(x->req, status, "%s", sentence);
}

/* ---- static assets ---- */

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
	if (strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
	if (strcmp(dot, ".json") == 0) return "application/json";
	if (strcmp(dot, ".svg") == 0) return "image/svg+xml";
	if (strcmp(dot, ".png") == 0) return "image/png";
	if (strcmp(dot, ".woff2") == 0) return "font/woff2";
	return "application/octet-stream";
}

/* 1 when path is "/" followed by segments of [A-Za-z0-9_-] with dots only inside, never "..". */
static int asset_path_ok(const char *path)
{
	size_t len = strlen(path);

	if (len < 2 || len > 200 || path[0] != '/' || strstr(path, "..") != NULL ||
	    strstr(path, "/.") != NULL || strstr(path, "//") != NULL || path[len - 1] == '/')
		return 0;
	for (size_t i = 1; i < len; i++) {
		char ch = path[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '/'))
			return 0;
	}
	return 1;
}

/* Sends file (at most ASSET_MAX bytes) with content type type, or 404. */
static void send_file(struct ctx *x, const char *file, const char *type)
{
	struct evbuffer *buf = NULL;
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ASSET_MAX ||
	    (buf = evbuffer_new()) == NULL) {
		if (fd >= 0)
			close(fd);
		lia_api_error(x->req, 404, "no such page");
		return;
	}
	if (evbuffer_add_file(buf, fd, 0, st.st_size) != 0) {  /* takes fd */
		evbuffer_free(buf);
		lia_api_error(x->req, 500, "cannot read a page");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(x->req), "Content-Type", type);
	evhttp_add_header(evhttp_request_get_output_headers(x->req), "Cache-Control", "no-cache");
	evhttp_send_reply(x->req, 200, "OK", buf);
	evbuffer_free(buf);
}

static void serve_asset(struct ctx *x, const char *path)
{
	char file[4400];

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (evhttp_request_get_command(x->req) != EVHTTP_REQ_GET || !asset_path_ok(path)) {
		lia_api_error(x->req, 404, "no such page");
		return;
	}
	snprintf(file, sizeof(file), "%s%s", x->c->webroot, path);
	send_file(x, file, content_type(path));
}

/* ---- sessions ---- */

/* The value of cookie COOKIE in the request, copied into out (LIA_CONSOLE_TOKEN_LEN + 1), or "" */
static void session_cookie(struct evhttp_request *req, char out[static LIA_CONSOLE_TOKEN_LEN + 1])
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");
	const char *p = h;
	size_t n;

	out[0] = '\0';
	while (p != NULL && (p = strstr(p, COOKIE "=")) != NULL) {
		if (p == h || p[-1] == ' ' || p[-1] == ';') {
			p += sizeof(COOKIE);
			n = strcspn(p, "; ");
			if (n == LIA_CONSOLE_TOKEN_LEN) {
				memcpy(out, p, n);
				out[n] = '\0';
			}
			return;
		}
		p++;
	}
}

static void set_cookie(struct ctx *x, const char *token, int max_age)
{
	char cookie[256];

	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	    token, max_age, x->c->tls != NULL ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(x->req), "Set-Cookie", cookie);
	OPENSSL_cleanse(cookie, sizeof(cookie));
}

/* Who is signed in, the CSRF token, this node, and the charter's ack deadlines (ms) by precedence. */
static json_t *me_json(const struct lia_console_session *s, struct lia_console *c)
{
	const struct lia_charter *ch = lia_node_charter(c->node);
	json_t *ack = json_object(), *nodes = json_array(), *me;

	for (int p = 0; p < LIA_PRECEDENCES; p++)
		json_object_set_new(ack, lia_precedence_name((enum lia_precedence)p),
		    json_integer(ch->deadlines[p].ack_ms));
	for (int i = 0; i < ch->n_nodes; i++)
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:s}", "name", ch->nodes[i].name,
		    "party", ch->nodes[i].party, "role", lia_role_name(ch->nodes[i].role)));
	me = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "operator",
	    s->operator_name, "role", lia_store_operator_role_name(s->role), "lang", s->lang,
	    "csrf", s->csrf, "node", lia_node_name(c->node), "party", lia_node_party(c->node),
	    "expires_ms", (json_int_t)(s->last_ms + c->sessions.idle_ms), "ack_deadline_ms", ack,
	    "nodes", nodes);
	return me;
}

/* Finds the request's session and checks its operator is still enabled; else refuses (401/403) and returns -1. */
static int need_session(struct ctx *x, const char *action)
{
	char token[LIA_CONSOLE_TOKEN_LEN + 1], err[LIA_ERR_LEN];
	char name[LIA_OPERATOR_NAME_MAX + 1];
	struct lia_operator op;
	uint8_t tag[16];
	enum lia_console_lookup found;
	int rc = -1;

	session_cookie(x->req, token);
	found = lia_console_session_find(&x->c->sessions, token, lia_now_ms(), &x->s);
	OPENSSL_cleanse(token, sizeof(token));
	if (found == LIA_SESSION_EXPIRED) {
		refuse(x, 401, action, "your session has expired; sign in again");
		goto out;
	}
	if (found != LIA_SESSION_OK) {
		refuse(x, 401, action, "not signed in; sign in first");
		goto out;
	}
	snprintf(name, sizeof(name), "%s", x->s->operator_name);  /* ending sessions wipes the slot */
	if (lia_store_operator_get(lia_node_store(x->c->node), name, &op, err) < 0 || op.disabled) {
		refuse(x, 401, action, "this operator is disabled; ask a supervisor");  /* the session is void */
		goto end;
	}
	lia_console_session_hash_tag(op.hash, tag);
	if (sodium_memcmp(tag, x->s->hash_tag, sizeof(tag)) != 0) {
		refuse(x, 401, action, "your password was changed; sign in again");
		goto end;
	}
	rc = 0;
	goto out;
end:
	lia_console_sessions_end_operator(&x->c->sessions, name);
	x->s = NULL;
out:
	sodium_memzero(&op, sizeof(op));
	return rc;
}

/* For a state-changing request: the CSRF header must match the session's. */
static int need_csrf(struct ctx *x, const char *action)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(x->req), "X-CSRF-Token");

	if (lia_console_session_csrf_ok(x->s, h))
		return 0;
	refuse(x, 403, action, h == NULL ? "the request lacks its CSRF token (X-CSRF-Token); "
	    "reload the console" : "the request's CSRF token is wrong; reload the console");
	return -1;
}

/* ---- /console/... ---- */

static const struct lia_api_field login_fields[] = {
	{"operator", JSON_STRING, 1},
	{"password", JSON_STRING, 1},
	{NULL, JSON_NULL, 0},
};

static void login(struct ctx *x)
{
	char key_op[LIA_CONSOLE_LIMIT_KEY_MAX + 1], key_addr[LIA_CONSOLE_LIMIT_KEY_MAX + 1],
	    err[LIA_ERR_LEN], sentence[LIA_ERR_LEN];
	struct lia_console *c = x->c;
	struct lia_operator op;
	json_t *body = NULL;
	const char *name, *pw;
	int64_t now = lia_now_ms();
	int wait, rc;

	memset(&op, 0, sizeof(op));
	if (lia_api_method(x->req, EVHTTP_REQ_POST) < 0 ||
	    lia_api_read_body(x->req, login_fields, &body) < 0)
		goto out;
	name = json_string_value(json_object_get(body, "operator"));
	pw = json_string_value(json_object_get(body, "password"));
	if (lia_store_operator_name_check(name, err) < 0) {
		refuse(x, 400, "sign in", err);
		goto out;
	}
	snprintf(key_op, sizeof(key_op), "operator %s", name);
	snprintf(key_addr, sizeof(key_addr), "address %s", x->address);
	if ((wait = lia_console_limit_wait(&c->limit, key_op, LIMIT_PER_OPERATOR, now)) > 0 ||
	    (wait = lia_console_limit_wait(&c->limit, key_addr, LIMIT_PER_ADDRESS, now)) > 0) {
		snprintf(sentence, sizeof(sentence), "too many failed sign-ins; try again in %d s", wait);
		audit(x, name, "sign in", "refused 429", sentence);
		lia_api_error(x->req, 429, "%s", sentence);
		goto out;
	}
	rc = lia_store_operator_get(lia_node_store(c->node), name, &op, err);
	if (rc < 0 && rc != LIA_ENOTFOUND) {
		lia_api_error(x->req, 500, "%s", err);
		goto out;
	}
	/* Verify even for an unknown name (against a dummy), so timing does not tell names apart. */
	if (!lia_console_password_verify(rc == 0 ? op.hash : c->dummy_hash, pw) || rc < 0) {
		lia_console_limit_fail(&c->limit, key_op, now);
		lia_console_limit_fail(&c->limit, key_addr, now);
		audit(x, name, "sign in", "refused 401", "wrong operator or password");
		lia_api_error(x->req, 401, "wrong operator or password");
		goto out;
	}
	if (op.disabled) {
		audit(x, name, "sign in", "refused 403", "operator disabled");
		lia_api_error(x->req, 403, "this operator is disabled; ask a supervisor");
		goto out;
	}
	lia_console_limit_clear(&c->limit, key_op);
	if (lia_console_session_open(&c->sessions, &op, x->address, now, &x->s, err) < 0) {
		lia_api_error(x->req, 500, "%s", err);
		goto out;
	}
	set_cookie(x, x->s->token, (int)(c->sessions.life_ms / 1000));
	audit(x, name, "sign in", "ok", lia_store_operator_role_name(op.role));
	lia_log_info("console: %s signed in from %s", name, x->address);
	lia_api_reply(x->req, 200, me_json(x->s, c));
out:
	lia_api_wipe_password(x->req, body);
	sodium_memzero(&op, sizeof(op));
	json_decref(body);
}

static void logout(struct ctx *x)
{
	if (lia_api_method(x->req, EVHTTP_REQ_POST) < 0 || need_session(x, "sign out") < 0 ||
	    need_csrf(x, "sign out") < 0)
		return;
	audit(x, x->s->operator_name, "sign out", "ok", "");
	lia_console_session_close(x->s);
	x->s = NULL;
	set_cookie(x, "", 0);
	lia_api_reply(x->req, 200, json_pack("{s:b}", "signed_out", 1));
}

static void me(struct ctx *x)
{
	if (lia_api_method(x->req, EVHTTP_REQ_GET) == 0 && need_session(x, "session") == 0)
		lia_api_reply(x->req, 200, me_json(x->s, x->c));
}

static const struct lia_api_field lang_fields[] = {
	{"lang", JSON_STRING, 1},
	{NULL, JSON_NULL, 0},
};

static void set_lang(struct ctx *x)
{
	char err[LIA_ERR_LEN];
	json_t *body = NULL;
	const char *lang;

	if (lia_api_method(x->req, EVHTTP_REQ_POST) < 0 || need_session(x, "language") < 0 ||
	    need_csrf(x, "language") < 0 || lia_api_read_body(x->req, lang_fields, &body) < 0)
		goto out;
	lang = json_string_value(json_object_get(body, "lang"));
	if (lia_store_operator_set_lang(lia_node_store(x->c->node), x->s->operator_name, lang,
	    err) < 0) {
		refuse(x, 400, "language", err);
		goto out;
	}
	snprintf(x->s->lang, sizeof(x->s->lang), "%s", lang);
	audit(x, x->s->operator_name, "language", "ok", lang);
	lia_api_reply(x->req, 200, me_json(x->s, x->c));
out:
	json_decref(body);
}

static void audit_list(struct ctx *x)
{
	char err[LIA_ERR_LEN];
	json_t *list = NULL;

	if (lia_api_method(x->req, EVHTTP_REQ_GET) < 0 || need_session(x, "read the audit") < 0)
		return;
	if (x->s->role == LIA_ROLE_OPERATOR) {
		refuse(x, 403, "read the audit", "only supervisors and auditors may read the audit");
		return;
	}
	if (lia_store_audit_list(lia_node_store(x->c->node), 200, &list, err) < 0)
		lia_api_error(x->req, 500, "%s", err);
	else
		lia_api_reply(x->req, 200, json_pack("{s:o}", "audit", list));
}

/* The node's signal catalogue (codes, parameters and their ranges, texts), for the composer. */
static void catalogue(struct ctx *x)
{
	if (lia_api_method(x->req, EVHTTP_REQ_GET) < 0 || need_session(x, "catalogue") < 0)
		return;
	if (x->c->signals_path[0] == '\0')
		lia_api_error(x->req, 404, "this node has no signal catalogue (signals in liaisond.conf)");
	else
		send_file(x, x->c->signals_path, "application/json");
}

/* ---- /v1/... through the API's route table ---- */

/* For a message, an acknowledgement or an incident entry: the body's "operator" becomes the signed-in operator, whatever the page sent. */
static int name_operator(struct ctx *x)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(x->req);
	size_t len = evbuffer_get_length(in);
	json_t *body = len > 0 ? json_loadb((const char *)evbuffer_pullup(in, -1), len,
	    JSON_REJECT_DUPLICATES, NULL) : json_object();
	char *text = NULL;
	int rc = -1;

	if (!json_is_object(body))
		goto out;  /* the route refuses it with its own sentence */
	json_object_set_new(body, "operator", json_string(x->s->operator_name));
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
		goto out;
	evbuffer_drain(in, len);
	evbuffer_add(in, text, strlen(text));
	rc = 0;
out:
	free(text);
	json_decref(body);
	return rc;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static int stream_alive(void *ctx, const char *token)
{
	struct lia_console *c = ctx;

	return lia_console_session_live(&c->sessions, token, lia_now_ms());
}

/* GET /v1/events for a session: the stream ends when the session does. */
static void events(struct ctx *x, const char *query)
{
	char token[LIA_CONSOLE_TOKEN_LEN + 1];

	if (need_session(x, "GET /v1/events") < 0)
		return;
	session_cookie(x->req, token);
	lia_console_events_serve_guarded(x->c->events, x->req, query, stream_alive, x->c, token);
	OPENSSL_cleanse(token, sizeof(token));
}

static void api_call(struct ctx *x, const char *path)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(x->req);
	char action[160], outcome[32];
	int code;

	snprintf(action, sizeof(action), "%s %.140s", cmd == EVHTTP_REQ_GET ? "GET" : "POST", path);
	if (need_session(x, action) < 0)
		return;
	if (cmd == EVHTTP_REQ_GET) {
		lia_api_route(x->c->api, x->req, 1);
		return;
	}
	if (need_csrf(x, action) < 0)
		return;
	if (x->s->role == LIA_ROLE_AUDITOR) {
		refuse(x, 403, action, "an auditor may read but not send, acknowledge or change anything");
		return;
	}
	if ((strncmp(path, "/v1/messages/", 13) == 0 && ends_with(path, "/ack")) ||
	    strcmp(path, "/v1/messages") == 0 || strncmp(path, "/v1/incidents", 13) == 0)
		name_operator(x);  /* sent, acknowledged, incident entries: in the signed-in operator's name */
	lia_api_route(x->c->api, x->req, 1);
	code = evhttp_request_get_response_code(x->req);
	snprintf(outcome, sizeof(outcome), code >= 200 && code < 300 ? "ok %d" : "refused %d", code);
	audit(x, x->s->operator_name, action, outcome, "");
}

static void console_request(struct evhttp_request *req, void *arg)
{
	struct ctx x = {.c = arg, .req = req};
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *host = NULL;
	ev_uint16_t port = 0;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &host, &port);
	snprintf(x.address, sizeof(x.address), "%s", host != NULL ? host : "-");
	security_headers(req);
	if (path == NULL)
		lia_api_error(req, 400, "the request has no path");
	else if (strcmp(path, "/console/login") == 0)
		login(&x);
	else if (strcmp(path, "/console/logout") == 0)
		logout(&x);
	else if (strcmp(path, "/console/me") == 0)
		me(&x);
	else if (strcmp(path, "/console/lang") == 0)
		set_lang(&x);
	else if (strcmp(path, "/console/audit") == 0)
		audit_list(&x);
	else if (strcmp(path, "/console/catalogue") == 0)
		catalogue(&x);
	else if (strcmp(path, "/v1/events") == 0)
		events(&x, uri != NULL ? evhttp_uri_get_query(uri) : NULL);
	else if (strncmp(path, "/v1/", 4) == 0)
		api_call(&x, path);
	else
		serve_asset(&x, path);
}

/* ---- listener ---- */

static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
	struct lia_console *c = arg;
	SSL *ssl = SSL_new(c->tls);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
}

static int is_loopback_host(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	    strcmp(host, "::1") == 0;
}

/* The TLS context from dir/console.crt and dir/console.key (TLS 1.2 or later). */
static int tls_setup(struct lia_console *c, const char *dir, char *err)
{
	char crt[4200], key[4200];

	snprintf(crt, sizeof(crt), "%s/console.crt", dir);
	snprintf(key, sizeof(key), "%s/console.key", dir);
	c->tls = SSL_CTX_new(TLS_server_method());
	if (c->tls == NULL || SSL_CTX_set_min_proto_version(c->tls, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(c->tls, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(c->tls, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c->tls) != 1) {
		lia_err_set(err, "the console is not on loopback, so it serves HTTPS: cannot load %s "
		    "and %s (make them with `liaison console cert`)", crt, key);
		lia_err_add_openssl(err);
		return -1;
	}
	return 0;
}

int lia_console_start(struct lia_node *node, struct lia_api *api,
    struct lia_console_events *events, struct event_base *base, const struct lia_config *cfg,
    const char *webroot_default, struct lia_console **out, char *err)
{
	struct lia_console *c = calloc(1, sizeof(*c));
	int rc = -1;

	*out = NULL;
	if (c == NULL || (c->http = evhttp_new(base)) == NULL) {
		lia_err_set(err, "cannot set up the console (out of memory)");
		goto out;
	}
	c->node = node;
	c->api = api;
	c->events = events;
	snprintf(c->webroot, sizeof(c->webroot), "%s",
	    cfg->console_web[0] != '\0' ? cfg->console_web : webroot_default);
	snprintf(c->signals_path, sizeof(c->signals_path), "%s", cfg->signals_path);
	lia_console_sessions_init(&c->sessions, cfg->console_idle_s > 0 ?
	    (int64_t)cfg->console_idle_s * 1000 : SESSION_IDLE_MS, SESSION_LIFE_MS);
	lia_console_limit_init(&c->limit, LIMIT_WINDOW_MS);
	if (!is_loopback_host(cfg->console_host) && tls_setup(c, cfg->dir, err) < 0)
		goto out;
	if (lia_console_password_hash("no operator has this password", c->dummy_hash, err) < 0)
		goto out;
	if (c->tls != NULL)
		evhttp_set_bevcb(c->http, tls_bev, c);
	evhttp_set_max_headers_size(c->http, CONSOLE_HEADERS_MAX);
	evhttp_set_max_body_size(c->http, LIA_API_BODY_MAX);
	evhttp_set_timeout(c->http, CONSOLE_TIMEOUT_S);
	evhttp_set_allowed_methods(c->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(c->http, console_request, c);
	if (evhttp_bind_socket(c->http, cfg->console_host, (ev_uint16_t)atoi(cfg->console_port)) != 0) {
		lia_err_set(err, "cannot listen for the console on %s:%s: %s", cfg->console_host,
		    cfg->console_port, strerror(errno));
		goto out;
	}
	lia_log_info("console: %s://%s:%s/ (assets in %s)", c->tls != NULL ? "https" : "http",
	    cfg->console_host, cfg->console_port, c->webroot);
	*out = c;
	c = NULL;
	rc = 0;
out:
	lia_console_stop(c);
	return rc;
}

void lia_console_stop(struct lia_console *c)
{
	if (c == NULL)
		return;
	if (c->http != NULL)
		evhttp_free(c->http);
	if (c->tls != NULL)
		SSL_CTX_free(c->tls);
	lia_console_sessions_finish(&c->sessions);
	free(c);
}
