/*
 * fuzz_bundle.c - libFuzzer target for the record verifier: arbitrary bytes
 * loaded as JSON (json_loadb, duplicate keys refused as the CLI does), then
 * lia_bundle_verify_json, then the report printed and turned into JSON.
 *
 * Properties: nothing crashes or leaks; the result is 0 with report.ok set
 * or 1 with a named check and a failure sentence (-1 only when the verifier
 * itself ran out of memory or could not make its temporary directory); the
 * counts never exceed their totals; the report always converts to JSON
 * (its sentences are valid UTF-8 whatever the input). Seeds in corpus/bundle
 * are real bundles written by test_bundle (LIA_BUNDLE_SEED_DIR=fuzz/corpus/bundle).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
	json_t *j;

	if ((rc == 0) != (r->ok == 1) || (rc == 1 && (r->check[0] == '\0' || r->failure[0] == '\0')))
		abort();
	if (r->entries > r->entries_total || r->own_entries > r->entries ||
	    r->entries_in_order > r->entries || r->checkpoints > r->checkpoints_total ||
	    r->witnessed > r->witnessed_total || r->covered > r->entries_total)
		abort();
	lia_bundle_report_print(r, sink());
	if ((j = lia_bundle_report_json(r)) == NULL)
		abort();
	json_decref(j);
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
	lia_bundle_report_finish(&r);
	json_decref(bundle);
	return 0;
}
