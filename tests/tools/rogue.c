/*
 * rogue.c - a hostile peer for the integration tests: it holds a real node
 * certificate of the charter (or an outsider's), opens a TLS 1.3 link to a
 * running liaisond like a node would, then sends one kind of bad input and
 * reports what the daemon did: the frames it sent back and whether it closed
 * the link. Options and wiring only; see rogue_conn.c and rogue_attack.c.
 */
#include "rogue.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "config.h"
#include "text.h"

struct options {
	const char *key_dir, *charter, *connect, *attack, *sign_as, *to, *claim;
	int wait_ms;
	uint64_t seen;
};

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: rogue --key NODEDIR --charter FILE --connect HOST:PORT --attack KIND\n"
	    "             [--sign-as NODEDIR2] [--to NAME] [--claim NAME] [--wait MS]\n"
	    "             [--seen N]\n"
	    "\n"
	    "Connects to a liaisond as the node whose node.key and node.crt are in NODEDIR,\n"
	    "exchanges hellos, performs the attack, then prints every frame received until\n"
	    "the peer closes the link or MS milliseconds pass (default %d).\n"
	    "\n"
	    "Exit: 0 the peer closed the link, 3 it stayed open, 4 TLS handshake refused\n"
	    "(or closed before the peer's hello), 2 no TCP connection, 5 the peer sent\n"
	    "something undecodable, 1 local failure.\n"
	    "\n"
	    "Attacks:\n", ROGUE_WAIT_MS);
	rogue_attack_list(f);
}

/* Milliseconds from 1 to 600000, or -1. */
static int parse_ms(const char *s)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	return end != s && *end == '\0' && v >= 1 && v <= 600000 ? (int)v : -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"key", required_argument, NULL, 'k'}, {"charter", required_argument, NULL, 'c'},
		{"connect", required_argument, NULL, 'C'}, {"attack", required_argument, NULL, 'a'},
		{"sign-as", required_argument, NULL, 's'}, {"to", required_argument, NULL, 't'},
		{"wait", required_argument, NULL, 'w'}, {"claim", required_argument, NULL, 'm'},
		{"seen", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->wait_ms = ROGUE_WAIT_MS;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'k': o->key_dir = optarg; break;
		case 'c': o->charter = optarg; break;
		case 'C': o->connect = optarg; break;
		case 'a': o->attack = optarg; break;
		case 's': o->sign_as = optarg; break;
		case 't': o->to = optarg; break;
		case 'm': o->claim = optarg; break;
		case 'w': o->wait_ms = parse_ms(optarg); break;
		case 'S': o->seen = strtoull(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || !o->key_dir || !o->charter || !o->connect || !o->attack ||
	    o->wait_ms < 0)
		return -1;
	return 0;
}

/* Reads node.key and the node name from node.crt in dir. */
static int load_identity(const char *dir, EVP_PKEY **key, char name[LIA_NAME_MAX + 1])
{
	char path[4096], err[LIA_ERR_LEN] = "";
	struct lia_identity id;
	X509 *cert = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/node.key", dir);
	if (lia_cert_load_key(path, key, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/node.crt", dir);
	if (lia_cert_load(path, &cert, err) < 0 || lia_cert_identity(cert, &id, err) < 0)
		goto out;
	snprintf(name, LIA_NAME_MAX + 1, "%s", id.node);
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "rogue: %s\n", err);
	X509_free(cert);
	return rc;
}

/* Loads the charter and the keys the options name. */
static int load(struct rogue *r, const struct options *o, const struct rogue_attack *a)
{
	char err[LIA_ERR_LEN] = "";

	if (lia_charter_load(o->charter, &r->charter, err) < 0) {
		fprintf(stderr, "rogue: %s\n", err);
		return -1;
	}
	memcpy(r->hash, r->charter->hash, sizeof(r->hash));
	if (load_identity(o->key_dir, &r->key, r->self) < 0)
		return -1;
	if (a->needs_other && o->sign_as == NULL) {
		fprintf(stderr, "rogue: attack %s needs --sign-as NODEDIR2\n", a->name);
		return -1;
	}
	if (o->sign_as != NULL && load_identity(o->sign_as, &r->other_key, r->other) < 0)
		return -1;
	if (o->to != NULL && !lia_name_valid(o->to)) {
		fprintf(stderr, "rogue: --to %s is not a valid name\n", o->to);
		return -1;
	}
	snprintf(r->to, sizeof(r->to), "%s", o->to ? o->to : "");
	if (o->claim != NULL && !lia_name_valid(o->claim)) {
		fprintf(stderr, "rogue: --claim %s is not a valid name\n", o->claim);
		return -1;
	}
	snprintf(r->claim, sizeof(r->claim), "%s", o->claim ? o->claim : "");
	r->wait_ms = o->wait_ms;
	r->seen_claim = o->seen;
	return 0;
}

/* Connects, exchanges hellos when the attack wants them, attacks, watches. */
static int run(struct rogue *r, const struct options *o, const struct rogue_attack *a)
{
	char host[LIA_HOST_MAX + 1], port[8], err[LIA_ERR_LEN] = "";
	uint64_t seen = 0;
	int rc;

	if (lia_split_address(o->connect, host, sizeof(host), port, err) < 0) {
		fprintf(stderr, "rogue: --connect: %s\n", err);
		return ROGUE_LOCAL;
	}
	rc = rogue_conn_open(r, o->key_dir, host, port);
	if (rc != 0)
		return rc;
	if (a->hello && (rc = rogue_hello(r, r->self, &seen)) != 0)
		return rc;
	r->prev = seen;
	printf("attack %s\n", a->name);
	if (a->fn(r) < 0)
		return ROGUE_LOCAL;
	return rogue_watch(r);
}

int main(int argc, char **argv)
{
	const struct rogue_attack *a = NULL;
	struct rogue r;
	struct options o;
	int rc = ROGUE_LOCAL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof(r));
	r.conn.fd = -1;
	if (parse_options(argc, argv, &o) < 0) {
		usage(stderr);
		return ROGUE_LOCAL;
	}
	a = rogue_attack_find(o.attack);
	if (a == NULL) {
		fprintf(stderr, "rogue: unknown attack %s\n", o.attack);
		usage(stderr);
		return ROGUE_LOCAL;
	}
	if (load(&r, &o, a) == 0)
		rc = run(&r, &o, a);
	rogue_conn_close(&r.conn);
	lia_charter_free(r.charter);
	EVP_PKEY_free(r.key);
	EVP_PKEY_free(r.other_key);
	return rc;
}
