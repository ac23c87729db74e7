/*
 * cmd_messages.c - the CLI's commands that list and show messages through
 * the daemon's HTTP JSON API: inbox, outbox, show. (send and ack are
 * cmd_send.c, links and status cmd_links.c, wait cmd_wait.c.)
 *
 * Arguments are validated before the daemon is contacted, on the socket
 * NODEDIR/api.sock, with the bearer token from NODEDIR/api.token, which only
 * the daemon creates (cmd_daemon.c). Text that came from a peer is printed with
 * control characters neutralised (lia_cli_put_text); --json prints the
 * daemon's JSON as is, escaped by the JSON encoder.
 */
#include "cmd.h"
#include "entry.h"
#include "err.h"
#include "text.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW_CHARS 60

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

/* ---- inbox, outbox ---- */

/* The first line of text, at most PREVIEW_CHARS characters, "..." when cut. */
static void preview(const char *text, char *out, size_t n)
{
	size_t i = 0, chars = 0, len = strlen(text), k;
	uint32_t c;

	/* One character at a time (a byte that is not UTF-8 counts as one). */
	while (text[i] != '\0' && text[i] != '\n' && ++chars <= PREVIEW_CHARS) {
		k = lia_utf8_decode((const uint8_t *)text + i, len - i, &c);
		k = k > 0 ? k : 1;
		if (i + k + 8 > n)
			break;
		memcpy(out + i, text + i, k);
		i += k;
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
	const char *v = lia_cli_field_of(m, key, buf, n);
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
		lia_cli_print_cell(heads[c], width[c] + 2);
	}
	printf("TEXT\n");
	json_array_foreach(messages, i, m) {
		for (int c = 0; c < 5; c++)
			lia_cli_print_cell(cell_of(m, c, inbound, buf, sizeof(buf)), width[c] + 2);
		preview(lia_cli_field_of(m, "text", buf, sizeof(buf)), text, sizeof(text));
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
		snprintf(line, sizeof(line), "valid (signed by %s)", lia_cli_field_of(sig, "signer", buf, sizeof(buf)));
	else
		snprintf(line, sizeof(line), "INVALID: %s",
		    json_is_string(json_object_get(sig, "error")) ?
		    json_string_value(json_object_get(sig, "error")) : "no reason given");
	lia_cli_print_field(SHOW_WIDTH, "signature", line);
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
		if (strcmp(lia_cli_field_of(dl, "state", b1, sizeof(b1)), "delivered") == 0)
			snprintf(line, sizeof(line), "%s delivered %s (receipt %s)", lia_cli_field_of(dl, "node", b1, sizeof(b1)),
			    lia_cli_field_of(dl, "delivered", b2, sizeof(b2)), lia_cli_field_of(dl, "receipt", b3, sizeof(b3)));
		else
			snprintf(line, sizeof(line), "%s %s", lia_cli_field_of(dl, "node", b1, sizeof(b1)),
			    lia_cli_field_of(dl, "state", b2, sizeof(b2)));
		lia_cli_print_field(SHOW_WIDTH, "delivery", line);
	}
}

static void print_refs(const json_t *reply)
{
	char b1[64], b2[64], b3[64], b4[LIA_OPERATOR_MAX + 8], line[512];
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(reply, "receipts"), i, r) {
		snprintf(line, sizeof(line), "%s from %s at %s, %s", lia_cli_field_of(r, "id", b1, sizeof(b1)),
		    lia_cli_field_of(r, "node", b2, sizeof(b2)), lia_cli_field_of(r, "time", b3, sizeof(b3)),
		    json_is_true(json_object_get(r, "hash_matches")) ? "hash matches" :
		    "HASH DOES NOT MATCH the message");
		lia_cli_print_field(SHOW_WIDTH, "receipt", line);
		print_signature(json_object_get(r, "signature"));
	}
	json_array_foreach(json_object_get(reply, "acks"), i, r) {
		snprintf(line, sizeof(line), "%s from %s at %s, operator %s", lia_cli_field_of(r, "id", b1, sizeof(b1)),
		    lia_cli_field_of(r, "node", b2, sizeof(b2)), lia_cli_field_of(r, "time", b3, sizeof(b3)),
		    lia_cli_field_of(r, "operator", b4, sizeof(b4)));
		lia_cli_print_field(SHOW_WIDTH, "ack", line);
		print_signature(json_object_get(r, "signature"));
	}
	json_array_foreach(json_object_get(reply, "overdue_notices"), i, r) {
		json_int_t step = json_integer_value(json_object_get(r, "step"));
		snprintf(line, sizeof(line), "%s from %s at %s: %s of %s %s, %" JSON_INTEGER_FORMAT
		    " s late (step %" JSON_INTEGER_FORMAT ")", lia_cli_field_of(r, "id", b1, sizeof(b1)),
		    lia_cli_field_of(r, "node", b2, sizeof(b2)), lia_cli_field_of(r, "time", b3, sizeof(b3)),
		    lia_cli_field_of(r, "deadline", b4, sizeof(b4)),
		    json_string_value(json_object_get(r, "late_node")) ?
		    json_string_value(json_object_get(r, "late_node")) : "-",
		    step ? "overdue" : "came", json_integer_value(json_object_get(r, "late_s")), step);
		lia_cli_print_field(SHOW_WIDTH, "overdue", line);
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
		lia_cli_print_field(SHOW_WIDTH, keys[i][1], lia_cli_field_of(m, keys[i][0], buf, sizeof(buf)));
	print_signature(json_object_get(reply, "signature"));
	print_text(lia_cli_field_of(m, "text", buf, sizeof(buf)));
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
	if (lia_cli_common_options_only(cli, "show", argc, argv, &status) < 0)
		goto out;
	if (argc - optind != 1) {
		status = lia_cli_usage("show", "expected exactly one message ID");
		goto out;
	}
	if ((status = lia_cli_check_id("show", argv[optind])) != LIA_EXIT_OK ||
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
