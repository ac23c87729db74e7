/*
 * test_httpc.c - the CLI's HTTP client against a small evhttp server on a
 * Unix socket, forked per test: headers and body sent, JSON replies, evhttp's
 * own HTML refusals, replies that are not JSON, a socket nobody listens on, a
 * server that never answers, and sockets it must not trust (a directory others
 * may write, a file that is not a socket, a socket of another uid).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
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
	char dir[64];
	char sock[108];
};

/* A fresh 0700 directory with a Unix socket bound at dir/api.sock (not listening yet). */
static int bind_unix(char dir[64], char sock[108])
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(dir, 64, "/tmp/lia-httpc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, 108, "%s/api.sock", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void remove_unix(const char *dir, const char *sock)
{
	unlink(sock);
	rmdir(dir);
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
	fd = bind_unix(s->dir, s->sock);
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
	remove_unix(s->dir, s->sock);
	free(s);
	return 0;
}

static void test_post_sends_token_and_body(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *body = json_pack("{s:s}", "to", "beijing"), *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request(s->sock, "abc123", "POST", "/echo", body,
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

	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/echo", NULL,
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

	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/html", NULL,
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

	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/garbage", NULL,
	    5, &status, &reply, err), -1);
	assert_null(reply);
	assert_non_null(strstr(err, "not JSON"));
	assert_non_null(strstr(err, s->sock));
}

static void test_empty_reply_is_null(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/empty", NULL,
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

	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/slow", NULL,
	    1, &status, &reply, err), -1);
	assert_non_null(strstr(err, "did not answer within 1 s"));
}

static void test_closed_socket_is_named(void **state)
{
	char err[LIA_ERR_LEN] = "", dir[64], sock[108], want[200];
	json_t *reply = NULL;
	int status = 0;

	(void)state;
	close(bind_unix(dir, sock)); /* the file stays; nobody listens */
	assert_int_equal(lia_httpc_request(sock, "t", "GET", "/", NULL,
	    2, &status, &reply, err), -1);
	snprintf(want, sizeof(want), "cannot reach liaisond at %s: connection refused", sock);
	assert_string_equal(err, want);
	unlink(sock);
	assert_int_equal(lia_httpc_request(sock, "t", "GET", "/", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "the socket does not exist"));
	remove_unix(dir, sock);
}

static void test_bad_method(void **state)
{
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL;
	int status = 0;

	(void)state;
	assert_int_equal(lia_httpc_request("/nonexistent/api.sock", "t", "PUT", "/", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "PUT"));
}

/* Nothing is sent to a socket the CLI cannot trust to be its daemon's: each refusal says why. */
static void test_untrusted_socket_refused(void **state)
{
	struct server *s = *state;
	char err[LIA_ERR_LEN] = "", other[160];
	json_t *reply = NULL;
	int status = 0, fd;

	assert_int_equal(chmod(s->dir, 0777), 0);
	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/echo", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "refusing to talk to"));
	assert_non_null(strstr(err, "writable by group or others (mode 0777)"));
	assert_int_equal(chmod(s->dir, 0755), 0);
	assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/echo", NULL,
	    2, &status, &reply, err), 0);
	json_decref(reply);
	reply = NULL;
	snprintf(other, sizeof(other), "%s/file.sock", s->dir);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lia_httpc_request(other, "t", "GET", "/echo", NULL,
	    2, &status, &reply, err), -1);
	assert_non_null(strstr(err, "is not a socket"));
	unlink(other);
	if (geteuid() == 0) {
		/* root can play the other user: the socket changes hands, the directory does not. */
		assert_int_equal(chown(s->sock, 4242, 4242), 0);
		assert_int_equal(lia_httpc_request(s->sock, "t", "GET", "/echo", NULL,
		    2, &status, &reply, err), -1);
		assert_non_null(strstr(err, "belongs to uid 4242"));
	}
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
		cmocka_unit_test_setup_teardown(test_untrusted_socket_refused, server_start, server_stop),
		cmocka_unit_test(test_closed_socket_is_named),
		cmocka_unit_test(test_bad_method),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
