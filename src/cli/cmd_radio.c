/*
 * cmd_radio.c - `liaison radio`: the unit link's peers and counters, from
 * the "radio" member of GET /v1/status (null when the node has no unit link).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void print_radio(const json_t *radio)
{
	const json_t *peers = json_object_get(radio, "peers");
	const json_t *p;
	size_t i;

	printf("listen %s  rate %lld bit/s  refused (no peer named) %lld\n",
	    json_string_value(json_object_get(radio, "listen")),
	    (long long)json_integer_value(json_object_get(radio, "rate")),
	    (long long)json_integer_value(json_object_get(radio, "refused")));
	printf("%-16s %-10s %-22s %6s %6s %6s %7s %6s %6s %6s %6s\n", "PEER", "PARTY", "ADDRESS",
	    "OUTBOX", "FLIGHT", "SENT", "RESENT", "RECV", "DUPS", "RCPTS", "REFUSED");
	json_array_foreach(peers, i, p) {
		printf("%-16s %-10s %-22s %6lld %6lld %6lld %7lld %6lld %6lld %6lld %6lld\n",
		    json_string_value(json_object_get(p, "peer")),
		    json_string_value(json_object_get(p, "party")),
		    json_string_value(json_object_get(p, "address")),
		    (long long)json_integer_value(json_object_get(p, "outbox")),
		    (long long)json_integer_value(json_object_get(p, "in_flight")),
		    (long long)json_integer_value(json_object_get(p, "sent")),
		    (long long)json_integer_value(json_object_get(p, "retransmissions")),
		    (long long)json_integer_value(json_object_get(p, "received")),
		    (long long)json_integer_value(json_object_get(p, "duplicates")),
		    (long long)json_integer_value(json_object_get(p, "receipts")),
		    (long long)json_integer_value(json_object_get(p, "refused")));
		if (json_string_value(json_object_get(p, "last_error")) != NULL)
			printf("  last error: %s\n", json_string_value(json_object_get(p, "last_error")));
	}
}

int lia_cmd_radio(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = { LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0} };
	int status = LIA_EXIT_OK, ch;
	json_t *reply = NULL, *radio;
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1)
		if (lia_cli_common_option(cli, "radio", ch, argv, &status) < 0)
			goto out;
	if (optind < argc) {
		status = lia_cli_usage("radio", "unexpected argument \"%.40s\"", argv[optind]);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_expect(&d, "GET", "/v1/status", NULL, 200, &reply)) != LIA_EXIT_OK)
		goto out;
	radio = json_object_get(reply, "radio");
	if (cli->json)
		lia_cli_print_json(radio != NULL ? radio : json_null());
	else if (radio == NULL || json_is_null(radio))
		printf("no unit link (no \"radio listen\" in liaisond.conf)\n");
	else
		print_radio(radio);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}
