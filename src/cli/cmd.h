/*
 * cmd.h - the liaison CLI's commands (cmd_*.c) and the few helpers they share
 * with the main (liaison.c): error reporting, usage errors, JSON and safe text
 * output. Exit statuses: 0 success, 1 failure, 2 usage error.
 */
#ifndef LIA_CMD_H
#define LIA_CMD_H

#include <limits.h>
#include <stdio.h>
#include <jansson.h>

#include "api_limits.h"
#include "id.h"
#include "token.h"
#include "config.h"

#define LIA_EXIT_OK 0
#define LIA_EXIT_FAIL 1
#define LIA_EXIT_USAGE 2

/* Options that apply to every command. */
struct lia_cli {
	const char *dir;                   /* node directory: -d, else $LIAISON_DIR, else "." */
	int json;                          /* --json: print the API's JSON for scripts */
};

/* A command: argv[0] is its name, options follow; returns an exit status. */
typedef int (*lia_cmd_fn)(struct lia_cli *cli, int argc, char **argv);

int lia_cmd_party(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_node(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_charter(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_send(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_inbox(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_outbox(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_show(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_ack(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_links(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_status(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_wait(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_send_signal(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_signals(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_incident(struct lia_cli *cli, int argc, char **argv);

/* "LAT,LON" in decimal degrees (at most 5 decimals) into 1e-5 degree; -1 when malformed or out of range (cmd_signals.c). */
int lia_cli_parse_at(const char *at, int32_t *lat, int32_t *lon);
int lia_cmd_overdue(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_radio(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_operator(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_watch(struct lia_cli *cli, int argc, char **argv);
int lia_cmd_console(struct lia_cli *cli, int argc, char **argv);

/* Prints "liaison: <sentence>" on stderr; returns LIA_EXIT_FAIL. */
int lia_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "liaison: <cmd>: <sentence> (usage: ...)" on stderr; returns LIA_EXIT_USAGE. */
int lia_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the command's usage and help on stdout (for -h); returns LIA_EXIT_OK. */
int lia_cli_help(const char *cmd);

/*
 * Handles an option every command accepts (--json, -d/--dir, -h/--help) and
 * the errors getopt reports; ch is getopt_long's return. Returns 1 when
 * handled, 0 when ch is the command's own, or -1 when the command must stop
 * now with exit status *status (help printed, or a usage error reported).
 */
int lia_cli_common_option(struct lia_cli *cli, const char *cmd, int ch, char **argv,
    int *status);

/* getopt_long options every command accepts, and the short option string for them. */
#define LIA_CLI_COMMON_LONGOPTS \
	{"json", no_argument, NULL, 'j'}, {"dir", required_argument, NULL, 'd'}, \
	{"help", no_argument, NULL, 'h'}
#define LIA_CLI_COMMON_SHORTOPTS ":d:h"

/* Prints v as indented JSON with sorted keys and a newline on stdout. */
void lia_cli_print_json(const json_t *v);

/*
 * Writes text from outside (a peer's message, an operator name) to out
 * through lia_text_sanitize (text.h): control characters, C1 controls,
 * bidirectional overrides and isolates and bytes that are not UTF-8 show as
 * '?', so a message cannot drive the terminal; tabs stay, newlines stay when
 * keep_newlines, else show as '?' too. s NULL prints nothing.
 */
void lia_cli_put_text(FILE *out, const char *s, int keep_newlines);

/* A JSON value as text for display: strings as is (borrowed), numbers and booleans spelled into buf (n bytes), else "-". */
const char *lia_cli_str_of(const json_t *v, char *buf, size_t n);

/* lia_cli_str_of of obj's member key (absent: "-"). */
const char *lia_cli_field_of(const json_t *obj, const char *key, char *buf, size_t n);

/* Prints "label: value" on stdout with the label right-aligned to width, the value through lia_cli_put_text. */
void lia_cli_print_field(int width, const char *label, const char *value);

/* Writes s padded to width columns on stdout (ASCII fields: ids, names, times, states), through lia_cli_put_text. */
void lia_cli_print_cell(const char *s, int width);

/* LIA_EXIT_OK when id reads "origin/seq", else prints a usage error for cmd and returns its status. */
int lia_cli_check_id(const char *cmd, const char *id);

/* LIA_EXIT_OK when op is a valid operator name (1 to 64 bytes of UTF-8, no controls), else prints cmd's usage error. */
int lia_cli_check_operator(const char *cmd, const char *op);

/* Runs getopt over a command with no options of its own; -1 with *status when the program must stop there. */
int lia_cli_common_options_only(struct lia_cli *cli, const char *cmd, int argc, char **argv,
    int *status);

/* The daemon of one node directory, as the CLI reaches it. */
struct lia_cli_daemon {
	struct lia_config cfg;
	char token[LIA_TOKEN_LEN + 1];
	char where[PATH_MAX];              /* the node directory, absolute when it resolves */
	char sock[PATH_MAX];               /* NODEDIR/api.sock, the daemon's API */
};

/* Reads the config and token of cli->dir; prints the failure and returns 1 (0 when ready). */
int lia_cli_daemon_open(const struct lia_cli *cli, struct lia_cli_daemon *d);

/* Wipes the token; NULL-safe fields. */
void lia_cli_daemon_close(struct lia_cli_daemon *d);

/* Prints the daemon's refusal (its "error" sentence, or the HTTP status) and returns 1. */
int lia_cli_daemon_refused(const struct lia_cli_daemon *d, int status, json_t *reply);

/* One request; a transport failure is printed (returns 1), any HTTP status is the caller's; *reply caller decrefs. */
int lia_cli_daemon_call(const struct lia_cli_daemon *d, const char *method, const char *path,
    json_t *body, int timeout_s, int *status, json_t **reply);

/* One request that must answer `want` within timeout_s; anything else is printed (returns 1). */
int lia_cli_daemon_expect(const struct lia_cli_daemon *d, const char *method, const char *path,
    json_t *body, int want, json_t **reply);

/* POSTs body to path expecting 201; prints the reply's "id" (or the JSON with --json). Returns an exit status. */
int lia_cli_daemon_post(const struct lia_cli *cli, const struct lia_cli_daemon *d, const char *path,
    json_t *body);

/* The `record` command: status, log, proof, consistency, export, verify. */
int lia_cmd_record(struct lia_cli *cli, int argc, char **argv);

#endif
