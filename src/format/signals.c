/*
 * signals.c - load and check the signal catalogue, check parameter values,
 * render a signal in one of the four languages.
 *
 * The catalogue file is read as untrusted text: every entry must have a code
 * of [A-Z0-9-], a category, a known source, parameters with a known type,
 * a unit that fits the type and a sane range, and a text in each language
 * whose {name} placeholders are exactly the parameters, each once. Codes are
 * unique. Values are checked strictly (digits only, tenths at most, HHMM
 * with HH < 24 and MM < 60, UTF-8 text without braces or control bytes).
 */
#include "signals.h"
#include "err.h"
#include "text.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lang_tags[LIA_SIGNAL_NLANG] = {"en", "zh", "ja", "ko"};
static const char *const sources[] = {"ICS", "CUES", "ICAO", "liaison"};
static const char *const type_names[] = {"int", "decimal", "time", "text"};
static const char *const unit_names[] = {"", "deg_true", "kn", "nmi", "UTC"};

/* What goes before and after a value, per unit and language. */
static const char *const unit_affix[][LIA_SIGNAL_NLANG][2] = {
	[LIA_UNIT_NONE] = {{"", ""}, {"", ""}, {"", ""}, {"", ""}},
	[LIA_UNIT_DEG_TRUE] = {{"", "\xc2\xb0 true"}, {"", "\xc2\xb0\xef\xbc\x88\xe7\x9c\x9f\xef\xbc\x89"},
	    {"", "\xc2\xb0\xef\xbc\x88\xe7\x9c\x9f\xef\xbc\x89"}, {"", "\xc2\xb0(\xec\xa7\x84)"}},
	[LIA_UNIT_KNOT] = {{"", " kn"}, {"", "\xe8\x8a\x82"}, {"", "\xe3\x83\x8e\xe3\x83\x83\xe3\x83\x88"},
	    {"", "\xeb\x85\xb8\xed\x8a\xb8"}},
	[LIA_UNIT_NMI] = {{"", " NM"}, {"", "\xe6\xb5\xb7\xe9\x87\x8c"}, {"", "\xe6\xb5\xb7\xe9\x87\x8c"},
	    {"", "\xed\x95\xb4\xeb\xa6\xac"}},
	[LIA_UNIT_UTC] = {{"", " UTC"}, {"UTC ", ""}, {"UTC ", ""}, {"UTC ", ""}},
};

/* Index of s in names[0..n), or -1. */
static int name_index(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int code_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > LIA_SIGNAL_CODE_MAX || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static int param_name_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > LIA_SIGNAL_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* The bounds a range must stay within for each type. */
static void type_bounds(enum lia_signal_type t, long *lo, long *hi)
{
	static const long bounds[][2] = {{0, 999999}, {0, 99999}, {0, 2359}, {0, LIA_SIGNAL_VALUE_MAX}};

	*lo = bounds[t][0];
	*hi = bounds[t][1];
}

static int unit_fits(enum lia_signal_type t, enum lia_signal_unit u)
{
	switch (u) {
	case LIA_UNIT_NONE: return t == LIA_SIGNAL_INT || t == LIA_SIGNAL_TEXT;
	case LIA_UNIT_DEG_TRUE: return t == LIA_SIGNAL_INT;
	case LIA_UNIT_KNOT:
	case LIA_UNIT_NMI: return t == LIA_SIGNAL_DECIMAL;
	case LIA_UNIT_UTC: return t == LIA_SIGNAL_TIME;
	}
	return 0;
}

/* Reads a range bound: a whole number, or for decimals a number with at most tenths. */
static int read_bound(json_t *v, enum lia_signal_type t, long *out)
{
	double tenths;
	long r;

	if (t == LIA_SIGNAL_DECIMAL) {
		if (!json_is_number(v))
			return -1;
		tenths = json_number_value(v) * 10.0;
		if (!(tenths >= 0 && tenths <= 1e9)) /* also refuses NaN */
			return -1;
		r = (long)(tenths + 0.5);
		if (tenths - (double)r > 1e-6 || (double)r - tenths > 1e-6)
			return -1;
		*out = r;
		return 0;
	}
	if (!json_is_integer(v))
		return -1;
	*out = (long)json_integer_value(v);
	return 0;
}

/* A time bound or value HHMM with HH < 24 and MM < 60. */
static int hhmm_valid(long t)
{
	return t >= 0 && t / 100 < 24 && t % 100 < 60;
}

static int parse_param(const char *path, const char *code, json_t *jp, struct lia_signal_param *p, char *err)
{
	const char *name = NULL, *type = NULL, *unit = NULL;
	json_t *jmin = NULL, *jmax = NULL;
	long lo, hi;
	int t, u;

	if (json_unpack(jp, "{s:s, s:s, s:s, s:o, s:o !}", "name", &name, "type", &type, "unit", &unit,
	        "min", &jmin, "max", &jmax) != 0) {
		lia_err_set(err, "%s: signal %s: a parameter must be an object with exactly name, type, unit, min and max",
		    path, code);
		return -1;
	}
	if (!param_name_valid(name)) {
		lia_err_set(err, "%s: signal %s: parameter name \"%.40s\" is not 1-%d of [a-z0-9_] starting with a letter",
		    path, code, name, LIA_SIGNAL_NAME_MAX);
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	t = name_index(type, type_names, 4);
	u = name_index(unit, unit_names, 5);
	if (t < 0 || u < 0 || !unit_fits((enum lia_signal_type)t, (enum lia_signal_unit)u)) {
		lia_err_set(err, "%s: signal %s: parameter %s: type \"%.20s\" with unit \"%.20s\" is not one we render",
		    path, code, name, type, unit);
		return -1;
	}
	p->type = (enum lia_signal_type)t;
	p->unit = (enum lia_signal_unit)u;
	type_bounds(p->type, &lo, &hi);
	if (read_bound(jmin, p->type, &p->min) != 0 || read_bound(jmax, p->type, &p->max) != 0 ||
	    p->min < lo || p->max > hi || p->min > p->max ||
	    (p->type == LIA_SIGNAL_TIME && (!hhmm_valid(p->min) || !hhmm_valid(p->max))) ||
	    (p->type == LIA_SIGNAL_TEXT && p->max == 0)) {
		lia_err_set(err, "%s: signal %s: parameter %s: min and max are not a sane range for a %s",
		    path, code, name, type);
		return -1;
	}
	return 0;
}

/* Checks that the {name} placeholders of text are exactly the entry's parameters, each once. */
static int check_placeholders(const char *path, const struct lia_signal *s, const char *lang, const char *text,
    char *err)
{
	unsigned seen[LIA_SIGNAL_PARAMS_MAX] = {0};
	const char *p = text, *close;
	size_t i, len;

	while ((p = strpbrk(p, "{}")) != NULL) {
		close = *p == '{' ? strchr(p + 1, '}') : NULL;
		len = close != NULL ? (size_t)(close - p - 1) : 0;
		for (i = 0; close != NULL && i < s->nparams; i++)
			if (strlen(s->params[i].name) == len && memcmp(p + 1, s->params[i].name, len) == 0)
				break;
		if (close == NULL || i == s->nparams || seen[i]++ > 0) {
			lia_err_set(err, "%s: signal %s: the %s text has a stray brace or a placeholder that is not "
			    "a parameter, or names one twice, at \"%.24s\"", path, s->code, lang, p);
			return -1;
		}
		p = close + 1;
	}
	for (i = 0; i < s->nparams; i++)
		if (!seen[i]) {
			lia_err_set(err, "%s: signal %s: the %s text has no placeholder {%s}", path, s->code, lang,
			    s->params[i].name);
			return -1;
		}
	return 0;
}

static int parse_texts(const char *path, json_t *jt, struct lia_signal *s, char *err)
{
	const char *key, *text;
	json_t *v;
	int i;

	if (!json_is_object(jt)) {
		lia_err_set(err, "%s: signal %s: \"text\" must be an object of languages", path, s->code);
		return -1;
	}
	json_object_foreach(jt, key, v) {
		if (name_index(key, lang_tags, LIA_SIGNAL_NLANG) < 0) {
			lia_err_set(err, "%s: signal %s: text in \"%.20s\", not one of en, zh, ja, ko", path, s->code, key);
			return -1;
		}
	}
	for (i = 0; i < LIA_SIGNAL_NLANG; i++) {
		v = json_object_get(jt, lang_tags[i]);
		text = json_string_value(v);
		if (text == NULL || json_string_length(v) == 0 || json_string_length(v) > LIA_SIGNAL_TEXT_MAX ||
		    strlen(text) != json_string_length(v)) {
			lia_err_set(err, "%s: signal %s: the %s text is missing, empty or longer than %d bytes",
			    path, s->code, lang_tags[i], LIA_SIGNAL_TEXT_MAX);
			return -1;
		}
		if (check_placeholders(path, s, lang_tags[i], text, err) != 0)
			return -1;
		s->text[i] = strdup(text);
		if (s->text[i] == NULL)
			abort();
	}
	return 0;
}

static int parse_entry(const char *path, size_t idx, json_t *je, struct lia_signal *s, char *err)
{
	const char *code = NULL, *category = NULL, *source = NULL;
	json_t *jparams = NULL, *jtext = NULL, *jnumber = NULL, *jp;
	size_t i, j;

	if (json_unpack(je, "{s:s, s?o, s:s, s:s, s:o, s:o !}", "code", &code, "number", &jnumber,
	        "category", &category, "source", &source, "params", &jparams, "text", &jtext) != 0) {
		lia_err_set(err, "%s: signal #%zu (%.30s): an entry must be an object with exactly code, category, "
		    "source, params and text, and optionally number", path, idx + 1, code != NULL ? code : "no code");
		return -1;
	}
	if (!code_valid(code)) {
		lia_err_set(err, "%s: signal #%zu: code \"%.30s\" is not 1-%d of [A-Z0-9-]", path, idx + 1, code,
		    LIA_SIGNAL_CODE_MAX);
		return -1;
	}
	snprintf(s->code, sizeof(s->code), "%s", code);
	if (jnumber != NULL && (!json_is_integer(jnumber) || json_integer_value(jnumber) < 1 ||
	    json_integer_value(jnumber) > LIA_SIGNAL_NUMBER_MAX)) {
		lia_err_set(err, "%s: signal %s: number must be a whole number from 1 to %d", path, code,
		    LIA_SIGNAL_NUMBER_MAX);
		return -1;
	}
	s->number = jnumber != NULL ? (unsigned)json_integer_value(jnumber) : 0;
	if (category[0] == '\0' || name_index(source, sources, 4) < 0) {
		lia_err_set(err, "%s: signal %s: empty category or source \"%.20s\" not ICS, CUES, ICAO or liaison",
		    path, code, source);
		return -1;
	}
	s->category = strdup(category);
	s->source = strdup(source);
	if (s->category == NULL || s->source == NULL)
		abort();
	if (!json_is_array(jparams) || json_array_size(jparams) > LIA_SIGNAL_PARAMS_MAX) {
		lia_err_set(err, "%s: signal %s: params must be an array of at most %d", path, code,
		    LIA_SIGNAL_PARAMS_MAX);
		return -1;
	}
	json_array_foreach(jparams, i, jp) {
		if (parse_param(path, code, jp, &s->params[i], err) != 0)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(s->params[j].name, s->params[i].name) == 0) {
				lia_err_set(err, "%s: signal %s: parameter %s is declared twice", path, code,
				    s->params[i].name);
				return -1;
			}
		s->nparams = i + 1;
	}
	return parse_texts(path, jtext, s, err);
}

int lia_signal_catalogue_load(const char *path, struct lia_signal_catalogue **out, char *err)
{
	struct lia_signal_catalogue *cat = NULL;
	json_error_t jerr;
	json_t *root = NULL, *list, *je;
	size_t i, j;
	int rc = LIA_ERROR;

	*out = NULL;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		lia_err_set(err, "%s: line %d: %s", path, jerr.line, jerr.text);
		goto out;
	}
	list = json_object_get(root, "signals");
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > LIA_SIGNAL_MAX) {
		lia_err_set(err, "%s: \"signals\" must be an array of 1 to %d entries", path, LIA_SIGNAL_MAX);
		goto out;
	}
	cat = calloc(1, sizeof(*cat));
	if (cat == NULL || (cat->signals = calloc(json_array_size(list), sizeof(*cat->signals))) == NULL)
		abort();
	json_array_foreach(list, i, je) {
		cat->count = i + 1; /* so that a failed entry is freed with the others */
		if (parse_entry(path, i, je, &cat->signals[i], err) != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(cat->signals[j].code, cat->signals[i].code) == 0) {
				lia_err_set(err, "%s: signal %s: the code is used by an earlier entry", path,
				    cat->signals[i].code);
				goto out;
			} else if (cat->signals[i].number != 0 &&
			    cat->signals[j].number == cat->signals[i].number) {
				lia_err_set(err, "%s: signal %s: number %u is used by %s, an earlier entry "
				    "(numbers travel in place of codes and must be unique)", path,
				    cat->signals[i].code, cat->signals[i].number, cat->signals[j].code);
				goto out;
			}
	}
	*out = cat;
	cat = NULL;
	rc = LIA_OK;
out:
	lia_signal_catalogue_free(cat);
	json_decref(root);
	return rc;
}

void lia_signal_catalogue_free(struct lia_signal_catalogue *cat)
{
	size_t i;
	int l;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->count; i++) {
		free(cat->signals[i].category);
		free(cat->signals[i].source);
		for (l = 0; l < LIA_SIGNAL_NLANG; l++)
			free(cat->signals[i].text[l]);
	}
	free(cat->signals);
	free(cat);
}

const struct lia_signal *lia_signal_find(const struct lia_signal_catalogue *cat, const char *code)
{
	size_t i;

	for (i = 0; i < cat->count; i++)
		if (strcmp(cat->signals[i].code, code) == 0)
			return &cat->signals[i];
	return NULL;
}

const struct lia_signal *lia_signal_find_number(const struct lia_signal_catalogue *cat, unsigned number)
{
	size_t i;

	for (i = 0; number != 0 && i < cat->count; i++)
		if (cat->signals[i].number == number)
			return &cat->signals[i];
	return NULL;
}

int lia_signal_lang_parse(const char *tag, enum lia_signal_lang *lang, char *err)
{
	size_t len = strcspn(tag, "-");
	int i;

	for (i = 0; i < LIA_SIGNAL_NLANG; i++)
		if (len == 2 && strncmp(tag, lang_tags[i], 2) == 0 && lia_lang_valid(tag)) {
			*lang = (enum lia_signal_lang)i;
			return LIA_OK;
		}
	lia_err_set(err, "language \"%.40s\" is not one signals are written in (en, zh, ja, ko)", tag);
	return LIA_ERROR;
}

/* Parses digits[.digit] into *out (whole units, or tenths when tenths is set). */
static int parse_number(const char *v, int tenths, long *out)
{
	long n = 0;
	size_t i = 0;

	if (v[0] < '0' || v[0] > '9')
		return -1;
	for (; v[i] >= '0' && v[i] <= '9'; i++) {
		if (i >= 6)
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	if (tenths)
		n *= 10;
	if (tenths && v[i] == '.' && v[i + 1] >= '0' && v[i + 1] <= '9' && v[i + 2] == '\0')
		n += v[i + 1] - '0';
	else if (v[i] != '\0')
		return -1;
	*out = n;
	return 0;
}

/* Checks one value against its parameter; *num gets the number (whole, tenths or HHMM). */
static int check_value(const char *code, const struct lia_signal_param *p, const char *v, long *num, char *err)
{
	static const char *const shape[] = {"whole number", "number with at most one decimal", "UTC time HHMM",
	    "text"};
	size_t len = strlen(v), i;

	if (p->type == LIA_SIGNAL_TEXT) {
		for (i = 0; i < len; i++)
			if (v[i] == '{' || v[i] == '}')
				break;
		if (i < len || lia_text_unsafe_offset(v, len, 0) < len || (long)len < p->min || (long)len > p->max) {
			lia_err_set(err, "signal %s: parameter %s must be UTF-8 text of %ld to %ld bytes without "
			    "braces or control characters", code, p->name, p->min, p->max);
			return LIA_ERROR;
		}
		return LIA_OK;
	}
	if ((p->type == LIA_SIGNAL_TIME && len != 4) || parse_number(v, p->type == LIA_SIGNAL_DECIMAL, num) != 0 ||
	    (p->type == LIA_SIGNAL_TIME && !hhmm_valid(*num))) {
		lia_err_set(err, "signal %s: parameter %s: \"%.20s\" is not a %s", code, p->name, v, shape[p->type]);
		return LIA_ERROR;
	}
	if (*num < p->min || *num > p->max) {
		if (p->type == LIA_SIGNAL_DECIMAL)
			lia_err_set(err, "signal %s: parameter %s: %s is outside %ld.%ld to %ld.%ld %s", code, p->name, v,
			    p->min / 10, p->min % 10, p->max / 10, p->max % 10, unit_names[p->unit]);
		else if (p->type == LIA_SIGNAL_TIME)
			lia_err_set(err, "signal %s: parameter %s: %s is outside %04ld to %04ld UTC", code, p->name, v,
			    p->min, p->max);
		else
			lia_err_set(err, "signal %s: parameter %s: %s is outside %ld to %ld%s%s", code, p->name, v,
			    p->min, p->max, p->unit != LIA_UNIT_NONE ? " " : "", unit_names[p->unit]);
		return LIA_ERROR;
	}
	return LIA_OK;
}

int lia_signal_value_pack(const struct lia_signal *s, size_t i, const char *text, unsigned long *num,
    char *err)
{
	long n = 0;

	if (i >= s->nparams || s->params[i].type == LIA_SIGNAL_TEXT) {
		lia_err_set(err, "signal %s: parameter %zu is not a number", s->code, i);
		return LIA_ERROR;
	}
	if (check_value(s->code, &s->params[i], text, &n, err) != LIA_OK)
		return LIA_ERROR;
	*num = (unsigned long)n;
	return LIA_OK;
}

int lia_signal_value_unpack(const struct lia_signal *s, size_t i, unsigned long num, char *text,
    size_t cap, char *err)
{
	const struct lia_signal_param *p = i < s->nparams ? &s->params[i] : NULL;
	long n = (long)num;

	if (p == NULL || p->type == LIA_SIGNAL_TEXT) {
		lia_err_set(err, "signal %s: parameter %zu does not travel as a number", s->code, i);
		return LIA_ERROR;
	}
	if (num > (unsigned long)p->max || n < p->min || (p->type == LIA_SIGNAL_TIME && !hhmm_valid(n))) {
		lia_err_set(err, "signal %s: parameter %s: %lu is outside its range", s->code, p->name, num);
		return LIA_ERROR;
	}
	if (p->type == LIA_SIGNAL_DECIMAL)
		snprintf(text, cap, "%ld.%ld", n / 10, n % 10);
	else if (p->type == LIA_SIGNAL_TIME)
		snprintf(text, cap, "%04ld", n);
	else
		snprintf(text, cap, "%ld", n);
	return LIA_OK;
}

/* Finds each parameter's value in args (index into args, in parameter order) and checks it. */
static int match_args(const struct lia_signal *s, const struct lia_signal_arg *args, size_t nargs,
    size_t idx[LIA_SIGNAL_PARAMS_MAX], long num[LIA_SIGNAL_PARAMS_MAX], char *err)
{
	size_t i, j, found;

	for (j = 0; j < nargs; j++) {
		for (i = 0; i < s->nparams; i++)
			if (args[j].name != NULL && strcmp(args[j].name, s->params[i].name) == 0)
				break;
		if (i == s->nparams) {
			lia_err_set(err, "signal %s takes no parameter %.40s", s->code,
			    args[j].name != NULL ? args[j].name : "(unnamed)");
			return LIA_ERROR;
		}
	}
	for (i = 0; i < s->nparams; i++) {
		for (found = 0, j = 0; j < nargs; j++)
			if (args[j].name != NULL && strcmp(args[j].name, s->params[i].name) == 0) {
				found++;
				idx[i] = j;
			}
		if (found != 1) {
			lia_err_set(err, "signal %s: parameter %s is %s", s->code, s->params[i].name,
			    found == 0 ? "missing" : "given more than once");
			return LIA_ERROR;
		}
		if (args[idx[i]].value == NULL) {
			lia_err_set(err, "signal %s: parameter %s has no value", s->code, s->params[i].name);
			return LIA_ERROR;
		}
		if (check_value(s->code, &s->params[i], args[idx[i]].value, &num[i], err) != 0)
			return LIA_ERROR;
	}
	return LIA_OK;
}

static int find_checked(const struct lia_signal_catalogue *cat, const char *code, const struct lia_signal_arg *args,
    size_t nargs, const struct lia_signal **sig, size_t idx[LIA_SIGNAL_PARAMS_MAX], long num[LIA_SIGNAL_PARAMS_MAX],
    char *err)
{
	*sig = lia_signal_find(cat, code);
	if (*sig == NULL) {
		lia_err_set(err, "unknown signal code \"%.30s\"", code);
		return LIA_ENOTFOUND;
	}
	return match_args(*sig, args, nargs, idx, num, err);
}

int lia_signal_check(const struct lia_signal_catalogue *cat, const char *code,
    const struct lia_signal_arg *args, size_t nargs, char *err)
{
	const struct lia_signal *s;
	size_t idx[LIA_SIGNAL_PARAMS_MAX];
	long num[LIA_SIGNAL_PARAMS_MAX];

	return find_checked(cat, code, args, nargs, &s, idx, num, err);
}

/* Writes a checked value in its unit and language into buf (LIA_SIGNAL_VALUE_MAX * 2 bytes). */
static void value_text(const struct lia_signal_param *p, enum lia_signal_lang lang, const char *v, long num,
    char *buf, size_t cap)
{
	char plain[LIA_SIGNAL_VALUE_MAX + 1];

	if (p->type == LIA_SIGNAL_TEXT)
		snprintf(plain, sizeof(plain), "%s", v);
	else if (p->type == LIA_SIGNAL_DECIMAL && num % 10 != 0)
		snprintf(plain, sizeof(plain), "%ld.%ld", num / 10, num % 10);
	else if (p->type == LIA_SIGNAL_DECIMAL)
		snprintf(plain, sizeof(plain), "%ld", num / 10);
	else if (p->type == LIA_SIGNAL_TIME && lang == LIA_SIGNAL_EN)
		snprintf(plain, sizeof(plain), "%04ld", num);
	else if (p->type == LIA_SIGNAL_TIME)
		snprintf(plain, sizeof(plain), "%02ld:%02ld", num / 100, num % 100);
	else if (p->unit == LIA_UNIT_DEG_TRUE)
		snprintf(plain, sizeof(plain), "%03ld", num);
	else
		snprintf(plain, sizeof(plain), "%ld", num);
	snprintf(buf, cap, "%s%s%s", unit_affix[p->unit][lang][0], plain, unit_affix[p->unit][lang][1]);
}

int lia_signal_render(const struct lia_signal_catalogue *cat, const char *code,
    enum lia_signal_lang lang, const struct lia_signal_arg *args, size_t nargs,
    char *out, size_t cap, char *err)
{
	const struct lia_signal *s;
	size_t idx[LIA_SIGNAL_PARAMS_MAX], used, i, len;
	long num[LIA_SIGNAL_PARAMS_MAX];
	char val[LIA_SIGNAL_VALUE_MAX * 2];
	const char *p;
	int rc;

	rc = find_checked(cat, code, args, nargs, &s, idx, num, err);
	if (rc != LIA_OK)
		goto out;
	rc = LIA_EFULL;
	if (cap == 0) {
		lia_err_set(err, "signal %s: no room to render it", s->code);
		goto out;
	}
	used = (size_t)snprintf(out, cap, "%s \xe2\x80\x94 ", s->code);
	for (p = s->text[lang]; used < cap && *p != '\0'; p += len) {
		len = strcspn(p, "{");
		if (len > 0) {
			snprintf(out + used, cap - used, "%.*s", (int)len, p);
			used += len;
			continue;
		}
		len = strcspn(p, "}") + 1; /* the loader made sure it closes and names a parameter */
		for (i = 0; strlen(s->params[i].name) != len - 2 || memcmp(p + 1, s->params[i].name, len - 2) != 0; i++)
			;
		value_text(&s->params[i], lang, args[idx[i]].value, num[i], val, sizeof(val));
		used += (size_t)snprintf(out + used, cap - used, "%s", val);
	}
	if (used >= cap) {
		lia_err_set(err, "signal %s: the rendered text does not fit in %zu bytes", s->code, cap);
		goto out;
	}
	rc = LIA_OK;
out:
	return rc;
}
