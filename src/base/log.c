/*
 * log.c - timestamped lines on standard error, one write each so lines from a
 * node never interleave. Each call site (its format string) may write
 * LOG_BURST lines per LOG_PERIOD_MS; beyond that lines are counted and one
 * summary says how many were left out, so a peer that can make us log a
 * line cannot make the log grow without bound (issue 10: 700 MB in 20 s).
 */
#include "log.h"
#include "clock.h"
#include "ratelimit.h"
#include "text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Sentences may quote what a peer sent: lia_text_sanitize turns controls (C0,
 * DEL, C1), bidi overrides and isolates, and bytes that are not UTF-8 into
 * '?', so a peer can neither forge log lines, send terminal escapes to
 * whoever reads the log, nor reorder what a reader sees.
 */
#define LOG_BURST 20
#define LOG_PERIOD_MS 10000
#define LOG_SITES 256 /* distinct format strings tracked; more share the last slot */

struct log_site {
	const char *fmt;              /* the call site's format string (its address is the key) */
	struct lia_ratelimit rl;
};

static struct log_site sites[LOG_SITES];

/* The slot of fmt (open addressing on its address); a full table shares the last slot. */
static struct log_site *site_of(const char *fmt)
{
	size_t h = (size_t)((uintptr_t)fmt >> 3) * 2654435761u % (LOG_SITES - 1);

	for (size_t i = 0; i < LOG_SITES - 1; i++) {
		struct log_site *s = &sites[(h + i) % (LOG_SITES - 1)];
		if (s->fmt == fmt)
			return s;
		if (s->fmt == NULL) {
			s->fmt = fmt;
			lia_ratelimit_init(&s->rl, LOG_BURST, LOG_PERIOD_MS);
			return s;
		}
	}
	if (sites[LOG_SITES - 1].fmt == NULL) {
		sites[LOG_SITES - 1].fmt = "(other lines)";
		lia_ratelimit_init(&sites[LOG_SITES - 1].rl, LOG_BURST, LOG_PERIOD_MS);
	}
	return &sites[LOG_SITES - 1];
}

static void write_line(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The summary of a window in which a site wrote more than LOG_BURST lines. */
static void summarize(const struct log_site *s, uint64_t suppressed)
{
	write_line("warn", "log: %" PRIu64 " more lines like \"%.100s\" left out in %d s "
	    "(at most %d a site per %d s)", suppressed, s->fmt, LOG_PERIOD_MS / 1000, LOG_BURST,
	    LOG_PERIOD_MS / 1000);
}

__attribute__((format(printf, 2, 0)))
static void format_line(const char *level, const char *fmt, va_list ap)
{
	char line[1024], now[LIA_TIME_LEN];
	int used;

	lia_time_format(lia_now_ms(), now);
	used = snprintf(line, sizeof(line), "%s %s ", now, level);
	if (used < 0 || (size_t)used >= sizeof(line))
		return;
	vsnprintf(line + used, sizeof(line) - (size_t)used - 1, fmt, ap);
	used = (int)strnlen(line, sizeof(line) - 2);
	used = (int)lia_text_sanitize(line, line, (size_t)used, 0);
	line[used++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)used) < 0)
		return; /* nowhere else to report it */
}

static void write_line(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_line(level, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 0)))
static void log_line(const char *level, const char *fmt, va_list ap)
{
	struct log_site *s = site_of(fmt);
	uint64_t ended = 0;
	int allowed = lia_ratelimit_allow(&s->rl, lia_mono_ms(), &ended);

	if (ended > 0)
		summarize(s, ended);
	if (allowed)
		format_line(level, fmt, ap);
}

void lia_log_flush(void)
{
	int64_t now = lia_mono_ms();

	for (size_t i = 0; i < LOG_SITES; i++) {
		uint64_t ended = sites[i].fmt != NULL ? lia_ratelimit_flush(&sites[i].rl, now) : 0;
		if (ended > 0)
			summarize(&sites[i], ended);
	}
}

#define LOG_FUNCTION(name, level)                    \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		log_line(level, fmt, ap);            \
		va_end(ap);                          \
	}

LOG_FUNCTION(lia_log_info, "info")
LOG_FUNCTION(lia_log_warn, "warn")
LOG_FUNCTION(lia_log_error, "error")
