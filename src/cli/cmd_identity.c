/*
 * cmd_identity.c - the CLI's offline commands: party create, node issue,
 * charter check. They work on files only and never talk to a daemon.
 *
 * Names are checked here before cert.c is asked to write anything, so a
 * mistyped name fails with a usage error and no half-made directory.
 */
#include "cmd.h"
#include "cert.h"
#include "charter.h"
#include "encoding.h"
#include "err.h"
#include "text.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

/* The options of the two issuing commands ("dir" is theirs, not the node directory). */
static const struct option issue_options[] = {
	{"name", required_argument, NULL, 'n'},
	{"dir", required_argument, NULL, 'D'},
	{"party", required_argument, NULL, 'p'},
	{"role", required_argument, NULL, 'r'},
	{"json", no_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct issue_args {
	const char *name;
	const char *dir;
	const char *party;
	const char *role;
};

/* Parses the issuing options after the verb; returns -1 with *status set on stop. */
static int issue_parse(struct lia_cli *cli, const char *cmd, int argc, char **argv,
    struct issue_args *a, int *status)
{
	int ch, rc = 0;

	while (rc == 0 && (ch = getopt_long(argc, argv, ":h", issue_options, NULL)) != -1) {
		if (ch == 'n')
			a->name = optarg;
		else if (ch == 'D')
			a->dir = optarg;
		else if (ch == 'p')
			a->party = optarg;
		else if (ch == 'r')
			a->role = optarg;
		else if (lia_cli_common_option(cli, cmd, ch, argv, status) < 0)
			rc = -1;
	}
	if (rc == 0 && optind < argc) {
		*status = lia_cli_usage(cmd, "unexpected argument \"%.40s\"", argv[optind]);
		rc = -1;
	}
	return rc;
}

/* Usage error unless name is a valid party or node name. */
static int check_name(const char *cmd, const char *option, const char *name)
{
	int status = LIA_EXIT_OK;

	if (name == NULL)
		status = lia_cli_usage(cmd, "%s is required", option);
	else if (!lia_name_valid(name))
		status = lia_cli_usage(cmd, "%s \"%.40s\" is not a valid name (1 to %d of a-z, 0-9, -; "
		    "not starting with -)", option, name, LIA_NAME_MAX);
	return status;
}

/* Usage error unless the party's arguments are all there and well-formed; LIA_EXIT_OK when they are. */
static int party_args(const struct issue_args *a)
{
	int status = LIA_EXIT_OK;

	if (a->party != NULL || a->role != NULL)
		status = lia_cli_usage("party", "--party and --role belong to node issue");
	else if ((status = check_name("party", "--name", a->name)) != LIA_EXIT_OK)
		;
	else if (a->dir == NULL || a->dir[0] == '\0')
		status = lia_cli_usage("party", "--dir PARTYDIR is required");
	return status;
}

static int party_create(struct lia_cli *cli, int argc, char **argv)
{
	struct issue_args a = {0};
	char err[LIA_ERR_LEN] = "";
	int status = LIA_EXIT_OK;
	json_t *out;

	if (issue_parse(cli, "party", argc, argv, &a, &status) < 0 ||
	    (status = party_args(&a)) != LIA_EXIT_OK)
		goto out;
	if (lia_cert_create_party(a.dir, a.name, err) < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	if (cli->json) {
		out = json_pack("{s:s, s:s, s:s, s:s}", "party", a.name, "dir", a.dir,
		    "certificate", "ca.crt", "key", "ca.key");
		lia_cli_print_json(out);
		json_decref(out);
	} else {
		printf("party %s created in %s: ca.crt (share it in the charter), "
		    "ca.key (keep it offline)\n", a.name, a.dir);
	}
out:
	return status;
}

int lia_cmd_party(struct lia_cli *cli, int argc, char **argv)
{
	int status;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		status = lia_cli_help("party");
	else if (argc < 2 || strcmp(argv[1], "create") != 0)
		status = lia_cli_usage("party", "expected the verb \"create\"");
	else
		status = party_create(cli, argc - 1, argv + 1);
	return status;
}

static int parse_role(const char *s, enum lia_role *role)
{
	if (s != NULL && strcmp(s, "station") == 0)
		*role = LIA_ROLE_STATION;
	else if (s != NULL && strcmp(s, "unit") == 0)
		*role = LIA_ROLE_UNIT;
	else
		return -1;
	return 0;
}

/* Reads back the certificate just issued, so what is printed is what was written. */
static int issued_identity(const char *dir, struct lia_identity *id, char *err)
{
	char path[4096];
	X509 *cert = NULL;
	int rc = -1;

	if (snprintf(path, sizeof(path), "%s/node.crt", dir) >= (int)sizeof(path)) {
		lia_err_set(err, "node directory path is too long");
		goto out;
	}
	if (lia_cert_load(path, &cert, err) < 0 || lia_cert_identity(cert, id, err) < 0)
		goto out;
	rc = 0;
out:
	X509_free(cert);
	return rc;
}

/* Usage error unless the node's arguments are all there and well-formed; fills *role. */
static int node_args(const struct issue_args *a, enum lia_role *role)
{
	int status = LIA_EXIT_OK;

	if (a->party == NULL || a->party[0] == '\0')
		status = lia_cli_usage("node", "--party PARTYDIR is required");
	else if ((status = check_name("node", "--name", a->name)) != LIA_EXIT_OK)
		;
	else if (parse_role(a->role, role) < 0)
		status = lia_cli_usage("node", "--role must be station or unit");
	else if (a->dir == NULL || a->dir[0] == '\0')
		status = lia_cli_usage("node", "--dir NODEDIR is required");
	return status;
}

static int node_issue(struct lia_cli *cli, int argc, char **argv)
{
	struct issue_args a = {0};
	struct lia_identity id;
	enum lia_role role = LIA_ROLE_STATION;
	char err[LIA_ERR_LEN] = "";
	int status = LIA_EXIT_OK;
	json_t *out;

	if (issue_parse(cli, "node", argc, argv, &a, &status) < 0 ||
	    (status = node_args(&a, &role)) != LIA_EXIT_OK)
		goto out;
	if (lia_cert_issue_node(a.party, a.name, role, a.dir, err) < 0 ||
	    issued_identity(a.dir, &id, err) < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	if (cli->json) {
		out = json_pack("{s:s, s:s, s:s, s:s}", "node", id.node, "party", id.party,
		    "role", lia_role_name(id.role), "dir", a.dir);
		lia_cli_print_json(out);
		json_decref(out);
	} else {
		printf("node %s (%s of %s) issued in %s: node.key, node.crt, ca.crt\n",
		    id.node, lia_role_name(id.role), id.party, a.dir);
	}
out:
	return status;
}

int lia_cmd_node(struct lia_cli *cli, int argc, char **argv)
{
	int status;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		status = lia_cli_help("node");
	else if (argc < 2 || strcmp(argv[1], "issue") != 0)
		status = lia_cli_usage("node", "expected the verb \"issue\"");
	else
		status = node_issue(cli, argc - 1, argv + 1);
	return status;
}

static void node_address(const struct lia_node_def *n, char *out, size_t len)
{
	snprintf(out, len, strchr(n->host, ':') != NULL ? "[%s]:%s" : "%s:%s", n->host, n->port);
}

static void party_subject(const struct lia_party *p, char *out, size_t len)
{
	X509_NAME *name = p->ca != NULL ? X509_get_subject_name(p->ca) : NULL;

	if (name == NULL || X509_NAME_oneline(name, out, (int)len) == NULL)
		snprintf(out, len, "-");
}

static json_t *charter_json(const struct lia_charter *c, const char *file, const char *hash)
{
	json_t *parties = json_array(), *nodes = json_array();
	char address[LIA_HOST_MAX + 16], subject[256];

	for (int i = 0; i < c->n_parties; i++) {
		party_subject(&c->parties[i], subject, sizeof(subject));
		json_array_append_new(parties, json_pack("{s:s, s:s}", "name", c->parties[i].name,
		    "ca_subject", subject));
	}
	for (int i = 0; i < c->n_nodes; i++) {
		node_address(&c->nodes[i], address, sizeof(address));
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:s, s:s}", "name", c->nodes[i].name,
		    "party", c->nodes[i].party, "role", lia_role_name(c->nodes[i].role),
		    "address", address));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "file", file, "mechanism", c->mechanism,
	    "hash", hash, "parties", parties, "nodes", nodes);
}

static void charter_print(const struct lia_charter *c, const char *file, const char *hash)
{
	char address[LIA_HOST_MAX + 16], subject[256];
	int wn = 4, wp = 5;

	for (int i = 0; i < c->n_parties; i++)
		if ((int)strlen(c->parties[i].name) > wp)
			wp = (int)strlen(c->parties[i].name);
	for (int i = 0; i < c->n_nodes; i++)
		if ((int)strlen(c->nodes[i].name) > wn)
			wn = (int)strlen(c->nodes[i].name);
	printf("  charter: %s\nmechanism: %s\n     hash: %s\n\n  %-*s  %s\n", file, c->mechanism,
	    hash, wp, "PARTY", "CA");
	for (int i = 0; i < c->n_parties; i++) {
		party_subject(&c->parties[i], subject, sizeof(subject));
		printf("  %-*s  %s\n", wp, c->parties[i].name, subject);
	}
	printf("\n  %-*s  %-*s  %-7s  %s\n", wn, "NODE", wp, "PARTY", "ROLE", "ADDRESS");
	for (int i = 0; i < c->n_nodes; i++) {
		node_address(&c->nodes[i], address, sizeof(address));
		printf("  %-*s  %-*s  %-7s  %s\n", wn, c->nodes[i].name, wp, c->nodes[i].party,
		    lia_role_name(c->nodes[i].role), address);
	}
}

static int charter_check(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = { LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0} };
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN] = "", hash[65];
	int ch, status = LIA_EXIT_OK;
	json_t *out;

	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1)
		if (lia_cli_common_option(cli, "charter", ch, argv, &status) < 0)
			goto out;
	if (argc - optind != 1) {
		status = lia_cli_usage("charter", "expected exactly one FILE");
		goto out;
	}
	if (lia_charter_load(argv[optind], &c, err) < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	lia_hex_encode(c->hash, sizeof(c->hash), hash);
	if (cli->json) {
		out = charter_json(c, argv[optind], hash);
		lia_cli_print_json(out);
		json_decref(out);
	} else {
		charter_print(c, argv[optind], hash);
	}
out:
	lia_charter_free(c);
	return status;
}

int lia_cmd_charter(struct lia_cli *cli, int argc, char **argv)
{
	int status;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		status = lia_cli_help("charter");
	else if (argc < 2 || strcmp(argv[1], "check") != 0)
		status = lia_cli_usage("charter", "expected the verb \"check\"");
	else
		status = charter_check(cli, argc - 1, argv + 1);
	return status;
}
