/*
 * liaison.c - the liaison CLI's main: global options, the command table
 * (name, function, usage, help, as in wireguard-tools' wg.c), usage text and
 * the output helpers every command shares. Commands live in cmd_*.c.
 *
 * Every error is one line "liaison: <sentence>" on stderr; exit status 1 for
 * a failure, 2 for a usage error.
 */
#include "cmd.h"
#include "err.h"
#include "id.h"
#include "text.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LIA_VERSION "0.1.0"

struct command {
	const char *name;
	lia_cmd_fn fn;
	const char *usage;                 /* the command's form, after "liaison" */
	const char *help;                  /* one line */
};

static int cmd_help(struct lia_cli *cli, int argc, char **argv);

static const struct command commands[] = {
	{"party", lia_cmd_party, "party create --name NAME --dir PARTYDIR",
	    "create a party's CA key and self-signed certificate in PARTYDIR"},
	{"node", lia_cmd_node, "node issue --party PARTYDIR --name NODE --role station|unit --dir NODEDIR",
	    "issue a node key and certificate from the party's CA into NODEDIR"},
	{"charter", lia_cmd_charter, "charter check FILE",
	    "validate a charter; print its mechanism, parties, nodes and hash"},
	{"send", lia_cmd_send, "send --to NAME [--precedence FLASH|IMMEDIATE|PRIORITY|ROUTINE] [--lang TAG] TEXT...",
	    "send a message to a node or party (TEXT \"-\" reads standard input); print its id"},
	{"send-signal", lia_cmd_send_signal, "send-signal [--to NAME] --at LAT,LON CODE[:V1,V2] ...",
	    "sign and send coded on-site signals (checked against the catalogue) at a position"},
	{"signals", lia_cmd_signals, "signals [--lang en|zh|ja|ko]",
	    "list the signals sent and received, rendered in one language with their codes"},
	{"inbox", lia_cmd_inbox, "inbox [--limit N]",
	    "list received messages, newest last"},
	{"outbox", lia_cmd_outbox, "outbox [--limit N]",
	    "list sent messages and their state, newest last"},
	{"show", lia_cmd_show, "show ID",
	    "show a message, its deliveries, receipts and acks, each signature checked"},
	{"ack", lia_cmd_ack, "ack ID [--operator NAME]",
	    "acknowledge a received message for an operator; print the ack's id"},
	{"radio", lia_cmd_radio, "radio",
	    "show the unit link: peers, in flight, sent, retransmissions, refused"},
	{"links", lia_cmd_links, "links",
	    "show the links to peer nodes"},
	{"status", lia_cmd_status, "status",
	    "show this node, its charter hash, links and counts"},
	{"overdue", lia_cmd_overdue, "overdue",
	    "list what is overdue here: message, whose receipt or ack, for how long, steps taken"},
	{"wait", lia_cmd_wait, "wait ID --state delivered|acknowledged [--timeout SECONDS]",
	    "wait until a message is delivered or acknowledged (exit 1 on timeout)"},
	{"record", lia_cmd_record, "record status | log FROM LIMIT | proof ID | inclusion INDEX SIZE | "
	    "consistency OLD NEW | export FILE | verify [--json] FILE",
	    "the joint record: this node's log, checkpoints and cosignatures, an entry's proofs "
	    "in both logs, export, offline verification"},
	{"incident", lia_cmd_incident, "incident open (--to NAME | --signal ID) [--at LAT,LON] TITLE... | "
	    "attach ID ENTRY | propose ID contained|closed REASON... | confirm ID PROPOSAL | "
	    "note ID TEXT... | show ID | list  (actions: [--operator NAME])",
	    "incidents shared with the other party: open one (from a signal or by hand), attach "
	    "messages and signals, propose and confirm state changes, show the timeline"},
	{"operator", lia_cmd_operator, "operator add NAME [--role operator|supervisor|auditor] "
	    "[--lang en|zh|ja|ko] | list | audit | disable NAME | enable NAME | passwd NAME",
	    "the console's operators; add and passwd read the password from standard input"},
	{"console", lia_cmd_console, "console cert --host NAME|IP [--days N]",
	    "the console's HTTPS certificate (ECDSA P-256) for a console off loopback"},
	{"watch", lia_cmd_watch, "watch [--count N]",
	    "follow arrivals (messages, receipts, acks, signals, incidents, links); a bell for FLASH"},
	{"help", cmd_help, "help [COMMAND]",
	    "show this help, or one command's"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: liaison [-d NODEDIR] [--json] COMMAND [ARGS]\n"
	    "       liaison -h | --help | help [COMMAND]\n"
	    "       liaison -V | --version\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  liaison %s\n      %s\n", commands[i].usage, commands[i].help);
	fprintf(out, "\nOptions:\n"
	    "  -d, --dir NODEDIR  node directory (default $LIAISON_DIR, else .); holds\n"
	    "                     liaisond.conf, api.token and the daemon's api.sock\n"
	    "  --json             print the API's JSON (sorted keys) instead of text\n"
	    "  -h, --help         this help\n"
	    "  -V, --version      print the version\n"
	    "\nExit status: 0 success, 1 failure, 2 usage error. See liaison(1).\n");
}

int lia_cli_fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "liaison: %s\n", line);
	return LIA_EXIT_FAIL;
}

int lia_cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct command *c = find_command(cmd);
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "liaison: %s: %s (usage: liaison %s)\n", cmd, line,
	    c != NULL ? c->usage : cmd);
	return LIA_EXIT_USAGE;
}

int lia_cli_help(const char *cmd)
{
	const struct command *c = find_command(cmd);

	if (c == NULL)
		return lia_cli_usage("help", "unknown command \"%.40s\"", cmd);
	printf("usage: liaison [-d NODEDIR] [--json] %s\n\n%s.\nSee liaison(1).\n", c->usage, c->help);
	return LIA_EXIT_OK;
}

int lia_cli_common_option(struct lia_cli *cli, const char *cmd, int ch, char **argv,
    int *status)
{
	switch (ch) {
	case 'j':
		cli->json = 1;
		return 1;
	case 'd':
		cli->dir = optarg;
		return 1;
	case 'h':
		*status = lia_cli_help(cmd);
		return -1;
	case ':':
		*status = lia_cli_usage(cmd, "option %s needs a value", argv[optind - 1]);
		return -1;
	case '?':
		if (optopt != 0)
			*status = lia_cli_usage(cmd, "unknown option -%c", optopt);
		else
			*status = lia_cli_usage(cmd, "unknown option %s", argv[optind - 1]);
		return -1;
	default:
		return 0;
	}
}

void lia_cli_print_json(const json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
}

void lia_cli_put_text(FILE *out, const char *s, int keep_newlines)
{
	size_t len = s != NULL ? strlen(s) : 0;
	char *clean = malloc(len + 1);

	if (clean == NULL) {
		fputc('?', out); /* out of memory: show nothing of the text */
		return;
	}
	lia_text_sanitize(clean, s != NULL ? s : "", len,
	    LIA_TEXT_KEEP_TAB | (keep_newlines ? LIA_TEXT_KEEP_NEWLINE : 0));
	fputs(clean, out);
	free(clean);
}

const char *lia_cli_str_of(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, n, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, n, "-");
	return buf;
}

const char *lia_cli_field_of(const json_t *obj, const char *key, char *buf, size_t n)
{
	return lia_cli_str_of(json_object_get(obj, key), buf, n);
}

void lia_cli_print_field(int width, const char *label, const char *value)
{
	printf("%*s: ", width, label);
	lia_cli_put_text(stdout, value, 0);
	putchar('\n');
}

void lia_cli_print_cell(const char *s, int width)
{
	lia_cli_put_text(stdout, s, 0);
	for (int i = (int)strlen(s); i < width; i++)
		putchar(' ');
}

int lia_cli_check_id(const char *cmd, const char *id)
{
	char origin[LIA_NAME_MAX + 1], err[LIA_ERR_LEN] = "";
	uint64_t seq;

	if (lia_id_parse(id, origin, &seq, err) < 0)
		return lia_cli_usage(cmd, "\"%.60s\" is not a message id like tokyo/1: %s", id, err);
	return LIA_EXIT_OK;
}

int lia_cli_common_options_only(struct lia_cli *cli, const char *cmd, int argc, char **argv,
    int *status)
{
	static const struct option options[] = { LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0} };
	int ch;

	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1)
		if (lia_cli_common_option(cli, cmd, ch, argv, status) < 0)
			return -1;
	return 0;
}

static int cmd_help(struct lia_cli *cli, int argc, char **argv)
{
	if (argc > 2)
		return lia_cli_usage("help", "too many arguments");
	if (argc == 2)
		return lia_cli_help(argv[1]);
	usage(stdout);
	return LIA_EXIT_OK;
}

/* Global options up to the command name; -1 with *status when the program must stop there. */
static int global_options(struct lia_cli *cli, int argc, char **argv, int *status)
{
	static const struct option longopts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int ch, stop = 0;

	opterr = 0;
	/* '+': stop at the command name; its options are its own. */
	while (!stop && (ch = getopt_long(argc, argv, "+:d:hV", longopts, NULL)) != -1) {
		stop = 1;
		if (ch == 'd') {
			cli->dir = optarg;
			stop = 0;
		} else if (ch == 'j') {
			cli->json = 1;
			stop = 0;
		} else if (ch == 'h') {
			usage(stdout);
			*status = LIA_EXIT_OK;
		} else if (ch == 'V') {
			printf("liaison %s\n", LIA_VERSION);
			*status = LIA_EXIT_OK;
		} else {
			if (ch == ':')
				lia_cli_fail("option %s needs a value (see liaison --help)", argv[optind - 1]);
			else if (optopt != 0)
				lia_cli_fail("unknown option -%c (see liaison --help)", optopt);
			else
				lia_cli_fail("unknown option %s (see liaison --help)", argv[optind - 1]);
			*status = LIA_EXIT_USAGE;
		}
	}
	return stop ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct lia_cli cli = { .dir = getenv("LIAISON_DIR"), .json = 0 };
	const struct command *c = NULL;
	int status = LIA_EXIT_USAGE;

	if (global_options(&cli, argc, argv, &status) < 0)
		goto out;
	if (cli.dir == NULL || cli.dir[0] == '\0')
		cli.dir = ".";
	if (optind >= argc) {
		usage(stderr);
		goto out;
	}
	c = find_command(argv[optind]);
	if (c == NULL) {
		lia_cli_fail("unknown command \"%.40s\" (see liaison --help)", argv[optind]);
		goto out;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* glibc: restart getopt for the command's own options */
	status = c->fn(&cli, argc, argv);
out:
	return status;
}
