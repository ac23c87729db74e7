/*
 * log.h - one line per event on standard error: UTC time, level, sentence.
 *
 * Rate-limited per call site (format string): at most 20 lines per 10 s
 * each; what is beyond is counted and summarised in one line ("log: K more
 * lines like ... left out"), written when the site logs again after its
 * window or by lia_log_flush.
 */
#ifndef LIA_LOG_H
#define LIA_LOG_H

void lia_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lia_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lia_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes the summary of every site whose window has ended with lines left out; call it now and then (liaisond: every 10 s) and at exit. */
void lia_log_flush(void);

#endif
