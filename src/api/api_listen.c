/*
 * api_listen.c - the API's listeners, each an evhttp of its own with the
 * API's limits (header and body sizes, idle timeout, GET and POST only) and
 * its own authentication before the shared route table (lia_api_route, via
 * lia_api_request for the token). Today one: the CLI's Unix socket
 * NODEDIR/api.sock, served to peers of the daemon's uid or root (SO_PEERCRED).
 * The console's TCP listener goes here too, with its operator login.
 *
 * Assumes the node directory is the daemon's and 0700 (liaisond checks it at
 * start): the socket file is only replaced when nobody answers on it.
 */
#include "api.h"
#include "api_internal.h"
#include "api_guard.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/crypto.h>

#define API_HEADERS_MAX (8 * 1024)
#define API_TIMEOUT_S 10
#define API_REFUSAL_LOG_S 10

/* Frees a listener and removes its socket file when it bound one; NULL is fine. */
static void listener_free(struct lia_api_listener *l)
{
	if (l == NULL)
		return;
	if (l->http != NULL)
		evhttp_free(l->http);
	if (l->bound)
		unlink(l->path);
	free(l);
}

/*
 * Logs a refused connection at most once per API_REFUSAL_LOG_S seconds, with
 * how many were refused in between: a local user looping on connect() must
 * not fill the log.
 */
static void refusal_log(struct lia_api *api, const char *line)
{
	time_t now = time(NULL);

	if (api->refused_logged != 0 && now - api->refused_logged < API_REFUSAL_LOG_S) {
		api->refused_quiet++;
		return;
	}
	if (api->refused_quiet > 0)
		lia_log_warn("api: %s (and %lu more refused in the last %d s)", line,
		    api->refused_quiet, API_REFUSAL_LOG_S);
	else
		lia_log_warn("api: %s", line);
	api->refused_logged = now;
	api->refused_quiet = 0;
}

/* 1 when the process at the other end of req's Unix socket may use the API: our own uid, or root. */
static int peer_allowed(struct lia_api *api, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char line[LIA_ERR_LEN];

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		refusal_log(api, "refused a connection whose peer's uid cannot be known");
		return 0;
	}
	if (cred.uid == api->uid || cred.uid == 0)
		return 1;
	snprintf(line, sizeof(line), "refused a connection from uid %u (pid %d): only the daemon's "
	    "own uid and root may use the API socket", (unsigned)cred.uid, (int)cred.pid);
	refusal_log(api, line);
	return 0;
}

/* The Unix socket listener's callback: the peer's uid, then lia_api_request (token and routes). */
static void api_unix_request(struct evhttp_request *req, void *arg)
{
	struct lia_api_listener *l = arg;
	json_t *body;

	if (peer_allowed(l->api, req)) {
		lia_api_request(req, l->api);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	body = json_pack("{s:s}", "error", "this uid may not use the node's API");
	lia_api_reply(req, 403, body);
}

/*
 * Makes room for the socket at path: nothing there, or a socket nobody
 * answers on (the leftover of a daemon that was killed). A socket that
 * answers is another liaisond on this node directory; anything else is not
 * ours to remove.
 */
static int clear_socket_path(const struct sockaddr_un *sun, char *err)
{
	struct stat st;
	int fd = -1, rc = -1;

	if (lstat(sun->sun_path, &st) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			lia_err_set(err, "cannot look at %s: %s", sun->sun_path, strerror(errno));
		goto out;
	}
	if (!S_ISSOCK(st.st_mode)) {
		lia_err_set(err, "%s exists and is not a socket; remove it", sun->sun_path);
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		lia_err_set(err, "another liaisond already serves %s", sun->sun_path);
		goto out;
	}
	if (unlink(sun->sun_path) < 0) {
		lia_err_set(err, "cannot remove the stale socket %s: %s", sun->sun_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A new evhttp with the API's limits and gencb cb(arg); NULL on out of memory. */
static struct evhttp *api_http_new(struct event_base *base, void (*cb)(struct evhttp_request *, void *),
    void *arg)
{
	struct evhttp *http = evhttp_new(base);

	if (http == NULL)
		return NULL;
	evhttp_set_max_headers_size(http, API_HEADERS_MAX);
	evhttp_set_max_body_size(http, LIA_API_BODY_MAX);
	evhttp_set_timeout(http, API_TIMEOUT_S);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(http, cb, arg);
	return http;
}

int lia_api_listen_unix(struct lia_api *api, const char *path, char *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct lia_api_listener *l = NULL;
	struct evconnlistener *lev = NULL;
	int fd = -1, rc = -1;

	if (api->n_listeners == LIA_API_LISTENERS_MAX) {
		lia_err_set(err, "cannot serve the API on %s: too many listeners", path);
		goto out;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		lia_err_set(err, "cannot serve the API on %s: the path is longer than a Unix socket "
		    "allows (%zu bytes); use a shorter node directory path", path, sizeof(sun.sun_path) - 1);
		goto out;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (clear_socket_path(&sun, err) < 0)
		goto out;
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->http = api_http_new(api->base, api_unix_request, l)) == NULL) {
		lia_err_set(err, "cannot serve the API on %s (out of memory)", path);
		goto out;
	}
	l->api = api;
	l->auth = LIA_API_AUTH_PEER_UID;
	/* A cap and absolute deadlines on every connection of this evhttp (api_guard.h). */
	lia_api_guard_attach(api->guard, l->http);
	memcpy(l->path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* The directory is 0700; the socket is 0600 too (umask 077, then chmod). */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		lia_err_set(err, "cannot listen for the API on %s: %s", path, strerror(errno));
		goto out;
	}
	l->bound = 1;
	lev = evconnlistener_new(api->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    -1, fd);
	if (lev == NULL) {
		lia_err_set(err, "cannot listen for the API on %s (out of memory)", path);
		goto out;
	}
	fd = -1;
	/* Pause instead of spinning when descriptors run out (api_guard.h). */
	if (lia_api_guard_listener(api->guard, lev, err) < 0) {
		evconnlistener_free(lev);
		goto out;
	}
	if (evhttp_bind_listener(l->http, lev) == NULL) {
		evconnlistener_free(lev);
		lia_err_set(err, "cannot serve the API on %s", path);
		goto out;
	}
	api->listeners[api->n_listeners++] = l;
	l = NULL;
	lia_log_info("api: listening on %s (peers of uid %u or root)", path, (unsigned)api->uid);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	listener_free(l);
	return rc;
}

int lia_api_start(struct lia_node *node, struct event_base *base,
    const char token[LIA_TOKEN_LEN + 1], struct lia_api **out, char *err)
{
	struct lia_api *api = calloc(1, sizeof(*api));
	int rc = -1;

	*out = NULL;
	if (api == NULL) {
		lia_err_set(err, "cannot set up the API (out of memory)");
		goto out;
	}
	if (strlen(token) != LIA_TOKEN_LEN) {
		lia_err_set(err, "the API token must be %d characters", LIA_TOKEN_LEN);
		goto out;
	}
	api->node = node;
	api->base = base;
	api->uid = geteuid();
	memcpy(api->token, token, LIA_TOKEN_LEN + 1);
	if (lia_api_guard_create(base, &api->guard, err) < 0)
		goto out;
	*out = api;
	api = NULL;
	rc = 0;
out:
	lia_api_stop(api);
	return rc;
}

void lia_api_stop(struct lia_api *api)
{
	if (api == NULL)
		return;
	for (size_t i = 0; i < api->n_listeners; i++)
		listener_free(api->listeners[i]);
	lia_api_guard_destroy(api->guard); /* after evhttp_free: it drops our references last */
	OPENSSL_cleanse(api->token, sizeof(api->token));
	free(api);
}
