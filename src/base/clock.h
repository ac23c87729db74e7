/*
 * clock.h - UTC time as milliseconds since the epoch, and RFC 3339 text.
 */
#ifndef LIA_CLOCK_H
#define LIA_CLOCK_H

#include <stdint.h>

#define LIA_TIME_LEN 32 /* room for "YYYY-MM-DDTHH:MM:SS.mmmZ" and the NUL */

/* Current UTC wall-clock time in milliseconds since 1970-01-01T00:00:00Z. */
int64_t lia_now_ms(void);

/* Monotonic milliseconds, for durations only (timeouts, round trips). */
int64_t lia_mono_ms(void);

/* Writes ms as RFC 3339 UTC with milliseconds, e.g. "2026-11-27T11:38:31.123Z". */
void lia_time_format(int64_t ms, char out[LIA_TIME_LEN]);

/* Parses an RFC 3339 time ending in 'Z' (fraction optional, up to 9 digits kept to ms). 0 or -1 with err. */
int lia_time_parse(const char *s, int64_t *ms, char *err);

#endif
