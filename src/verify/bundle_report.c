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

void lia_bundle_report_ignore(struct lia_bundle_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_ignored < LIA_BUNDLE_MAX_IGNORED) {
		va_start(ap, fmt);
		vsnprintf(r->ignored[r->n_ignored], sizeof(r->ignored[0]), fmt, ap);
		va_end(ap);
		clean(r->ignored[r->n_ignored]);
	}
	r->n_ignored++;
}

/* What the checks proved about the log, for a record that passed them all. */
static void proven(const struct lia_bundle_report *r, char *out, size_t cap)
{
	uint64_t n = r->entries_total, w = r->cosigned_size;

	if (n == 0)
		snprintf(out, cap, "the record holds no entries");
	else if (w == 0)
		snprintf(out, cap, "the %" PRIu64 " entries are signed by their origins and in order, but "
		    "no checkpoint is cosigned by every other party: nothing shows that none was altered "
		    "or dropped", n);
	else if (w == n)
		snprintf(out, cap, "nothing altered, dropped, reordered or forked in the %" PRIu64
		    " entries, all under the checkpoint of size %" PRIu64 " cosigned by every other party",
		    n, w);
	else
		snprintf(out, cap, "nothing altered, dropped, reordered or forked in entries 0..%" PRIu64
		    " (the checkpoint of size %" PRIu64 " is cosigned by every other party); entries %"
		    PRIu64 "..%" PRIu64 " are not yet witnessed: signed and in order, but they could "
		    "have been altered, or more dropped after them, without a trace here", w - 1, w, w,
		    n - 1);
}

void lia_bundle_report_verdict(const struct lia_bundle_report *r, char *out)
{
	char what[LIA_BUNDLE_VERDICT - 256];

	proven(r, what, sizeof(what));
	if (!r->ok)
		snprintf(out, LIA_BUNDLE_VERDICT, "FAILED (%s): %s", r->check, r->failure);
	else if (r->anchored)
		snprintf(out, LIA_BUNDLE_VERDICT, "%s: %s", r->entries_total == 0 ? "EMPTY" :
		    r->cosigned_size > 0 ? "OK" : "NOT WITNESSED", what);
	else
		snprintf(out, LIA_BUNDLE_VERDICT, "SELF-CONSISTENT ONLY, NOT ANCHORED: the charter and "
		    "its CAs come from the bundle itself, so anyone could have made them (give --charter "
		    "FILE or --charter-hash HEX); within the bundle, %s", what);
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
	fprintf(out, "all cosigned: %" PRIu64 " entries, under the latest checkpoint every other party "
	    "cosigned\n", r->cosigned_size);
	fprintf(out, "receipts:     %" PRIu64 " checked against the entries they name\n", r->receipts);
	fputs("cosignatures:", out);
	for (int p = 0, first = 1; p < r->n_parties; p++) {
		if (!r->parties[p].is_log_party) {
			fprintf(out, "%s %s %" PRIu64, first ? "" : ",", r->parties[p].name,
			    r->parties[p].cosignatures);
			first = 0;
		}
	}
	for (int p = 0; p < r->n_parties; p++)
		if (r->parties[p].carried > 0)
			fprintf(out, " (%" PRIu64 " by %s, the log's own party, carried, not counted)",
			    r->parties[p].carried, r->parties[p].name);
	fprintf(out, "\nwitnessed:    %" PRIu64 " of %" PRIu64 " checkpoints of other logs verified\n",
	    r->witnessed, r->witnessed_total);
}

void lia_bundle_report_print(const struct lia_bundle_report *r, FILE *out)
{
	char verdict[LIA_BUNDLE_VERDICT];

	fprintf(out, "record:       %s, log %s\n", r->node[0] ? r->node : "?",
	    r->origin[0] ? r->origin : "?");
	if (r->charter_hash[0])
		fprintf(out, "charter:      %s, hash %s\n", r->mechanism, r->charter_hash);
	lia_bundle_report_verdict(r, verdict);
	fprintf(out, "verdict:      %s\n", verdict);
	fprintf(out, "anchor:       %s\n", r->anchored ? r->anchor : "none (not anchored)");
	print_counts(r, out);
	for (uint64_t i = 0; r->cps != NULL && i < r->checkpoints; i++) {
		fprintf(out, "checkpoint %" PRIu64 ": size %" PRIu64 ", cosigned by ", i, r->cps[i].size);
		print_parties(r, r->cps[i].cosigned, out);
	}
	for (int i = 0; i < r->n_ignored && i < LIA_BUNDLE_MAX_IGNORED; i++)
		fprintf(out, "ignored: %s\n", r->ignored[i]);
	if (r->n_ignored > LIA_BUNDLE_MAX_IGNORED)
		fprintf(out, "ignored: %d more\n", r->n_ignored - LIA_BUNDLE_MAX_IGNORED);
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
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "total", json_u64(r->checkpoints_total),
	    "verified", json_u64(r->checkpoints), "covered", json_u64(r->covered),
	    "cosigned_by_all", json_u64(r->cosigned_size), "list", list);
}

static json_t *party_list_json(const struct lia_bundle_report *r)
{
	json_t *a = json_array();

	for (int p = 0; a != NULL && p < r->n_parties; p++)
		json_array_append_new(a, json_pack("{s:s, s:b, s:o, s:o, s:b}", "name", r->parties[p].name,
		    "log_party", r->parties[p].is_log_party, "cosignatures",
		    json_u64(r->parties[p].cosignatures), "carried", json_u64(r->parties[p].carried),
		    "cosigned_latest", r->parties[p].cosigned_latest));
	return a;
}

json_t *lia_bundle_report_json(const struct lia_bundle_report *r)
{
	json_t *warnings = json_array(), *ignored = json_array(), *j;
	char verdict[LIA_BUNDLE_VERDICT];
	uint64_t unwitnessed = r->ok && r->entries_total > r->cosigned_size ?
	    r->entries_total - r->cosigned_size : 0;

	lia_bundle_report_verdict(r, verdict);
	for (int i = 0; warnings != NULL && i < r->n_warnings && i < LIA_BUNDLE_MAX_WARNINGS; i++)
		json_array_append_new(warnings, json_string(r->warnings[i]));
	for (int i = 0; ignored != NULL && i < r->n_ignored && i < LIA_BUNDLE_MAX_IGNORED; i++)
		json_array_append_new(ignored, json_string(r->ignored[i]));
	j = json_pack("{s:b, s:s, s:b, s:s, s:o, s:o, s:o, s:i}", "anchored", r->anchored,
	    "anchor", r->anchor, "ok", r->ok, "verdict", verdict, "unwitnessed", json_u64(unwitnessed),
	    "receipts", json_u64(r->receipts), "ignored", ignored, "ignored_total", r->n_ignored);
	if (j == NULL)
		return NULL;
	if (json_object_update_new(j, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:o}, s:o, s:o, "
	    "s:{s:o, s:o}, s:o, s:i}",
	    "check", r->check, "failure", r->failure, "node", r->node,
	    "origin", r->origin, "mechanism", r->mechanism, "charter_hash", r->charter_hash,
	    "certs", json_u64(r->certs),
	    "entries", "total", json_u64(r->entries_total), "verified", json_u64(r->entries),
	    "own", json_u64(r->own_entries), "in_order", json_u64(r->entries_in_order),
	    "checkpoints", checkpoints_json(r), "parties", party_list_json(r),
	    "witnessed", "total", json_u64(r->witnessed_total), "verified", json_u64(r->witnessed),
	    "warnings", warnings, "warnings_total", r->n_warnings)) != 0) {
		json_decref(j);
		j = NULL;
	}
	return j;
}
