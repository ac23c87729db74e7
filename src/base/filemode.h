/*
 * filemode.h - the modes a node directory and its private files must have,
 * checked by liaisond at start: the directory 0700 and owned by the daemon's
 * uid, and every private file (node.key, liaison.db and its -wal and -shm)
 * closed to group and others. Errors are one sentence naming the file, its
 * mode and the command that fixes it.
 */
#ifndef LIA_FILEMODE_H
#define LIA_FILEMODE_H

/*
 * Refuses dir unless it is a directory owned by the effective uid with no
 * group or other permission bits (0700). -1 with err.
 */
int lia_filemode_check_dir(const char *dir, char *err);

/*
 * Refuses dir/name unless it is a regular file (not a symbolic link) with no
 * group or other permission bits. An absent file is fine when optional is 1
 * (0 is returned), and refused otherwise. -1 with err.
 */
int lia_filemode_check_private(const char *dir, const char *name, int optional, char *err);

/*
 * Creates dir/name empty with mode 0600 (O_EXCL, O_NOFOLLOW) when it does not
 * exist yet, so that a file another library creates there (SQLite's database,
 * whose -wal and -shm take its mode) starts private whatever the umask. An
 * existing file is left alone. -1 with err.
 */
int lia_filemode_precreate(const char *dir, const char *name, char *err);

#endif
