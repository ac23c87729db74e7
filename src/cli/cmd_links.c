/*
 * cmd_links.c - the CLI's commands that show the node's links and status
 * through the daemon's HTTP JSON API: links, status. What a peer could have
 * influenced (addresses, sentences) is printed neutralised (lia_cli_put_text).
 */
#include "cmd.h"
#include "err.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
		s = lia_cli_str_of(v, buf, n);
	return s;
}

/* Under the table, per link: each redundant path and the link tests. */
static void print_link_details(const json_t *l)
{
	const json_t *t = json_object_get(l, "linktest"), *p;
	char peer[64], b[5][64];
	size_t i;

	lia_cli_str_of(json_object_get(l, "peer"), peer, sizeof(peer));
	json_array_foreach(json_object_get(l, "paths"), i, p) {
		printf("  %s path %s %s: %s, rtt %s ms, %s failure(s)\n", peer,
		    lia_cli_str_of(json_object_get(p, "path"), b[0], sizeof(b[0])),
		    lia_cli_str_of(json_object_get(p, "address"), b[1], sizeof(b[1])),
		    lia_cli_str_of(json_object_get(p, "state"), b[2], sizeof(b[2])),
		    link_field(p, "rtt_ms", b[3], sizeof(b[3])),
		    lia_cli_str_of(json_object_get(p, "failures"), b[4], sizeof(b[4])));
	}
	if (!json_is_object(t))
		return;
	printf("  %s link tests: every %s s, last success %s, rtt %s ms, %s answered, "
	    "%s failure(s)\n", peer, lia_cli_str_of(json_object_get(t, "period_s"), b[0], sizeof(b[0])),
	    json_is_string(json_object_get(t, "last_success")) ?
	    json_string_value(json_object_get(t, "last_success")) : "never",
	    link_field(t, "rtt_ms", b[1], sizeof(b[1])),
	    lia_cli_str_of(json_object_get(t, "answered"), b[2], sizeof(b[2])),
	    lia_cli_str_of(json_object_get(t, "failures"), b[3], sizeof(b[3])));
	/* The recent tests from the store, newest first. */
	json_array_foreach(json_object_get(t, "history"), i, p) {
		printf("  %s link test %s %s: %s", peer,
		    lia_cli_str_of(json_object_get(p, "id"), b[0], sizeof(b[0])),
		    lia_cli_str_of(json_object_get(p, "time"), b[1], sizeof(b[1])),
		    lia_cli_str_of(json_object_get(p, "result"), b[2], sizeof(b[2])));
		if (json_is_integer(json_object_get(p, "rtt_ms")))
			printf(", rtt %s ms", lia_cli_str_of(json_object_get(p, "rtt_ms"), b[3], sizeof(b[3])));
		putchar('\n');
	}
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
		lia_cli_print_cell(heads[c], width[c] + 2);
	printf("%s\n", heads[N - 1]);
	json_array_foreach(links, i, l) {
		for (size_t c = 0; c + 1 < N; c++)
			lia_cli_print_cell(link_field(l, keys[c], buf, sizeof(buf)), width[c] + 2);
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
	if (lia_cli_common_options_only(cli, cmd, argc, argv, &status) < 0)
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
		lia_cli_print_field(14, keys[i], lia_cli_field_of(reply, keys[i], buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		lia_cli_print_field(14, counts[i], lia_cli_field_of(c, counts[i], buf, sizeof(buf)));
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
