/*
 * signals.h - the catalogue of coded signals between ships and aircraft
 * (International Code of Signals, CUES-style encounter signals, ICAO
 * interception phrases, numeric complements), read from data/signals.json.
 *
 * The catalogue is data written by the project, not code: each entry has a
 * code, a category, a source, typed parameters with units and ranges, and
 * its text in English, Chinese, Japanese and Korean with one {name}
 * placeholder per parameter. Loading checks all of it; a loaded catalogue is
 * trusted. Parameter values come from operators or peers as text and are
 * checked against the entry before anything is rendered.
 */
#ifndef LIA_SIGNALS_H
#define LIA_SIGNALS_H

#include <stddef.h>

#define LIA_SIGNAL_CODE_MAX 23     /* longest code, bytes without the NUL */
#define LIA_SIGNAL_NAME_MAX 23     /* longest parameter name, bytes without the NUL */
#define LIA_SIGNAL_PARAMS_MAX 4    /* most parameters an entry may carry */
#define LIA_SIGNAL_TEXT_MAX 512    /* longest entry text in one language, bytes */
#define LIA_SIGNAL_VALUE_MAX 64    /* longest text parameter value, bytes */
#define LIA_SIGNAL_RENDER_MAX 1024 /* a rendered signal always fits in this many bytes with its NUL */
#define LIA_SIGNAL_MAX 1024        /* most entries in a catalogue */
#define LIA_SIGNAL_NUMBER_MAX 65535 /* largest catalogue number (sent in place of the code) */

/* The languages every entry is written in, in catalogue order. */
enum lia_signal_lang { LIA_SIGNAL_EN, LIA_SIGNAL_ZH, LIA_SIGNAL_JA, LIA_SIGNAL_KO, LIA_SIGNAL_NLANG };

/* How a parameter's value is written: int "45", decimal with tenths "12.5", time "HHMM", text. */
enum lia_signal_type { LIA_SIGNAL_INT, LIA_SIGNAL_DECIMAL, LIA_SIGNAL_TIME, LIA_SIGNAL_TEXT };

/* Units, rendered per language: none, degrees true, knots, nautical miles, UTC. */
enum lia_signal_unit { LIA_UNIT_NONE, LIA_UNIT_DEG_TRUE, LIA_UNIT_KNOT, LIA_UNIT_NMI, LIA_UNIT_UTC };

/* One parameter of an entry. min and max are whole numbers for int, tenths for decimal,
 * HHMM for time and lengths in bytes for text. */
struct lia_signal_param {
	char name[LIA_SIGNAL_NAME_MAX + 1];
	enum lia_signal_type type;
	enum lia_signal_unit unit;
	long min, max;
};

/* One catalogue entry (owned by its catalogue). */
struct lia_signal {
	char code[LIA_SIGNAL_CODE_MAX + 1];
	unsigned number;  /* stable 1..LIA_SIGNAL_NUMBER_MAX sent in place of the code; 0: none */
	char *category;
	char *source; /* "ICS", "CUES", "ICAO" or "liaison" */
	size_t nparams;
	struct lia_signal_param params[LIA_SIGNAL_PARAMS_MAX];
	char *text[LIA_SIGNAL_NLANG];
};

/* A loaded catalogue. */
struct lia_signal_catalogue {
	size_t count;
	struct lia_signal *signals;
};

/* One parameter value as given by an operator or a peer (both strings borrowed). */
struct lia_signal_arg {
	const char *name;
	const char *value;
};

/* Loads and checks the catalogue at path into *out (caller frees with lia_signal_catalogue_free);
 * on failure returns LIA_ERROR, *out is NULL and err names the file, the entry and the problem. */
int lia_signal_catalogue_load(const char *path, struct lia_signal_catalogue **out, char *err);

/* Frees a catalogue and everything it owns; NULL is fine. */
void lia_signal_catalogue_free(struct lia_signal_catalogue *cat);

/* The entry whose code is code (borrowed from cat), or NULL when there is none. */
const struct lia_signal *lia_signal_find(const struct lia_signal_catalogue *cat, const char *code);

/* The entry whose number is number (borrowed from cat), or NULL when there is none (or number is 0). */
const struct lia_signal *lia_signal_find_number(const struct lia_signal_catalogue *cat, unsigned number);

/* Checks text as a value of parameter i of s and gives the number it travels as (whole units,
 * tenths or HHMM, see docs/wire.md); LIA_ERROR with err for a text parameter or a bad value. */
int lia_signal_value_pack(const struct lia_signal *s, size_t i, const char *text, unsigned long *num,
    char *err);

/* The text of value num of parameter i of s (inverse of lia_signal_value_pack) into text (cap
 * bytes); LIA_ERROR with err when parameter i is text or num is out of its range. */
int lia_signal_value_unpack(const struct lia_signal *s, size_t i, unsigned long num, char *text,
    size_t cap, char *err);

/* Maps "en", "zh", "ja", "ko" (a region or script subtag may follow, "zh-Hans") to *lang;
 * LIA_ERROR with a sentence in err for any other tag. */
int lia_signal_lang_parse(const char *tag, enum lia_signal_lang *lang, char *err);

/* Checks args against the entry for code: LIA_ENOTFOUND for an unknown code, LIA_ERROR for a
 * missing, repeated, unknown, malformed or out-of-range parameter; err names the code and parameter. */
int lia_signal_check(const struct lia_signal_catalogue *cat, const char *code,
    const struct lia_signal_arg *args, size_t nargs, char *err);

/* Checks args as lia_signal_check does, then writes "CODE — text" in lang with the values and
 * their units filled into out (cap bytes, at least LIA_SIGNAL_RENDER_MAX is always enough);
 * returns 0, or the same codes as lia_signal_check (LIA_EFULL when cap is too small). */
int lia_signal_render(const struct lia_signal_catalogue *cat, const char *code,
    enum lia_signal_lang lang, const struct lia_signal_arg *args, size_t nargs,
    char *out, size_t cap, char *err);

#endif
