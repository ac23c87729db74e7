/*
 * err.h - how Liaison reports errors.
 *
 * Functions return 0 on success or a negative LIA_E* code, and write one
 * human sentence into a caller-owned buffer of LIA_ERR_LEN bytes that names
 * the file, peer or field at fault. The caller decides whether to log it.
 *
 * One positive code: LIA_REFUSED (1). A function that applies the rules of
 * the mechanism to an entry (the engine's accept rules, the incident rules,
 * an overdue notice, a relay, a link test answer, an operator's incident
 * entry) returns it when the entry is well formed and validly signed but
 * not allowed here: nothing was written, err says which rule refused it.
 * It is not a failure of this node (the session tells the peer and goes on,
 * the API answers 4xx); a negative code is (the caller rolls back, logs,
 * and the session drops the link). Such functions say "LIA_REFUSED" in
 * their contract; every other function returns 0 or negative only.
 */
#ifndef LIA_ERR_H
#define LIA_ERR_H

#include <stddef.h>

#define LIA_ERR_LEN 256

enum lia_rc {
	LIA_REFUSED = 1,    /* refused under the rules (see above): not an error of this node */
	LIA_OK = 0,
	LIA_ERROR = -1,     /* any failure; the sentence says which */
	LIA_EDUP = -2,      /* the object already exists (not always an error) */
	LIA_ENOTFOUND = -3, /* the object asked for does not exist */
	LIA_EFULL = -4      /* the disk or a limit is full */
};

/* Writes a printf-style sentence into err (LIA_ERR_LEN bytes); err may be NULL. */
void lia_err_set(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends the OpenSSL error queue's first reason (if any) to err, then clears the queue. */
void lia_err_add_openssl(char *err);

#endif
