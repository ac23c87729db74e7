/*
 * cmd_record_node.c - `liaison record ...`: the joint record as this node's
 * daemon keeps it (status, log, an entry's proofs in both logs, consistency,
 * export), and `record verify`, which is offline (cmd_record.c).
 */
#include "cmd.h"
#include "cmd_record.h"
#include "conf.h"
#include "err.h"
#include "id.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROOF_TIMEOUT_S 15
#define EXPORT_TIMEOUT_S 120

/* Options common to every record subcommand, then exactly `want` operands; -1 with *status otherwise. */
static int record_operands(struct lia_cli *cli, int argc, char **argv, int want, int *status)
{
	static const struct option options[] = {LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
	int ch, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		r = lia_cli_common_option(cli, "record", ch, argv, status);
		if (r < 0)
			return -1;
		if (r == 0) {
			*status = lia_cli_usage("record", "unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != want) {
		*status = lia_cli_usage("record", "%s takes %d argument%s", argv[0], want,
		    want == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* GET path from the daemon into *reply (caller decrefs); returns an exit status. */
static int record_get(struct lia_cli *cli, const char *path, int timeout_s, json_t **reply)
{
	struct lia_cli_daemon d;
	int status, http = 0;

	*reply = NULL;
	status = lia_cli_daemon_open(cli, &d);
	if (status == LIA_EXIT_OK)
		status = lia_cli_daemon_call(&d, "GET", path, NULL, timeout_s, &http, reply);
	if (status == LIA_EXIT_OK && http != 200) {
		status = lia_cli_daemon_refused(&d, http, *reply);
		json_decref(*reply);
		*reply = NULL;
	}
	lia_cli_daemon_close(&d);
	return status;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "-";
}

static void print_names(const char *label, const json_t *names)
{
	size_t i;
	json_t *v;

	printf("%s", label);
	if (json_array_size(names) == 0)
		printf(" nobody yet");
	json_array_foreach(names, i, v)
		printf("%s%s", i ? ", " : " ", json_string_value(v));
	putchar('\n');
}

static void print_status(const json_t *r)
{
	const json_t *cp = json_object_get(r, "checkpoint"), *w = json_object_get(r, "witnessed");
	const char *peer;
	json_t *v;

	printf("    origin: %s\n      size: %" JSON_INTEGER_FORMAT " entries\n      root: %s\n",
	    str(r, "origin"), json_integer_value(json_object_get(r, "size")), str(r, "root"));
	if (json_is_object(cp)) {
		printf("checkpoint: size %" JSON_INTEGER_FORMAT "\n",
		    json_integer_value(json_object_get(cp, "size")));
		print_names(" cosigned:", json_object_get(cp, "cosigned_by"));
	} else {
		printf("checkpoint: none yet\n");
	}
	json_object_foreach((json_t *)w, peer, v)
		printf(" witnessed: %s's log at size %" JSON_INTEGER_FORMAT "\n", peer,
		    json_integer_value(json_object_get(v, "size")));
	printf("  evidence: %zu record%s, %" JSON_INTEGER_FORMAT " alarm%s since start\n",
	    json_array_size(json_object_get(r, "evidence")),
	    json_array_size(json_object_get(r, "evidence")) == 1 ? "" : "s",
	    json_integer_value(json_object_get(r, "alarms")),
	    json_integer_value(json_object_get(r, "alarms")) == 1 ? "" : "s");
}

static int record_status(struct lia_cli *cli, int argc, char **argv)
{
	json_t *reply = NULL;
	int status;

	if (record_operands(cli, argc, argv, 0, &status) < 0)
		return status;
	status = record_get(cli, "/v1/record", 10, &reply);
	if (status == LIA_EXIT_OK)
		cli->json ? lia_cli_print_json(reply) : print_status(reply);
	json_decref(reply);
	return status;
}

/* Prints one log's answer; returns 1 when it holds. */
static int print_log_proof(const json_t *log)
{
	int ok = json_is_true(json_object_get(log, "verified"));

	printf("%-10s ", str(log, "node"));
	if (ok) {
		printf("in the log at index %" JSON_INTEGER_FORMAT " under checkpoint %"
		    JSON_INTEGER_FORMAT ": inclusion proof valid, checkpoint signature valid\n",
		    json_integer_value(json_object_get(log, "index")),
		    json_integer_value(json_object_get(log, "checkpoint_size")));
		print_names("           cosigned by", json_object_get(log, "cosigned_by"));
	} else {
		printf("NOT SHOWN: ");
		lia_cli_put_text(stdout, str(log, "error"), 0);
		putchar('\n');
	}
	return ok;
}

static int record_proof(struct lia_cli *cli, int argc, char **argv)
{
	char origin[LIA_NAME_MAX + 1], err[LIA_ERR_LEN], path[128];
	json_t *reply = NULL, *log;
	uint64_t seq;
	size_t i;
	int status, all = 1;

	if (record_operands(cli, argc, argv, 1, &status) < 0)
		return status;
	if (lia_id_parse(argv[optind], origin, &seq, err) < 0)
		return lia_cli_usage("record", "%s", err);
	snprintf(path, sizeof(path), "/v1/record/entries/%s/%" PRIu64, origin, seq);
	status = record_get(cli, path, PROOF_TIMEOUT_S, &reply);
	if (status != LIA_EXIT_OK)
		return status;
	if (cli->json)
		lia_cli_print_json(reply);
	json_array_foreach(json_object_get(reply, "logs"), i, log)
		if (!(cli->json ? json_is_true(json_object_get(log, "verified")) : print_log_proof(log)))
			all = 0;
	json_decref(reply);
	return all ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}

/* GET base?a=FIRST&b=SECOND for the two whole-number operands; prints the JSON. */
static int record_paged(struct lia_cli *cli, int argc, char **argv, const char *base,
    const char *a, const char *b)
{
	char path[160];
	json_t *reply = NULL;
	int status;

	if (record_operands(cli, argc, argv, 2, &status) < 0)
		return status;
	if (strspn(argv[optind], "0123456789") != strlen(argv[optind]) ||
	    strspn(argv[optind + 1], "0123456789") != strlen(argv[optind + 1]) ||
	    strlen(argv[optind]) > 18 || strlen(argv[optind + 1]) > 18)
		return lia_cli_usage("record", "%s takes two whole numbers", argv[0]);
	snprintf(path, sizeof(path), "%s?%s=%s&%s=%s", base, a, argv[optind], b, argv[optind + 1]);
	status = record_get(cli, path, 10, &reply);
	if (status == LIA_EXIT_OK)
		lia_cli_print_json(reply);
	json_decref(reply);
	return status;
}

static int record_export(struct lia_cli *cli, int argc, char **argv)
{
	char err[LIA_ERR_LEN];
	json_t *reply = NULL;
	char *text = NULL;
	int status;

	if (record_operands(cli, argc, argv, 1, &status) < 0)
		return status;
	status = record_get(cli, "/v1/record/export", EXPORT_TIMEOUT_S, &reply);
	if (status != LIA_EXIT_OK)
		return status;
	text = json_dumps(reply, JSON_INDENT(1) | JSON_SORT_KEYS);
	/*
	 * 0600: the bundle is for auditors, but it holds every message text and
	 * operator name of the hotline; handing it over is the operator's act
	 * (chmod or copy), not something every local account gets by default.
	 */
	if (text == NULL || lia_write_file_atomic(argv[optind], text, strlen(text), 0600, err) < 0)
		status = lia_cli_fail("%s", text ? err : "out of memory");
	else
		printf("wrote %s: %zu entries, %zu checkpoints\n", argv[optind],
		    json_array_size(json_object_get(reply, "entries")),
		    json_array_size(json_object_get(reply, "checkpoints")));
	free(text);
	json_decref(reply);
	return status;
}

/* record verify reads its own options (cmd_record.c); a global --json is passed on to it. */
static int record_verify(struct lia_cli *cli, int argc, char **argv)
{
	char **args;
	int status;

	optind = 1;
	if (!cli->json)
		return cmd_record_verify(argc, argv);
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (args == NULL)
		return lia_cli_fail("out of memory");
	args[0] = argv[0];
	args[1] = "--json";
	memcpy(args + 2, argv + 1, (size_t)(argc - 1) * sizeof(*args));
	status = cmd_record_verify(argc + 1, args);
	free(args);
	return status;
}

int lia_cmd_record(struct lia_cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "status") == 0)
		return record_status(cli, argc - 1, argv + 1);
	if (strcmp(sub, "proof") == 0)
		return record_proof(cli, argc - 1, argv + 1);
	if (strcmp(sub, "log") == 0)
		return record_paged(cli, argc - 1, argv + 1, "/v1/record/log", "from", "limit");
	if (strcmp(sub, "inclusion") == 0)
		return record_paged(cli, argc - 1, argv + 1, "/v1/record/inclusion", "index", "size");
	if (strcmp(sub, "consistency") == 0)
		return record_paged(cli, argc - 1, argv + 1, "/v1/record/consistency", "old", "new");
	if (strcmp(sub, "export") == 0)
		return record_export(cli, argc - 1, argv + 1);
	if (strcmp(sub, "verify") == 0)
		return record_verify(cli, argc - 1, argv + 1);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
		return lia_cli_help("record");
	return lia_cli_usage("record", "unknown subcommand \"%.40s\"", sub);
}
