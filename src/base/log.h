/*
 * log.h - one line per event on standard error: UTC time, level, sentence.
 */
#ifndef LIA_LOG_H
#define LIA_LOG_H

void lia_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lia_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lia_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
