/* clock.c - UTC milliseconds and RFC 3339 text (section 5.6, "Z" only). */
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t lia_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lia_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lia_time_format(int64_t ms, char out[LIA_TIME_LEN])
{
	time_t secs = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		secs -= 1;
	}
	gmtime_r(&secs, &tm);
	/* Years past 9999 cannot be RFC 3339; clamp so the text stays well-formed. */
	if (tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		tm.tm_year = 9999 - 1900;
	snprintf(out, LIA_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
	    tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, frac % 1000);
}

static int parse_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int lia_time_parse(const char *s, int64_t *ms, char *err)
{
	int y, mo, d, h, mi, sec, frac = 0, digits = 0;
	const char *p = s + 19;
	struct tm tm;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' ||
	    parse_digits(s, 4, &y) || parse_digits(s + 5, 2, &mo) ||
	    parse_digits(s + 8, 2, &d) || parse_digits(s + 11, 2, &h) ||
	    parse_digits(s + 14, 2, &mi) || parse_digits(s + 17, 2, &sec))
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
		if (digits == 0 || digits > 9)
			goto bad;
		for (int i = digits; i < 3; i++)
			frac *= 10;
	}
	if ((*p != 'Z' && *p != 'z') || p[1] != '\0')
		goto bad;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec; /* a leap second is read as :59 */
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
bad:
	lia_err_set(err, "time \"%.40s\" is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SS[.fff]Z)", s);
	return -1;
}
