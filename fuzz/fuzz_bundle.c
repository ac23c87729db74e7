/*
 * fuzz_bundle.c - libFuzzer target for the record verifier: arbitrary bytes
 * loaded as JSON (json_loadb, duplicate keys refused as the CLI does), then
 * lia_bundle_verify_json, then the report printed and turned into JSON.
 *
 * Properties: nothing crashes or leaks; the result is 0 with report.ok set
 * or 1 with a named check and a failure sentence (-1 only when the verifier
 * itself ran out of memory or could not make its temporary directory); the
 * counts never exceed their totals (and what every other party cosigned
 * never exceeds what a checkpoint covers); the report and its verdict always
 * convert to JSON (its sentences are valid UTF-8 whatever the input). A
 * bundle that verified verifies again, anchored, against its own charter hash,
 * and fails check "anchor" against another. Seeds in corpus/bundle are real
 * bundles written by test_bundle (LIA_BUNDLE_SEED_DIR=fuzz/corpus/bundle),
 * among them notes with extra signature lines: unknown keys, an outside
 * witness, a second line under the log's name, bogus lines under the log's and
 * the witnesses' names and key IDs put first, a same-party cosignature.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bundle.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		abort();
	return f;
}

static void check_report(const struct lia_bundle_report *r, int rc)
{
	char verdict[LIA_BUNDLE_VERDICT];
	json_t *j;

	if ((rc == 0) != (r->ok == 1) || (rc == 1 && (r->check[0] == '\0' || r->failure[0] == '\0')))
		abort();
	if (r->entries > r->entries_total || r->own_entries > r->entries ||
	    r->entries_in_order > r->entries || r->checkpoints > r->checkpoints_total ||
	    r->witnessed > r->witnessed_total || r->covered > r->entries_total ||
	    r->cosigned_size > r->covered || r->n_ignored < 0 || (r->anchored && !r->ok))
		abort();
	lia_bundle_report_verdict(r, verdict);
	if (strlen(verdict) == 0)
		abort();
	lia_bundle_report_print(r, sink());
	if ((j = lia_bundle_report_json(r)) == NULL)
		abort();
	json_decref(j);
}

/* A bundle that verified: anchored by its own charter hash it still does; by another it fails "anchor". */
static void check_anchored(json_t *bundle, const char *hash)
{
	struct lia_bundle_report r;
	struct lia_bundle_anchor a = { NULL, hash };
	char err[LIA_ERR_LEN] = "", other[65];
	int rc = lia_bundle_verify_json_anchored(bundle, &a, &r, err);

	if (rc == 0 && !r.anchored)
		abort();
	if (rc >= 0)
		check_report(&r, rc);
	lia_bundle_report_finish(&r);
	snprintf(other, sizeof(other), "%s", hash);
	other[0] = other[0] == '0' ? '1' : '0';
	a.charter_hash = other;
	rc = lia_bundle_verify_json_anchored(bundle, &a, &r, err);
	if (rc == 0 || (rc == 1 && strcmp(r.check, "anchor") != 0))
		abort();
	lia_bundle_report_finish(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";
	json_error_t jerr;
	json_t *bundle = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (bundle == NULL)
		return 0;
	rc = lia_bundle_verify_json(bundle, &r, err);
	if (rc < 0 && err[0] == '\0')
		abort();
	if (rc >= 0)
		check_report(&r, rc);
	if (rc == 0)
		check_anchored(bundle, r.charter_hash);
	lia_bundle_report_finish(&r);
	json_decref(bundle);
	return 0;
}
