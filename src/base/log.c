/* log.c - timestamped lines on standard error, one write each so lines from a node never interleave. */
#include "log.h"
#include "clock.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Sentences may quote what a peer sent: lia_text_sanitize turns controls (C0,
 * DEL, C1), bidi overrides and isolates, and bytes that are not UTF-8 into
 * '?', so a peer can neither forge log lines, send terminal escapes to
 * whoever reads the log, nor reorder what a reader sees.
 */
__attribute__((format(printf, 2, 0)))
static void log_line(const char *level, const char *fmt, va_list ap)
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
