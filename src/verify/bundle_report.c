/*
 * bundle_report.c - the record verifier's report: the first failure and the
 * warnings as sentences, and the report printed for a person or as JSON.
 *
 * Sentences quote bits of a hostile bundle (member names, key names), so
 * each is cleaned as it is recorded: what is not well-formed UTF-8, and
 * control, C1 and bidirectional-override characters, become '?', so the
 * report can neither drive a terminal nor break the JSON output.
 */
#include "bundle.h"
#include "bundle_internal.h"
#include "text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void lia_bundle_report_init(struct lia_bundle_report *report)
{
	memset(report, 0, sizeof(*report));
}

void lia_bundle_report_finish(struct lia_bundle_report *report)
{
	if (report == NULL)
		return;
	free(report->cps);
	memset(report, 0, sizeof(*report));
}

/* Replaces in place whatever could drive a terminal or is not UTF-8 with '?' (text.h). */
static void clean(char *s)
{
	lia_text_sanitize(s, s, strlen(s), 0);
}

int lia_bundle_report_fail(struct lia_bundle_report *r, const char *check, const char *fmt, ...)
{
	va_list ap;

	if (r->failure[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
		va_end(ap);
		clean(r->failure);
		snprintf(r->check, sizeof(r->check), "%s", check);
	}
	r->ok = 0;
	return -1;
}

void lia_bundle_report_warn(struct lia_bundle_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_warnings < LIA_BUNDLE_MAX_WARNINGS) {
		va_start(ap, fmt);
		vsnprintf(r->warnings[r->n_warnings], sizeof(r->warnings[0]), fmt, ap);
		va_end(ap);
		clean(r->warnings[r->n_warnings]);
	}
	r->n_warnings++;
}

/* ---- for a person ---- */

/* "china, korea", or "nobody", for the parties set in mask. */
static void print_parties(const struct lia_bundle_report *r, unsigned mask, FILE *out)
{
	int any = 0;

	for (int p = 0; p < r->n_parties; p++) {
		if ((mask >> p) & 1) {
			fprintf(out, "%s%s", any ? ", " : "", r->parties[p].name);
			any = 1;
		}
	}
	fputs(any ? "\n" : "nobody\n", out);
}

static void print_counts(const struct lia_bundle_report *r, FILE *out)
{
	fprintf(out, "certificates: %" PRIu64 " accepted by the charter\n", r->certs);
	fprintf(out, "entries:      %" PRIu64 " of %" PRIu64 " signed by their origin (%" PRIu64
	    " the node's own), %" PRIu64 " in order\n", r->entries, r->entries_total, r->own_entries,
	    r->entries_in_order);
	fprintf(out, "checkpoints:  %" PRIu64 " of %" PRIu64 " verified, covering %" PRIu64 " entries\n",
	    r->checkpoints, r->checkpoints_total, r->covered);
	fputs("cosignatures:", out);
	for (int p = 0, first = 1; p < r->n_parties; p++) {
		if (!r->parties[p].is_log_party) {
			fprintf(out, "%s %s %" PRIu64, first ? "" : ",", r->parties[p].name,
			    r->parties[p].cosignatures);
			first = 0;
		}
	}
	fprintf(out, "\nwitnessed:    %" PRIu64 " of %" PRIu64 " checkpoints of other logs verified\n",
	    r->witnessed, r->witnessed_total);
}

void lia_bundle_report_print(const struct lia_bundle_report *r, FILE *out)
{
	fprintf(out, "record:       %s, log %s\n", r->node[0] ? r->node : "?",
	    r->origin[0] ? r->origin : "?");
	if (r->charter_hash[0])
		fprintf(out, "charter:      %s, hash %s\n", r->mechanism, r->charter_hash);
	if (r->ok)
		fputs("verdict:      OK: nothing altered, dropped, reordered or forked\n", out);
	else
		fprintf(out, "verdict:      FAILED (%s): %s\n", r->check, r->failure);
	print_counts(r, out);
	for (uint64_t i = 0; r->cps != NULL && i < r->checkpoints; i++) {
		fprintf(out, "checkpoint %" PRIu64 ": size %" PRIu64 ", cosigned by ", i, r->cps[i].size);
		print_parties(r, r->cps[i].cosigned, out);
	}
	for (int i = 0; i < r->n_warnings && i < LIA_BUNDLE_MAX_WARNINGS; i++)
		fprintf(out, "warning: %s\n", r->warnings[i]);
	if (r->n_warnings > LIA_BUNDLE_MAX_WARNINGS)
		fprintf(out, "warning: %d more\n", r->n_warnings - LIA_BUNDLE_MAX_WARNINGS);
}

/* ---- as JSON ---- */

static json_t *json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *parties_json(const struct lia_bundle_report *r, unsigned mask)
{
	json_t *a = json_array();

	for (int p = 0; a != NULL && p < r->n_parties; p++)
		if ((mask >> p) & 1)
			json_array_append_new(a, json_string(r->parties[p].name));
	return a;
}

static json_t *checkpoints_json(const struct lia_bundle_report *r)
{
	json_t *list = json_array();

	for (uint64_t i = 0; list != NULL && r->cps != NULL && i < r->checkpoints; i++)
		json_array_append_new(list, json_pack("{s:o, s:o}", "size", json_u64(r->cps[i].size),
		    "cosigned_by", parties_json(r, r->cps[i].cosigned)));
	return json_pack("{s:o, s:o, s:o, s:o}", "total", json_u64(r->checkpoints_total),
	    "verified", json_u64(r->checkpoints), "covered", json_u64(r->covered), "list", list);
}

static json_t *party_list_json(const struct lia_bundle_report *r)
{
	json_t *a = json_array();

	for (int p = 0; a != NULL && p < r->n_parties; p++)
		json_array_append_new(a, json_pack("{s:s, s:b, s:o, s:b}", "name", r->parties[p].name,
		    "log_party", r->parties[p].is_log_party, "cosignatures",
		    json_u64(r->parties[p].cosignatures), "cosigned_latest",
		    r->parties[p].cosigned_latest));
	return a;
}

json_t *lia_bundle_report_json(const struct lia_bundle_report *r)
{
	json_t *warnings = json_array();

	for (int i = 0; warnings != NULL && i < r->n_warnings && i < LIA_BUNDLE_MAX_WARNINGS; i++)
		json_array_append_new(warnings, json_string(r->warnings[i]));
	return json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:o}, s:o, s:o, "
	    "s:{s:o, s:o}, s:o, s:i}",
	    "ok", r->ok, "check", r->check, "failure", r->failure, "node", r->node,
	    "origin", r->origin, "mechanism", r->mechanism, "charter_hash", r->charter_hash,
	    "certs", json_u64(r->certs),
	    "entries", "total", json_u64(r->entries_total), "verified", json_u64(r->entries),
	    "own", json_u64(r->own_entries), "in_order", json_u64(r->entries_in_order),
	    "checkpoints", checkpoints_json(r), "parties", party_list_json(r),
	    "witnessed", "total", json_u64(r->witnessed_total), "verified", json_u64(r->witnessed),
	    "warnings", warnings, "warnings_total", r->n_warnings);
}
