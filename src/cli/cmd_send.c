/*
 * cmd_send.c - the CLI's commands that make the node write an entry through
 * the daemon's HTTP JSON API: send (a message) and ack (an acknowledgement
 * by a named operator).
 *
 * Arguments, the text and the operator name are validated before the daemon
 * is contacted (the daemon checks them again); the text is read from the
 * arguments or standard input.
 */
#include "cmd.h"
#include "entry.h"
#include "err.h"
#include "text.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- send ---- */

/* Reads the message text from standard input; one trailing newline is dropped. */
static char *read_stdin_text(size_t *len)
{
	size_t cap = LIA_TEXT_MAX + 3, n = 0;
	char *buf = malloc(cap);
	ssize_t got = 1;

	while (buf != NULL && n < cap - 1 && (got = read(STDIN_FILENO, buf + n, cap - 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		n += (size_t)got;
	}
	if (buf == NULL || got < 0) {
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The words joined by single spaces, or standard input when the only word is "-". */
static char *gather_text(int n, char **words, size_t *len)
{
	size_t total = 0;
	char *text, *p;

	if (n == 1 && strcmp(words[0], "-") == 0)
		return read_stdin_text(len);
	for (int i = 0; i < n; i++)
		total += strlen(words[i]) + 1;
	text = p = malloc(total + 1);
	for (int i = 0; text != NULL && i < n; i++) {
		size_t w = strlen(words[i]);
		memcpy(p, words[i], w);
		p += w;
		*p++ = ' ';
	}
	if (text != NULL) {
		p[n > 0 ? -1 : 0] = '\0';
		*len = strlen(text);
	}
	return text;
}

struct send_args {
	const char *to;
	enum lia_precedence precedence;
	const char *lang;
};

static int send_parse(struct lia_cli *cli, int argc, char **argv, struct send_args *a, int *status)
{
	static const struct option options[] = {
		{"to", required_argument, NULL, 't'},
		{"precedence", required_argument, NULL, 'p'},
		{"lang", required_argument, NULL, 'l'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	char err[LIA_ERR_LEN] = "";
	int ch, stop = 0;

	/* '+': options come first; the words after them are the text, whatever they look like. */
	while (!stop && (ch = getopt_long(argc, argv, "+" LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		if (ch == 't') {
			a->to = optarg;
		} else if (ch == 'p' && lia_precedence_parse(optarg, &a->precedence, err) < 0) {
			*status = lia_cli_usage("send", "--precedence must be FLASH, IMMEDIATE, "
			    "PRIORITY or ROUTINE, not \"%.20s\"", optarg);
			stop = 1;
		} else if (ch == 'l') {
			a->lang = optarg;
		} else if (ch != 'p' && lia_cli_common_option(cli, "send", ch, argv, status) < 0) {
			stop = 1;
		}
	}
	if (stop)
		;
	else if (a->to == NULL)
		*status = lia_cli_usage("send", "--to NAME is required");
	else if (!lia_name_valid(a->to))
		*status = lia_cli_usage("send", "--to \"%.40s\" is not a node or party name "
		    "(1 to %d of a-z, 0-9, -)", a->to, LIA_NAME_MAX);
	else if (!lia_lang_valid(a->lang))
		*status = lia_cli_usage("send", "--lang \"%.40s\" is not a BCP 47 language tag "
		    "such as en, zh-Hans or ja", a->lang);
	else if (optind >= argc)
		*status = lia_cli_usage("send", "the message TEXT is missing");
	return stop || *status != LIA_EXIT_OK ? -1 : 0;
}

/* Checks the text the way the daemon will; prints and returns non-zero when it is unfit. */
static int check_text(const char *text, size_t len)
{
	int status = LIA_EXIT_OK;

	if (text == NULL)
		status = lia_cli_fail("cannot read the message text: %s", strerror(errno));
	else if (len == 0)
		status = lia_cli_usage("send", "the message text is empty");
	else if (len > LIA_TEXT_MAX)
		status = lia_cli_usage("send", "the message text is longer than %d bytes", LIA_TEXT_MAX);
	else if (!lia_utf8_valid((const uint8_t *)text, len))
		status = lia_cli_usage("send", "the message text is not valid UTF-8");
	return status;
}

int lia_cmd_send(struct lia_cli *cli, int argc, char **argv)
{
	struct send_args a = { .precedence = LIA_ROUTINE, .lang = "en" };
	struct lia_cli_daemon d;
	json_t *body = NULL, *reply = NULL;
	char *text = NULL;
	size_t len = 0;
	int status = LIA_EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (send_parse(cli, argc, argv, &a, &status) < 0)
		goto out;
	text = gather_text(argc - optind, argv + optind, &len);
	if ((status = check_text(text, len)) != LIA_EXIT_OK || (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	body = json_pack("{s:s, s:s, s:s, s:s}", "to", a.to,
	    "precedence", lia_precedence_name(a.precedence), "text", text, "lang", a.lang);
	status = lia_cli_daemon_post(cli, &d, "/v1/messages", body);
out:
	lia_cli_daemon_close(&d);
	json_decref(body);
	json_decref(reply);
	free(text);
	return status;
}

/* ---- ack ---- */

/* The operator's name: --operator, else $LIAISON_OPERATOR, else $USER, else "operator". */
static const char *default_operator(void)
{
	const char *op = getenv("LIAISON_OPERATOR");

	if (op == NULL || op[0] == '\0')
		op = getenv("USER");
	if (op == NULL || op[0] == '\0')
		op = "operator";
	return op;
}

int lia_cli_check_operator(const char *cmd, const char *op)
{
	size_t len = strlen(op);
	int controls = lia_text_unsafe_offset(op, len, 0) < len; /* after UTF-8 below: the rest */
	int status = LIA_EXIT_OK;

	if (len == 0)
		status = lia_cli_usage(cmd, "the operator name is empty");
	else if (len > LIA_OPERATOR_MAX)
		status = lia_cli_usage(cmd, "the operator name is longer than %d bytes", LIA_OPERATOR_MAX);
	else if (!lia_utf8_valid((const uint8_t *)op, len))
		status = lia_cli_usage(cmd, "the operator name is not valid UTF-8");
	else if (controls > 0)
		status = lia_cli_usage(cmd, "the operator name holds control characters");
	return status;
}

int lia_cmd_ack(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{"operator", required_argument, NULL, 'o'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	const char *op = NULL;
	int ch, status = LIA_EXIT_OK;
	json_t *body = NULL, *reply = NULL;
	char path[LIA_ID_LEN + 24];
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		if (ch == 'o')
			op = optarg;
		else if (lia_cli_common_option(cli, "ack", ch, argv, &status) < 0)
			goto out;
	}
	if (op == NULL)
		op = default_operator();
	if (argc - optind != 1) {
		status = lia_cli_usage("ack", "expected exactly one message ID");
		goto out;
	}
	if ((status = lia_cli_check_id("ack", argv[optind])) != LIA_EXIT_OK ||
	    (status = lia_cli_check_operator("ack", op)) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/messages/%s/ack", argv[optind]);
	body = json_pack("{s:s}", "operator", op);
	if ((status = lia_cli_daemon_expect(&d, "POST", path, body, 201, &reply)) != LIA_EXIT_OK)
		goto out;
	if (cli->json)
		lia_cli_print_json(reply);
	else
		printf("%s\n", json_string_value(json_object_get(reply, "id")));
out:
	lia_cli_daemon_close(&d);
	json_decref(body);
	json_decref(reply);
	return status;
}
