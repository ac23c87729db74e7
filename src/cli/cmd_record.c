/*
 * cmd_record.c - `liaison record verify [--charter FILE] [--charter-hash HEX]
 * BUNDLE`: checks an exported joint record (docs/record.md) offline with the
 * bundle verifier and prints its report, for a person or as JSON. Needs the
 * bundle file and, to be anchored, the charter (or its hash) the auditor
 * trusts: without one, the record is only shown consistent with itself.
 */
#include "cmd_record.h"
#include "bundle.h"
#include "cmd.h"
#include "err.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define VERIFY_USAGE "record verify [--json] [--charter FILE] [--charter-hash HEX] BUNDLE"
#define EXIT_UNANCHORED 3 /* every check held, but against the bundle's own charter only */

static void verify_help(void)
{
	printf("usage: liaison " VERIFY_USAGE "\n\n"
	    "Check an exported joint record offline: the charter and certificates it carries,\n"
	    "every entry's signature and order, every checkpoint's signature, root and\n"
	    "consistency, forks, cosignatures and receipts. Prints the first thing that does\n"
	    "not hold, and what was proven: entries are witnessed up to the latest checkpoint\n"
	    "cosigned by every other party.\n\n"
	    "  --charter FILE       the charter you trust (with its CA files): the bundle's must be it\n"
	    "  --charter-hash HEX   the charter hash a party published (`liaison charter check`)\n\n"
	    "Exit status: 0 verified and anchored, 3 self-consistent but not anchored (no\n"
	    "--charter or --charter-hash), 1 a check failed, 2 usage error. See docs/record.md.\n");
}

/* Reads the options; 0 to go on with *json and *anchor set, else -1 with *status. */
static int verify_options(int argc, char **argv, int *json, struct lia_bundle_anchor *anchor,
    int *status)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'}, {"charter", required_argument, NULL, 'c'},
		{"charter-hash", required_argument, NULL, 'H'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch, rc = 0;

	while (rc == 0 && (ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (ch == 'j') {
			*json = 1;
		} else if (ch == 'c') {
			anchor->charter_path = optarg;
		} else if (ch == 'H') {
			anchor->charter_hash = optarg;
			if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdefABCDEF") != 64) {
				*status = lia_cli_usage("record", "--charter-hash wants 64 hex digits, not %.80s",
				    optarg);
				rc = -1;
			}
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
	struct lia_bundle_anchor anchor = { NULL, NULL };
	char err[LIA_ERR_LEN] = "";
	int json = 0, rc, status = LIA_EXIT_FAIL;
	json_t *out;

	lia_bundle_report_init(&report);
	optind = 0; /* glibc: restart getopt for this command's options */
	if (verify_options(argc, argv, &json, &anchor, &status) != 0)
		goto out;
	rc = lia_bundle_verify_anchored(argv[optind], &anchor, &report, err);
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
	if (rc != 0)
		status = lia_cli_fail("%s: %s", argv[optind], report.failure);
	else if (!report.anchored)
		status = EXIT_UNANCHORED;
	else
		status = LIA_EXIT_OK;
out:
	lia_bundle_report_finish(&report);
	return status;
}
