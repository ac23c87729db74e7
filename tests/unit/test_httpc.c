/*
 * test_httpc.c - the CLI's HTTP client against a small evhttp server forked
 * per test: headers and body sent, JSON replies, evhttp's own HTML refusals,
 * replies that are not JSON, a closed port, a server that never answers.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "err.h"
#include "httpc.h"

struct server {
	pid_t pid;
	char port[8];
};

/* A loopback TCP socket bound to a free port; its port into port. */
static int bind_loopback(char port[8])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, 8, "%u", (unsigned)ntohs(sin.sin_port));
	return fd;
}

static void reply_text(struct evhttp_request *req, int status, const char *text)
{
	struct evbuffer *buf = evbuffer_new();

	evbuffer_add(buf, text, strlen(text));
	evhttp_send_reply(req, status, "X", buf);
	evbuffer_free(buf);
}

/* /echo: method, Authorization and body back as JSON; /html: 413 page; /garbage: 200 not JSON; /slow: never. */
static void serve(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_request_get_uri(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	json_t *body = json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in), 0, NULL);
	json_t *out;
	char *text;

	(void)arg;
	if (strcmp(path, "/echo") == 0) {
		out = json_pack("{s:s, s:s?, s:o?}", "method",
		    evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "GET",
		    "auth", auth, "body", body);
		body = NULL;
		text = json_dumps(out, 0);
		reply_text(req, 200, text);
		free(text);
		json_decref(out);
	} else if (strcmp(path, "/html") == 0) {
		reply_text(req, 413, "<HTML><BODY>Too large</BODY></HTML>");
	} else if (strcmp(path, "/garbage") == 0) {
		reply_text(req, 200, "this is not json");
	} else if (strcmp(path, "/empty") == 0) {
		reply_text(req, 204, "");
	}
	json_decref(body);
}

static int server_start(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	int fd;

	assert_non_null(s);
	fd = bind_loopback(s->port);
	assert_int_equal(listen(fd, 16), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		struct event_base *base = event_base_new();
		struct evhttp *http = evhttp_new(base);
		evhttp_set_gencb(http, serve, NULL);
		evutil_make_socket_nonblocking(fd);
		evhttp_accept_socket(http, fd);
		event_base_dispatch(base);
		_exit(0);
	}
	close(fd);
	*state = s;
	return 0;
}

static int server_stop(void **state)
{
	struct server *s = *state;

	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	free(s);
	return 0;
}

static void test_post_sends_token_and_body(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *body = json_pack("{s:s}", "to", "beijing"), *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "abc123", "POST", "/echo", body,
	    5, &status, &reply, err), 0);
	assert_int_equal(status, 200);
	assert_string_equal(json_string_value(json_object_get(reply, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(reply, "auth")), "Bearer abc123");
	assert_true(json_equal(json_object_get(reply, "body"), body));
	json_decref(reply);
	json_decref(body);
}

static void test_get_has_no_body(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "t", "GET", "/echo", NULL,
	    5, &status, &reply, err), 0);
	assert_string_equal(json_string_value(json_object_get(reply, "method")), "GET");
	assert_true(json_is_null(json_object_get(reply, "body")));
	json_decref(reply);
}

static void test_error_page_keeps_status(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "t", "GET", "/html", NULL,
	    5, &status, &reply, err), 0);
	assert_int_equal(status, 413);
	assert_null(reply);
}

static void test_success_not_json_fails(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "t", "GET", "/garbage", NULL,
	    5, &status, &reply, err), -1);
	assert_null(reply);
	assert_non_null(strstr(err, "not JSON"));
	assert_non_null(strstr(err, s->port));
}

static void test_empty_reply_is_null(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "t", "GET", "/empty", NULL,
	    5, &status, &reply, err), 0);
	assert_int_equal(status, 204);
	assert_null(reply);
}

static void test_no_answer_times_out(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request("127.0.0.1", s->port, "t", "GET", "/slow", NULL,
	    1, &status, &reply, err), -1);
	assert_non_null(strstr(err, "did not answer within 1 s"));
}

static void test_closed_port_is_named(void **state)
{
	char err[LIA_ERR_LEN] = "", port[8], want[64];
	json_t *reply = NULL;
	int status = 0;

	(void)state;
	close(bind_loopback(port));
	assert_int_equal(lia_httpc_request("127.0.0.1", port, "t", "GET", "/", NULL,
	    2, &status, &reply, err), -1);
	snprintf(want, sizeof(want), "cannot reach liaisond at 127.0.0.1:%s: connection refused", port);
	assert_string_equal(err, want);
}

static void test_bad_method_and_port(void **state)
{
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	(void)state;
	assert_int_equal(lia_httpc_request("127.0.0.1", "7000", "t", "PUT", "/", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "PUT"));
	assert_int_equal(lia_httpc_request("127.0.0.1", "99999", "t", "GET", "/", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "127.0.0.1:99999"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_post_sends_token_and_body, server_start, server_stop),
		cmocka_unit_test_setup_teardown(test_get_has_no_body, server_start, server_stop),
		cmocka_unit_test_setup_teardown(test_error_page_keeps_status, server_start, server_stop),
		cmocka_unit_test_setup_teardown(test_success_not_json_fails, server_start, server_stop),
		cmocka_unit_test_setup_teardown(test_empty_reply_is_null, server_start, server_stop),
		cmocka_unit_test_setup_teardown(test_no_answer_times_out, server_start, server_stop),
		cmocka_unit_test(test_closed_port_is_named),
		cmocka_unit_test(test_bad_method_and_port),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
