/*
 * cmd_messages.c - the CLI's commands that talk to the node's daemon through
 * its HTTP JSON API: send, inbox, outbox, show, ack, links, status, wait.
 *
 * Arguments are validated before the daemon is contacted, on the socket
 * NODEDIR/api.sock, with the bearer token from NODEDIR/api.token, which only
 * the daemon creates (cmd_daemon.c). Text that came from a peer is printed with
 * control characters neutralised (lia_cli_put_text); --json prints the
 * daemon's JSON as is, escaped by the JSON encoder.
 */
#include "cmd.h"
#include "clock.h"
#include "config.h"
#include "entry.h"
#include "err.h"
#include "httpc.h"
#include "id.h"
#include "text.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define REQUEST_TIMEOUT_S 10
#define WAIT_DEFAULT_S 30
#define WAIT_MAX_S 86400
#define WAIT_POLL_MS 100
#define PREVIEW_CHARS 60

/* A JSON value as text for display: strings as is, numbers and booleans spelled, else "-". */
static const char *str_of(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, n, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, n, "-");
	return buf;
}

static const char *field_of(const json_t *obj, const char *key, char *buf, size_t n)
{
	return str_of(json_object_get(obj, key), buf, n);
}

/* "label: value" with the label right-aligned to width, the value made safe. */
static void print_field(int width, const char *label, const char *value)
{
	printf("%*s: ", width, label);
	lia_cli_put_text(stdout, value, 0);
	putchar('\n');
}

/* Writes s padded to width columns (ASCII fields: ids, names, times, states). */
static void print_cell(const char *s, int width)
{
	lia_cli_put_text(stdout, s, 0);
	for (int i = (int)strlen(s); i < width; i++)
		putchar(' ');
}

/* Parses a decimal in 1..max; -1 on anything else. */
static int parse_count(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Usage error unless id is "origin/seq". */
static int check_id(const char *cmd, const char *id)
{
	char origin[LIA_NAME_MAX + 1], err[LIA_ERR_LEN] = "";
	uint64_t seq;

	if (lia_id_parse(id, origin, &seq, err) < 0)
		return lia_cli_usage(cmd, "\"%.60s\" is not a message id like tokyo/1: %s", id, err);
	return LIA_EXIT_OK;
}

/* Runs getopt over a command with no options of its own; -1 with *status when it must stop. */
static int common_options_only(struct lia_cli *cli, const char *cmd, int argc, char **argv,
    int *status)
{
	static const struct option options[] = { LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0} };
	int ch;

	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1)
		if (lia_cli_common_option(cli, cmd, ch, argv, status) < 0)
			return -1;
	return 0;
}

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

/* ---- inbox, outbox ---- */

/* The first line of text, at most PREVIEW_CHARS characters, "..." when cut. */
static void preview(const char *text, char *out, size_t n)
{
	size_t i = 0, chars = 0;

	while (text[i] != '\0' && text[i] != '\n' && i + 8 < n) {
		if (((unsigned char)text[i] & 0xc0) != 0x80 && ++chars > PREVIEW_CHARS)
			break;
		out[i] = text[i];
		i++;
	}
	out[i] = '\0';
	if (text[i] != '\0')
		memcpy(out + i, "...", 4);
}

static const char *const list_keys[] = {"id", "time", "", "precedence", "state"};

/* A list cell: the state gains " OVERDUE" while a deadline of the message is overdue (api_overdue.c). */
static const char *cell_of(const json_t *m, int c, int inbound, char *buf, size_t n)
{
	const char *key = c == 2 ? (inbound ? "origin" : "to") : list_keys[c];
	const char *v = field_of(m, key, buf, n);
	size_t len;

	if (c != 4 || json_array_size(json_object_get(m, "overdue")) == 0)
		return v;
	if (v != buf)
		snprintf(buf, n, "%s", v);
	len = strlen(buf);
	snprintf(buf + len, n - len, " OVERDUE");
	return buf;
}

static void print_messages(json_t *messages, int inbound)
{
	const char *heads[] = {"ID", "TIME", inbound ? "FROM" : "TO", "PRECEDENCE", "STATE"};
	int width[5];
	char buf[64], text[PREVIEW_CHARS * 4 + 16];
	size_t i;
	json_t *m;

	for (int c = 0; c < 5; c++)
		width[c] = (int)strlen(heads[c]);
	json_array_foreach(messages, i, m) {
		for (int c = 0; c < 5; c++) {
			int w = (int)strlen(cell_of(m, c, inbound, buf, sizeof(buf)));
			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (int c = 0; c < 5; c++) {
		print_cell(heads[c], width[c] + 2);
	}
	printf("TEXT\n");
	json_array_foreach(messages, i, m) {
		for (int c = 0; c < 5; c++)
			print_cell(cell_of(m, c, inbound, buf, sizeof(buf)), width[c] + 2);
		preview(field_of(m, "text", buf, sizeof(buf)), text, sizeof(text));
		lia_cli_put_text(stdout, text, 0);
		putchar('\n');
	}
}

static int list_box(struct lia_cli *cli, int argc, char **argv, const char *box)
{
	static const struct option options[] = {
		{"limit", required_argument, NULL, 'n'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	const char *cmd = strcmp(box, "in") == 0 ? "inbox" : "outbox";
	long limit = LIA_API_LIST_DEFAULT;
	int ch, status = LIA_EXIT_OK;
	json_t *reply = NULL, *messages;
	char path[64];
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		if (ch == 'n' && parse_count(optarg, LIA_API_LIST_MAX, &limit) < 0) {
			status = lia_cli_usage(cmd, "--limit must be a whole number from 1 to %d",
			    LIA_API_LIST_MAX);
			goto out;
		} else if (ch != 'n' && lia_cli_common_option(cli, cmd, ch, argv, &status) < 0) {
			goto out;
		}
	}
	if (optind < argc) {
		status = lia_cli_usage(cmd, "unexpected argument \"%.40s\"", argv[optind]);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/messages?box=%s&limit=%ld", box, limit);
	if ((status = lia_cli_daemon_expect(&d, "GET", path, NULL, 200, &reply)) != LIA_EXIT_OK)
		goto out;
	messages = json_is_array(reply) ? reply : json_object_get(reply, "messages");
	if (cli->json)
		lia_cli_print_json(reply);
	else if (json_array_size(messages) == 0)
		printf("no messages %s\n", strcmp(box, "in") == 0 ? "received" : "sent");
	else
		print_messages(messages, strcmp(box, "in") == 0);
	if (!cli->json && json_is_true(json_object_get(reply, "more")))
		printf("(older messages not shown: raise --limit, now %ld)\n", limit);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}

int lia_cmd_inbox(struct lia_cli *cli, int argc, char **argv)
{
	return list_box(cli, argc, argv, "in");
}

int lia_cmd_outbox(struct lia_cli *cli, int argc, char **argv)
{
	return list_box(cli, argc, argv, "out");
}

/* ---- show ---- */

#define SHOW_WIDTH 10

static void print_signature(const json_t *sig)
{
	char buf[64], line[LIA_ERR_LEN + 64];

	if (json_is_true(json_object_get(sig, "valid")))
		snprintf(line, sizeof(line), "valid (signed by %s)", field_of(sig, "signer", buf, sizeof(buf)));
	else
		snprintf(line, sizeof(line), "INVALID: %s",
		    json_is_string(json_object_get(sig, "error")) ?
		    json_string_value(json_object_get(sig, "error")) : "no reason given");
	print_field(SHOW_WIDTH, "signature", line);
}

/* The text, its continuation lines indented under the first. */
static void print_text(const char *text)
{
	const char *p = text, *nl;

	printf("%*s: ", SHOW_WIDTH, "text");
	while ((nl = strchr(p, '\n')) != NULL) {
		char *line = strndup(p, (size_t)(nl - p));
		lia_cli_put_text(stdout, line != NULL ? line : "?", 0);
		free(line);
		printf("\n%*s  ", SHOW_WIDTH, "");
		p = nl + 1;
	}
	lia_cli_put_text(stdout, p, 0);
	putchar('\n');
}

static void print_deliveries(const json_t *message)
{
	char b1[64], b2[64], b3[64], line[256];
	const json_t *dl;
	size_t i;

	json_array_foreach(json_object_get(message, "deliveries"), i, dl) {
		if (strcmp(field_of(dl, "state", b1, sizeof(b1)), "delivered") == 0)
			snprintf(line, sizeof(line), "%s delivered %s (receipt %s)", field_of(dl, "node", b1, sizeof(b1)),
			    field_of(dl, "delivered", b2, sizeof(b2)), field_of(dl, "receipt", b3, sizeof(b3)));
		else
			snprintf(line, sizeof(line), "%s %s", field_of(dl, "node", b1, sizeof(b1)),
			    field_of(dl, "state", b2, sizeof(b2)));
		print_field(SHOW_WIDTH, "delivery", line);
	}
}

static void print_refs(const json_t *reply)
{
	char b1[64], b2[64], b3[64], b4[LIA_OPERATOR_MAX + 8], line[512];
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(reply, "receipts"), i, r) {
		snprintf(line, sizeof(line), "%s from %s at %s, %s", field_of(r, "id", b1, sizeof(b1)),
		    field_of(r, "node", b2, sizeof(b2)), field_of(r, "time", b3, sizeof(b3)),
		    json_is_true(json_object_get(r, "hash_matches")) ? "hash matches" :
		    "HASH DOES NOT MATCH the message");
		print_field(SHOW_WIDTH, "receipt", line);
		print_signature(json_object_get(r, "signature"));
	}
	json_array_foreach(json_object_get(reply, "acks"), i, r) {
		snprintf(line, sizeof(line), "%s from %s at %s, operator %s", field_of(r, "id", b1, sizeof(b1)),
		    field_of(r, "node", b2, sizeof(b2)), field_of(r, "time", b3, sizeof(b3)),
		    field_of(r, "operator", b4, sizeof(b4)));
		print_field(SHOW_WIDTH, "ack", line);
		print_signature(json_object_get(r, "signature"));
	}
	json_array_foreach(json_object_get(reply, "overdue_notices"), i, r) {
		json_int_t step = json_integer_value(json_object_get(r, "step"));
		snprintf(line, sizeof(line), "%s from %s at %s: %s of %s %s, %" JSON_INTEGER_FORMAT
		    " s late (step %" JSON_INTEGER_FORMAT ")", field_of(r, "id", b1, sizeof(b1)),
		    field_of(r, "node", b2, sizeof(b2)), field_of(r, "time", b3, sizeof(b3)),
		    field_of(r, "deadline", b4, sizeof(b4)),
		    json_string_value(json_object_get(r, "late_node")) ?
		    json_string_value(json_object_get(r, "late_node")) : "-",
		    step ? "overdue" : "came", json_integer_value(json_object_get(r, "late_s")), step);
		print_field(SHOW_WIDTH, "overdue", line);
		print_signature(json_object_get(r, "signature"));
	}
}

static void print_show(const json_t *reply)
{
	static const char *const keys[][2] = {
		{"id", "id"}, {"origin", "from"}, {"to", "to"}, {"precedence", "precedence"},
		{"time", "time"}, {"lang", "lang"}, {"direction", "direction"},
		{"stored", "stored"}, {"state", "state"},
	};
	const json_t *m = json_object_get(reply, "message");
	char buf[64];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		print_field(SHOW_WIDTH, keys[i][1], field_of(m, keys[i][0], buf, sizeof(buf)));
	print_signature(json_object_get(reply, "signature"));
	print_text(field_of(m, "text", buf, sizeof(buf)));
	print_deliveries(m);
	print_refs(reply);
}

int lia_cmd_show(struct lia_cli *cli, int argc, char **argv)
{
	int status = LIA_EXIT_OK;
	json_t *reply = NULL;
	char path[LIA_ID_LEN + 16];
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	if (common_options_only(cli, "show", argc, argv, &status) < 0)
		goto out;
	if (argc - optind != 1) {
		status = lia_cli_usage("show", "expected exactly one message ID");
		goto out;
	}
	if ((status = check_id("show", argv[optind])) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/messages/%s", argv[optind]);
	if ((status = lia_cli_daemon_expect(&d, "GET", path, NULL, 200, &reply)) != LIA_EXIT_OK)
		goto out;
	if (cli->json)
		lia_cli_print_json(reply);
	else
		print_show(reply);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
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

static int check_operator(const char *op)
{
	size_t len = strlen(op), controls = 0;
	int status = LIA_EXIT_OK;

	for (size_t i = 0; i < len; i++)
		controls += (unsigned char)op[i] < 0x20 || op[i] == 0x7f;
	if (len == 0)
		status = lia_cli_usage("ack", "the operator name is empty");
	else if (len > LIA_OPERATOR_MAX)
		status = lia_cli_usage("ack", "the operator name is longer than %d bytes", LIA_OPERATOR_MAX);
	else if (!lia_utf8_valid((const uint8_t *)op, len))
		status = lia_cli_usage("ack", "the operator name is not valid UTF-8");
	else if (controls > 0)
		status = lia_cli_usage("ack", "the operator name holds control characters");
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
	if ((status = check_id("ack", argv[optind])) != LIA_EXIT_OK ||
	    (status = check_operator(op)) != LIA_EXIT_OK ||
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

/* ---- links, status ---- */

/* A link's field for display: a negative round trip is none measured yet; the charter hash the peer sent is "same" or "MISMATCH". */
static const char *link_field(const json_t *l, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(l, key);
	const char *s;

	if (strcmp(key, "charter_mismatch") == 0 && json_is_boolean(v))
		s = json_is_true(v) ? "MISMATCH" : "same";
	else if (json_is_integer(v) && json_integer_value(v) < 0)
		s = "-";
	else
		s = str_of(v, buf, n);
	return s;
}

/* Under the table, per link: each redundant path and the link tests. */
static void print_link_details(const json_t *l)
{
	const json_t *t = json_object_get(l, "linktest"), *p;
	char peer[64], b[5][64];
	size_t i;

	str_of(json_object_get(l, "peer"), peer, sizeof(peer));
	json_array_foreach(json_object_get(l, "paths"), i, p) {
		printf("  %s path %s %s: %s, rtt %s ms, %s failure(s)\n", peer,
		    str_of(json_object_get(p, "path"), b[0], sizeof(b[0])),
		    str_of(json_object_get(p, "address"), b[1], sizeof(b[1])),
		    str_of(json_object_get(p, "state"), b[2], sizeof(b[2])),
		    link_field(p, "rtt_ms", b[3], sizeof(b[3])),
		    str_of(json_object_get(p, "failures"), b[4], sizeof(b[4])));
	}
	if (!json_is_object(t))
		return;
	printf("  %s link tests: every %s s, last success %s, rtt %s ms, %s answered, "
	    "%s failure(s)\n", peer, str_of(json_object_get(t, "period_s"), b[0], sizeof(b[0])),
	    json_is_string(json_object_get(t, "last_success")) ?
	    json_string_value(json_object_get(t, "last_success")) : "never",
	    link_field(t, "rtt_ms", b[1], sizeof(b[1])),
	    str_of(json_object_get(t, "answered"), b[2], sizeof(b[2])),
	    str_of(json_object_get(t, "failures"), b[3], sizeof(b[3])));
}

static void print_links(const json_t *links)
{
	static const char *const keys[] = {"peer", "address", "state", "since", "rtt_ms", "outbox",
	    "charter_mismatch", "last_error"};
	static const char *const heads[] = {"PEER", "ADDRESS", "STATE", "SINCE", "RTT-MS", "OUTBOX",
	    "CHARTER", "LAST-ERROR"};
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	int width[N];
	char buf[64];
	const json_t *l;
	size_t i;

	if (json_array_size(links) == 0) {
		printf("no links\n");
		return;
	}
	for (size_t c = 0; c < N; c++)
		width[c] = (int)strlen(heads[c]);
	json_array_foreach(links, i, l) {
		for (size_t c = 0; c + 1 < N; c++) {
			int w = (int)strlen(link_field(l, keys[c], buf, sizeof(buf)));
			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (size_t c = 0; c + 1 < N; c++)
		print_cell(heads[c], width[c] + 2);
	printf("%s\n", heads[N - 1]);
	json_array_foreach(links, i, l) {
		for (size_t c = 0; c + 1 < N; c++)
			print_cell(link_field(l, keys[c], buf, sizeof(buf)), width[c] + 2);
		lia_cli_put_text(stdout, link_field(l, keys[N - 1], buf, sizeof(buf)), 0);
		putchar('\n');
	}
	json_array_foreach(links, i, l)
		print_link_details(l);
}

/* GET of a resource with no arguments, printed as JSON or by print. */
static int simple_get(struct lia_cli *cli, const char *cmd, int argc, char **argv,
    const char *path, void (*print)(const json_t *))
{
	int status = LIA_EXIT_OK;
	json_t *reply = NULL;
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	if (common_options_only(cli, cmd, argc, argv, &status) < 0)
		goto out;
	if (optind < argc) {
		status = lia_cli_usage(cmd, "unexpected argument \"%.40s\"", argv[optind]);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_expect(&d, "GET", path, NULL, 200, &reply)) != LIA_EXIT_OK)
		goto out;
	if (cli->json)
		lia_cli_print_json(reply);
	else
		print(reply);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}

static void print_links_reply(const json_t *reply)
{
	print_links(json_is_array(reply) ? reply : json_object_get(reply, "links"));
}

static void print_status(const json_t *reply)
{
	static const char *const keys[] = {"node", "party", "role", "mechanism", "charter_hash"};
	static const char *const counts[] = {"messages_in", "messages_out", "unacknowledged",
	    "overdue", "outbox", "entries"};
	const json_t *c = json_object_get(reply, "counts");
	char buf[64];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		print_field(14, keys[i], field_of(reply, keys[i], buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		print_field(14, counts[i], field_of(c, counts[i], buf, sizeof(buf)));
	putchar('\n');
	print_links(json_object_get(reply, "links"));
}

int lia_cmd_links(struct lia_cli *cli, int argc, char **argv)
{
	return simple_get(cli, "links", argc, argv, "/v1/links", print_links_reply);
}

int lia_cmd_status(struct lia_cli *cli, int argc, char **argv)
{
	return simple_get(cli, "status", argc, argv, "/v1/status", print_status);
}

/* ---- wait ---- */

struct wait_args {
	const char *id;
	const char *state;
	double timeout_s;
};

static int wait_parse(struct lia_cli *cli, int argc, char **argv, struct wait_args *a, int *status)
{
	static const struct option options[] = {
		{"state", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	char *end;
	int ch, stop = 0;

	while (!stop && (ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		if (ch == 's') {
			a->state = optarg;
		} else if (ch == 't') {
			a->timeout_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(a->timeout_s) ||
			    a->timeout_s <= 0 || a->timeout_s > WAIT_MAX_S) {
				*status = lia_cli_usage("wait", "--timeout must be a number of seconds "
				    "above 0, at most %d", WAIT_MAX_S);
				stop = 1;
			}
		} else if (lia_cli_common_option(cli, "wait", ch, argv, status) < 0) {
			stop = 1;
		}
	}
	if (stop)
		;
	else if (argc - optind != 1)
		*status = lia_cli_usage("wait", "expected exactly one message ID");
	else if (a->state == NULL || (strcmp(a->state, "delivered") != 0 &&
	    strcmp(a->state, "acknowledged") != 0))
		*status = lia_cli_usage("wait", "--state must be delivered or acknowledged");
	else
		*status = check_id("wait", argv[optind]);
	a->id = argv[optind < argc ? optind : 0];
	return stop || *status != LIA_EXIT_OK ? -1 : 0;
}

/* 1 when state satisfies want: acknowledged implies delivered, and a received message was delivered here. */
static int state_reached(const char *state, const char *want)
{
	if (state == NULL)
		return 0;
	if (strcmp(want, "acknowledged") == 0)
		return strcmp(state, "acknowledged") == 0;
	return strcmp(state, "delivered") == 0 || strcmp(state, "acknowledged") == 0 ||
	    strcmp(state, "received") == 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int lia_cmd_wait(struct lia_cli *cli, int argc, char **argv)
{
	struct wait_args a = { .timeout_s = WAIT_DEFAULT_S };
	int status = LIA_EXIT_OK, http = 0;
	int64_t deadline, left;
	char path[LIA_ID_LEN + 16], last[32] = "";
	json_t *reply = NULL;
	const char *state;
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	if (wait_parse(cli, argc, argv, &a, &status) < 0 || (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/messages/%s", a.id);
	deadline = lia_mono_ms() + (int64_t)(a.timeout_s * 1000);
	for (;;) {
		left = deadline - lia_mono_ms();
		json_decref(reply);
		reply = NULL;
		if ((status = lia_cli_daemon_call(&d, "GET", path, NULL,
		    left > REQUEST_TIMEOUT_S * 1000 ? REQUEST_TIMEOUT_S : (int)(left / 1000) + 1,
		    &http, &reply)) != LIA_EXIT_OK)
			goto out;
		if (http != 200 && http != 404) {
			status = lia_cli_daemon_refused(&d, http, reply);
			goto out;
		}
		state = json_string_value(json_object_get(json_object_get(reply, "message"), "state"));
		if (http == 200 && state_reached(state, a.state))
			break;
		snprintf(last, sizeof(last), "%s", http == 200 && state != NULL ? state : "");
		if (lia_mono_ms() + WAIT_POLL_MS > deadline) {
			if (last[0] != '\0')
				status = lia_cli_fail("message %s is still %s after %g s (waited for %s)",
				    a.id, last, a.timeout_s, a.state);
			else
				status = lia_cli_fail("message %s is not known to the node in %s after %g s "
				    "(waited for %s)", a.id, d.where, a.timeout_s, a.state);
			goto out;
		}
		sleep_ms(WAIT_POLL_MS);
	}
	if (cli->json)
		lia_cli_print_json(reply);
	else
		printf("%s %s\n", a.id, state);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}
