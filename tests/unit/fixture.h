/*
 * fixture.h - helpers shared by unit tests: scratch directories, file bytes.
 * Tests use cmocka; see any tests/unit/test_*.c for the shape.
 */
#ifndef LIA_FIXTURE_H
#define LIA_FIXTURE_H

#include <stddef.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) named after tag; path must hold 4096 bytes. Aborts on failure. */
void fixture_tmpdir(const char *tag, char path[4096]);

/* Removes a directory tree (best effort). */
void fixture_rmrf(const char *path);

/* Writes len bytes to dir/name and returns the full path in out (4096). Aborts on failure. */
void fixture_write(const char *dir, const char *name, const void *data, size_t len, char out[4096]);

#endif
