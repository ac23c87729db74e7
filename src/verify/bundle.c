/*
 * bundle.c - the record verifier's driver and its first checks: the
 * bundle's format, the charter it carries with its party CAs, and the node
 * certificates, and the anchor the auditor gave (the trusted charter file or
 * its hash). bundle_log.c, bundle_checkpoint.c and bundle_cosig.c then
 * check the log itself (docs/record.md lists every check in order).
 *
 * The bundle is hostile: every member's type and size is checked before
 * use. The charter is parsed by charter.c exactly as a node parses its own
 * file, so its hash is the one `liaison charter check` shows: its CA paths
 * (plain relative paths) are resolved in a fresh temporary directory into
 * which the PEM text of "cas" is written, and which is removed right after.
 */
#include "bundle.h"
#include "bundle_internal.h"
#include "cert.h"
#include "conf.h"
#include "encoding.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#define PEM_MAX 65536   /* largest CA or node certificate PEM we read */
#define CA_PATH_MAX 1024

/* The members of a liaison-record/1 bundle. */
static const struct {
	const char *name;
	json_type type;
	int required;
} members[] = {
	{"format", JSON_STRING, 1}, {"node", JSON_STRING, 1}, {"origin", JSON_STRING, 1},
	{"charter", JSON_STRING, 1}, {"cas", JSON_OBJECT, 1}, {"certs", JSON_OBJECT, 1},
	{"entries", JSON_ARRAY, 1}, {"checkpoints", JSON_ARRAY, 1}, {"witnessed", JSON_OBJECT, 0},
};
#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

/* The CA paths the charter's party lines name, in order. */
struct ca_paths {
	int n;
	char party[LIA_MAX_PARTIES][LIA_NAME_MAX + 1];
	char path[LIA_MAX_PARTIES][CA_PATH_MAX];
};

int lia_bundle_node_find(const struct lia_bundle_ctx *ctx, const char *name)
{
	int found = -1;

	for (int i = 0; i < ctx->n_nodes && found < 0; i++)
		if (strcmp(ctx->nodes[i].name, name) == 0)
			found = i;
	return found;
}

int lia_bundle_oom(struct lia_bundle_ctx *ctx, const char *what)
{
	ctx->internal = 1;
	return lia_bundle_report_fail(ctx->report, "verifier", "out of memory %s", what);
}

/* ---- format ---- */

static int member_known(const char *key)
{
	size_t i = 0;

	while (i < N_MEMBERS && strcmp(members[i].name, key) != 0)
		i++;
	return i < N_MEMBERS;
}

/* Every member known, every required one there, each of its JSON type. */
static int check_members(struct lia_bundle_ctx *ctx)
{
	const char *key;
	json_t *v;
	int rc = -1;

	json_object_foreach(ctx->root, key, v) {
		if (!member_known(key)) {
			lia_bundle_report_fail(ctx->report, "format", "unknown member \"%.40s\"", key);
			goto out;
		}
	}
	for (size_t i = 0; i < N_MEMBERS; i++) {
		v = json_object_get(ctx->root, members[i].name);
		if ((v == NULL && members[i].required) || (v != NULL && json_typeof(v) != members[i].type)) {
			lia_bundle_report_fail(ctx->report, "format", "member \"%s\" is %s", members[i].name,
			    v == NULL ? "missing" : "of the wrong JSON type");
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

/* The report's totals, known before anything is checked, so a failure shows "3 of 20". */
static void count_totals(struct lia_bundle_ctx *ctx)
{
	struct lia_bundle_report *r = ctx->report;
	const char *key;
	json_t *v;

	r->entries_total = json_array_size(json_object_get(ctx->root, "entries"));
	r->checkpoints_total = json_array_size(json_object_get(ctx->root, "checkpoints"));
	json_object_foreach(json_object_get(ctx->root, "witnessed"), key, v)
		r->witnessed_total += json_array_size(v);
}

static int check_format(struct lia_bundle_ctx *ctx)
{
	struct lia_bundle_report *r = ctx->report;
	const char *format, *node, *origin;
	int rc = -1;

	if (!json_is_object(ctx->root)) {
		lia_bundle_report_fail(r, "format", "the bundle is not a JSON object");
		goto out;
	}
	if (check_members(ctx) < 0)
		goto out;
	format = json_string_value(json_object_get(ctx->root, "format"));
	node = json_string_value(json_object_get(ctx->root, "node"));
	origin = json_string_value(json_object_get(ctx->root, "origin"));
	if (strcmp(format, LIA_BUNDLE_FORMAT) != 0) {
		lia_bundle_report_fail(r, "format", "format \"%.40s\" is not " LIA_BUNDLE_FORMAT, format);
	} else if (!lia_name_valid(node)) {
		lia_bundle_report_fail(r, "format", "node \"%.40s\" is not a valid node name", node);
	} else if (strlen(origin) > LIA_NOTE_NAME_MAX || !lia_note_name_valid(origin, strlen(origin))) {
		lia_bundle_report_fail(r, "format", "origin \"%.80s\" is not a valid log name", origin);
	} else {
		snprintf(r->node, sizeof(r->node), "%s", node);
		snprintf(r->origin, sizeof(r->origin), "%s", origin);
		count_totals(ctx);
		rc = 0;
	}
out:
	return rc;
}

/* ---- the charter and its CAs ---- */

/* Collects "party NAME ... ca PATH ..." lines; the charter parser judges the rest. */
static int collect_party(void *arg, const struct lia_conf_line *l, char *err)
{
	struct ca_paths *p = arg;
	int rc = 0;

	if (strcmp(l->argv[0], "party") != 0 || l->argc < 2)
		goto out;
	for (int k = 2; k + 1 < l->argc; k += 2) {
		if (strcmp(l->argv[k], "ca") != 0)
			continue;
		if (p->n == LIA_MAX_PARTIES) {
			lia_err_set(err, "%s:%d: more than %d parties", l->file, l->line, LIA_MAX_PARTIES);
			rc = -1;
			goto out;
		}
		snprintf(p->party[p->n], sizeof(p->party[0]), "%s", l->argv[1]);
		snprintf(p->path[p->n], sizeof(p->path[0]), "%s", l->argv[k + 1]);
		p->n++;
		break;
	}
out:
	return rc;
}

/* 1 when path is relative, shorter than CA_PATH_MAX and has no empty, "." or ".." part. */
static int path_plain(const char *path)
{
	size_t len = strlen(path), i = 0;
	int ok = len > 0 && len < CA_PATH_MAX - 1 && path[0] != '/';

	while (ok && i < len) {
		size_t n = strcspn(path + i, "/");
		ok = n > 0 && !(n == 1 && path[i] == '.') && !(n == 2 && strncmp(path + i, "..", 2) == 0);
		i += n + 1;
	}
	return ok && path[len - 1] != '/';
}

/* full = dir/path[0..len); 0, or -1 when it does not fit. */
static int join(char full[static 4096], const char *dir, const char *path, size_t len)
{
	int n = snprintf(full, 4096, "%s/%.*s", dir, (int)len, path);

	return n > 0 && n < 4096 ? 0 : -1;
}

/* Creates the directories leading to dir/path inside dir (0700). */
static int make_parents(const char *dir, const char *path)
{
	char full[4096];
	const char *slash = path;
	int rc = 0;

	while (rc == 0 && (slash = strchr(slash, '/')) != NULL) {
		if (join(full, dir, path, (size_t)(slash - path)) != 0 ||
		    (mkdir(full, 0700) != 0 && errno != EEXIST))
			rc = -1;
		slash++;
	}
	return rc;
}

/*
 * Writes text to dir/path, which must not exist yet. A plain write: the file
 * lives in a private temporary directory only while the charter is parsed,
 * so a crash leaves nothing that anything else reads.
 */
static int write_ca(const char *dir, const char *path, const char *text, size_t len)
{
	char full[4096];
	int fd = -1, rc = -1;

	errno = ENAMETOOLONG;
	if (join(full, dir, path, strlen(path)) != 0 || make_parents(dir, path) != 0 ||
	    (fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, text, len) != (ssize_t)len)
		goto out;
	rc = 0;
out:
	if (fd >= 0 && close(fd) != 0)
		rc = -1;
	return rc;
}

/* Writes the PEM of every party the charter names from "cas" under the path the charter gives. */
static int write_cas(struct lia_bundle_ctx *ctx, const char *dir, const struct ca_paths *p)
{
	json_t *cas = json_object_get(ctx->root, "cas"), *pem;
	int rc = -1;

	for (int i = 0; i < p->n; i++) {
		pem = json_object_get(cas, p->party[i]);
		if (!json_is_string(pem) || json_string_length(pem) > PEM_MAX) {
			lia_bundle_report_fail(ctx->report, "charter", pem == NULL ?
			    "cas has no CA for party \"%s\"" :
			    "the CA of party \"%s\" in cas is not a string of at most 64 KiB", p->party[i]);
			goto out;
		}
		if (!path_plain(p->path[i])) {
			lia_bundle_report_fail(ctx->report, "charter", "party \"%s\" names its CA \"%.80s\": "
			    "a record needs a plain relative path (no leading /, no . or .. parts)",
			    p->party[i], p->path[i]);
			goto out;
		}
		if (write_ca(dir, p->path[i], json_string_value(pem), json_string_length(pem)) != 0) {
			lia_bundle_report_fail(ctx->report, "charter", "cannot place the CA of party \"%s\" "
			    "at %.80s: %s", p->party[i], p->path[i], strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Parses the charter text with its CAs placed in a temporary directory. */
static int parse_charter(struct lia_bundle_ctx *ctx)
{
	json_t *text = json_object_get(ctx->root, "charter");
	const char *base = getenv("TMPDIR");
	char dir[4096], err[LIA_ERR_LEN] = "";
	struct ca_paths paths;
	int made = 0, rc = -1;

	memset(&paths, 0, sizeof(paths));
	if (lia_conf_parse_text("charter", json_string_value(text), json_string_length(text),
	    collect_party, &paths, err) != 0) {
		lia_bundle_report_fail(ctx->report, "charter", "%s", err);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/lia-record-XXXXXX", base != NULL && base[0] ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		ctx->internal = 1;
		lia_bundle_report_fail(ctx->report, "verifier", "cannot make a temporary directory in %.64s: %s",
		    base != NULL && base[0] ? base : "/tmp", strerror(errno));
		goto out;
	}
	made = 1;
	if (write_cas(ctx, dir, &paths) != 0)
		goto out;
	if (lia_charter_parse("charter", json_string_value(text), json_string_length(text), dir,
	    &ctx->charter, err) != 0) {
		lia_bundle_report_fail(ctx->report, "charter", "%s", err);
		goto out;
	}
	rc = 0;
out:
	if (made)
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

/* Fills the report's charter fields. */
static void charter_report(struct lia_bundle_ctx *ctx, const struct lia_node_def *self)
{
	struct lia_bundle_report *r = ctx->report;
	const struct lia_charter *c = ctx->charter;

	snprintf(r->mechanism, sizeof(r->mechanism), "%s", c->mechanism);
	lia_hex_encode(c->hash, 32, r->charter_hash);
	r->n_parties = c->n_parties;
	for (int i = 0; i < c->n_parties; i++) {
		snprintf(r->parties[i].name, sizeof(r->parties[i].name), "%s", c->parties[i].name);
		r->parties[i].is_log_party = strcmp(c->parties[i].name, self->party) == 0;
	}
}

/* cas holds only charter parties; the node is in the charter; origin is "<mechanism>/<node>". */
static int check_charter(struct lia_bundle_ctx *ctx)
{
	struct lia_bundle_report *r = ctx->report;
	const struct lia_node_def *self;
	char want[LIA_NOTE_NAME_MAX + 1];
	const char *key;
	json_t *v;
	int rc = -1;

	if (parse_charter(ctx) != 0)
		goto out;
	json_object_foreach(json_object_get(ctx->root, "cas"), key, v) {
		if (lia_charter_party(ctx->charter, key) == NULL) {
			lia_bundle_report_fail(r, "charter", "cas holds a CA for \"%.40s\", which is not a "
			    "party of the charter", key);
			goto out;
		}
	}
	if ((self = lia_charter_node(ctx->charter, r->node)) == NULL) {
		lia_bundle_report_fail(r, "charter", "node %s is not a node of the charter", r->node);
		goto out;
	}
	charter_report(ctx, self);
	snprintf(want, sizeof(want), "%s/%s", ctx->charter->mechanism, r->node);
	if (strcmp(r->origin, want) != 0) {
		lia_bundle_report_fail(r, "charter", "origin \"%s\" is not \"%s\", the log name of node %s "
		    "in this charter", r->origin, want, r->node);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* ---- the anchor ---- */

/* 1 when s is 64 hex digits equal (in either case) to the lowercase hex want. */
static int hash_equal(const char *s, const char *want)
{
	int ok = strlen(s) == 64;

	for (size_t i = 0; ok && i < 64; i++) {
		char c = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];
		ok = c == want[i];
	}
	return ok;
}

/*
 * The bundle's charter against what the auditor trusts. The charter hash covers the charter's
 * bytes and each party CA's DER (charter.c), so an equal hash means the same text and the same
 * CAs: every certificate, and so every signature, then chains to the real parties.
 */
static int check_anchor(struct lia_bundle_ctx *ctx)
{
	const struct lia_bundle_anchor *a = ctx->anchor;
	struct lia_bundle_report *r = ctx->report;
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN] = "", hex[65];
	int rc = -1;

	if (a == NULL || (a->charter_path == NULL && a->charter_hash == NULL)) {
		rc = 0;
		goto out;
	}
	if (a->charter_hash != NULL && !hash_equal(a->charter_hash, r->charter_hash)) {
		lia_bundle_report_fail(r, "anchor", "the bundle's charter has hash %s, not the %.64s "
		    "given: it was not made under the charter you trust", r->charter_hash, a->charter_hash);
		goto out;
	}
	if (a->charter_path != NULL) {
		if (lia_charter_load(a->charter_path, &c, err) != 0) {
			lia_bundle_report_fail(r, "anchor", "cannot read the trusted charter: %s", err);
			goto out;
		}
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", c->hash[i]);
		if (strcmp(hex, r->charter_hash) != 0) {
			lia_bundle_report_fail(r, "anchor", "the bundle's charter has hash %s, the trusted "
			    "charter %.200s has %s: its text or its CAs differ", r->charter_hash,
			    a->charter_path, hex);
			goto out;
		}
	}
	snprintf(r->anchor, sizeof(r->anchor), "%s%.200s%s%s", a->charter_path ? "charter file " : "",
	    a->charter_path ? a->charter_path : "", a->charter_path && a->charter_hash ? " and " : "",
	    a->charter_hash ? "charter hash" : "");
	r->anchored = 1;
	rc = 0;
out:
	lia_charter_free(c);
	return rc;
}

/* ---- node certificates ---- */

/* Reads one PEM certificate from text[0..len); NULL when it is none. */
static X509 *pem_cert(const char *text, size_t len)
{
	BIO *bio = len <= PEM_MAX ? BIO_new_mem_buf(text, (int)len) : NULL;
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	ERR_clear_error();
	return x;
}

/* Checks certs[name] against the charter and keeps it as the next node. */
static int add_cert(struct lia_bundle_ctx *ctx, const char *name, const json_t *v)
{
	struct lia_bundle_report *r = ctx->report;
	struct lia_bundle_node n;
	struct lia_identity id;
	char err[LIA_ERR_LEN] = "";
	size_t raw_len = sizeof(n.raw);
	int rc = -1;

	memset(&n, 0, sizeof(n));
	if (ctx->n_nodes == LIA_MAX_NODES) {
		lia_bundle_report_fail(r, "certs", "more than %d node certificates", LIA_MAX_NODES);
	} else if (!json_is_string(v) ||
	    (n.cert = pem_cert(json_string_value(v), json_string_length(v))) == NULL) {
		lia_bundle_report_fail(r, "certs", "certificate of %.40s: not a PEM certificate", name);
	} else if (lia_cert_check_untimed(ctx->charter, n.cert, &id, err) != 0) {
		lia_bundle_report_fail(r, "certs", "certificate of %.40s: %s", name, err);
	} else if (strcmp(id.node, name) != 0) {
		lia_bundle_report_fail(r, "certs", "certs member \"%.40s\" holds the certificate of node %s",
		    name, id.node);
	} else if ((n.pub = X509_get0_pubkey(n.cert)) == NULL ||
	    EVP_PKEY_get_raw_public_key(n.pub, n.raw, &raw_len) != 1 || raw_len != 32) {
		lia_bundle_report_fail(r, "certs", "certificate of %s: cannot read its Ed25519 key", name);
	} else {
		snprintf(n.name, sizeof(n.name), "%s", name);
		n.party = (int)(lia_charter_party(ctx->charter, id.party) - ctx->charter->parties);
		ctx->nodes[ctx->n_nodes++] = n;
		r->certs++;
		rc = 0;
	}
	if (rc != 0)
		X509_free(n.cert);
	ERR_clear_error();
	return rc;
}

static int check_certs(struct lia_bundle_ctx *ctx)
{
	const char *key;
	json_t *v;
	int rc = -1;

	json_object_foreach(json_object_get(ctx->root, "certs"), key, v) {
		if (add_cert(ctx, key, v) != 0)
			goto out;
	}
	if ((ctx->self = lia_bundle_node_find(ctx, ctx->report->node)) < 0) {
		lia_bundle_report_fail(ctx->report, "certs", "certs has no certificate for %s, whose log "
		    "this is", ctx->report->node);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* ---- the driver ---- */

static void ctx_finish(struct lia_bundle_ctx *ctx)
{
	for (int i = 0; i < ctx->n_nodes; i++)
		X509_free(ctx->nodes[i].cert);
	for (size_t i = 0; ctx->entries != NULL && i < ctx->n_entries; i++)
		free(ctx->entries[i].cose);
	free(ctx->entries);
	lia_bundle_checkpoint_free(ctx->cps, ctx->n_cps);
	lia_charter_free(ctx->charter);
	memset(ctx, 0, sizeof(*ctx));
}

int lia_bundle_verify_json_anchored(json_t *bundle, const struct lia_bundle_anchor *anchor,
    struct lia_bundle_report *report, char *err)
{
	struct lia_bundle_ctx ctx;
	int rc;

	lia_bundle_report_init(report);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = bundle;
	ctx.report = report;
	ctx.anchor = anchor;
	ctx.self = -1;
	/* docs/record.md "Checks", in this order; each stops the run at its first failure. */
	if (check_format(&ctx) == 0 && check_charter(&ctx) == 0 && check_anchor(&ctx) == 0 &&
	    check_certs(&ctx) == 0 && lia_bundle_log_entries(&ctx) == 0 &&
	    lia_bundle_log_order(&ctx) == 0 && lia_bundle_log_receipts(&ctx) == 0 &&
	    lia_bundle_checkpoint_check(&ctx) == 0 && lia_bundle_cosig_check(&ctx) == 0 &&
	    lia_bundle_cosig_witnessed(&ctx) == 0) {
		lia_bundle_cosig_warnings(&ctx);
		report->ok = 1;
	}
	if (!report->ok)
		report->anchored = 0;
	rc = report->ok ? 0 : 1;
	if (ctx.internal) {
		lia_err_set(err, "%s", report->failure);
		rc = -1;
	}
	ctx_finish(&ctx);
	return rc;
}

int lia_bundle_verify_json(json_t *bundle, struct lia_bundle_report *report, char *err)
{
	return lia_bundle_verify_json_anchored(bundle, NULL, report, err);
}

int lia_bundle_verify(const char *path, struct lia_bundle_report *report, char *err)
{
	return lia_bundle_verify_anchored(path, NULL, report, err);
}

int lia_bundle_verify_anchored(const char *path, const struct lia_bundle_anchor *anchor,
    struct lia_bundle_report *report, char *err)
{
	json_error_t jerr;
	json_t *bundle = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	int rc = -1;

	if (bundle != NULL) {
		rc = lia_bundle_verify_json_anchored(bundle, anchor, report, err);
		goto out;
	}
	lia_bundle_report_init(report);
	if (json_error_code(&jerr) == json_error_cannot_open_file ||
	    json_error_code(&jerr) == json_error_out_of_memory) {
		lia_err_set(err, "%s", jerr.text);
		lia_bundle_report_fail(report, "file", "%s", jerr.text);
		goto out;
	}
	lia_bundle_report_fail(report, "format", "%.128s is not JSON: line %d: %s", path, jerr.line,
	    jerr.text);
	rc = 1;
out:
	json_decref(bundle);
	return rc;
}
