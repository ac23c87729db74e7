/*
 * test_signal.c - the signal catalogue in data/signals.json: every entry
 * rendered in each of the four languages with mid-range sample values (the
 * text valid UTF-8, led by the code, holding each value), the four languages
 * checked (independently of signal.c) to cover the same codes and
 * placeholders, every entry numbered once, golden renderings with units, the
 * numeric form of every value (pack, unpack) and refusals: unknown codes and
 * numbers, missing, extra, malformed and out-of-range values, and catalogue
 * files with a language missing, a placeholder mismatch or a duplicate code
 * or number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "fixture.h"
#include "signals.h"
#include "text.h"

#define CATALOGUE LIA_TEST_SOURCE_DIR "/data/signals.json"
#define EM " \xe2\x80\x94 "

/* Values for one entry: mid-range for numbers, a call-sign-like text. */
struct sample {
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char values[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
};

static void make_sample(const struct lia_signal *s, struct sample *out)
{
	size_t i;
	long mid, minutes_lo, minutes_hi;

	for (i = 0; i < s->nparams; i++) {
		const struct lia_signal_param *p = &s->params[i];

		mid = p->min + (p->max - p->min) / 2;
		switch (p->type) {
		case LIA_SIGNAL_INT: /* as rendered: three digits for degrees */
			snprintf(out->values[i], sizeof(out->values[i]), p->unit == LIA_UNIT_DEG_TRUE ?
			    "%03ld" : "%ld", mid);
			break;
		case LIA_SIGNAL_DECIMAL: /* with tenths, so that the text is the one rendered */
			if (mid % 10 == 0 && mid + 1 <= p->max)
				mid++;
			snprintf(out->values[i], sizeof(out->values[i]), "%ld.%ld", mid / 10, mid % 10);
			break;
		case LIA_SIGNAL_TIME:
			minutes_lo = p->min / 100 * 60 + p->min % 100;
			minutes_hi = p->max / 100 * 60 + p->max % 100;
			mid = minutes_lo + (minutes_hi - minutes_lo) / 2;
			snprintf(out->values[i], sizeof(out->values[i]), "%02ld%02ld", mid / 60, mid % 60);
			break;
		case LIA_SIGNAL_TEXT:
			snprintf(out->values[i], sizeof(out->values[i]), "%.*s", (int)(p->max < 6 ? p->max : 6),
			    "JA7XYZ");
			break;
		}
		out->args[i].name = p->name;
		out->args[i].value = out->values[i];
	}
}

static int setup(void **state)
{
	struct lia_signal_catalogue *cat = NULL;
	char err[LIA_ERR_LEN] = "";

	if (lia_signal_catalogue_load(CATALOGUE, &cat, err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = cat;
	return 0;
}

static int teardown(void **state)
{
	lia_signal_catalogue_free(*state);
	return 0;
}

/* The text a sample value shows in lang: as given, but a time is "HH:MM" outside English. */
static void shown_value(const struct lia_signal_param *p, enum lia_signal_lang lang, const char *v, char *out,
    size_t cap)
{
	if (p->type == LIA_SIGNAL_TIME && lang != LIA_SIGNAL_EN)
		snprintf(out, cap, "%.2s:%.2s", v, v + 2);
	else
		snprintf(out, cap, "%s", v);
}

/* Renders every entry in lang: valid UTF-8, the code leads, each value is shown, no placeholder remains. */
static void render_all(const struct lia_signal_catalogue *cat, enum lia_signal_lang lang)
{
	char out[LIA_SIGNAL_RENDER_MAX], err[LIA_ERR_LEN], lead[64], shown[LIA_SIGNAL_VALUE_MAX + 8];
	struct sample sm;
	size_t i, j;

	assert_true(cat->count >= 26);
	for (i = 0; i < cat->count; i++) {
		const struct lia_signal *s = &cat->signals[i];

		make_sample(s, &sm);
		err[0] = '\0';
		if (lia_signal_render(cat, s->code, lang, sm.args, s->nparams, out, sizeof(out), err) != 0)
			fail_msg("%s: %s", s->code, err);
		snprintf(lead, sizeof(lead), "%s" EM, s->code);
		assert_memory_equal(out, lead, strlen(lead));
		assert_null(strchr(out, '{'));
		assert_null(strchr(out, '}'));
		assert_true(strlen(out) > strlen(lead));
		if (!lia_utf8_valid((const uint8_t *)out, strlen(out)))
			fail_msg("%s: rendering is not valid UTF-8", s->code);
		for (j = 0; j < s->nparams; j++) {
			shown_value(&s->params[j], lang, sm.values[j], shown, sizeof(shown));
			if (strstr(out + strlen(lead), shown) == NULL)
				fail_msg("%s: \"%s\" lacks value %s of %s", s->code, out, shown, s->params[j].name);
		}
	}
}

static void test_render_en(void **state) { render_all(*state, LIA_SIGNAL_EN); }
static void test_render_zh(void **state) { render_all(*state, LIA_SIGNAL_ZH); }
static void test_render_ja(void **state) { render_all(*state, LIA_SIGNAL_JA); }
static void test_render_ko(void **state) { render_all(*state, LIA_SIGNAL_KO); }

/* Collects the {name} placeholders of text, sorted, joined with ','. */
static void placeholders(const char *text, char *out, size_t cap)
{
	char names[LIA_SIGNAL_PARAMS_MAX * 2][32];
	const char *p = text, *close;
	size_t n = 0, i, j;
	char tmp[32];

	while ((p = strchr(p, '{')) != NULL && n < LIA_SIGNAL_PARAMS_MAX * 2) {
		close = strchr(p, '}');
		assert_non_null(close);
		snprintf(names[n++], sizeof(names[0]), "%.*s", (int)(close - p - 1), p + 1);
		p = close + 1;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				memcpy(tmp, names[i], sizeof(tmp));
				memcpy(names[i], names[j], sizeof(tmp));
				memcpy(names[j], tmp, sizeof(tmp));
			}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(out, names[i], cap - strlen(out) - 1);
		strncat(out, ",", cap - strlen(out) - 1);
	}
}

/* Reads the file with jansson alone: each language has every code, with the placeholders of the params. */
static void test_coverage(void **state)
{
	static const char *const langs[] = {"en", "zh", "ja", "ko"};
	static const char *const categories[] = {"single-letter", "complement", "manoeuvring", "flight-operations",
	    "replenishment", "submarine-diver", "gunnery-exercise", "towing-restricted", "requests",
	    "distress-assistance", "interception"};
	const struct lia_signal_catalogue *cat = *state;
	json_error_t jerr;
	json_t *root = json_load_file(CATALOGUE, 0, &jerr), *e, *p;
	char want[256], got[256], letter[2] = "A";
	size_t i, j, l, per_lang[4] = {0};
	int found;

	assert_non_null(root);
	json_array_foreach(json_object_get(root, "signals"), i, e) {
		want[0] = '\0';
		{
			char names[256] = "";
			json_array_foreach(json_object_get(e, "params"), j, p) {
				strcat(names, "{");
				strcat(names, json_string_value(json_object_get(p, "name")));
				strcat(names, "}");
			}
			placeholders(names, want, sizeof(want));
		}
		for (l = 0; l < 4; l++) {
			const char *t = json_string_value(json_object_get(json_object_get(e, "text"), langs[l]));

			if (t == NULL)
				fail_msg("%s has no %s text", json_string_value(json_object_get(e, "code")), langs[l]);
			per_lang[l]++;
			placeholders(t, got, sizeof(got));
			if (strcmp(got, want) != 0)
				fail_msg("%s %s: placeholders %s, params %s", json_string_value(json_object_get(e, "code")),
				    langs[l], got, want);
		}
	}
	json_array_foreach(json_object_get(root, "signals"), i, e) {
		json_int_t num = json_integer_value(json_object_get(e, "number"));

		if (num < 1 || num > LIA_SIGNAL_NUMBER_MAX)
			fail_msg("%s has no number 1..%d", json_string_value(json_object_get(e, "code")),
			    LIA_SIGNAL_NUMBER_MAX);
		json_array_foreach(json_object_get(root, "signals"), j, p)
			if (j < i && json_integer_value(json_object_get(p, "number")) == num)
				fail_msg("number %d used twice", (int)num);
	}
	for (l = 1; l < 4; l++)
		assert_int_equal(per_lang[l], per_lang[0]);
	assert_int_equal(per_lang[0], cat->count);
	for (letter[0] = 'A'; letter[0] <= 'Z'; letter[0]++) {
		const struct lia_signal *s = lia_signal_find(cat, letter);

		assert_non_null(s);
		assert_string_equal(s->source, "ICS");
	}
	for (i = 0; i < sizeof(categories) / sizeof(categories[0]); i++) {
		for (found = 0, j = 0; j < cat->count; j++)
			found += strcmp(cat->signals[j].category, categories[i]) == 0;
		if (found == 0)
			fail_msg("no entry in category %s", categories[i]);
	}
	json_decref(root);
}

static void expect_render(const struct lia_signal_catalogue *cat, const char *code, enum lia_signal_lang lang,
    const struct lia_signal_arg *args, size_t n, const char *want)
{
	char out[LIA_SIGNAL_RENDER_MAX], err[LIA_ERR_LEN] = "";

	if (lia_signal_render(cat, code, lang, args, n, out, sizeof(out), err) != 0)
		fail_msg("%s: %s", code, err);
	assert_string_equal(out, want);
}

static void test_golden(void **state)
{
	const struct lia_signal_catalogue *cat = *state;
	const struct lia_signal_arg cs[] = {{"course", "45"}, {"speed", "12.5"}};
	const struct lia_signal_arg tm[] = {{"time", "0930"}};
	const struct lia_signal_arg ds[] = {{"distance", "2.0"}};
	const struct lia_signal_arg call[] = {{"callsign", "HL2AB"}};
	enum lia_signal_lang lang;

	expect_render(cat, "L-MV4", LIA_SIGNAL_EN, cs, 2,
	    "L-MV4" EM "I am holding course 045\xc2\xb0 true and speed 12.5 kn.");
	expect_render(cat, "L-MV4", LIA_SIGNAL_JA, cs, 2,
	    "L-MV4" EM "本船は針路045°（真）、速力12.5ノットを保持する。");
	expect_render(cat, "L-MV4", LIA_SIGNAL_ZH, cs, 2, "L-MV4" EM "我船保持航向045°（真）、航速12.5节。");
	expect_render(cat, "L-MV4", LIA_SIGNAL_KO, cs, 2,
	    "L-MV4" EM "본선은 현재 침로와 속력을 유지한다: 침로 045°(진), 속력 12.5노트.");
	expect_render(cat, "L-FO3", LIA_SIGNAL_EN, tm, 1, "L-FO3" EM "My flight operations will end at 0930 UTC.");
	expect_render(cat, "L-FO3", LIA_SIGNAL_ZH, tm, 1, "L-FO3" EM "我舰飞行作业将于UTC 09:30结束。");
	expect_render(cat, "L-MV13", LIA_SIGNAL_KO, ds, 1, "L-MV13" EM "본선과 최소 2해리의 거리를 유지하라.");
	expect_render(cat, "ICAO-A-CALLSIGN", LIA_SIGNAL_EN, call, 1,
	    "ICAO-A-CALLSIGN" EM "(Intercepted aircraft) CALL SIGN: my call sign is HL2AB.");
	expect_render(cat, "E", LIA_SIGNAL_EN, NULL, 0, "E" EM "I am altering course to starboard.");
	assert_int_equal(lia_signal_lang_parse("zh-Hans", &lang, NULL), 0);
	assert_int_equal(lang, LIA_SIGNAL_ZH);
	assert_int_equal(lia_signal_lang_parse("ko", &lang, NULL), 0);
	assert_int_equal(lang, LIA_SIGNAL_KO);
}

/* Expects lia_signal_check to fail with rc and a sentence holding both words. */
static void expect_refused(const struct lia_signal_catalogue *cat, const char *code,
    const struct lia_signal_arg *args, size_t n, int rc, const char *word1, const char *word2)
{
	char err[LIA_ERR_LEN] = "";

	assert_int_equal(lia_signal_check(cat, code, args, n, err), rc);
	if (strstr(err, word1) == NULL || strstr(err, word2) == NULL)
		fail_msg("\"%s\" lacks \"%s\" or \"%s\"", err, word1, word2);
}

static void test_refusals(void **state)
{
	const struct lia_signal_catalogue *cat = *state;
	const struct lia_signal_arg c360[] = {{"course", "360"}}, cneg[] = {{"course", "-1"}},
	    cnum[] = {{"course", "4x"}}, cempty[] = {{"course", ""}}, cnull[] = {{"course", NULL}};
	const struct lia_signal_arg s601[] = {{"speed", "60.1"}}, s1255[] = {{"speed", "12.55"}},
	    sdot[] = {{"speed", "12."}}, s60[] = {{"speed", "60"}};
	const struct lia_signal_arg t2400[] = {{"time", "2400"}}, t1260[] = {{"time", "1260"}},
	    t930[] = {{"time", "930"}}, t2359[] = {{"time", "2359"}};
	const struct lia_signal_arg d1000[] = {{"distance", "1000"}}, d9999[] = {{"distance", "999.9"}};
	const struct lia_signal_arg extra[] = {{"course", "10"}, {"speed", "5"}};
	const struct lia_signal_arg twice[] = {{"course", "10"}, {"course", "20"}};
	const struct lia_signal_arg brace[] = {{"callsign", "{x}"}}, longcs[] = {{"callsign", "ABCDEFGHIJKLMNOPQ"}},
	    badutf[] = {{"callsign", "\xc3("}};
	char out[16], err[LIA_ERR_LEN] = "";
	enum lia_signal_lang lang;

	expect_refused(cat, "QQQ", NULL, 0, LIA_ENOTFOUND, "unknown", "QQQ");
	expect_refused(cat, "e", NULL, 0, LIA_ENOTFOUND, "unknown", "\"e\"");
	expect_refused(cat, "L-MV1", c360, 1, LIA_ERROR, "L-MV1", "course");
	expect_refused(cat, "L-MV1", c360, 1, LIA_ERROR, "360", "0 to 359");
	expect_refused(cat, "L-MV1", cneg, 1, LIA_ERROR, "L-MV1", "course");
	expect_refused(cat, "L-MV1", cnum, 1, LIA_ERROR, "course", "whole number");
	expect_refused(cat, "L-MV1", cempty, 1, LIA_ERROR, "L-MV1", "course");
	expect_refused(cat, "L-MV1", cnull, 1, LIA_ERROR, "course", "no value");
	expect_refused(cat, "L-MV1", NULL, 0, LIA_ERROR, "course", "missing");
	expect_refused(cat, "L-MV1", extra, 2, LIA_ERROR, "L-MV1", "no parameter speed");
	expect_refused(cat, "L-MV1", twice, 2, LIA_ERROR, "course", "more than once");
	expect_refused(cat, "E", extra, 1, LIA_ERROR, "E", "course");
	expect_refused(cat, "L-MV5", s601, 1, LIA_ERROR, "speed", "60.0");
	expect_refused(cat, "L-MV5", s1255, 1, LIA_ERROR, "speed", "one decimal");
	expect_refused(cat, "L-MV5", sdot, 1, LIA_ERROR, "L-MV5", "speed");
	expect_refused(cat, "L-FO3", t2400, 1, LIA_ERROR, "L-FO3", "time");
	expect_refused(cat, "L-FO3", t1260, 1, LIA_ERROR, "time", "HHMM");
	expect_refused(cat, "L-FO3", t930, 1, LIA_ERROR, "time", "HHMM");
	expect_refused(cat, "L-MV12", d1000, 1, LIA_ERROR, "distance", "999.9");
	expect_refused(cat, "ICAO-A-CALLSIGN", brace, 1, LIA_ERROR, "callsign", "braces");
	expect_refused(cat, "ICAO-A-CALLSIGN", longcs, 1, LIA_ERROR, "callsign", "1 to 16");
	expect_refused(cat, "ICAO-A-CALLSIGN", badutf, 1, LIA_ERROR, "callsign", "UTF-8");
	assert_int_equal(lia_signal_check(cat, "L-MV5", s60, 1, err), 0);
	assert_int_equal(lia_signal_check(cat, "L-FO3", t2359, 1, err), 0);
	assert_int_equal(lia_signal_check(cat, "L-MV12", d9999, 1, err), 0);
	assert_int_equal(lia_signal_render(cat, "A", LIA_SIGNAL_EN, NULL, 0, out, sizeof(out), err), LIA_EFULL);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(lia_signal_lang_parse("fr", &lang, err), LIA_ERROR);
	assert_non_null(strstr(err, "\"fr\""));
	assert_int_equal(lia_signal_lang_parse("english", &lang, err), LIA_ERROR);
}

/* Every numeric value packs to the number it travels as and unpacks to a text that checks and renders the same. */
static void test_numeric_values(void **state)
{
	const struct lia_signal_catalogue *cat = *state;
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char back[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1], err[LIA_ERR_LEN] = "";
	char a[LIA_SIGNAL_RENDER_MAX], b[LIA_SIGNAL_RENDER_MAX];
	unsigned long num;
	struct sample sm;
	size_t i, j;

	for (i = 0; i < cat->count; i++) {
		const struct lia_signal *s = &cat->signals[i];

		assert_ptr_equal(lia_signal_find_number(cat, s->number), s);
		make_sample(s, &sm);
		for (j = 0; j < s->nparams; j++) {
			args[j] = sm.args[j];
			if (s->params[j].type == LIA_SIGNAL_TEXT) {
				assert_int_equal(lia_signal_value_pack(s, j, sm.values[j], &num, err), LIA_ERROR);
				continue;
			}
			if (lia_signal_value_pack(s, j, sm.values[j], &num, err) != 0 ||
			    lia_signal_value_unpack(s, j, num, back[j], sizeof(back[j]), err) != 0)
				fail_msg("%s %s: %s", s->code, s->params[j].name, err);
			args[j].value = back[j];
		}
		for (int l = 0; l < LIA_SIGNAL_NLANG; l++) {
			assert_int_equal(lia_signal_render(cat, s->code, (enum lia_signal_lang)l, sm.args, s->nparams,
			    a, sizeof(a), err), 0);
			assert_int_equal(lia_signal_render(cat, s->code, (enum lia_signal_lang)l, args, s->nparams,
			    b, sizeof(b), err), 0);
			assert_string_equal(a, b);
		}
	}
	/* Golden: course 045 is 45, speed 12.5 is 125 tenths, time 0930 is 930; and back. */
	const struct lia_signal *mv4 = lia_signal_find(cat, "L-MV4"), *fo3 = lia_signal_find(cat, "L-FO3");
	assert_non_null(mv4);
	assert_non_null(fo3);
	assert_int_equal(lia_signal_value_pack(mv4, 0, "045", &num, err), 0);
	assert_int_equal(num, 45);
	assert_int_equal(lia_signal_value_pack(mv4, 1, "12.5", &num, err), 0);
	assert_int_equal(num, 125);
	assert_int_equal(lia_signal_value_unpack(mv4, 1, 125, back[0], sizeof(back[0]), err), 0);
	assert_string_equal(back[0], "12.5");
	assert_int_equal(lia_signal_value_pack(fo3, 0, "0930", &num, err), 0);
	assert_int_equal(num, 930);
	assert_int_equal(lia_signal_value_unpack(fo3, 0, 930, back[0], sizeof(back[0]), err), 0);
	assert_string_equal(back[0], "0930");
	/* Refused: out of range, a time that is no HHMM, no such parameter, unknown numbers. */
	assert_int_equal(lia_signal_value_unpack(mv4, 0, 360, back[0], sizeof(back[0]), err), LIA_ERROR);
	assert_non_null(strstr(err, "course: 360 is outside"));
	assert_int_equal(lia_signal_value_unpack(mv4, 1, 601, back[0], sizeof(back[0]), err), LIA_ERROR);
	assert_int_equal(lia_signal_value_unpack(mv4, 1, 4294967295UL, back[0], sizeof(back[0]), err), LIA_ERROR);
	assert_int_equal(lia_signal_value_unpack(fo3, 0, 960, back[0], sizeof(back[0]), err), LIA_ERROR);
	assert_int_equal(lia_signal_value_unpack(mv4, 2, 1, back[0], sizeof(back[0]), err), LIA_ERROR);
	assert_int_equal(lia_signal_value_pack(mv4, 0, "360", &num, err), LIA_ERROR);
	assert_null(lia_signal_find_number(cat, 0));
	assert_null(lia_signal_find_number(cat, LIA_SIGNAL_NUMBER_MAX));
}

/* Writes body as a catalogue in a scratch dir and expects it refused with a sentence holding file, code and word. */
static void expect_bad(const char *body, const char *code, const char *word)
{
	struct lia_signal_catalogue *cat = (struct lia_signal_catalogue *)1;
	char dir[4096], path[4096], err[LIA_ERR_LEN] = "";

	fixture_tmpdir("signal", dir);
	fixture_write(dir, "signals.json", body, strlen(body), path);
	assert_int_equal(lia_signal_catalogue_load(path, &cat, err), LIA_ERROR);
	assert_null(cat);
	if (strstr(err, path) == NULL || strstr(err, code) == NULL || strstr(err, word) == NULL)
		fail_msg("\"%s\" lacks the path, \"%s\" or \"%s\"", err, code, word);
	fixture_rmrf(dir);
}

#define TXT4(s) "\"text\":{\"en\":\"" s "\",\"zh\":\"" s "\",\"ja\":\"" s "\",\"ko\":\"" s "\"}"
#define CRS "{\"name\":\"course\",\"type\":\"int\",\"unit\":\"deg_true\",\"min\":0,\"max\":359}"
#define NUMBERED(code, number) \
	"{\"code\":\"" code "\",\"number\":" number ",\"category\":\"t\",\"source\":\"ICS\",\"params\":[]," \
	TXT4("a") "}"
#define ENTRY(code, params, text) \
	"{\"code\":\"" code "\",\"category\":\"t\",\"source\":\"liaison\",\"params\":[" params "]," text "}"

static void test_bad_catalogues(void **state)
{
	struct lia_signal_catalogue *cat = NULL;
	char dir[4096], path[4096], err[LIA_ERR_LEN] = "";
	const char *good = "{\"signals\":[" ENTRY("X1", CRS, TXT4("To {course}.")) "]}";

	(void)state;
	fixture_tmpdir("signal", dir);
	fixture_write(dir, "signals.json", good, strlen(good), path);
	if (lia_signal_catalogue_load(path, &cat, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(cat->count, 1);
	lia_signal_catalogue_free(cat);
	fixture_rmrf(dir);

	expect_bad("{\"signals\":[" ENTRY("X1", "", "\"text\":{\"en\":\"a\",\"zh\":\"a\",\"ja\":\"a\"}") "]}",
	    "X1", "the ko text is missing");
	expect_bad("{\"signals\":[" ENTRY("X1", "", "\"text\":{\"en\":\"a\",\"zh\":\"a\",\"ja\":\"a\",\"ko\":\"a\","
	    "\"fr\":\"a\"}") "]}", "X1", "fr");
	expect_bad("{\"signals\":[" ENTRY("X2", CRS, "\"text\":{\"en\":\"To {course}.\",\"zh\":\"To {crs}.\","
	    "\"ja\":\"To {course}.\",\"ko\":\"To {course}.\"}") "]}", "X2", "zh text");
	expect_bad("{\"signals\":[" ENTRY("X3", CRS, "\"text\":{\"en\":\"To {course}.\",\"zh\":\"To.\","
	    "\"ja\":\"To {course}.\",\"ko\":\"To {course}.\"}") "]}", "X3", "no placeholder {course}");
	expect_bad("{\"signals\":[" ENTRY("X4", CRS, TXT4("To {course} {course}.")) "]}", "X4", "twice");
	expect_bad("{\"signals\":[" ENTRY("X5", CRS, TXT4("To {course.")) "]}", "X5", "stray brace");
	expect_bad("{\"signals\":[" ENTRY("X6", "", TXT4("a")) "," ENTRY("X7", "", TXT4("b")) ","
	    ENTRY("X6", "", TXT4("c")) "]}", "X6", "earlier entry");
	expect_bad("{\"signals\":[" ENTRY("X8", "{\"name\":\"course\",\"type\":\"int\",\"unit\":\"deg_true\","
	    "\"min\":359,\"max\":0}", TXT4("{course}")) "]}", "X8", "sane range");
	expect_bad("{\"signals\":[" ENTRY("X9", "{\"name\":\"speed\",\"type\":\"decimal\",\"unit\":\"kn\","
	    "\"min\":0,\"max\":6.05}", TXT4("{speed}")) "]}", "X9", "sane range");
	expect_bad("{\"signals\":[" ENTRY("X10", "{\"name\":\"speed\",\"type\":\"int\",\"unit\":\"kn\","
	    "\"min\":0,\"max\":60}", TXT4("{speed}")) "]}", "X10", "not one we render");
	expect_bad("{\"signals\":[" ENTRY("X11", "{\"name\":\"t\",\"type\":\"time\",\"unit\":\"UTC\","
	    "\"min\":0,\"max\":2360}", TXT4("{t}")) "]}", "X11", "sane range");
	expect_bad("{\"signals\":[" ENTRY("X12", CRS "," CRS, TXT4("{course}")) "]}", "X12", "declared twice");
	expect_bad("{\"signals\":[" ENTRY("x13", "", TXT4("a")) "]}", "x13", "is not");
	expect_bad("{\"signals\":[{\"code\":\"X14\",\"category\":\"t\",\"source\":\"navy\",\"params\":[],"
	    TXT4("a") "}]}", "X14", "source");
	expect_bad("{\"signals\":[{\"code\":\"X15\",\"category\":\"t\",\"source\":\"ICS\",\"params\":[],"
	    "\"extra\":1," TXT4("a") "}]}", "X15", "exactly");
	expect_bad("{\"signals\":[" NUMBERED("X16", "7") "," NUMBERED("X17", "7") "]}", "X17",
	    "number 7 is used by X16");
	expect_bad("{\"signals\":[" NUMBERED("X18", "0") "]}", "X18", "number must be");
	expect_bad("{\"signals\":[" NUMBERED("X19", "65536") "]}", "X19", "number must be");
	expect_bad("{\"signals\":[" NUMBERED("X20", "\"7\"") "]}", "X20", "number must be");
	expect_bad("{\"signals\":[]}", "signals", "array");
	expect_bad("{\"signals\":[", "line", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_en),
		cmocka_unit_test(test_render_zh),
		cmocka_unit_test(test_render_ja),
		cmocka_unit_test(test_render_ko),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_numeric_values),
		cmocka_unit_test(test_bad_catalogues),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
