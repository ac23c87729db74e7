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
 * Deadline lines override the defaults of one precedence; escalate lines name
 * the station told when a party's (or one node's) answers are late; their
 * names are checked once the whole file is read, like node parties.
 */
#include "charter.h"
#include "cert.h"
#include "conf.h"
#include "config.h"
#include "entry.h"
#include "err.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PAIRS 3
#define MIN_MS 1000
#define MAX_ESCALATIONS (LIA_MAX_NODES + LIA_MAX_PARTIES)

/* Defaults per precedence (REFERENCE.md's handling objectives; a receipt is machine work). */
static const struct lia_deadline_def default_deadlines[LIA_PRECEDENCES] = {
	[LIA_FLASH] = {30 * 1000, 10 * 60 * 1000},
	[LIA_IMMEDIATE] = {30 * 1000, 30 * 60 * 1000},
	[LIA_PRIORITY] = {60 * 1000, 3 * 3600 * 1000},
	[LIA_ROUTINE] = {60 * 1000, 6 * 3600 * 1000},
};

struct charter_parse {
	struct lia_charter *c;
	const char *basedir;
	int mechanism_line;
	int party_line[LIA_MAX_PARTIES];
	int node_line[LIA_MAX_NODES];
	int deadline_line[LIA_PRECEDENCES];
	int escalate_line[MAX_ESCALATIONS];
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

int lia_duration_parse(const char *s, int64_t *ms, char *err)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 24 * 3600 * 1000},
	};
	unsigned long long v = 0;
	char *end = NULL;
	int rc = -1;

	errno = 0;
	if (s[0] >= '1' && s[0] <= '9')
		v = strtoull(s, &end, 10);
	for (size_t i = 0; end != NULL && errno == 0 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > (unsigned long long)(LIA_DURATION_MAX_MS / units[i].ms))
			break;
		*ms = (int64_t)v * units[i].ms;
		rc = *ms >= MIN_MS && *ms <= LIA_DURATION_MAX_MS ? 0 : -1;
		break;
	}
	if (rc < 0)
		lia_err_set(err, "duration \"%.32s\" is not a whole number of s, m, h or d "
		    "between 1s and 30d (e.g. 30s, 10m, 3h)", s);
	return rc;
}

void lia_duration_format(int64_t ms, char out[LIA_DURATION_LEN])
{
	if (ms > 0 && ms % (24 * 3600 * 1000) == 0)
		snprintf(out, LIA_DURATION_LEN, "%" PRId64 "d", ms / (24 * 3600 * 1000));
	else if (ms > 0 && ms % (3600 * 1000) == 0)
		snprintf(out, LIA_DURATION_LEN, "%" PRId64 "h", ms / (3600 * 1000));
	else if (ms > 0 && ms % (60 * 1000) == 0)
		snprintf(out, LIA_DURATION_LEN, "%" PRId64 "m", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(out, LIA_DURATION_LEN, "%" PRId64 "s", ms / 1000);
	else
		snprintf(out, LIA_DURATION_LEN, "%" PRId64 "ms", ms);
}

/* The precedence's index; names as in entry.h's enum lia_precedence, any case. */
static int precedence_index(const char *s)
{
	static const char *const names[LIA_PRECEDENCES] = {
		[LIA_FLASH] = "FLASH", [LIA_IMMEDIATE] = "IMMEDIATE",
		[LIA_PRIORITY] = "PRIORITY", [LIA_ROUTINE] = "ROUTINE",
	};

	for (int i = 0; i < LIA_PRECEDENCES; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int line_deadline(struct charter_parse *p, const struct lia_conf_line *l, char *problem)
{
	static const char *const keys[] = { "receipt", "ack" };
	struct lia_deadline_def d;
	const char *vals[2];
	char sub[LIA_ERR_LEN];
	int prec, rc = -1;

	if (l->argc < 2) {
		lia_err_set(problem, "deadline needs a precedence (deadline PRECEDENCE receipt DURATION "
		    "ack DURATION)");
		goto out;
	}
	if ((prec = precedence_index(l->argv[1])) < 0) {
		lia_err_set(problem, "deadline: precedence \"%.32s\" is not one of FLASH, IMMEDIATE, "
		    "PRIORITY, ROUTINE", l->argv[1]);
		goto out;
	}
	if (p->deadline_line[prec]) {
		lia_err_set(problem, "deadline %s given again (first on line %d)", l->argv[1],
		    p->deadline_line[prec]);
		goto out;
	}
	if (take_pairs(l, 2, keys, 2, vals, problem) < 0)
		goto out;
	if (lia_duration_parse(vals[0], &d.receipt_ms, sub) < 0 ||
	    lia_duration_parse(vals[1], &d.ack_ms, sub) < 0) {
		lia_err_set(problem, "deadline %s: %s", l->argv[1], sub);
		goto out;
	}
	p->c->deadlines[prec] = d;
	p->deadline_line[prec] = l->line;
	rc = 0;
out:
	return rc;
}

static int line_escalate(struct charter_parse *p, const struct lia_conf_line *l, char *problem)
{
	struct lia_charter *c = p->c;
	struct lia_escalation *e;
	int rc = -1;

	if (l->argc != 4 || strcmp(l->argv[2], "to") != 0) {
		lia_err_set(problem, "escalate takes the form: escalate PARTY|NODE to NODE");
		goto out;
	}
	if (!lia_name_valid(l->argv[1]) || !lia_name_valid(l->argv[3])) {
		lia_err_set(problem, "escalate: \"%.64s\" or \"%.64s\" is not a valid name",
		    l->argv[1], l->argv[3]);
		goto out;
	}
	for (int i = 0; i < c->n_escalations; i++) {
		if (strcmp(c->escalations[i].subject, l->argv[1]) == 0) {
			lia_err_set(problem, "escalate %s given again (first on line %d)", l->argv[1],
			    p->escalate_line[i]);
			goto out;
		}
	}
	if (c->n_escalations == MAX_ESCALATIONS) {
		lia_err_set(problem, "more than %d escalate lines", MAX_ESCALATIONS);
		goto out;
	}
	e = &c->escalations[c->n_escalations];
	snprintf(e->subject, sizeof(e->subject), "%s", l->argv[1]);
	snprintf(e->target, sizeof(e->target), "%s", l->argv[3]);
	p->escalate_line[c->n_escalations++] = l->line;
	rc = 0;
out:
	return rc;
}

/* The subject is a party or node, the target a station of the subject's party, not the subject itself. */
static int check_escalation(const struct lia_charter *c, const struct lia_escalation *e,
    char *problem)
{
	const struct lia_node_def *subject = lia_charter_node(c, e->subject);
	const struct lia_node_def *target = lia_charter_node(c, e->target);
	const char *party = subject != NULL ? subject->party : e->subject;
	int rc = -1;

	if (subject == NULL && lia_charter_party(c, e->subject) == NULL)
		lia_err_set(problem, "escalate names \"%s\", neither a party nor a node", e->subject);
	else if (target == NULL)
		lia_err_set(problem, "escalate %s: target \"%s\" is not a node", e->subject, e->target);
	else if (target->role != LIA_ROLE_STATION || strcmp(target->party, party) != 0)
		lia_err_set(problem, "escalate %s: target %s is not a station of party %s",
		    e->subject, e->target, party);
	else if (target == subject)
		lia_err_set(problem, "escalate %s: a node cannot be its own escalation target",
		    e->subject);
	else
		rc = 0;
	return rc;
}

const struct lia_node_def *lia_charter_escalation(const struct lia_charter *c, const char *node)
{
	const struct lia_node_def *d = lia_charter_node(c, node);
	const char *target = NULL;

	for (int i = 0; d != NULL && i < c->n_escalations; i++) {
		if (strcmp(c->escalations[i].subject, node) == 0)
			target = c->escalations[i].target;
		else if (target == NULL && strcmp(c->escalations[i].subject, d->party) == 0)
			target = c->escalations[i].target;
	}
	d = target != NULL ? lia_charter_node(c, target) : NULL;
	/* A party's target is never told about its own lateness. */
	return d != NULL && strcmp(d->name, node) != 0 ? d : NULL;
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
	else if (strcmp(l->argv[0], "deadline") == 0)
		rc = line_deadline(p, l, problem);
	else if (strcmp(l->argv[0], "escalate") == 0)
		rc = line_escalate(p, l, problem);
	else
		lia_err_set(problem, "unknown keyword \"%.32s\" (mechanism, party, node, deadline, "
		    "escalate)", l->argv[0]);
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
	for (int i = 0; i < c->n_escalations; i++) {
		char problem[LIA_ERR_LEN];
		if (check_escalation(c, &c->escalations[i], problem) < 0) {
			lia_err_set(err, "%s:%d: %s", name, p->escalate_line[i], problem);
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
	memcpy(p.c->deadlines, default_deadlines, sizeof(default_deadlines));
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
