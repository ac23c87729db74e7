/* err.c - filling caller-owned error buffers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

void lia_err_set(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, LIA_ERR_LEN, fmt, ap);
	va_end(ap);
}

void lia_err_add_openssl(char *err)
{
	unsigned long code = ERR_get_error();
	char reason[160];
	size_t used;

	ERR_clear_error();
	if (err == NULL || code == 0)
		return;
	ERR_error_string_n(code, reason, sizeof(reason));
	used = strlen(err);
	if (used + 3 < LIA_ERR_LEN)
		snprintf(err + used, LIA_ERR_LEN - used, " (%s)", reason);
}
