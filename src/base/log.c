/* log.c - timestamped lines on standard error, one write each so lines from a node never interleave. */
#include "log.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Sentences may quote what a peer sent: control characters (C0, DEL, and C1
 * as UTF-8 C2 80..9F) become '?', so a peer cannot forge log lines or send
 * terminal escapes to whoever reads the log.
 */
static void neutralize(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			s[i] = '?';
		else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			s[i] = '?';
			s[++i] = '?';
		}
	}
}

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
	neutralize(line, (size_t)used);
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
