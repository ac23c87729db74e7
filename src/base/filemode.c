/*
 * filemode.c - checks of the node directory's and private files' modes before
 * liaisond trusts them (see filemode.h).
 *
 * Assumes a single-user node directory: whoever else can list or write it, or
 * read the key or the database, can read the hotline's traffic or sign as the
 * node, so a loose mode stops the daemon instead of being repaired silently.
 */
#include "filemode.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int join(const char *dir, const char *name, char out[4096], char *err)
{
	if ((size_t)snprintf(out, 4096, "%s/%s", dir, name) >= 4096) {
		lia_err_set(err, "node directory path is too long: %.60s...", dir);
		return -1;
	}
	return 0;
}

int lia_filemode_check_dir(const char *dir, char *err)
{
	struct stat st;
	int rc = -1;

	if (stat(dir, &st) < 0) {
		lia_err_set(err, "node directory %s: %s", dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		lia_err_set(err, "node directory %s is not a directory", dir);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		lia_err_set(err, "node directory %s belongs to uid %u, not to uid %u that runs liaisond",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		lia_err_set(err, "node directory %s is open to group or others (mode %04o); it must "
		    "be 0700 (chmod 700 %s)", dir, (unsigned)(st.st_mode & 07777), dir);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_filemode_check_private(const char *dir, const char *name, int optional, char *err)
{
	char path[4096];
	struct stat st;
	int rc = -1;

	if (join(dir, name, path, err) < 0)
		goto out;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT && optional)
			rc = 0;
		else
			lia_err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		lia_err_set(err, "%s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		lia_err_set(err, "%s is open to group or others (mode %04o); it must be 0600 "
		    "(chmod 600 %s)", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_filemode_precreate(const char *dir, const char *name, char *err)
{
	char path[4096];
	int fd = -1, rc = -1;

	if (join(dir, name, path, err) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		lia_err_set(err, "%s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	if (fd >= 0 && fchmod(fd, 0600) < 0) {
		lia_err_set(err, "%s: cannot set its mode: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
