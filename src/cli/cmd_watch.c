/*
 * cmd_watch.c - liaison watch: follows the node's arrivals in a terminal
 * (GET /v1/events?after=N on the CLI's API, twice a second) for desks without
 * a browser; one line per event, a bell (BEL) for a FLASH message. Runs until
 * interrupted, or --count N events.
 */
#include "cmd.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_event(const json_t *e)
{
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *prec = json_string_value(json_object_get(e, "precedence"));
	const char *dir = json_string_value(json_object_get(e, "direction"));
	const char *entry = json_string_value(json_object_get(e, "entry"));
	const char *ref = json_string_value(json_object_get(e, "ref"));

	if (kind != NULL && strcmp(kind, "link") == 0) {
		const json_t *l;
		size_t i;
		printf("link:");
		json_array_foreach(json_object_get(e, "links"), i, l)
			printf(" %s %s", json_string_value(json_object_get(l, "peer")),
			    json_string_value(json_object_get(l, "state")));
		putchar('\n');
	} else {
		if (prec != NULL && strcmp(prec, "FLASH") == 0 && dir != NULL && strcmp(dir, "in") == 0)
			putchar('\a');
		printf("%s %s %s%s%s%s%s\n", dir != NULL ? dir : "-", kind != NULL ? kind : "?",
		    entry != NULL ? entry : "", prec != NULL ? " " : "", prec != NULL ? prec : "",
		    ref != NULL ? " for " : "", ref != NULL ? ref : "");
	}
	fflush(stdout);
}

int lia_cmd_watch(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		LIA_CLI_COMMON_LONGOPTS, {"count", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0},
	};
	struct timespec half = {0, 500 * 1000 * 1000};
	struct lia_cli_daemon d;
	json_t *reply = NULL;
	json_int_t after = -1;
	long count = -1, seen = 0;
	int ch, status = LIA_EXIT_OK;
	char path[64];

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS "n:", options, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "watch", ch, argv, &status);
		if (r < 0)
			goto out;
		if (r == 0 && ch == 'n')
			count = strtol(optarg, NULL, 10);
	}
	if (optind < argc) {
		status = lia_cli_usage("watch", "unexpected argument \"%.40s\"", argv[optind]);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	while (count < 0 || seen < count) {
		const json_t *e;
		size_t i;

		snprintf(path, sizeof(path), "/v1/events?after=%" JSON_INTEGER_FORMAT,
		    after < 0 ? 0 : after);
		json_decref(reply);
		reply = NULL;
		if ((status = lia_cli_daemon_expect(&d, "GET", path, NULL, 200, &reply)) != LIA_EXIT_OK)
			goto out;
		if (after >= 0) {
			json_array_foreach(json_object_get(reply, "events"), i, e) {
				if (cli->json) {
					char *t = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
					printf("%s\n", t != NULL ? t : "{}");
					fflush(stdout);
					free(t);
				} else {
					print_event(e);
				}
				if (count >= 0 && ++seen >= count)
					break;
			}
		}
		after = json_integer_value(json_object_get(reply, "next"));
		nanosleep(&half, NULL);
	}
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}
