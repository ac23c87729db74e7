/*
 * id.h - the text name of an entry: "origin/seq" (e.g. tokyo/12), as the
 * API, the CLI and the logs show it.
 */
#ifndef LIA_ID_H
#define LIA_ID_H

#include <stdint.h>

#include "charter.h"

#define LIA_ID_LEN (LIA_NAME_MAX + 24) /* "origin/seq" and the NUL */

/* "origin/seq" into id. */
void lia_id_format(const char *origin, uint64_t seq, char id[LIA_ID_LEN]);

/* Parses "origin/seq", validating the node name and a seq of 1 or more; -1 with err naming the id. */
int lia_id_parse(const char *id, char origin[LIA_NAME_MAX + 1], uint64_t *seq, char *err);

#endif
