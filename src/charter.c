/*
 * charter.c - parse and validate the charter; look up parties, nodes and
 * recipients.
 *
 * The charter is trusted once validated, but it is read as untrusted text:
 * every line is checked (keywords, names, duplicate keys, limits) and every
 * error names the file, the line and the problem. A node line may name a
 * party declared further down; that reference is checked once the whole file
 * is read. CA certificates are read from paths relative to the charter's
 * directory and must be CAs with Ed25519 keys whose subject O is the party.
 */
#include "charter.h"
#include "cert.h"
#include "conf.h"
#include "config.h"
#include "err.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 3

struct charter_parse {
	struct lia_charter *c;
	const char *basedir;
	int mechanism_line;
	int party_line[LIA_MAX_PARTIES];
	int node_line[LIA_MAX_NODES];
};

const char *lia_role_name(enum lia_role role)
{
	return role == LIA_ROLE_UNIT ? "unit" : "station";
}

static int role_parse(const char *s, enum lia_role *role)
{
	int rc = 0;

	if (strcmp(s, "station") == 0)
		*role = LIA_ROLE_STATION;
	else if (strcmp(s, "unit") == 0)
		*role = LIA_ROLE_UNIT;
	else
		rc = -1;
	return rc;
}

const struct lia_node_def *lia_charter_node(const struct lia_charter *c, const char *name)
{
	const struct lia_node_def *found = NULL;

	for (int i = 0; c != NULL && name != NULL && i < c->n_nodes && found == NULL; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			found = &c->nodes[i];
	return found;
}

const struct lia_party *lia_charter_party(const struct lia_charter *c, const char *name)
{
	const struct lia_party *found = NULL;

	for (int i = 0; c != NULL && name != NULL && i < c->n_parties && found == NULL; i++)
		if (strcmp(c->parties[i].name, name) == 0)
			found = &c->parties[i];
	return found;
}

/*
 * Reads "key value" pairs from argv[first..]: each key must be one of keys[],
 * given once; every key is required. vals[] gets the values in keys[] order.
 */
static int take_pairs(const struct lia_conf_line *l, int first, const char *const *keys,
    int nkeys, const char **vals, char *problem)
{
	int rc = -1;

	for (int k = 0; k < nkeys; k++)
		vals[k] = NULL;
	for (int i = first; i < l->argc; i += 2) {
		int k = 0;
		while (k < nkeys && strcmp(l->argv[i], keys[k]) != 0)
			k++;
		if (k == nkeys) {
			lia_err_set(problem, "%s \"%s\": unknown key \"%.32s\"", l->argv[0], l->argv[1], l->argv[i]);
			goto out;
		}
		if (vals[k] != NULL) {
			lia_err_set(problem, "%s \"%s\": key \"%s\" given twice", l->argv[0], l->argv[1], keys[k]);
			goto out;
		}
		if (i + 1 >= l->argc) {
			lia_err_set(problem, "%s \"%s\": key \"%s\" has no value", l->argv[0], l->argv[1], keys[k]);
			goto out;
		}
		vals[k] = l->argv[i + 1];
	}
	for (int k = 0; k < nkeys; k++) {
		if (vals[k] == NULL) {
			lia_err_set(problem, "%s \"%s\": key \"%s\" is missing", l->argv[0], l->argv[1], keys[k]);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

/* Checks that name is well-formed and used by no party or node yet. */
static int name_free(const struct charter_parse *p, const char *what, const char *name,
    char *problem)
{
	const struct lia_charter *c = p->c;
	int rc = -1;

	if (!lia_name_valid(name)) {
		lia_err_set(problem, "%s name \"%.64s\" is not 1-%d of a-z, 0-9 and '-' (not starting with '-')",
		    what, name, LIA_NAME_MAX);
		goto out;
	}
	for (int i = 0; i < c->n_parties; i++) {
		if (strcmp(c->parties[i].name, name) == 0) {
			lia_err_set(problem, "%s name \"%s\" is already used by the party on line %d",
			    what, name, p->party_line[i]);
			goto out;
		}
	}
	for (int i = 0; i < c->n_nodes; i++) {
		if (strcmp(c->nodes[i].name, name) == 0) {
			lia_err_set(problem, "%s name \"%s\" is already used by the node on line %d",
			    what, name, p->node_line[i]);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

static int line_mechanism(struct charter_parse *p, const struct lia_conf_line *l, char *problem)
{
	int rc = -1;

	if (p->mechanism_line) {
		lia_err_set(problem, "mechanism given again (first on line %d)", p->mechanism_line);
		goto out;
	}
	if (l->argc != 2) {
		lia_err_set(problem, "mechanism takes exactly one name");
		goto out;
	}
	if (!lia_name_valid(l->argv[1])) {
		lia_err_set(problem, "mechanism name \"%.64s\" is not 1-%d of a-z, 0-9 and '-'",
		    l->argv[1], LIA_NAME_MAX);
		goto out;
	}
	snprintf(p->c->mechanism, sizeof(p->c->mechanism), "%s", l->argv[1]);
	p->mechanism_line = l->line;
	rc = 0;
out:
	return rc;
}

/* Loads the CA at path (relative to basedir) for party, checking what a party CA must be. */
static int load_party_ca(const struct charter_parse *p, struct lia_party *party,
    const char *path, char *problem)
{
	char full[4096], sub[LIA_ERR_LEN], subject_party[LIA_NAME_MAX + 1];
	int n, rc = -1;

	if (path[0] == '/' || p->basedir == NULL || p->basedir[0] == '\0')
		n = snprintf(full, sizeof(full), "%s", path);
	else
		n = snprintf(full, sizeof(full), "%s/%s", p->basedir, path);
	if (path[0] == '\0' || n < 0 || (size_t)n >= sizeof(full)) {
		lia_err_set(problem, "party \"%s\": CA path empty or too long", party->name);
		goto out;
	}
	if (lia_cert_load(full, &party->ca, sub) < 0 ||
	    lia_cert_ca_party(party->ca, subject_party, sub) < 0) {
		lia_err_set(problem, "party \"%s\": %s", party->name, sub);
		goto out;
	}
	/* Names are unique, so this also keeps two parties from sharing a CA. */
	if (strcmp(subject_party, party->name) != 0) {
		lia_err_set(problem, "party \"%s\": CA %.128s is the CA of party \"%s\"",
		    party->name, path, subject_party);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int line_party(struct charter_parse *p, const struct lia_conf_line *l, char *problem)
{
	static const char *const keys[] = { "ca" };
	struct lia_charter *c = p->c;
	struct lia_party *party;
	const char *vals[1];
	int rc = -1;

	if (l->argc < 2) {
		lia_err_set(problem, "party needs a name (party NAME ca PATH)");
		goto out;
	}
	if (name_free(p, "party", l->argv[1], problem) < 0 ||
	    take_pairs(l, 2, keys, 1, vals, problem) < 0)
		goto out;
	if (c->n_parties == LIA_MAX_PARTIES) {
		lia_err_set(problem, "party \"%s\": more than %d parties", l->argv[1], LIA_MAX_PARTIES);
		goto out;
	}
	party = &c->parties[c->n_parties];
	snprintf(party->name, sizeof(party->name), "%s", l->argv[1]);
	if (load_party_ca(p, party, vals[0], problem) < 0) {
		X509_free(party->ca);
		party->ca = NULL;
		goto out;
	}
	p->party_line[c->n_parties++] = l->line;
	rc = 0;
out:
	return rc;
}

static int line_node(struct charter_parse *p, const struct lia_conf_line *l, char *problem)
{
	static const char *const keys[] = { "party", "role", "address" };
	struct lia_charter *c = p->c;
	struct lia_node_def *node;
	const char *vals[3];
	char sub[LIA_ERR_LEN];
	int rc = -1;

	if (l->argc < 2) {
		lia_err_set(problem, "node needs a name (node NAME party PARTY role ROLE address HOST:PORT)");
		goto out;
	}
	if (name_free(p, "node", l->argv[1], problem) < 0 ||
	    take_pairs(l, 2, keys, 3, vals, problem) < 0)
		goto out;
	if (c->n_nodes == LIA_MAX_NODES) {
		lia_err_set(problem, "node \"%s\": more than %d nodes", l->argv[1], LIA_MAX_NODES);
		goto out;
	}
	node = &c->nodes[c->n_nodes];
	memset(node, 0, sizeof(*node));
	snprintf(node->name, sizeof(node->name), "%s", l->argv[1]);
	if (!lia_name_valid(vals[0])) {
		lia_err_set(problem, "node \"%s\": party name \"%.64s\" is not valid", node->name, vals[0]);
		goto out;
	}
	snprintf(node->party, sizeof(node->party), "%s", vals[0]);
	if (role_parse(vals[1], &node->role) < 0) {
		lia_err_set(problem, "node \"%s\": role \"%.32s\" is neither station nor unit",
		    node->name, vals[1]);
		goto out;
	}
	if (lia_charter_parse_addrs(vals[2], node->addrs, LIA_ADDRS_MAX, &node->n_addrs, sub) < 0) {
		lia_err_set(problem, "node \"%s\": %s", node->name, sub);
		goto out;
	}
	memcpy(node->host, node->addrs[0].host, sizeof(node->host));
	memcpy(node->port, node->addrs[0].port, sizeof(node->port));
	p->node_line[c->n_nodes++] = l->line;
	rc = 0;
out:
	return rc;
}

int lia_charter_parse_addrs(const char *list, struct lia_addr *out, int max, int *n, char *err)
{
	char item[LIA_HOST_MAX + 16];
	const char *p = list;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(item)) {
			lia_err_set(err, "address list \"%.80s\" has an empty or too long item", list);
			return -1;
		}
		if (*n == max) {
			lia_err_set(err, "address list \"%.80s\" has more than %d addresses", list, max);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (lia_split_address(item, out[*n].host, sizeof(out[*n].host), out[*n].port, err) < 0)
			return -1;
		for (int i = 0; i < *n; i++) {
			if (strcmp(out[i].host, out[*n].host) == 0 && strcmp(out[i].port, out[*n].port) == 0) {
				lia_err_set(err, "address %.80s is listed twice", item);
				return -1;
			}
		}
		(*n)++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static int charter_line(void *ctx, const struct lia_conf_line *l, char *err)
{
	struct charter_parse *p = ctx;
	char problem[LIA_ERR_LEN];
	int rc = -1;

	if (strcmp(l->argv[0], "mechanism") == 0)
		rc = line_mechanism(p, l, problem);
	else if (strcmp(l->argv[0], "party") == 0)
		rc = line_party(p, l, problem);
	else if (strcmp(l->argv[0], "node") == 0)
		rc = line_node(p, l, problem);
	else
		lia_err_set(problem, "unknown keyword \"%.32s\" (mechanism, party, node)", l->argv[0]);
	if (rc < 0)
		lia_err_set(err, "%s:%d: %s", l->file, l->line, problem);
	return rc;
}

/* Checks what only the whole file can tell: the mechanism, parties, node parties. */
static int charter_complete(const struct charter_parse *p, const char *name, char *err)
{
	const struct lia_charter *c = p->c;
	int rc = -1;

	if (!p->mechanism_line) {
		lia_err_set(err, "%s: no mechanism line (mechanism NAME is required)", name);
		goto out;
	}
	if (c->n_parties == 0) {
		lia_err_set(err, "%s: no party (at least one party NAME ca PATH is required)", name);
		goto out;
	}
	for (int i = 0; i < c->n_nodes; i++) {
		if (lia_charter_party(c, c->nodes[i].party) == NULL) {
			lia_err_set(err, "%s:%d: node \"%s\" names unknown party \"%s\"",
			    name, p->node_line[i], c->nodes[i].name, c->nodes[i].party);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

/* SHA-256 over the file's bytes, then each CA's DER in order of appearance. */
static int charter_hash(struct lia_charter *c, const char *name, const char *text,
    size_t len, char *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	size_t der_len = 0;
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, text, len) != 1)
		goto fail;
	for (int i = 0; i < c->n_parties; i++) {
		if (lia_cert_to_der(c->parties[i].ca, &der, &der_len, err) < 0)
			goto out;
		if (EVP_DigestUpdate(md, der, der_len) != 1)
			goto fail;
		free(der);
		der = NULL;
	}
	if (EVP_DigestFinal_ex(md, c->hash, NULL) != 1)
		goto fail;
	rc = 0;
	goto out;
fail:
	lia_err_set(err, "%s: cannot hash the charter", name);
	lia_err_add_openssl(err);
out:
	free(der);
	EVP_MD_CTX_free(md);
	return rc;
}

int lia_charter_parse(const char *name, const char *text, size_t len,
    const char *basedir, struct lia_charter **out, char *err)
{
	struct charter_parse p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.basedir = basedir;
	p.c = calloc(1, sizeof(*p.c));
	if (p.c == NULL) {
		lia_err_set(err, "%s: out of memory", name);
		goto out;
	}
	if (lia_conf_parse_text(name, text, len, charter_line, &p, err) < 0 ||
	    charter_complete(&p, name, err) < 0 ||
	    charter_hash(p.c, name, text, len, err) < 0)
		goto out;
	*out = p.c;
	p.c = NULL;
	rc = 0;
out:
	lia_charter_free(p.c);
	return rc;
}

int lia_charter_load(const char *path, struct lia_charter **out, char *err)
{
	char basedir[4096], *text = NULL;
	const char *slash = strrchr(path, '/');
	struct lia_charter *c = NULL;
	size_t len = 0;
	int rc = -1;

	if (strlen(path) >= sizeof(c->path)) {
		lia_err_set(err, "%.64s...: charter path too long", path);
		goto out;
	}
	if (slash == NULL)
		snprintf(basedir, sizeof(basedir), ".");
	else if (slash == path)
		snprintf(basedir, sizeof(basedir), "/");
	else
		snprintf(basedir, sizeof(basedir), "%.*s", (int)(slash - path), path);
	if (lia_read_file(path, LIA_CONF_MAXFILE, &text, &len, err) < 0 ||
	    lia_charter_parse(path, text, len, basedir, &c, err) < 0)
		goto out;
	snprintf(c->path, sizeof(c->path), "%s", path);
	*out = c;
	rc = 0;
out:
	free(text);
	return rc;
}

void lia_charter_free(struct lia_charter *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n_parties; i++)
		X509_free(c->parties[i].ca);
	free(c);
}

/* Adds the stations of party other than self to out[]. */
static int party_stations(const struct lia_charter *c, const char *party, const char *self,
    const struct lia_node_def **out, int max, int *n, char *err)
{
	int rc = -1;

	*n = 0;
	for (int i = 0; i < c->n_nodes; i++) {
		const struct lia_node_def *d = &c->nodes[i];
		if (strcmp(d->party, party) != 0 || d->role != LIA_ROLE_STATION ||
		    (self != NULL && strcmp(d->name, self) == 0))
			continue;
		if (*n == max) {
			lia_err_set(err, "recipient \"%s\" names more than %d nodes", party, max);
			goto out;
		}
		out[(*n)++] = d;
	}
	if (*n == 0) {
		lia_err_set(err, "recipient \"%s\" is a party with no station other than this node", party);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		*n = 0;
	return rc;
}

int lia_charter_recipients(const struct lia_charter *c, const char *to,
    const char *self, const struct lia_node_def **out, int max, int *n, char *err)
{
	const struct lia_node_def *node = lia_charter_node(c, to);
	int rc = -1;

	*n = 0;
	if (node != NULL && self != NULL && strcmp(node->name, self) == 0) {
		lia_err_set(err, "recipient \"%s\" is this node itself", to);
	} else if (node != NULL && max < 1) {
		lia_err_set(err, "recipient \"%s\": no room for the node", to);
	} else if (node != NULL) {
		out[0] = node;
		*n = 1;
		rc = 0;
	} else if (lia_charter_party(c, to) != NULL) {
		rc = party_stations(c, to, self, out, max, n, err);
	} else {
		lia_err_set(err, "recipient \"%.64s\" is neither a party nor a node of the charter", to);
	}
	return rc;
}
