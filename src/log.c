/* log.c - timestamped lines on standard error, one write each so lines from a node never interleave. */
#include "log.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
