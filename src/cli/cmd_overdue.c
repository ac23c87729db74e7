/*
 * cmd_overdue.c - liaison overdue: what is overdue at this node (GET
 * /v1/overdue): which message and deadline, whose answer, for how long, the
 * steps taken, and whether this node sent it, owes the answer or was told
 * as the escalation target.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define COLUMNS 8

static const char *const heads[COLUMNS] = {
	"ID", "PRECEDENCE", "NODE", "DEADLINE", "OVERDUE FOR", "STEPS", "SIDE", "DUE"
};
static const char *const keys[COLUMNS] = {
	"id", "precedence", "node", "deadline", "late_s", "steps", "side", "due"
};

/* "1h02m03s", "4m05s", "7s". */
static void format_late(json_int_t s, char *buf, size_t n)
{
	if (s >= 3600)
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT "h%02dm%02ds", s / 3600, (int)(s / 60 % 60),
		    (int)(s % 60));
	else if (s >= 60)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	else
		snprintf(buf, n, "%ds", (int)(s < 0 ? 0 : s));
}

static const char *cell(const json_t *item, int c, char *buf, size_t n)
{
	const json_t *v = json_object_get(item, keys[c]);

	if (c == 4)
		format_late(json_integer_value(v), buf, n);
	else if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(buf, n, "%s", json_is_string(v) ? json_string_value(v) : "-");
	return buf;
}

static void print_overdue(const json_t *list)
{
	int width[COLUMNS];
	char buf[96];
	const json_t *item;
	size_t i;

	if (json_array_size(list) == 0) {
		printf("nothing is overdue\n");
		return;
	}
	for (int c = 0; c < COLUMNS; c++)
		width[c] = (int)strlen(heads[c]);
	json_array_foreach(list, i, item)
		for (int c = 0; c < COLUMNS; c++) {
			int w = (int)strlen(cell(item, c, buf, sizeof(buf)));
			width[c] = w > width[c] ? w : width[c];
		}
	for (int c = 0; c < COLUMNS; c++)
		printf("%-*s", c + 1 < COLUMNS ? width[c] + 2 : 0, heads[c]);
	putchar('\n');
	json_array_foreach(list, i, item) {
		for (int c = 0; c < COLUMNS; c++) {
			cell(item, c, buf, sizeof(buf));
			lia_cli_put_text(stdout, buf, 0);
			if (c + 1 < COLUMNS)
				printf("%*s", width[c] + 2 - (int)strlen(buf), "");
		}
		putchar('\n');
	}
}

int lia_cmd_overdue(struct lia_cli *cli, int argc, char **argv)
{
	int ch, status = LIA_EXIT_OK;
	json_t *reply = NULL;
	struct lia_cli_daemon d;
	static const struct option options[] = {
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1)
		if (lia_cli_common_option(cli, "overdue", ch, argv, &status) < 0)
			goto out;
	if (optind < argc) {
		status = lia_cli_usage("overdue", "unexpected argument \"%.40s\"", argv[optind]);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_expect(&d, "GET", "/v1/overdue", NULL, 200, &reply)) !=
	    LIA_EXIT_OK)
		goto out;
	if (cli->json)
		lia_cli_print_json(reply);
	else
		print_overdue(json_object_get(reply, "overdue"));
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}
