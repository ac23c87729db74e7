/*
 * httpc.c - the CLI's blocking HTTP JSON client for its own daemon's API,
 * on libevent's evhttp client with a private event_base per request.
 *
 * Assumes the daemon is local and trusted only as far as its token file is:
 * a reply is still parsed as untrusted JSON, and its size is bounded. An
 * error status whose body is not JSON is returned with *reply NULL.
 */
#include "httpc.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#define HTTPC_REPLY_MAX (64L * 1024 * 1024) /* a long message list with 16 KiB texts */
#define HTTPC_HEADERS_MAX (64 * 1024)

/* One request in flight: what the callbacks saw. */
struct httpc_call {
	struct event_base *base;
	int done;
	int status;                        /* 0 when no HTTP answer came */
	int failure;                       /* enum evhttp_request_error + 1, 0 when none */
	char *data;                        /* reply body (malloc'd) */
	size_t len;
};

static void on_error(enum evhttp_request_error error, void *arg)
{
	struct httpc_call *call = arg;

	call->failure = (int)error + 1;
}

static void on_done(struct evhttp_request *req, void *arg)
{
	struct httpc_call *call = arg;
	struct evbuffer *in;

	call->done = 1;
	if (req != NULL && (call->status = evhttp_request_get_response_code(req)) != 0) {
		in = evhttp_request_get_input_buffer(req);
		call->len = evbuffer_get_length(in);
		call->data = malloc(call->len + 1);
		if (call->data != NULL) {
			evbuffer_remove(in, call->data, call->len);
			call->data[call->len] = '\0';
		}
	}
	event_base_loopbreak(call->base);
}

/* "host:port", with brackets around an IPv6 literal. */
static void format_address(const char *host, const char *port, char *out, size_t n)
{
	snprintf(out, n, strchr(host, ':') != NULL ? "[%s]:%s" : "%s:%s", host, port);
}

/*
 * Why the daemon could not be reached: evhttp does not say, so connect once
 * more by hand and report that errno (e.g. "connection refused").
 */
static void diagnose(const char *host, const char *port, int timeout_s, char *why, size_t n)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = { .tv_sec = timeout_s };
	int gai, fd, saved = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0) {
		snprintf(why, n, "%s", gai_strerror(gai));
		goto out;
	}
	snprintf(why, n, "the connection closed without a reply");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			close(fd);
			goto out;
		}
		saved = errno;
		close(fd);
	}
	snprintf(why, n, "%s", strerror(saved));
out:
	why[0] = (char)tolower((unsigned char)why[0]);
	if (res != NULL)
		freeaddrinfo(res);
}

/* Sets up the request's headers and body; -1 with err on failure. */
static int prepare(struct evhttp_request *req, const char *address, const char *token,
    json_t *body, char *err)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char auth[32 + 256];
	char *text = NULL;
	int rc = -1;

	if (strlen(token) > 256) {
		lia_err_set(err, "the API token is too long");
		goto out;
	}
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	evhttp_add_header(h, "Host", address);
	evhttp_add_header(h, "Authorization", auth);
	evhttp_add_header(h, "Accept", "application/json");
	evhttp_add_header(h, "Connection", "close");
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL) {
			lia_err_set(err, "cannot encode the request (out of memory)");
			goto out;
		}
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), text, strlen(text));
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static int parse_port(const char *port, uint16_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* Sends the request and runs the private loop until it is answered or fails. */
static int exchange(struct httpc_call *call, const char *host, const char *port,
    const char *token, enum evhttp_cmd_type cmd, const char *path, json_t *body,
    int timeout_s, char *err)
{
	struct evhttp_connection *conn = NULL;
	struct evhttp_request *req = NULL;
	char address[300], why[128];
	uint16_t port_num = 0;
	int rc = -1;

	format_address(host, port, address, sizeof(address));
	if (parse_port(port, &port_num) < 0) {
		lia_err_set(err, "the API address %s has no valid port", address);
		goto out;
	}
	conn = evhttp_connection_base_new(call->base, NULL, host, port_num);
	req = evhttp_request_new(on_done, call);
	if (conn == NULL || req == NULL) {
		lia_err_set(err, "cannot set up a request to %s (out of memory)", address);
		goto out;
	}
	evhttp_connection_set_timeout(conn, timeout_s);
	evhttp_connection_set_retries(conn, 0);
	evhttp_connection_set_max_body_size(conn, HTTPC_REPLY_MAX);
	evhttp_connection_set_max_headers_size(conn, HTTPC_HEADERS_MAX);
	evhttp_request_set_error_cb(req, on_error);
	if (prepare(req, address, token, body, err) < 0)
		goto out;
	/* evhttp owns req from here, even when the call fails. */
	if (evhttp_make_request(conn, req, cmd, path) < 0) {
		req = NULL;
		lia_err_set(err, "cannot send a request to liaisond at %s", address);
		goto out;
	}
	req = NULL;
	event_base_dispatch(call->base);
	if (call->failure == EVREQ_HTTP_TIMEOUT + 1) {
		lia_err_set(err, "liaisond at %s did not answer within %d s", address, timeout_s);
	} else if (call->failure == EVREQ_HTTP_DATA_TOO_LONG + 1) {
		lia_err_set(err, "liaisond at %s sent a reply larger than %ld bytes", address, HTTPC_REPLY_MAX);
	} else if (call->status == 0) {
		diagnose(host, port, timeout_s, why, sizeof(why));
		lia_err_set(err, "cannot reach liaisond at %s: %s", address, why);
	} else if (call->data == NULL) {
		lia_err_set(err, "cannot keep the reply of liaisond at %s (out of memory)", address);
	} else {
		rc = 0;
	}
out:
	if (req != NULL)
		evhttp_request_free(req);
	if (conn != NULL)
		evhttp_connection_free(conn);
	return rc;
}

int lia_httpc_request(const char *host, const char *port, const char *token,
    const char *method, const char *path, json_t *body, int timeout_s,
    int *status, json_t **reply, char *err)
{
	struct httpc_call call;
	enum evhttp_cmd_type cmd;
	json_error_t jerr;
	char address[300];
	int rc = -1;

	memset(&call, 0, sizeof(call));
	*status = 0;
	*reply = NULL;
	format_address(host, port, address, sizeof(address));
	if (strcmp(method, "GET") == 0) {
		cmd = EVHTTP_REQ_GET;
	} else if (strcmp(method, "POST") == 0) {
		cmd = EVHTTP_REQ_POST;
	} else {
		lia_err_set(err, "HTTP method %.20s is not supported", method);
		goto out;
	}
	call.base = event_base_new();
	if (call.base == NULL) {
		lia_err_set(err, "cannot create an event loop");
		goto out;
	}
	if (exchange(&call, host, port, token, cmd, path, body, timeout_s > 0 ? timeout_s : 1, err) < 0)
		goto out;
	if (call.len > 0) {
		*reply = json_loadb(call.data, call.len, JSON_REJECT_DUPLICATES, &jerr);
		/* evhttp itself refuses some requests (413, 501) with an HTML page: keep the status. */
		if (*reply == NULL && call.status < 400) {
			lia_err_set(err, "liaisond at %s sent a reply that is not JSON (HTTP %d): %s",
			    address, call.status, jerr.text);
			goto out;
		}
	}
	*status = call.status;
	rc = 0;
out:
	free(call.data);
	if (call.base != NULL)
		event_base_free(call.base);
	return rc;
}
