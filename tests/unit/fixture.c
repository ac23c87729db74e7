/* fixture.c - scratch directories and files for unit tests. */
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void fixture_tmpdir(const char *tag, char path[4096])
{
	const char *base = getenv("TMPDIR");

	snprintf(path, 4096, "%s/lia-%s-XXXXXX", base ? base : "/tmp", tag);
	if (mkdtemp(path) == NULL) {
		perror(path);
		abort();
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void fixture_rmrf(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fixture_write(const char *dir, const char *name, const void *data, size_t len, char out[4096])
{
	FILE *f;

	snprintf(out, 4096, "%s/%s", dir, name);
	f = fopen(out, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(out);
		abort();
	}
}
