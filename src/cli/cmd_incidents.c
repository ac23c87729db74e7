/*
 * cmd_incidents.c - `liaison incident open|attach|propose|confirm|note|show|list`
 * through the daemon's /v1/incidents routes.
 *
 * The daemon checks every rule (sides, forward-only states, confirmation by
 * the other side, attached entries present); this file only parses the
 * operator's words: ids as NODE/SEQ, the position as decimal degrees
 * LAT,LON (as send-signal), free text as the remaining words joined by
 * single spaces (at most 256 bytes, checked by the daemon). --operator NAME
 * (any action but show and list) names the operator in the signed entry.
 */
#include "cmd.h"
#include "entry.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX (LIA_INCIDENT_TEXT_MAX * 4) /* joined words; the daemon says what is too long */

/* The words joined by single spaces into out (size bytes); -1 when they do not fit. */
static int join_words(int n, char **words, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		int w = snprintf(out + used, size - used, "%s%s", i ? " " : "", words[i]);
		if (w < 0 || (size_t)w >= size - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

/* An id argument, checked for the form NODE/SEQ only; prints the usage error. */
static int check_id(const char *sub, const char *what, const char *id, int *status)
{
	const char *slash = strchr(id, '/');

	if (slash == NULL || slash == id || slash[1] < '1' || slash[1] > '9' ||
	    strlen(id) > LIA_NAME_MAX + 21) {
		*status = lia_cli_usage("incident", "%s: %s \"%.40s\" is not NODE/SEQ", sub, what, id);
		return -1;
	}
	return 0;
}

struct open_args {
	const char *to, *signal, *at, *op;
};

static int open_parse(struct lia_cli *cli, int argc, char **argv, struct open_args *a,
    int *status)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'}, {"signal", required_argument, NULL, 's'},
		{"at", required_argument, NULL, 'a'}, {"operator", required_argument, NULL, 'o'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "t:s:a:o:" LIA_CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "incident", ch, argv, status);
		if (r < 0)
			return -1;
		if (r == 0 && ch == 't')
			a->to = optarg;
		else if (r == 0 && ch == 's')
			a->signal = optarg;
		else if (r == 0 && ch == 'a')
			a->at = optarg;
		else if (r == 0 && ch == 'o')
			a->op = optarg;
	}
	if (optind >= argc) {
		*status = lia_cli_usage("incident", "open: a TITLE is required");
		return -1;
	}
	if (a->to == NULL && a->signal == NULL) {
		*status = lia_cli_usage("incident", "open: --to or --signal is required");
		return -1;
	}
	if (a->op != NULL && (*status = lia_cli_check_operator("incident", a->op)) != LIA_EXIT_OK)
		return -1;
	return a->signal != NULL ? check_id("open", "--signal", a->signal, status) : 0;
}

/* `incident open`: the body {"title", "to"?, "signal"?, "lat"?, "lon"?}; NULL after a usage error. */
static json_t *open_body(struct lia_cli *cli, int argc, char **argv, int *status)
{
	struct open_args a;
	char title[WORDS_MAX];
	int32_t lat = 0, lon = 0;
	json_t *body;

	if (open_parse(cli, argc, argv, &a, status) < 0)
		return NULL;
	if (a.at != NULL && lia_cli_parse_at(a.at, &lat, &lon) < 0) {
		*status = lia_cli_usage("incident", "open: --at \"%.40s\" is not LAT,LON in decimal "
		    "degrees (e.g. 35.45210,139.65020)", a.at);
		return NULL;
	}
	if (join_words(argc - optind, argv + optind, title, sizeof(title)) < 0) {
		*status = lia_cli_usage("incident", "open: the title is too long");
		return NULL;
	}
	body = json_pack("{s:s}", "title", title);
	if (a.to != NULL)
		json_object_set_new(body, "to", json_string(a.to));
	if (a.signal != NULL)
		json_object_set_new(body, "signal", json_string(a.signal));
	if (a.at != NULL) {
		json_object_set_new(body, "lat", json_integer(lat));
		json_object_set_new(body, "lon", json_integer(lon));
	}
	if (a.op != NULL)
		json_object_set_new(body, "operator", json_string(a.op));
	return body;
}

/* The body of attach / propose / confirm / note from the words after ID; NULL after a usage error. */
static json_t *action_body(const char *sub, int n, char **words, int *status)
{
	char text[WORDS_MAX];

	if (strcmp(sub, "attach") == 0 || strcmp(sub, "confirm") == 0) {
		if (n != 1) {
			*status = lia_cli_usage("incident", "%s: exactly one %s id is required", sub,
			    sub[0] == 'a' ? "ENTRY" : "PROPOSAL");
			return NULL;
		}
		if (check_id(sub, sub[0] == 'a' ? "ENTRY" : "PROPOSAL", words[0], status) < 0)
			return NULL;
		return json_pack("{s:s}", sub[0] == 'a' ? "entry" : "proposal", words[0]);
	}
	if (strcmp(sub, "propose") == 0 && (n < 2 || (strcmp(words[0], "contained") != 0 &&
	    strcmp(words[0], "closed") != 0))) {
		*status = lia_cli_usage("incident", "propose: contained|closed and a REASON are "
		    "required");
		return NULL;
	}
	if (n < 1 || join_words(n - (sub[0] == 'p'), words + (sub[0] == 'p'), text,
	    sizeof(text)) < 0) {
		*status = lia_cli_usage("incident", "%s: a text of 1 to %d bytes is required", sub,
		    LIA_INCIDENT_TEXT_MAX);
		return NULL;
	}
	if (sub[0] == 'p')
		return json_pack("{s:s, s:s}", "state", words[0], "reason", text);
	return json_pack("{s:s}", "text", text);
}

/* Options of the commands but open: the common ones and --operator (into *op, checked). */
static int plain_options(struct lia_cli *cli, int argc, char **argv, const char **op,
    int *status)
{
	static const struct option opts[] = {
		{"operator", required_argument, NULL, 'o'}, LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}
	};
	int ch;

	*op = NULL;
	while ((ch = getopt_long(argc, argv, "o:" LIA_CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "incident", ch, argv, status);
		if (r < 0)
			return -1;
		if (r == 0 && ch == 'o') {
			*op = optarg;
		} else if (r == 0) {
			*status = lia_cli_usage("incident", "unknown option");
			return -1;
		}
	}
	if (*op != NULL && (*status = lia_cli_check_operator("incident", *op)) != LIA_EXIT_OK)
		return -1;
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void put_line(const char *label, const char *text)
{
	fputs(label, stdout);
	lia_cli_put_text(stdout, text, 0);
	putchar('\n');
}

/* " at LAT,LON" in decimal degrees from o's "lat" and "lon" (1e-5 degree), when it has them. */
static void print_position(const json_t *o)
{
	long long lat = json_integer_value(json_object_get(o, "lat"));
	long long lon = json_integer_value(json_object_get(o, "lon"));

	if (json_is_integer(json_object_get(o, "lat")))
		printf(" at %s%lld.%05lld,%s%lld.%05lld", lat < 0 ? "-" : "", llabs(lat) / 100000,
		    llabs(lat) % 100000, lon < 0 ? "-" : "", llabs(lon) / 100000, llabs(lon) % 100000);
}

/* One timeline step: "TIME  BY (PARTY)  [OPERATOR  ]ACTION  details". */
static void print_step(const json_t *s)
{
	const json_t *entry = json_object_get(s, "entry");

	printf("  %s  %s (%s)  ", str(s, "time"), str(s, "by"), str(s, "party"));
	if (str(s, "operator")[0]) {  /* peer text: through put_text */
		lia_cli_put_text(stdout, str(s, "operator"), 0);
		fputs("  ", stdout);
	}
	fputs(str(s, "action"), stdout);
	if (json_is_string(json_object_get(s, "state")))
		printf(" %s%s", str(s, "state"), json_is_true(json_object_get(s, "confirmed")) ?
		    " (confirmed)" : " (pending)");
	if (json_is_string(json_object_get(s, "subject")))
		printf(" %s", str(s, "subject"));
	print_position(s);
	printf("  [%s]\n", str(s, "id"));
	if (str(s, "title")[0] || str(s, "reason")[0] || str(s, "text")[0])
		put_line("      ", str(s, "title")[0] ? str(s, "title") : str(s, "reason")[0] ?
		    str(s, "reason") : str(s, "text"));
	if (json_is_object(entry)) {
		printf("      %s %s from %s%s, %s", str(entry, "type"), str(entry, "id"),
		    str(entry, "from"), json_is_true(json_object_get(entry, "broadcast")) ?
		    " to (all)" : "", str(entry, "time"));
		print_position(entry);
		putchar('\n');
		if (str(entry, "text")[0])
			put_line("        ", str(entry, "text"));
	}
}

static void print_incident(const json_t *o)
{
	size_t i;
	json_t *s;

	printf("%s  %s  %s <-> %s  opened %s by %s\n", str(o, "id"), str(o, "state"),
	    json_string_value(json_array_get(json_object_get(o, "parties"), 0)),
	    json_string_value(json_array_get(json_object_get(o, "parties"), 1)),
	    str(o, "opened"), str(o, "opened_by"));
	put_line("  ", str(o, "title"));
	json_array_foreach(json_object_get(o, "timeline"), i, s)
		print_step(s);
}

static int show_or_list(struct lia_cli *cli, const struct lia_cli_daemon *d, const char *id)
{
	char path[128];
	json_t *reply = NULL, *o;
	size_t i;
	int status;

	snprintf(path, sizeof(path), "/v1/incidents%s%s", id ? "/" : "", id ? id : "");
	status = lia_cli_daemon_expect(d, "GET", path, NULL, 200, &reply);
	if (status == LIA_EXIT_OK && cli->json)
		lia_cli_print_json(reply);
	else if (status == LIA_EXIT_OK && id != NULL)
		print_incident(reply);
	else if (status == LIA_EXIT_OK)
		json_array_foreach(json_object_get(reply, "incidents"), i, o) {
			printf("%s  %-9s  %s  ", str(o, "id"), str(o, "state"), str(o, "updated"));
			put_line("", str(o, "title"));
		}
	json_decref(reply);
	return status;
}

/* The request of one subcommand into path and *body (NULL for GETs); -1 after a usage error. */
static int build(struct lia_cli *cli, const char *sub, int argc, char **argv, char path[128],
    json_t **body, int *status)
{
	const char *op = NULL;

	*body = NULL;
	if (strcmp(sub, "open") == 0) {
		snprintf(path, 128, "/v1/incidents");
		*body = open_body(cli, argc, argv, status);
		return *body != NULL ? 0 : -1;
	}
	if (plain_options(cli, argc, argv, &op, status) < 0)
		return -1;
	if (op != NULL && (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0))
		return *status = lia_cli_usage("incident", "%s: --operator is for the actions", sub), -1;
	if (strcmp(sub, "list") == 0) {
		path[0] = '\0';
		return optind == argc ? 0 : (*status = lia_cli_usage("incident", "list: no arguments"),
		    -1);
	}
	if (optind >= argc || check_id(sub, "ID", argv[optind], status) < 0) {
		if (optind >= argc)
			*status = lia_cli_usage("incident", "%s: an incident ID is required", sub);
		return -1;
	}
	snprintf(path, 128, "%s", argv[optind]);
	if (strcmp(sub, "show") == 0)
		return optind + 1 == argc ? 0 : (*status = lia_cli_usage("incident", "show: one ID"),
		    -1);
	snprintf(path, 128, "/v1/incidents/%s/%s", argv[optind], sub);
	*body = action_body(sub, argc - optind - 1, argv + optind + 1, status);
	if (*body != NULL && op != NULL)
		json_object_set_new(*body, "operator", json_string(op));
	return *body != NULL ? 0 : -1;
}

int lia_cmd_incident(struct lia_cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"open", "attach", "propose", "confirm", "note", "show",
	    "list"};
	const char *sub = argc > 1 ? argv[1] : "";
	struct lia_cli_daemon d;
	char path[128];
	json_t *body = NULL;
	int status = LIA_EXIT_OK, known = 0;

	memset(&d, 0, sizeof(d));
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		known |= strcmp(sub, subs[i]) == 0;
	if (!known)
		return strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 ? lia_cli_help("incident") :
		    lia_cli_usage("incident", "\"%.40s\" is not open, attach, propose, confirm, note, "
		    "show or list", sub);
	if (build(cli, sub, argc - 1, argv + 1, path, &body, &status) < 0 ||
	    (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	if (body != NULL)
		status = lia_cli_daemon_post(cli, &d, path, body);
	else
		status = show_or_list(cli, &d, path[0] ? path : NULL);
out:
	lia_cli_daemon_close(&d);
	json_decref(body);
	return status;
}
