/*
 * cmd_signals.c - `liaison send-signal` and `liaison signals`: coded on-site
 * signals through the daemon's /v1/signals routes.
 *
 * The daemon checks every code and value against its catalogue before it
 * signs; this file only parses the operator's words: the position as decimal
 * degrees "LAT,LON" (at most 5 decimals, sent in 1e-5 degree) and each
 * signal as CODE or CODE:V1,V2 (values in the catalogue's order; a value
 * cannot hold a comma here).
 */
#include "cmd.h"
#include "entry.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a decimal degree with at most 5 decimals into 1e-5 degree within -max..max. */
static int parse_degrees(const char *s, const char *end, long max, long *out)
{
	long whole = 0, frac = 0;
	int neg = 0, digits = 0, decimals = 0;
	const char *p = s;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9' && decimals < 5; p++, decimals++)
			frac = frac * 10 + (*p - '0');
	if (digits == 0 || p != end)
		return -1;
	for (; decimals < 5; decimals++)
		frac *= 10;
	*out = (whole * 100000 + frac) * (neg ? -1 : 1);
	return *out < -max || *out > max ? -1 : 0;
}

static int parse_at(const char *at, int32_t *lat, int32_t *lon)
{
	const char *comma = strchr(at, ',');
	long la = 0, lo = 0;

	if (comma == NULL || parse_degrees(at, comma, LIA_LAT_MAX, &la) < 0 ||
	    parse_degrees(comma + 1, comma + strlen(comma), LIA_LON_MAX, &lo) < 0)
		return -1;
	*lat = (int32_t)la;
	*lon = (int32_t)lo;
	return 0;
}

/* "CODE[:V1,V2,...]" as {"code", "params"}; NULL when malformed. */
static json_t *parse_signal(const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t code_len = colon ? (size_t)(colon - arg) : strlen(arg);
	json_t *params = json_array(), *sig = NULL;
	char *copy = colon ? strdup(colon + 1) : NULL, *save = NULL;

	if (code_len == 0 || code_len > LIA_SIGNAL_CODE_MAX || params == NULL || (colon && !copy))
		goto out;
	for (char *v = copy ? strtok_r(copy, ",", &save) : NULL; v != NULL;
	    v = strtok_r(NULL, ",", &save))
		json_array_append_new(params, json_string(v));
	sig = json_pack("{s:s%, s:O}", "code", arg, code_len, "params", params);
out:
	json_decref(params);
	free(copy);
	return sig;
}

int lia_cmd_send_signal(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'}, {"at", required_argument, NULL, 'a'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}
	};
	const char *to = NULL, *at = NULL;
	struct lia_cli_daemon d;
	json_t *sigs = json_array(), *body = NULL, *reply = NULL;
	int32_t lat = 0, lon = 0;
	int ch, status = LIA_EXIT_OK;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, "t:a:" LIA_CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "send-signal", ch, argv, &status);
		if (r < 0)
			goto out;
		if (r == 0 && ch == 't')
			to = optarg;
		else if (r == 0 && ch == 'a')
			at = optarg;
	}
	if (at == NULL || optind >= argc) {
		status = lia_cli_usage("send-signal", "--at and at least one CODE are required");
		goto out;
	}
	if (parse_at(at, &lat, &lon) < 0) {
		status = lia_cli_usage("send-signal", "--at \"%.40s\" is not LAT,LON in decimal degrees "
		    "(e.g. 35.45210,139.65020; at most 5 decimals)", at);
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		json_t *sig = parse_signal(argv[i]);
		if (sig == NULL) {
			status = lia_cli_usage("send-signal", "\"%.40s\" is not CODE or CODE:V1,V2",
			    argv[i]);
			goto out;
		}
		json_array_append_new(sigs, sig);
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	body = json_pack("{s:O, s:i, s:i}", "signals", sigs, "lat", (json_int_t)lat,
	    "lon", (json_int_t)lon);
	if (to != NULL) /* without --to: a broadcast to the unit's radio peers */
		json_object_set_new(body, "to", json_string(to));
	status = lia_cli_daemon_post(cli, &d, "/v1/signals", body);
out:
	lia_cli_daemon_close(&d);
	json_decref(sigs);
	json_decref(body);
	json_decref(reply);
	return status;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

/* The addressee as shown: "(all)" for a broadcast (no name). */
static const char *to_label(const json_t *e)
{
	const char *to = json_string_value(json_object_get(e, "to"));

	return to != NULL && to[0] == '\0' ? "(all)" : str(e, "to");
}

/* One entry: "ID  TIME  FROM -> TO  at LAT,LON", then each rendered signal indented. */
static void print_signal_entry(const json_t *e)
{
	json_int_t lat = json_integer_value(json_object_get(e, "lat"));
	json_int_t lon = json_integer_value(json_object_get(e, "lon"));
	size_t i;
	json_t *line;

	printf("%s  %s  %s -> %s  at %s%lld.%05lld,%s%lld.%05lld\n", str(e, "id"), str(e, "time"),
	    str(e, "from"), to_label(e), lat < 0 ? "-" : "", llabs(lat) / 100000,
	    llabs(lat) % 100000, lon < 0 ? "-" : "", llabs(lon) / 100000, llabs(lon) % 100000);
	if (json_is_string(json_object_get(e, "error")))
		printf("    (unreadable: %s)\n", str(e, "error"));
	json_array_foreach(json_object_get(e, "signals"), i, line) {
		fputs("    ", stdout);
		lia_cli_put_text(stdout, json_string_value(line) ? json_string_value(line) : "?", 0);
		putchar('\n');
	}
}

int lia_cmd_signals(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"lang", required_argument, NULL, 'l'}, LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}
	};
	const char *lang = "en";
	struct lia_cli_daemon d;
	json_t *reply = NULL, *e;
	char path[64];
	int ch, status = LIA_EXIT_OK;
	size_t i;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, "l:" LIA_CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "signals", ch, argv, &status);
		if (r < 0)
			goto out;
		if (r == 0 && ch == 'l')
			lang = optarg;
	}
	if (optind < argc || (strcmp(lang, "en") && strcmp(lang, "zh") && strcmp(lang, "ja") &&
	    strcmp(lang, "ko"))) {
		status = lia_cli_usage("signals", "--lang takes en, zh, ja or ko; no other arguments");
		goto out;
	}
	snprintf(path, sizeof(path), "/v1/signals?lang=%s", lang);
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK ||
	    (status = lia_cli_daemon_expect(&d, "GET", path, NULL, 200, &reply)) != LIA_EXIT_OK)
		goto out;
	if (cli->json)
		lia_cli_print_json(reply);
	else
		json_array_foreach(json_object_get(reply, "signals"), i, e)
			print_signal_entry(e);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}

int lia_cli_parse_at(const char *at, int32_t *lat, int32_t *lon)
{
	return parse_at(at, lat, lon);
}
