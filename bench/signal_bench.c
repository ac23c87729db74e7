/*
 * signal_bench.c - what a signal entry costs: bytes on the wire in the narrow
 * form (docs/wire.md, "Signal size") beside the text form and the same
 * content as compact JSON, and encode+sign and decode+verify per second.
 *
 * For each of a few representative signals it builds the entry as the node
 * does (codes and numeric values packed through the catalogue, time in whole
 * seconds, no kid), signs it with a fresh Ed25519 key and prints one line:
 *   name  narrow_cose  text_cose  json  json_signed  sign_per_s  verify_per_s
 * json is {"type","origin","seq","time","to","signals":[{"code","params"}],
 * "lat","lon"} as the API shows a signal (jansson, JSON_COMPACT); json_signed
 * adds "sig": the 64-byte signature in unpadded base64url, as a JWS-like
 * envelope without its header would. sign_per_s loops lia_entry_sign,
 * verify_per_s loops lia_entry_verify (parse, signature, decode, validate)
 * followed by the catalogue check of every code and value, each for SECONDS.
 *
 * Usage: signal_bench [SECONDS [CATALOGUE]]   (SECONDS per loop, default 2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "bench.h"
#include "clock.h"
#include "entry.h"
#include "err.h"
#include "signals.h"

#ifndef SIGNAL_BENCH_CATALOGUE
#define SIGNAL_BENCH_CATALOGUE "data/signals.json"
#endif
#define T_BENCH_MS INT64_C(1795779511000) /* 2026-11-27T11:38:31Z */

/* One representative signal entry: up to three coded signals, values as an operator types them. */
struct sample {
	const char *name;
	const char *to;
	size_t n;
	struct { const char *code; size_t np; const char *v[2]; } sig[3];
};

static const struct sample samples[] = {
	{"L-MV4 broadcast", "", 1, {{"L-MV4", 2, {"045", "12.5"}}}},
	{"L-MV4 to a unit", "cn-dd102", 1, {{"L-MV4", 2, {"045", "12.5"}}}},
	{"D (no values)", "", 1, {{"D", 0, {NULL}}}},
	{"ICAO callsign (text)", "", 1, {{"ICAO-A-CALLSIGN", 1, {"JA7XYZ"}}}},
	{"three signals", "", 3, {{"L-MV4", 2, {"045", "12.5"}}, {"L-FO3", 1, {"0930"}},
	    {"L-SD2", 2, {"270", "3.5"}}}},
};

/* Fills e in the text form (codes and values as text, RFC 3339 time, kid). */
static void make_text(const struct sample *s, struct lia_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_SIGNAL;
	snprintf(e->origin, sizeof(e->origin), "jp-dd101");
	e->seq = 65535;
	e->time_ms = T_BENCH_MS;
	snprintf(e->to, sizeof(e->to), "%s", s->to);
	e->lat = 3512345;
	e->lon = 13987654;
	e->nsignals = s->n;
	for (size_t i = 0; i < s->n; i++) {
		snprintf(e->signals[i].code, sizeof(e->signals[i].code), "%s", s->sig[i].code);
		e->signals[i].nparams = s->sig[i].np;
		for (size_t j = 0; j < s->sig[i].np; j++)
			snprintf(e->signals[i].params[j], sizeof(e->signals[i].params[j]), "%s",
			    s->sig[i].v[j]);
	}
}

/* The narrow form of e, as lia_node_send_signal makes it; -1 with err when a code is unknown. */
static int make_narrow(const struct lia_signal_catalogue *cat, struct lia_entry *e, char *err)
{
	unsigned long num;

	e->narrow = 1;
	for (size_t i = 0; i < e->nsignals; i++) {
		struct lia_entry_signal *sg = &e->signals[i];
		const struct lia_signal *def = lia_signal_find(cat, sg->code);

		if (def == NULL)
			return lia_err_set(err, "%s is not in the catalogue", sg->code), -1;
		sg->number = def->number;
		for (size_t j = 0; j < sg->nparams; j++)
			if (def->params[j].type != LIA_SIGNAL_TEXT &&
			    lia_signal_value_pack(def, j, sg->params[j], &num, err) == 0) {
				sg->is_num[j] = 1;
				sg->num[j] = (uint32_t)num;
			}
	}
	return 0;
}

/* The same content as the API's JSON for a signal, compact; caller frees. */
static char *to_json(const struct lia_entry *e, int with_sig)
{
	char when[LIA_TIME_LEN];
	json_t *sigs = json_array(), *o;
	char *out;

	for (size_t i = 0; i < e->nsignals; i++) {
		json_t *params = json_array();

		for (size_t j = 0; j < e->signals[i].nparams; j++)
			json_array_append_new(params, json_string(e->signals[i].params[j]));
		json_array_append_new(sigs, json_pack("{s:s, s:o}", "code", e->signals[i].code,
		    "params", params));
	}
	lia_time_format(e->time_ms, when);
	o = json_pack("{s:s, s:s, s:I, s:s, s:o, s:I, s:I}", "type", "signal", "origin", e->origin,
	    "seq", (json_int_t)e->seq, "time", when, "signals", sigs, "lat", (json_int_t)e->lat,
	    "lon", (json_int_t)e->lon);
	if (e->to[0] != '\0')
		json_object_set_new(o, "to", json_string(e->to));
	if (with_sig) /* 64 bytes in unpadded base64url are 86 characters */
		json_object_set_new(o, "sig", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

static size_t signed_len(const struct lia_entry *e, EVP_PKEY *key)
{
	char err[LIA_ERR_LEN];
	uint8_t *cose = NULL;
	size_t len = 0;

	if (lia_entry_sign(e, key, &cose, &len, err) != 0) {
		fprintf(stderr, "signal_bench: %s\n", err);
		exit(1);
	}
	free(cose);
	return len;
}

/* Signs e over and over for seconds; returns signatures per second. */
static double sign_rate(const struct lia_entry *e, EVP_PKEY *key, double seconds)
{
	double t0 = bench_mono_ms(), t = t0;
	long n = 0;

	while (t - t0 < seconds * 1000) {
		for (int i = 0; i < 100; i++, n++)
			signed_len(e, key);
		t = bench_mono_ms();
	}
	return n / ((t - t0) / 1000);
}

/* Verifies and checks against the catalogue, as a receiving node does (node.c signal_args). */
static void verify_once(const struct lia_signal_catalogue *cat, const uint8_t *cose, size_t len,
    EVP_PKEY *key)
{
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1], err[LIA_ERR_LEN];
	struct lia_entry d;
	int rc = lia_entry_verify(cose, len, key, &d, err);

	for (size_t i = 0; i < d.nsignals && rc == 0; i++) {
		const struct lia_entry_signal *sg = &d.signals[i];
		const struct lia_signal *def = sg->number != 0 ? lia_signal_find_number(cat, sg->number) :
		    lia_signal_find(cat, sg->code);

		rc = def == NULL ? -1 : 0;
		for (size_t j = 0; j < sg->nparams && rc == 0; j++) {
			args[j].name = def->params[j].name;
			args[j].value = sg->params[j];
			if (sg->is_num[j]) {
				rc = lia_signal_value_unpack(def, j, sg->num[j], vals[j], sizeof(vals[j]), err);
				args[j].value = vals[j];
			}
		}
		if (rc == 0)
			rc = lia_signal_check(cat, def->code, args, sg->nparams, err);
	}
	if (rc != 0) {
		fprintf(stderr, "signal_bench: verify: %s\n", err);
		exit(1);
	}
	lia_entry_finish(&d);
}

static double verify_rate(const struct lia_signal_catalogue *cat, const struct lia_entry *e,
    EVP_PKEY *key, double seconds)
{
	char err[LIA_ERR_LEN];
	uint8_t *cose = NULL;
	size_t len = 0;
	double t0, t;
	long n = 0;

	if (lia_entry_sign(e, key, &cose, &len, err) != 0)
		exit(1);
	t0 = t = bench_mono_ms();
	while (t - t0 < seconds * 1000) {
		for (int i = 0; i < 100; i++, n++)
			verify_once(cat, cose, len, key);
		t = bench_mono_ms();
	}
	free(cose);
	return n / ((t - t0) / 1000);
}

int main(int argc, char **argv)
{
	long seconds = argc > 1 ? bench_parse_count(argv[1], 600) : 2;
	const char *path = argc > 2 ? argv[2] : SIGNAL_BENCH_CATALOGUE;
	struct lia_signal_catalogue *cat = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char err[LIA_ERR_LEN];

	if (seconds < 1 || argc > 3) {
		fprintf(stderr, "usage: signal_bench [SECONDS [CATALOGUE]]\n");
		return 2;
	}
	if (key == NULL || lia_signal_catalogue_load(path, &cat, err) != 0) {
		fprintf(stderr, "signal_bench: %s\n", key == NULL ? "no Ed25519 key" : err);
		return 1;
	}
	printf("%-22s %7s %7s %5s %11s %11s %13s\n", "signal", "narrow", "text", "json",
	    "json+sig", "sign/s", "verify/s");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct lia_entry text, narrow;
		char *json, *json_sig;

		make_text(&samples[i], &text);
		narrow = text;
		if (make_narrow(cat, &narrow, err) != 0) {
			fprintf(stderr, "signal_bench: %s\n", err);
			return 1;
		}
		narrow.time_ms -= narrow.time_ms % 1000;
		json = to_json(&text, 0);
		json_sig = to_json(&text, 1);
		printf("%-22s %7zu %7zu %5zu %11zu %11.0f %13.0f\n", samples[i].name,
		    signed_len(&narrow, key), signed_len(&text, key), strlen(json), strlen(json_sig),
		    sign_rate(&narrow, key, (double)seconds),
		    verify_rate(cat, &narrow, key, (double)seconds));
		fflush(stdout);
		free(json);
		free(json_sig);
	}
	lia_signal_catalogue_free(cat);
	EVP_PKEY_free(key);
	return 0;
}
