/*
 * cmd_record.c - `liaison record verify BUNDLE`: checks an exported joint
 * record (docs/record.md) offline with the bundle verifier and prints its
 * report, for a person or as JSON. Needs nothing but the bundle file.
 */
#include "cmd_record.h"
#include "bundle.h"
#include "cmd.h"
#include "err.h"

#include <getopt.h>
#include <stdio.h>

#define VERIFY_USAGE "record verify [--json] BUNDLE"

static void verify_help(void)
{
	printf("usage: liaison " VERIFY_USAGE "\n\n"
	    "Check an exported joint record offline: the charter and certificates it carries,\n"
	    "every entry's signature and order, every checkpoint's signature, root and\n"
	    "consistency, forks and cosignatures. Prints the first thing that does not hold.\n"
	    "Exit status: 0 verified, 1 a check failed, 2 usage error. See docs/record.md.\n");
}

/* Reads the options; 0 to go on with *json set, else -1 with *status. */
static int verify_options(int argc, char **argv, int *json, int *status)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	while (rc == 0 && (ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (ch == 'j') {
			*json = 1;
		} else if (ch == 'h') {
			verify_help();
			*status = LIA_EXIT_OK;
			rc = -1;
		} else {
			*status = lia_cli_usage("record", "unknown option or missing value: %s",
			    argv[optind - 1]);
			rc = -1;
		}
	}
	if (rc == 0 && argc - optind != 1) {
		*status = lia_cli_usage("record", "expected exactly one BUNDLE");
		rc = -1;
	}
	return rc;
}

int cmd_record_verify(int argc, char **argv)
{
	struct lia_bundle_report report;
	char err[LIA_ERR_LEN] = "";
	int json = 0, rc, status = LIA_EXIT_FAIL;
	json_t *out;

	lia_bundle_report_init(&report);
	optind = 0; /* glibc: restart getopt for this command's options */
	if (verify_options(argc, argv, &json, &status) != 0)
		goto out;
	rc = lia_bundle_verify(argv[optind], &report, err);
	if (rc < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	if (json) {
		if ((out = lia_bundle_report_json(&report)) == NULL) {
			status = lia_cli_fail("out of memory printing the report");
			goto out;
		}
		lia_cli_print_json(out);
		json_decref(out);
	} else {
		lia_bundle_report_print(&report, stdout);
	}
	status = rc == 0 ? LIA_EXIT_OK : lia_cli_fail("%s: %s", argv[optind], report.failure);
out:
	lia_bundle_report_finish(&report);
	return status;
}
