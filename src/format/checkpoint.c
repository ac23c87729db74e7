/*
 * checkpoint.c - tlog-checkpoint bodies (c2sp.org/tlog-checkpoint, "Note
 * text"): "origin\nsize\nbase64(root)\n" and optional extension lines, the
 * text a log signs (note.c). Declared in note.h. Input to the parser is
 * hostile: text is checked as note text first, the size is a canonical
 * decimal, the root canonical base64 of exactly 32 bytes.
 */
#include "note.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"
#include "err.h"

#define ROOT_B64_LEN 44

/* ---- checkpoints (tlog-checkpoint "Note text") ---- */

int lia_checkpoint_make(const char *origin, uint64_t size, const uint8_t root[static 32],
    char out[static LIA_CHECKPOINT_MAX], size_t *out_len, char *err)
{
	char b64[ROOT_B64_LEN + 1];
	int n;
	int rc = -1;

	/* The origin SHOULD contain no spaces or '+' and match the log's key name: we insist. */
	if (origin == NULL || !lia_note_name_valid(origin, strlen(origin))) {
		lia_err_set(err, "\"%.64s\" is not a valid checkpoint origin", origin ? origin : "");
		goto out;
	}
	lia_base64_encode(root, 32, b64);
	n = snprintf(out, LIA_CHECKPOINT_MAX, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
	if (n < 0 || n >= LIA_CHECKPOINT_MAX) {
		lia_err_set(err, "the checkpoint of \"%.64s\" is too long", origin);
		goto out;
	}
	*out_len = (size_t)n;
	rc = 0;
out:
	return rc;
}

/* Parses ASCII decimal s[0..len) without leading zeros into *v. 0, or -1. */
static int parse_decimal(const char *s, size_t len, uint64_t *v)
{
	int ok = len > 0 && len <= 20 && (s[0] != '0' || len == 1);
	uint64_t x = 0;

	for (size_t i = 0; i < len && ok; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		ok = s[i] >= '0' && s[i] <= '9' && x <= (UINT64_MAX - d) / 10;
		x = x * 10 + d;
	}
	if (ok)
		*v = x;
	return ok ? 0 : -1;
}

/* Sets *line and *n to the line at *pos of s[0..len) (without newline) and moves past it. 0, or -1 at the end. */
static int next_line(const char *s, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl = *pos < len ? memchr(s + *pos, '\n', len - *pos) : NULL;

	if (nl != NULL) {
		*line = s + *pos;
		*n = (size_t)(nl - *line);
		*pos += *n + 1;
	}
	return nl != NULL ? 0 : -1;
}

/* The three mandatory lines: origin, tree size, root hash. */
static int checkpoint_head(const char *body, size_t len, size_t *pos, struct lia_checkpoint *cp,
    char *err)
{
	const char *line;
	size_t n, root_len = 0;
	int rc = -1;

	if (next_line(body, len, pos, &line, &n) != 0 || n == 0 || n > LIA_NOTE_NAME_MAX) {
		lia_err_set(err, "a checkpoint's origin line must hold 1..%d bytes", LIA_NOTE_NAME_MAX);
		goto out;
	}
	memcpy(cp->origin, line, n);
	cp->origin[n] = '\0';
	if (next_line(body, len, pos, &line, &n) != 0 || parse_decimal(line, n, &cp->size) != 0) {
		lia_err_set(err, "a checkpoint's second line must be a decimal tree size");
		goto out;
	}
	if (next_line(body, len, pos, &line, &n) != 0 || n != ROOT_B64_LEN ||
	    lia_base64_decode(line, n, cp->root, sizeof(cp->root), &root_len) != 0 || root_len != 32) {
		lia_err_set(err, "a checkpoint's third line must be a base64 32-byte root hash");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_checkpoint_parse(const char *body, size_t len, struct lia_checkpoint *cp, char *err)
{
	const char *line;
	size_t pos = 0, n;
	int rc = -1;

	memset(cp, 0, sizeof(*cp));
	if (body == NULL || len == 0 || len > LIA_NOTE_MAX || body[len - 1] != '\n' ||
	    !lia_note_text_valid(body, len)) {
		lia_err_set(err, "a checkpoint must be UTF-8 text of at most %d bytes ending in a"
		    " newline", LIA_NOTE_MAX);
		goto out;
	}
	if (checkpoint_head(body, len, &pos, cp, err) != 0)
		goto out;
	cp->ext_offset = pos;
	/* Extension lines are opaque but must not be empty. */
	while (next_line(body, len, &pos, &line, &n) == 0) {
		if (n == 0) {
			lia_err_set(err, "a checkpoint has an empty extension line");
			goto out;
		}
		cp->ext_count++;
	}
	rc = 0;
out:
	if (rc != 0)
		memset(cp, 0, sizeof(*cp));
	return rc;
}
