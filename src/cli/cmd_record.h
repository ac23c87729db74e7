/*
 * cmd_record.h - the CLI's joint-record commands (cmd_record.c), offline:
 * they read files only and never talk to a daemon.
 */
#ifndef LIA_CMD_RECORD_H
#define LIA_CMD_RECORD_H

/* liaison record verify [--json] BUNDLE: argv[0] is "verify"; prints the verifier's report (JSON with --json); returns 0 when every check held, 1 when one failed or the bundle could not be read, 2 on a usage error. */
int cmd_record_verify(int argc, char **argv);

#endif
