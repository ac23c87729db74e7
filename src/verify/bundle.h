/*
 * bundle.h - the exported joint record ("liaison-record/1", docs/record.md)
 * and its offline verifier.
 *
 * A bundle is one JSON file holding a node's log (the exact COSE bytes of
 * every entry, in order), the checkpoints it signed over that log with their
 * cosignatures, the charter with its CA certificates and the node
 * certificates needed to check every signature. The verifier needs nothing
 * else: given the bundle alone it checks that the record is consistent with
 * itself (signatures, order, checkpoints, cosignatures, receipts), stops at
 * the first check that does not hold and names it in one sentence, and counts
 * what passed before it. Only an anchor from outside the bundle (the charter
 * file or its hash, as each party publishes it) makes the parties' CAs, and
 * so every signature, the real ones; and only the entries under a checkpoint
 * cosigned by every other party are proven not dropped or altered.
 */
#ifndef LIA_BUNDLE_H
#define LIA_BUNDLE_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "charter.h"
#include "note.h"
#include "text.h"

#define LIA_BUNDLE_FORMAT "liaison-record/1"
#define LIA_BUNDLE_SENTENCE 512    /* longest failure or warning sentence, with its NUL */
#define LIA_BUNDLE_MAX_WARNINGS 16 /* warnings kept; more are counted, not kept */
#define LIA_BUNDLE_MAX_IGNORED 16  /* ignored signature lines named; more are counted */
#define LIA_BUNDLE_VERDICT 1024    /* the verdict sentence with its NUL */

/* What the verifier trusts from outside the bundle (all NULL: nothing, the record is only self-consistent). */
struct lia_bundle_anchor {
	const char *charter_path;  /* the charter file as the auditor holds it (its CAs beside it), or NULL */
	const char *charter_hash;  /* 64 hex digits, as `liaison charter check` prints it, or NULL */
};

/* What one party of the charter did for the log. */
struct lia_bundle_party {
	char name[LIA_NAME_MAX + 1];
	int is_log_party;         /* the party of the node whose log this is */
	uint64_t cosignatures;    /* cosignature lines by its nodes that verified (other parties only) */
	uint64_t carried;         /* of the log's own party: valid lines carried, not counted */
	int cosigned_latest;      /* it cosigned the latest checkpoint */
};

/* One checkpoint that passed its checks. */
struct lia_bundle_checkpoint {
	uint64_t size;
	unsigned cosigned;        /* bit i set: parties[i] cosigned it */
};

/* The verifier's findings; filled by lia_bundle_verify*, freed by lia_bundle_report_finish. */
struct lia_bundle_report {
	int ok;                                    /* 1 when every check held */
	char check[16];                            /* name of the check that failed ("" when ok) */
	char failure[LIA_BUNDLE_SENTENCE];         /* the first thing that does not hold */
	char node[LIA_NAME_MAX + 1];               /* whose log ("" until the format check passed) */
	char origin[LIA_NOTE_NAME_MAX + 1];        /* the log's checkpoint origin */
	char mechanism[LIA_NAME_MAX + 1];
	char charter_hash[65];                     /* hex SHA-256 as liaison charter check shows it */
	int anchored;                              /* the charter matched the anchor given */
	char anchor[LIA_BUNDLE_SENTENCE];          /* what it was checked against ("" when not anchored) */
	uint64_t certs;                            /* node certificates that passed the charter */
	uint64_t entries_total;                    /* entries in the bundle */
	uint64_t entries;                          /* entries whose signature verified */
	uint64_t own_entries;                      /* of those, made by the node itself */
	uint64_t entries_in_order;                 /* entries that passed the sequence checks */
	uint64_t checkpoints_total;                /* checkpoints in the bundle */
	uint64_t checkpoints;                      /* checkpoints that passed every check */
	struct lia_bundle_checkpoint *cps;         /* those checkpoints, in order (owned) */
	uint64_t covered;                          /* size of the latest verified checkpoint */
	uint64_t cosigned_size;                    /* size of the latest one cosigned by every other party */
	uint64_t receipts;                         /* receipts and references to entries checked against them */
	int n_parties;
	struct lia_bundle_party parties[LIA_MAX_PARTIES];
	uint64_t witnessed_total;                  /* other logs' checkpoints in the bundle */
	uint64_t witnessed;                        /* of those, verified */
	int n_ignored;                             /* signature lines ignored (may exceed the kept ones) */
	char ignored[LIA_BUNDLE_MAX_IGNORED][LIA_BUNDLE_SENTENCE];
	int n_warnings;                            /* warnings found (may exceed the kept ones) */
	char warnings[LIA_BUNDLE_MAX_WARNINGS][LIA_BUNDLE_SENTENCE];
};

/* Reads the bundle at path and verifies it into report (initialised here). 0 when every check held, 1 when one failed (report names it), -1 with err when it could not be checked (unreadable file, out of memory). Call lia_bundle_report_finish after, whatever the result. */
int lia_bundle_verify(const char *path, struct lia_bundle_report *report, char *err);

/* As lia_bundle_verify on a parsed bundle (borrowed); same results. */
int lia_bundle_verify_json(json_t *bundle, struct lia_bundle_report *report, char *err);

/*
 * As lia_bundle_verify, and the bundle's charter (its text and CAs, by the charter hash) must be
 * the anchor's: the charter file at anchor->charter_path, loaded as a node loads it, and/or the
 * hash anchor->charter_hash. A mismatch, or an anchor that cannot be read, fails check "anchor".
 * report->anchored is set when every check held against an anchor. anchor may be NULL.
 */
int lia_bundle_verify_anchored(const char *path, const struct lia_bundle_anchor *anchor,
    struct lia_bundle_report *report, char *err);

/* As lia_bundle_verify_anchored on a parsed bundle (borrowed). */
int lia_bundle_verify_json_anchored(json_t *bundle, const struct lia_bundle_anchor *anchor,
    struct lia_bundle_report *report, char *err);

/* Writes the verdict, stating only what was proven, into out (LIA_BUNDLE_VERDICT bytes). */
void lia_bundle_report_verdict(const struct lia_bundle_report *report, char *out);

/* Zeroes report. */
void lia_bundle_report_init(struct lia_bundle_report *report);

/* Frees what the verifier allocated in report and zeroes it; NULL is fine. */
void lia_bundle_report_finish(struct lia_bundle_report *report);

/* Prints report for a person: verdict first, counts, checkpoints and their cosigners, warnings. */
void lia_bundle_report_print(const struct lia_bundle_report *report, FILE *out);

/* The report as a JSON object (caller decrefs), or NULL when out of memory. */
json_t *lia_bundle_report_json(const struct lia_bundle_report *report);

#endif
