/*
 * cmd_operator.c - liaison operator add|list|disable|enable|passwd: the
 * station's console operators, through the daemon's API (/v1/operators; the
 * CLI never opens the store). A password is read from standard input (one
 * line, so `printf '%s\n' "$pw" | liaison operator add ...` works) and wiped
 * after the request; the daemon hashes it with Argon2id.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <openssl/crypto.h>

#define PASSWORD_LINE_MAX 300

/* One line of standard input, without its newline, into buf; -1 when empty or too long. */
static int read_password(char buf[static PASSWORD_LINE_MAX])
{
	size_t n;

	if (fgets(buf, PASSWORD_LINE_MAX, stdin) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == PASSWORD_LINE_MAX - 1)
		return -1;
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

static void print_list(const json_t *list)
{
	const json_t *o;
	size_t i;

	printf("%-24s %-11s %-4s %s\n", "OPERATOR", "ROLE", "LANG", "STATE");
	json_array_foreach(list, i, o) {
		lia_cli_put_text(stdout, json_string_value(json_object_get(o, "name")), 0);
		printf("%*s %-11s %-4s %s\n",
		    (int)(24 - strlen(json_string_value(json_object_get(o, "name")))) > 0 ?
		    (int)(24 - strlen(json_string_value(json_object_get(o, "name")))) : 0, "",
		    json_string_value(json_object_get(o, "role")),
		    json_string_value(json_object_get(o, "lang")),
		    json_is_true(json_object_get(o, "disabled")) ? "disabled" : "enabled");
	}
}

static void print_audit(const json_t *list)
{
	const json_t *a;
	size_t i;

	json_array_foreach(list, i, a) {
		printf("%" JSON_INTEGER_FORMAT " ", json_integer_value(json_object_get(a, "time_ms")));
		lia_cli_put_text(stdout, json_string_value(json_object_get(a, "operator")), 0);
		putchar(' ');
		lia_cli_put_text(stdout, json_string_value(json_object_get(a, "address")), 0);
		putchar(' ');
		lia_cli_put_text(stdout, json_string_value(json_object_get(a, "action")), 0);
		printf(": ");
		lia_cli_put_text(stdout, json_string_value(json_object_get(a, "outcome")), 0);
		printf(" ");
		lia_cli_put_text(stdout, json_string_value(json_object_get(a, "detail")), 0);
		putchar('\n');
	}
}

int lia_cmd_operator(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		LIA_CLI_COMMON_LONGOPTS, {"role", required_argument, NULL, 'r'},
		{"lang", required_argument, NULL, 'l'}, {NULL, 0, NULL, 0},
	};
	const char *role = "operator", *lang = NULL, *verb, *name = NULL;
	char pw[PASSWORD_LINE_MAX] = "", path[400], *enc = NULL;
	struct lia_cli_daemon d;
	json_t *body = NULL, *reply = NULL;
	int ch, status = LIA_EXIT_OK, want = 200;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS "r:l:", options, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "operator", ch, argv, &status);
		if (r < 0)
			goto out;
		if (r == 0 && ch == 'r')
			role = optarg;
		else if (r == 0 && ch == 'l')
			lang = optarg;
	}
	verb = optind < argc ? argv[optind++] : "";
	if (strcmp(verb, "list") != 0 && strcmp(verb, "audit") != 0)
		name = optind < argc ? argv[optind++] : NULL;
	if (strcmp(verb, "audit") == 0 && optind == argc) {
		if ((status = lia_cli_daemon_open(cli, &d)) == LIA_EXIT_OK &&
		    (status = lia_cli_daemon_expect(&d, "GET", "/v1/operators/audit", NULL, 200,
		    &reply)) == LIA_EXIT_OK) {
			if (cli->json)
				lia_cli_print_json(reply);
			else
				print_audit(json_object_get(reply, "audit"));
		}
		goto out;
	}
	if ((strcmp(verb, "list") != 0 && strcmp(verb, "add") != 0 && strcmp(verb, "disable") != 0 &&
	    strcmp(verb, "enable") != 0 && strcmp(verb, "passwd") != 0) ||
	    (strcmp(verb, "list") != 0 && name == NULL) || optind < argc) {
		status = lia_cli_usage("operator", "expected add NAME, list, audit, disable NAME, enable NAME or passwd NAME");
		goto out;
	}
	if ((strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) && read_password(pw) < 0) {
		status = lia_cli_fail("operator %s: give the password on standard input (one line)", verb);
		goto out;
	}
	if ((status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	if (strcmp(verb, "list") == 0) {
		if ((status = lia_cli_daemon_expect(&d, "GET", "/v1/operators", NULL, 200, &reply)) !=
		    LIA_EXIT_OK)
			goto out;
		if (cli->json)
			lia_cli_print_json(reply);
		else
			print_list(json_object_get(reply, "operators"));
		goto out;
	}
	if (strcmp(verb, "add") == 0) {
		body = json_pack("{s:s, s:s, s:s}", "name", name, "role", role, "password", pw);
		if (body != NULL && lang != NULL)
			json_object_set_new(body, "lang", json_string(lang));
		snprintf(path, sizeof(path), "/v1/operators");
		want = 201;
	} else {
		enc = evhttp_encode_uri(name);
		body = strcmp(verb, "passwd") == 0 ? json_pack("{s:s}", "password", pw) : json_object();
		snprintf(path, sizeof(path), "/v1/operators/%s/%s", enc != NULL ? enc : "", verb);
	}
	if (body == NULL) {
		status = lia_cli_fail("operator %s: out of memory (or a name that is not UTF-8)", verb);
		goto out;
	}
	if ((status = lia_cli_daemon_expect(&d, "POST", path, body, want, &reply)) == LIA_EXIT_OK) {
		if (cli->json)
			lia_cli_print_json(reply);
		else
			printf("operator %s: %s done\n", name, verb);
	}
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	if (json_is_string(json_object_get(body, "password")))
		OPENSSL_cleanse((char *)json_string_value(json_object_get(body, "password")),
		    json_string_length(json_object_get(body, "password")));
	free(enc);
	lia_cli_daemon_close(&d);
	json_decref(body);
	json_decref(reply);
	return status;
}
