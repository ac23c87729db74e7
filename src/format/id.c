/*
 * id.c - entry ids as text, "origin/seq".
 */
#include "id.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lia_id_format(const char *origin, uint64_t seq, char id[LIA_ID_LEN])
{
	snprintf(id, LIA_ID_LEN, "%s/%" PRIu64, origin, seq);
}

int lia_id_parse(const char *id, char origin[LIA_NAME_MAX + 1], uint64_t *seq, char *err)
{
	const char *slash = strchr(id, '/');
	size_t name_len = slash ? (size_t)(slash - id) : 0;
	char *end = NULL;
	unsigned long long v;

	if (slash == NULL || name_len == 0 || name_len > LIA_NAME_MAX)
		goto bad;
	memcpy(origin, id, name_len);
	origin[name_len] = '\0';
	if (!lia_name_valid(origin) || slash[1] < '1' || slash[1] > '9')
		goto bad;
	v = strtoull(slash + 1, &end, 10);
	if (*end != '\0' || v == 0 || v == UINT64_MAX)
		goto bad;
	*seq = v;
	return 0;
bad:
	lia_err_set(err, "id \"%.60s\" is not of the form NODE/SEQ (e.g. tokyo/12)", id);
	return -1;
}
