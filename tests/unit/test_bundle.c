/*
 * test_bundle.c - the exported joint record and its offline verifier.
 *
 * Builds a realistic bundle as a node would export it: two parties' CAs
 * (japan, china) and three nodes issued from them (tokyo and kirishima of
 * japan, beijing of china), a charter file, twenty entries signed by tokyo
 * and beijing, checkpoints over tokyo's log signed by tokyo and cosigned by
 * beijing, and two of beijing's checkpoints cosigned by tokyo. The Merkle
 * roots come from the test's own naive RFC 9162 recursion, not merkle.c.
 * The good bundle must verify; each tamper is its own test and must be
 * refused with a sentence that names it.
 *
 * With LIA_BUNDLE_SEED_DIR set, writes the good bundle and a few tampered
 * ones there as seeds for fuzz/fuzz_bundle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "bundle.h"
#include "cert.h"
#include "charter.h"
#include "conf.h"
#include "entry.h"
#include "err.h"
#include "fixture.h"
#include "note.h"

#define MECH "jp-cn-maritime"
#define ORIGIN MECH "/tokyo"
#define BEIJING_LOG MECH "/beijing"
#define N_ENTRIES 20
#define N_CPS 4
#define COSIG_TIME UINT64_C(1767225600)

static const char charter_text[] =
	"# The Japan-China maritime liaison mechanism\n"
	"mechanism " MECH "\n"
	"party japan ca japan/ca.crt\n"
	"party china ca china/ca.crt\n"
	"node tokyo party japan role station address tokyo.example:7400\n"
	"node kirishima party japan role unit address kirishima.example:7400\n"
	"node beijing party china role station address beijing.example:7400\n";

static const uint64_t cp_sizes[N_CPS] = { 4, 8, 13, 20 };

static struct {
	char root[4096];
	EVP_PKEY *tokyo, *beijing, *kirishima, *stranger;
	uint8_t *cose[N_ENTRIES];
	size_t cose_len[N_ENTRIES];
	char charter_hash[65];
	json_t *good;
} fx;

/* ---- helpers ---- */

static void path_join(char out[4096], const char *a, const char *b)
{
	int n = snprintf(out, 4096, "%s/%s", a, b);

	assert_true(n > 0 && n < 4096);
}

static char *read_text(const char *dir, const char *file)
{
	char path[4096], err[LIA_ERR_LEN] = "", *text = NULL;
	size_t len = 0;

	path_join(path, dir, file);
	if (lia_read_file(path, LIA_CONF_MAXFILE, &text, &len, err) != 0)
		fail_msg("%s", err);
	return text;
}

static EVP_PKEY *node_key(const char *node)
{
	char path[4096], dir[4096], err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = NULL;

	path_join(dir, fx.root, node);
	path_join(path, dir, "node.key");
	if (lia_cert_load_key(path, &key, err) != 0)
		fail_msg("%s", err);
	return key;
}

static json_t *b64_json(const uint8_t *p, size_t n)
{
	char *s = malloc((n + 2) / 3 * 4 + 1);
	json_t *j;

	assert_non_null(s);
	EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	j = json_string(s);
	free(s);
	return j;
}

/* Entry i: every third one (1, 4, 7...) is beijing's, the rest tokyo's, each numbered in turn. */
static void entry_id(int i, const char **origin, uint64_t *seq)
{
	int b = (i + 2) / 3;

	*origin = i % 3 == 1 ? "beijing" : "tokyo";
	*seq = i % 3 == 1 ? (uint64_t)b : (uint64_t)(i + 1 - b);
}

static void make_entry(int i, int64_t time_ms)
{
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "", text[64];
	const char *origin;

	memset(&e, 0, sizeof(e));
	entry_id(i, &origin, &e.seq);
	e.type = LIA_ENTRY_MESSAGE;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	snprintf(e.to, sizeof(e.to), "%s", strcmp(origin, "tokyo") == 0 ? "beijing" : "tokyo");
	e.time_ms = time_ms + i * 1000;
	e.precedence = LIA_ROUTINE;
	snprintf(e.lang, sizeof(e.lang), "en");
	snprintf(text, sizeof(text), "message %02d from %s", i, origin);
	e.text = text;
	if (lia_entry_sign(&e, strcmp(origin, "tokyo") == 0 ? fx.tokyo : fx.beijing, &fx.cose[i],
	    &fx.cose_len[i], err) != 0)
		fail_msg("%s", err);
}

/* RFC 9162 section 2.1.1 straight from its definition: MTH(D[lo..hi)). */
static void mth(uint8_t *const *data, const size_t *len, size_t lo, size_t hi, uint8_t out[32])
{
	uint8_t buf[65];
	size_t k = 1;

	if (hi - lo == 1) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		assert_non_null(md);
		assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
		assert_int_equal(EVP_DigestUpdate(md, "\0", 1), 1);
		assert_int_equal(EVP_DigestUpdate(md, data[lo], len[lo]), 1);
		assert_int_equal(EVP_DigestFinal_ex(md, out, NULL), 1);
		EVP_MD_CTX_free(md);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	buf[0] = 0x01;
	mth(data, len, lo, lo + k, buf + 1);
	mth(data, len, lo + k, hi, buf + 33);
	assert_int_equal(EVP_Digest(buf, sizeof(buf), out, NULL, EVP_sha256(), NULL), 1);
}

/* A signed checkpoint note for (origin, size, root), cosigned by cosigner as cosig_name unless NULL. */
static char *checkpoint_note(EVP_PKEY *key, const char *origin, uint64_t size,
    const uint8_t root[32], EVP_PKEY *cosigner, const char *cosig_name)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "", *note = NULL;
	size_t body_len = 0, note_len = 0;

	if (lia_checkpoint_make(origin, size, root, body, &body_len, err) != 0 ||
	    lia_note_sign(key, origin, body, body_len, &note, &note_len, err) != 0)
		fail_msg("%s", err);
	if (cosigner != NULL) {
		if (lia_cosig_line(cosigner, cosig_name, body, body_len, COSIG_TIME + size, line, err) != 0)
			fail_msg("%s", err);
		note = realloc(note, note_len + strlen(line) + 1);
		assert_non_null(note);
		memcpy(note + note_len, line, strlen(line) + 1);
	}
	return note;
}

/* Tokyo's checkpoint of the first size entries, cosigned by beijing when cosigned. */
static json_t *log_checkpoint(uint64_t size, int cosigned)
{
	uint8_t root[32];
	char *note;
	json_t *j;

	mth(fx.cose, fx.cose_len, 0, size, root);
	note = checkpoint_note(fx.tokyo, ORIGIN, size, root, cosigned ? fx.beijing : NULL,
	    BEIJING_LOG);
	j = json_string(note);
	free(note);
	return j;
}

/* A checkpoint of beijing's log at size with a root made from seed, cosigned by tokyo. */
static json_t *beijing_checkpoint(uint64_t size, uint8_t seed)
{
	uint8_t root[32];
	char *note;
	json_t *j;

	memset(root, seed, sizeof(root));
	note = checkpoint_note(fx.beijing, BEIJING_LOG, size, root, fx.tokyo, ORIGIN);
	j = json_string(note);
	free(note);
	return j;
}

static json_t *pem_json(const char *dir, const char *file)
{
	char *text = read_text(dir, file);
	json_t *j = json_string(text);

	free(text);
	return j;
}

static json_t *certs_json(void)
{
	char dir[4096];
	json_t *certs = json_object();

	path_join(dir, fx.root, "tokyo");
	json_object_set_new(certs, "tokyo", pem_json(dir, "node.crt"));
	path_join(dir, fx.root, "beijing");
	json_object_set_new(certs, "beijing", pem_json(dir, "node.crt"));
	path_join(dir, fx.root, "kirishima");
	json_object_set_new(certs, "kirishima", pem_json(dir, "node.crt"));
	return certs;
}

static json_t *build_bundle(void)
{
	char japan[4096], china[4096];
	json_t *entries = json_array(), *cps = json_array(), *b;

	path_join(japan, fx.root, "japan");
	path_join(china, fx.root, "china");
	for (int i = 0; i < N_ENTRIES; i++)
		json_array_append_new(entries, b64_json(fx.cose[i], fx.cose_len[i]));
	for (int i = 0; i < N_CPS; i++)
		json_array_append_new(cps, log_checkpoint(cp_sizes[i], 1));
	b = json_pack("{s:s, s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:o, s:o, s:{s:[o, o]}}",
	    "format", LIA_BUNDLE_FORMAT, "node", "tokyo", "origin", ORIGIN, "charter", charter_text,
	    "cas", "japan", pem_json(japan, "ca.crt"), "china", pem_json(china, "ca.crt"),
	    "certs", certs_json(), "entries", entries, "checkpoints", cps,
	    "witnessed", "beijing", beijing_checkpoint(3, 0x11), beijing_checkpoint(7, 0x22));
	assert_non_null(b);
	return b;
}

static void make_nodes(void)
{
	char dir[4096], party[4096], err[LIA_ERR_LEN] = "";
	static const struct { const char *node, *party; enum lia_role role; } nodes[] = {
		{"tokyo", "japan", LIA_ROLE_STATION}, {"kirishima", "japan", LIA_ROLE_UNIT},
		{"beijing", "china", LIA_ROLE_STATION},
	};

	path_join(dir, fx.root, "japan");
	if (lia_cert_create_party(dir, "japan", err) != 0)
		fail_msg("%s", err);
	path_join(dir, fx.root, "china");
	if (lia_cert_create_party(dir, "china", err) != 0)
		fail_msg("%s", err);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		path_join(party, fx.root, nodes[i].party);
		path_join(dir, fx.root, nodes[i].node);
		if (lia_cert_issue_node(party, nodes[i].node, nodes[i].role, dir, err) != 0)
			fail_msg("%s", err);
	}
}

static void charter_hash(void)
{
	char path[4096], err[LIA_ERR_LEN] = "";
	struct lia_charter *c = NULL;

	fixture_write(fx.root, "charter", charter_text, strlen(charter_text), path);
	if (lia_charter_load(path, &c, err) != 0)
		fail_msg("%s", err);
	for (int i = 0; i < 32; i++)
		snprintf(fx.charter_hash + 2 * i, 3, "%02x", c->hash[i]);
	lia_charter_free(c);
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fixture_tmpdir("bundle", fx.root);
	make_nodes();
	charter_hash();
	fx.tokyo = node_key("tokyo");
	fx.beijing = node_key("beijing");
	fx.kirishima = node_key("kirishima");
	fx.stranger = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(fx.stranger);
	/* Within the node certificates' validity, which starts an hour back. */
	for (int i = 0; i < N_ENTRIES; i++)
		make_entry(i, (int64_t)time(NULL) * 1000 - 1000000);
	fx.good = build_bundle();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(fx.good);
	for (int i = 0; i < N_ENTRIES; i++)
		free(fx.cose[i]);
	EVP_PKEY_free(fx.tokyo);
	EVP_PKEY_free(fx.beijing);
	EVP_PKEY_free(fx.kirishima);
	EVP_PKEY_free(fx.stranger);
	fixture_rmrf(fx.root);
	return 0;
}

/* Writes b as a fuzzing seed named name when LIA_BUNDLE_SEED_DIR is set. */
static void seed(const char *name, const json_t *b)
{
	const char *dir = getenv("LIA_BUNDLE_SEED_DIR");
	char path[4096];

	if (dir == NULL || dir[0] == '\0')
		return;
	path_join(path, dir, name);
	assert_int_equal(json_dump_file(b, path, JSON_COMPACT), 0);
}

static json_t *copy(void)
{
	json_t *b = json_deep_copy(fx.good);

	assert_non_null(b);
	return b;
}

static json_t *member(json_t *b, const char *name)
{
	json_t *m = json_object_get(b, name);

	assert_non_null(m);
	return m;
}

/* Verifies b (taken) and expects it refused under check with a failure containing want. */
static void expect_refused(json_t *b, const char *check, const char *want)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";
	int rc = lia_bundle_verify_json(b, &r, err);

	print_message("    report: %s: %s\n", r.check, r.failure);
	assert_int_equal(rc, 1);
	assert_false(r.ok);
	assert_string_equal(r.check, check);
	if (strstr(r.failure, want) == NULL)
		fail_msg("failure \"%s\" does not contain \"%s\"", r.failure, want);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

/* Verifies b (taken) and expects it to verify with an ignored line whose sentence contains want; china's count stays n_china. */
static void expect_ignored(json_t *b, const char *want, uint64_t n_china)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";
	int rc = lia_bundle_verify_json(b, &r, err), found = 0;

	print_message("    report: %s: %s; %d ignored: %s\n", r.check, r.failure, r.n_ignored,
	    r.n_ignored > 0 ? r.ignored[0] : "");
	assert_int_equal(rc, 0);
	assert_true(r.ok);
	for (int i = 0; i < r.n_ignored && i < LIA_BUNDLE_MAX_IGNORED; i++)
		found |= strstr(r.ignored[i], want) != NULL;
	if (!found)
		fail_msg("no ignored line names \"%s\"", want);
	assert_int_equal(r.parties[1].cosignatures, n_china);
	assert_int_equal(r.cosigned_size, N_ENTRIES);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

/* Appends line (a signature line with its newline) to the note text of checkpoint i. */
static void add_line(json_t *b, size_t i, const char *line)
{
	json_t *cps = member(b, "checkpoints");
	const char *note = json_string_value(json_array_get(cps, i));
	char *text = malloc(strlen(note) + strlen(line) + 1);

	assert_non_null(text);
	strcpy(text, note);
	strcat(text, line);
	json_array_set_new(cps, i, json_string(text));
	free(text);
}

/* The checkpoint body of tokyo's checkpoint i. */
static void cp_body(size_t i, char body[LIA_CHECKPOINT_MAX], size_t *len)
{
	uint8_t root[32];
	char err[LIA_ERR_LEN] = "";

	mth(fx.cose, fx.cose_len, 0, cp_sizes[i], root);
	if (lia_checkpoint_make(ORIGIN, cp_sizes[i], root, body, len, err) != 0)
		fail_msg("%s", err);
}

/* ---- the good bundle ---- */

static void test_good_bundle_verifies(void **state)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";

	(void)state;
	seed("valid.json", fx.good);
	assert_int_equal(lia_bundle_verify_json(fx.good, &r, err), 0);
	assert_true(r.ok);
	assert_string_equal(r.failure, "");
	assert_string_equal(r.node, "tokyo");
	assert_string_equal(r.origin, ORIGIN);
	assert_string_equal(r.mechanism, MECH);
	assert_string_equal(r.charter_hash, fx.charter_hash);
	assert_int_equal(r.certs, 3);
	assert_int_equal(r.entries_total, N_ENTRIES);
	assert_int_equal(r.entries, N_ENTRIES);
	assert_int_equal(r.own_entries, 13);
	assert_int_equal(r.entries_in_order, N_ENTRIES);
	assert_int_equal(r.checkpoints, N_CPS);
	assert_int_equal(r.covered, N_ENTRIES);
	assert_int_equal(r.n_parties, 2);
	assert_string_equal(r.parties[1].name, "china");
	assert_int_equal(r.parties[1].cosignatures, N_CPS);
	assert_true(r.parties[1].cosigned_latest);
	assert_true(r.parties[0].is_log_party);
	for (int i = 0; i < N_CPS; i++) {
		assert_int_equal(r.cps[i].size, cp_sizes[i]);
		assert_int_equal(r.cps[i].cosigned, 1u << 1);
	}
	assert_int_equal(r.witnessed_total, 2);
	assert_int_equal(r.witnessed, 2);
	assert_int_equal(r.n_warnings, 0);
	lia_bundle_report_finish(&r);
}

static void test_good_bundle_from_file(void **state)
{
	struct lia_bundle_report r;
	char path[4096], charter[4096], err[LIA_ERR_LEN] = "", *text = NULL;
	struct lia_bundle_anchor anchor = { charter, NULL };
	size_t len = 0;
	FILE *out;
	json_t *j;

	(void)state;
	path_join(path, fx.root, "record.json");
	assert_int_equal(json_dump_file(fx.good, path, JSON_INDENT(1)), 0);
	path_join(charter, fx.root, "charter");
	assert_int_equal(lia_bundle_verify_anchored(path, &anchor, &r, err), 0);
	assert_true(r.anchored);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	lia_bundle_report_print(&r, out);
	fclose(out);
	print_message("%s", text);
	assert_non_null(strstr(text, "verdict:      OK"));
	assert_non_null(strstr(text, "checkpoint 3: size 20, cosigned by china"));
	free(text);
	j = lia_bundle_report_json(&r);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "entries"), "verified")),
	    N_ENTRIES);
	json_decref(j);
	lia_bundle_report_finish(&r);
}

static void test_unreadable_and_not_json(void **state)
{
	struct lia_bundle_report r;
	char path[4096], err[LIA_ERR_LEN] = "";

	(void)state;
	path_join(path, fx.root, "no-such-record.json");
	assert_int_equal(lia_bundle_verify(path, &r, err), -1);
	assert_non_null(strstr(err, "no-such-record.json"));
	lia_bundle_report_finish(&r);
	fixture_write(fx.root, "broken.json", "{\"format\": ", 11, path);
	assert_int_equal(lia_bundle_verify(path, &r, err), 1);
	assert_string_equal(r.check, "format");
	assert_non_null(strstr(r.failure, "is not JSON"));
	lia_bundle_report_finish(&r);
}

static void test_format_refusals(void **state)
{
	json_t *b;

	(void)state;
	expect_refused(json_array(), "format", "not a JSON object");
	b = copy();
	json_object_set_new(b, "format", json_string("liaison-record/2"));
	expect_refused(b, "format", "is not liaison-record/1");
	b = copy();
	json_object_set_new(b, "extra", json_true());
	expect_refused(b, "format", "unknown member \"extra\"");
	b = copy();
	json_object_del(b, "checkpoints");
	expect_refused(b, "format", "member \"checkpoints\" is missing");
	b = copy();
	json_object_set_new(b, "origin", json_string(MECH "/beijing"));
	expect_refused(b, "charter", "is not \"" ORIGIN "\"");
}

/* ---- tampered entries ---- */

static void test_entry_byte_changed(void **state)
{
	json_t *b = copy();
	uint8_t *cose = malloc(fx.cose_len[5]);
	uint8_t *hit;

	(void)state;
	/* Entry 5 is tokyo/4: "message 05 from tokyo" becomes "message 06 from tokyo". */
	assert_non_null(cose);
	memcpy(cose, fx.cose[5], fx.cose_len[5]);
	hit = memmem(cose, fx.cose_len[5], "message 05", 10);
	assert_non_null(hit);
	hit[9] = '6';
	json_array_set_new(member(b, "entries"), 5, b64_json(cose, fx.cose_len[5]));
	free(cose);
	seed("entry-byte.json", b);
	expect_refused(b, "entries", "entry 5 (tokyo/4): signature does not verify");
}

/* Entry 5 signed, with its own key, at a time its certificate did not cover. */
static void test_entry_outside_certificate(void **state)
{
	uint8_t *kept = fx.cose[5];
	size_t kept_len = fx.cose_len[5];
	json_t *b;

	(void)state;
	make_entry(5, INT64_C(1767225600000)); /* 2026-01-01, before the certificates */
	b = build_bundle();
	free(fx.cose[5]);
	fx.cose[5] = kept; /* the fixture is shared by the group */
	fx.cose_len[5] = kept_len;
	expect_refused(b, "entries", "entry 5 (tokyo/4): signed at a time outside its "
	    "certificate: certificate of node \"tokyo\" was not yet valid at that time");
}

static void test_own_entry_deleted(void **state)
{
	json_t *b = copy();

	(void)state;
	/* Entry 6 is tokyo/5; then beijing/3 at 6 is fine, tokyo/6 at 7 shows the gap. */
	assert_int_equal(json_array_remove(member(b, "entries"), 6), 0);
	expect_refused(b, "order", "entry 7: tokyo/6 follows tokyo/4: tokyo/5 is missing "
	    "(dropped or reordered)");
}

static void test_peer_entry_deleted(void **state)
{
	json_t *b = copy();

	(void)state;
	/* Entry 4 is beijing/2: its seqs may skip, but tokyo signed the log that held it. */
	assert_int_equal(json_array_remove(member(b, "entries"), 4), 0);
	expect_refused(b, "checkpoints", "checkpoint 1 (size 8): root does not match entries 0..7 "
	    "\xe2\x80\x94 the log was altered after it was signed");
}

static void test_last_entry_dropped(void **state)
{
	json_t *b = copy();

	(void)state;
	assert_int_equal(json_array_remove(member(b, "entries"), N_ENTRIES - 1), 0);
	expect_refused(b, "checkpoints", "checkpoint 3 (size 20) covers more entries than the "
	    "record's 19: entries were dropped after it was signed");
}

static void swap(json_t *b, size_t i, size_t j)
{
	json_t *entries = member(b, "entries");
	json_t *a = json_incref(json_array_get(entries, i));

	json_array_set(entries, i, json_array_get(entries, j));
	json_array_set_new(entries, j, a);
}

static void test_own_entries_swapped(void **state)
{
	json_t *b = copy();

	(void)state;
	swap(b, 2, 3); /* tokyo/2 and tokyo/3 */
	seed("swapped.json", b);
	expect_refused(b, "order", "entry 2: tokyo/3 comes before tokyo/2 (entry 3): entries reordered");
}

static void test_peer_entries_swapped(void **state)
{
	json_t *b = copy();

	(void)state;
	swap(b, 7, 13); /* beijing/3 and beijing/5: beijing/4 at entry 10 is the first out of place */
	expect_refused(b, "order", "entry 10: beijing/4 comes after beijing/5 (entry 7): entries "
	    "from beijing reordered");
}

static void test_entries_of_two_origins_swapped(void **state)
{
	json_t *b = copy();

	(void)state;
	swap(b, 3, 4); /* tokyo/3 and beijing/2: each origin's order holds, the log's does not */
	expect_refused(b, "checkpoints", "checkpoint 0 (size 4): root does not match entries 0..3");
}

static void test_entry_repeated(void **state)
{
	json_t *b = copy();
	json_t *entries = member(b, "entries");

	(void)state;
	json_array_insert(entries, 9, json_array_get(entries, 8)); /* tokyo/6 twice */
	expect_refused(b, "order", "entry 9: tokyo/6 repeats entry 8");
}

/* ---- tampered checkpoints ---- */

static void test_checkpoint_forged_with_foreign_key(void **state)
{
	json_t *b = copy();
	uint8_t root[32];
	char *note;

	(void)state;
	memset(root, 0xee, sizeof(root));
	note = checkpoint_note(fx.stranger, ORIGIN, 8, root, NULL, NULL);
	json_array_append_new(member(b, "checkpoints"), json_string(note));
	free(note);
	expect_refused(b, "checkpoints", "checkpoint 4 (size 8): not signed by the key of " ORIGIN
	    " in the charter");
}

static void test_checkpoint_fork(void **state)
{
	json_t *b = copy();
	uint8_t root[32];
	char *note;

	(void)state;
	/* The node's own key, a second history of 8 entries: a split view. */
	memset(root, 0xee, sizeof(root));
	note = checkpoint_note(fx.tokyo, ORIGIN, 8, root, fx.beijing, BEIJING_LOG);
	json_array_append_new(member(b, "checkpoints"), json_string(note));
	free(note);
	seed("fork.json", b);
	expect_refused(b, "checkpoints", "checkpoints 1 and 4: two checkpoints for size 8 with "
	    "different roots: fork");
}

static void test_checkpoint_larger_than_log(void **state)
{
	json_t *b = copy();
	uint8_t root[32];
	char *note;

	(void)state;
	memset(root, 0x42, sizeof(root));
	note = checkpoint_note(fx.tokyo, ORIGIN, 25, root, NULL, NULL);
	json_array_append_new(member(b, "checkpoints"), json_string(note));
	free(note);
	expect_refused(b, "checkpoints", "checkpoint 4 (size 25) covers more entries than the "
	    "record's 20");
}

static void test_checkpoints_out_of_order(void **state)
{
	json_t *b = copy();
	json_t *cps = member(b, "checkpoints");
	json_t *first = json_incref(json_array_get(cps, 0));

	(void)state;
	json_array_remove(cps, 0);
	json_array_append_new(cps, first);
	expect_refused(b, "checkpoints", "checkpoint 3 (size 4) comes after checkpoint 2 (size 20): "
	    "sizes must ascend");
}

/* ---- cosignatures ---- */

static void test_cosignature_by_key_not_in_charter(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	/* A stranger's key cosigning under beijing's name. */
	cp_body(2, body, &len);
	if (lia_cosig_line(fx.stranger, BEIJING_LOG, body, len, COSIG_TIME, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 2, line);
	seed("cosig-stranger.json", b);
	expect_ignored(b, "checkpoint 2 (size 13): line as " BEIJING_LOG " by key ID", N_CPS);
}

static void test_cosignature_by_node_not_in_charter(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	cp_body(1, body, &len);
	if (lia_cosig_line(fx.stranger, MECH "/seoul", body, len, COSIG_TIME, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 1, line);
	seed("cosig-outsider.json", b);
	expect_ignored(b, "checkpoint 1 (size 8): line by \"" MECH "/seoul\" ignored: an unknown key",
	    N_CPS);
}

static void test_cosignature_by_own_party(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	/* Kirishima is a real node of the charter, but of japan: it cannot witness tokyo. */
	cp_body(0, body, &len);
	if (lia_cosig_line(fx.kirishima, MECH "/kirishima", body, len, COSIG_TIME, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 0, line);
	seed("cosig-own-party.json", b);
	expect_ignored(b, "checkpoint 0 (size 4): cosignature by kirishima carried, not counted: "
	    "kirishima is of the log's own party japan", N_CPS);
}

static void test_cosignature_over_another_body(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	/* Beijing's genuine cosignature of checkpoint 0 moved onto checkpoint 3. */
	cp_body(0, body, &len);
	if (lia_cosig_line(fx.beijing, BEIJING_LOG, body, len, COSIG_TIME, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 3, line);
	expect_ignored(b, "checkpoint 3 (size 20): line by beijing ignored: the "
	    "cosignature by \"" BEIJING_LOG "\" does not verify", N_CPS);
}

static void test_second_log_signature_line(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	/* The log's line is there and good; a stranger's line under the log's name rides along. */
	cp_body(1, body, &len);
	if (lia_note_sign_line(fx.stranger, ORIGIN, body, len, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 1, line);
	seed("second-log-line.json", b);
	expect_ignored(b, "checkpoint 1 (size 8): a second line as " ORIGIN, N_CPS);
}

static void test_latest_not_cosigned_warns(void **state)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	json_t *cps = member(b, "checkpoints");

	(void)state;
	/* The last checkpoint without beijing's cosignature, and the tail not yet checkpointed. */
	json_array_set_new(cps, N_CPS - 1, log_checkpoint(13, 0));
	json_array_remove(cps, N_CPS - 2);
	assert_int_equal(lia_bundle_verify_json(b, &r, err), 0);
	assert_true(r.ok);
	assert_int_equal(r.n_warnings, 2);
	assert_string_equal(r.warnings[0], "7 entries (13..19) are not yet under a checkpoint");
	assert_string_equal(r.warnings[1], "the latest checkpoint (size 13) is not cosigned by china");
	assert_false(r.parties[1].cosigned_latest);
	assert_int_equal(r.parties[1].cosignatures, 2);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

/* ---- charter and certificates ---- */

static void test_wrong_charter_ca(void **state)
{
	char dir[4096], err[LIA_ERR_LEN] = "";
	json_t *b = copy();

	(void)state;
	/* Another CA that calls itself china: the charter parses, beijing's certificate does not pass. */
	path_join(dir, fx.root, "fake-china");
	if (lia_cert_create_party(dir, "china", err) != 0)
		fail_msg("%s", err);
	json_object_set_new(member(b, "cas"), "china", pem_json(dir, "ca.crt"));
	seed("wrong-ca.json", b);
	expect_refused(b, "certs", "certificate of beijing: certificate of node \"beijing\" is not "
	    "signed by the CA of party \"china\"");
}

static void test_ca_of_another_party(void **state)
{
	char dir[4096];
	json_t *b = copy();

	(void)state;
	path_join(dir, fx.root, "japan");
	json_object_set_new(member(b, "cas"), "china", pem_json(dir, "ca.crt"));
	expect_refused(b, "charter", "party \"china\": CA china/ca.crt is the CA of party \"japan\"");
}

static void test_charter_paths_and_cas(void **state)
{
	char *text = malloc(sizeof(charter_text) + 16), *at;
	json_t *b = copy();

	(void)state;
	assert_non_null(text);
	strcpy(text, charter_text);
	at = strstr(text, "japan/ca.crt");
	assert_non_null(at);
	memmove(at + 1, at, strlen(at) + 1);
	at[0] = '/';
	json_object_set_new(b, "charter", json_string(text));
	free(text);
	expect_refused(b, "charter", "a record needs a plain relative path");
	b = copy();
	json_object_del(member(b, "cas"), "china");
	expect_refused(b, "charter", "cas has no CA for party \"china\"");
	b = copy();
	json_object_set_new(member(b, "cas"), "korea", json_string("x"));
	expect_refused(b, "charter", "cas holds a CA for \"korea\", which is not a party");
}

static void test_certificate_missing(void **state)
{
	json_t *b = copy();

	(void)state;
	json_object_del(member(b, "certs"), "beijing");
	expect_refused(b, "entries", "entry 1 (beijing/1): certs has no certificate for its origin "
	    "beijing");
	b = copy();
	json_object_set(member(b, "certs"), "tokyo", json_object_get(member(b, "certs"), "beijing"));
	expect_refused(b, "certs", "certs member \"tokyo\" holds the certificate of node beijing");
}

/* ---- witnessed ---- */

static void test_witnessed_fork(void **state)
{
	json_t *b = copy();

	(void)state;
	json_array_append_new(json_object_get(member(b, "witnessed"), "beijing"),
	    beijing_checkpoint(7, 0x33));
	expect_refused(b, "witnessed", "beijing's checkpoints 1 and 2: two checkpoints for size 7 "
	    "with different roots: fork");
}

static void test_witnessed_without_own_cosignature(void **state)
{
	json_t *b = copy();
	uint8_t root[32];
	char *note;

	(void)state;
	memset(root, 0x44, sizeof(root));
	note = checkpoint_note(fx.beijing, BEIJING_LOG, 9, root, NULL, NULL);
	json_array_append_new(json_object_get(member(b, "witnessed"), "beijing"), json_string(note));
	free(note);
	expect_refused(b, "witnessed", "beijing's checkpoint 2 (size 9): no valid cosignature by tokyo");
}

static void test_report_cleans_hostile_text(void **state)
{
	struct lia_bundle_report r;
	char err[LIA_ERR_LEN] = "";
	json_t *b = copy(), *j;

	(void)state;
	json_object_set_new(b, "\x1b[2J\xe2\x80\xae", json_true());
	assert_int_equal(lia_bundle_verify_json(b, &r, err), 1);
	assert_string_equal(r.failure, "unknown member \"?[2J?\"");
	j = lia_bundle_report_json(&r);
	assert_non_null(j);
	json_decref(j);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

/* ---- bogus lines put first (issue 10: a rival's line under our name) ---- */

/* note with a line of name and the key ID of pub (type), 64 or 72 zero "signature" bytes, put before its first line. */
static char *bogus_first(const char *note, const char *name, uint8_t type, EVP_PKEY *key)
{
	uint8_t pub[32], raw[76] = { 0 };
	size_t pub_len = 32, n = type == LIA_NOTE_COSIG_V1 ? 76 : 68;
	char err[LIA_ERR_LEN] = "", line[LIA_NOTE_LINE_MAX], *enc = malloc(120), *out;
	const char *at = strstr(note, "\n\n") + 2;
	uint32_t id = 0;

	assert_non_null(enc);
	assert_int_equal(EVP_PKEY_get_raw_public_key(key, pub, &pub_len), 1);
	if (lia_note_key_id(name, type, pub, &id, err) != 0)
		fail_msg("%s", err);
	raw[0] = (uint8_t)(id >> 24), raw[1] = (uint8_t)(id >> 16), raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	EVP_EncodeBlock((unsigned char *)enc, raw, (int)n);
	snprintf(line, sizeof(line), "\xe2\x80\x94 %s %s\n", name, enc);
	free(enc);
	out = malloc(strlen(note) + strlen(line) + 1);
	assert_non_null(out);
	memcpy(out, note, (size_t)(at - note));
	strcpy(out + (at - note), line);
	strcat(out, at);
	return out;
}

static void put_first(json_t *arr, size_t i, const char *name, uint8_t type, EVP_PKEY *key)
{
	char *text = bogus_first(json_string_value(json_array_get(arr, i)), name, type, key);

	json_array_set_new(arr, i, json_string(text));
	free(text);
}

static void test_bogus_lines_first(void **state)
{
	json_t *b = copy(), *cps = member(b, "checkpoints");
	json_t *w = json_object_get(member(b, "witnessed"), "beijing");

	(void)state;
	/* Under the log's name and key ID before its good line; under beijing's before its cosignature. */
	put_first(cps, 1, ORIGIN, LIA_NOTE_ED25519, fx.tokyo);
	put_first(cps, 2, BEIJING_LOG, LIA_NOTE_COSIG_V1, fx.beijing);
	/* Beijing's log as tokyo witnessed it, with a bogus line under tokyo's name put first. */
	put_first(w, 0, ORIGIN, LIA_NOTE_COSIG_V1, fx.tokyo);
	put_first(w, 1, ORIGIN, LIA_NOTE_COSIG_V1, fx.tokyo);
	seed("bogus-own-name.json", b);
	expect_ignored(b, "checkpoint 2 (size 13): line by beijing ignored", N_CPS);
}

/* An outside witness (not of the charter, not under the mechanism) cosigning: ignored, named. */
static void test_outside_witness_ignored(void **state)
{
	char body[LIA_CHECKPOINT_MAX], line[LIA_NOTE_LINE_MAX], err[LIA_ERR_LEN] = "";
	json_t *b = copy();
	size_t len = 0;

	(void)state;
	cp_body(3, body, &len);
	if (lia_cosig_line(fx.stranger, "witness.example.org/w1", body, len, COSIG_TIME, line, err) != 0)
		fail_msg("%s", err);
	add_line(b, 3, line);
	seed("cosig-outside.json", b);
	expect_ignored(b, "checkpoint 3 (size 20): line by \"witness.example.org/w1\" ignored: an "
	    "unknown key", N_CPS);
}

/* ---- the anchor ---- */

static void verify_with(json_t *b, const struct lia_bundle_anchor *a, struct lia_bundle_report *r,
    int want_rc)
{
	char err[LIA_ERR_LEN] = "";
	int rc = lia_bundle_verify_json_anchored(b, a, r, err);

	print_message("    report: %s: %s\n", r->check, r->failure);
	assert_int_equal(rc, want_rc);
}

static void test_anchor(void **state)
{
	struct lia_bundle_report r;
	struct lia_bundle_anchor a = { NULL, NULL };
	char path[4096], verdict[LIA_BUNDLE_VERDICT], upper[65];

	(void)state;
	/* No anchor: every check holds, but the verdict says it is the bundle's word only. */
	verify_with(fx.good, NULL, &r, 0);
	assert_false(r.anchored);
	lia_bundle_report_verdict(&r, verdict);
	assert_non_null(strstr(verdict, "SELF-CONSISTENT ONLY, NOT ANCHORED"));
	lia_bundle_report_finish(&r);
	/* The charter file, then its hash in either case. */
	path_join(path, fx.root, "charter");
	a.charter_path = path;
	verify_with(fx.good, &a, &r, 0);
	assert_true(r.anchored);
	lia_bundle_report_verdict(&r, verdict);
	assert_non_null(strstr(verdict, "OK: nothing altered, dropped, reordered or forked in the 20 "
	    "entries, all under the checkpoint of size 20 cosigned by every other party"));
	lia_bundle_report_finish(&r);
	a.charter_path = NULL;
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(fx.charter_hash[i] >= 'a' ? fx.charter_hash[i] - 32 : fx.charter_hash[i]);
	a.charter_hash = upper;
	verify_with(fx.good, &a, &r, 0);
	assert_true(r.anchored);
	lia_bundle_report_finish(&r);
	a.charter_hash = "00000000000000000000000000000000000000000000000000000000000000ff";
	verify_with(fx.good, &a, &r, 1);
	assert_string_equal(r.check, "anchor");
	assert_false(r.anchored);
	lia_bundle_report_finish(&r);
	a.charter_hash = NULL;
	path_join(path, fx.root, "no-such-charter");
	a.charter_path = path;
	verify_with(fx.good, &a, &r, 1);
	assert_string_equal(r.check, "anchor");
	lia_bundle_report_finish(&r);
}

/* A whole record made with self-made "japan" and "china" CAs: consistent, but not the real parties'. */
static void test_forged_cas(void **state)
{
	struct lia_bundle_report r;
	struct lia_bundle_anchor a = { NULL, NULL };
	char real[4096], path[4096], verdict[LIA_BUNDLE_VERDICT];
	EVP_PKEY *keys[3] = { fx.tokyo, fx.beijing, fx.kirishima };
	uint8_t *cose[N_ENTRIES];
	size_t cose_len[N_ENTRIES];
	json_t *forged;

	(void)state;
	/* Build the same bundle under another root: new CAs, new node keys, all re-signed. */
	memcpy(real, fx.root, sizeof(real));
	memcpy(cose, fx.cose, sizeof(cose));
	memcpy(cose_len, fx.cose_len, sizeof(cose_len));
	path_join(fx.root, real, "forger");
	assert_int_equal(mkdir(fx.root, 0700), 0);
	make_nodes();
	fx.tokyo = node_key("tokyo");
	fx.beijing = node_key("beijing");
	fx.kirishima = node_key("kirishima");
	for (int i = 0; i < N_ENTRIES; i++)
		make_entry(i, (int64_t)time(NULL) * 1000 - 1000000);
	forged = build_bundle();
	for (int i = 0; i < N_ENTRIES; i++)
		free(fx.cose[i]);
	EVP_PKEY_free(fx.tokyo);
	EVP_PKEY_free(fx.beijing);
	EVP_PKEY_free(fx.kirishima);
	fx.tokyo = keys[0], fx.beijing = keys[1], fx.kirishima = keys[2];
	memcpy(fx.root, real, sizeof(real));
	memcpy(fx.cose, cose, sizeof(cose));
	memcpy(fx.cose_len, cose_len, sizeof(cose_len));
	seed("forged-cas.json", forged);
	/* Alone it is consistent: "cosigned by china", but only as self-consistent. */
	verify_with(forged, NULL, &r, 0);
	assert_false(r.anchored);
	assert_int_equal(r.parties[1].cosignatures, N_CPS);
	lia_bundle_report_verdict(&r, verdict);
	assert_non_null(strstr(verdict, "NOT ANCHORED"));
	lia_bundle_report_finish(&r);
	/* Against the real charter, or its published hash, it fails. */
	path_join(path, fx.root, "charter");
	a.charter_path = path;
	verify_with(forged, &a, &r, 1);
	assert_string_equal(r.check, "anchor");
	assert_non_null(strstr(r.failure, "its text or its CAs differ"));
	lia_bundle_report_finish(&r);
	a.charter_path = NULL;
	a.charter_hash = fx.charter_hash;
	verify_with(forged, &a, &r, 1);
	assert_string_equal(r.check, "anchor");
	lia_bundle_report_finish(&r);
	json_decref(forged);
}

/* ---- what an OK proves ---- */

/* Verifies b (taken) anchored by the charter: it passes, with cosigned_size want and a verdict containing words. */
static void expect_verdict(json_t *b, uint64_t want, const char *words, const char *not_words)
{
	struct lia_bundle_report r;
	struct lia_bundle_anchor a = { NULL, fx.charter_hash };
	char verdict[LIA_BUNDLE_VERDICT];
	json_t *j;

	verify_with(b, &a, &r, 0);
	lia_bundle_report_verdict(&r, verdict);
	print_message("    verdict: %s\n", verdict);
	assert_true(r.anchored);
	assert_int_equal(r.cosigned_size, want);
	if (strstr(verdict, words) == NULL)
		fail_msg("verdict \"%s\" does not contain \"%s\"", verdict, words);
	if (not_words != NULL && strstr(verdict, not_words) != NULL)
		fail_msg("verdict \"%s\" claims \"%s\"", verdict, not_words);
	j = lia_bundle_report_json(&r);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "checkpoints"),
	    "cosigned_by_all")), (json_int_t)want);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), verdict);
	json_decref(j);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

static void test_truncated_tail_resigned(void **state)
{
	json_t *b = copy(), *entries = member(b, "entries"), *cps = member(b, "checkpoints");

	(void)state;
	/* The cosigned checkpoint of 20 dropped with entries 16..19; the node signs one of 16 alone. */
	for (int i = N_ENTRIES - 1; i >= 16; i--)
		json_array_remove(entries, (size_t)i);
	json_array_set_new(cps, N_CPS - 1, log_checkpoint(16, 0));
	seed("truncated.json", b);
	expect_verdict(b, 13, "in entries 0..12 (the checkpoint of size 13 is cosigned by every other "
	    "party); entries 13..15 are not yet witnessed", "in the 16 entries");
}

static void test_no_checkpoint(void **state)
{
	json_t *b = copy();

	(void)state;
	json_array_clear(member(b, "checkpoints"));
	expect_verdict(b, 0, "NOT WITNESSED: the 20 entries are signed by their origins and in order, "
	    "but no checkpoint is cosigned by every other party", "nothing altered");
}

static void test_empty_record(void **state)
{
	json_t *b = copy();

	(void)state;
	json_array_clear(member(b, "entries"));
	json_array_clear(member(b, "checkpoints"));
	expect_verdict(b, 0, "EMPTY: the record holds no entries", "nothing altered");
}

static void test_no_cosignature(void **state)
{
	json_t *b = copy(), *cps = member(b, "checkpoints");

	(void)state;
	for (int i = 0; i < N_CPS; i++)
		json_array_set_new(cps, (size_t)i, log_checkpoint(cp_sizes[i], 0));
	expect_verdict(b, 0, "NOT WITNESSED", "nothing altered");
}

/* Beijing's receipt (beijing/8, appended last) of tokyo/11 (entry 15) as it received it. */
static uint8_t *receipt_of(int i, size_t *len)
{
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose = NULL;
	const char *origin;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_RECEIPT;
	snprintf(e.origin, sizeof(e.origin), "beijing");
	e.seq = 8;
	e.time_ms = (int64_t)time(NULL) * 1000 - 500000;
	entry_id(i, &origin, &e.ref_seq);
	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", origin);
	lia_entry_hash(fx.cose[i], fx.cose_len[i], e.ref_hash);
	if (lia_entry_sign(&e, fx.beijing, &cose, len, err) != 0)
		fail_msg("%s", err);
	return cose;
}

static void test_altered_after_receipt(void **state)
{
	json_t *b = copy(), *cps = member(b, "checkpoints"), *j;
	struct lia_entry e;
	char err[LIA_ERR_LEN] = "";
	uint8_t *cose, *altered = NULL;
	size_t len = 0, altered_len = 0;

	(void)state;
	/* The log's last checkpoint is 13; tokyo/11 (entry 15) comes after it; beijing's receipt ends it. */
	json_array_remove(cps, N_CPS - 1);
	cose = receipt_of(15, &len);
	json_array_append_new(member(b, "entries"), b64_json(cose, len));
	free(cose);
	j = json_deep_copy(b);
	expect_verdict(j, 13, "entries 13..20 are not yet witnessed", NULL);
	/* Tokyo/11 re-signed by tokyo with other words: its own signature holds, the receipt does not. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(lia_entry_open(fx.cose[15], fx.cose_len[15], &e, err), 0);
	free(e.text);
	e.text = strdup("message 15 from tokyo, as it was never sent");
	assert_non_null(e.text);
	if (lia_entry_sign(&e, fx.tokyo, &altered, &altered_len, err) != 0)
		fail_msg("%s", err);
	lia_entry_finish(&e);
	json_array_set_new(member(b, "entries"), 15, b64_json(altered, altered_len));
	free(altered);
	seed("altered-after-receipt.json", b);
	expect_refused(b, "receipts", "entry 20 (beijing/8) names tokyo/11 with hash ");
}

/* Tokyo's last own entry (entry 18, tokyo/13) dropped, beijing's receipt of it kept: no gap in tokyo's seqs, but the receipt shows it. */
static void test_own_entry_dropped_receipt_kept(void **state)
{
	json_t *b = copy(), *cps = member(b, "checkpoints");
	uint8_t *cose;
	size_t len = 0;

	(void)state;
	json_array_remove(cps, N_CPS - 1);
	cose = receipt_of(18, &len);
	json_array_append_new(member(b, "entries"), b64_json(cose, len));
	free(cose);
	json_array_remove(member(b, "entries"), 18);
	seed("dropped-receipt-kept.json", b);
	expect_refused(b, "receipts", "entry 19 (beijing/8) names tokyo/13, which the record does "
	    "not hold: the node's own entry was dropped");
}

static void test_receipts_counted(void **state)
{
	struct lia_bundle_report r;
	json_t *b = copy();
	uint8_t *cose;
	size_t len = 0;

	(void)state;
	cose = receipt_of(15, &len);
	json_array_append_new(member(b, "entries"), b64_json(cose, len));
	free(cose);
	verify_with(b, NULL, &r, 0);
	assert_int_equal(r.receipts, 1);
	lia_bundle_report_finish(&r);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_bundle_verifies),
		cmocka_unit_test(test_good_bundle_from_file),
		cmocka_unit_test(test_unreadable_and_not_json),
		cmocka_unit_test(test_format_refusals),
		cmocka_unit_test(test_entry_byte_changed),
		cmocka_unit_test(test_entry_outside_certificate),
		cmocka_unit_test(test_own_entry_deleted),
		cmocka_unit_test(test_peer_entry_deleted),
		cmocka_unit_test(test_last_entry_dropped),
		cmocka_unit_test(test_own_entries_swapped),
		cmocka_unit_test(test_peer_entries_swapped),
		cmocka_unit_test(test_entries_of_two_origins_swapped),
		cmocka_unit_test(test_entry_repeated),
		cmocka_unit_test(test_checkpoint_forged_with_foreign_key),
		cmocka_unit_test(test_checkpoint_fork),
		cmocka_unit_test(test_checkpoint_larger_than_log),
		cmocka_unit_test(test_checkpoints_out_of_order),
		cmocka_unit_test(test_cosignature_by_key_not_in_charter),
		cmocka_unit_test(test_cosignature_by_node_not_in_charter),
		cmocka_unit_test(test_cosignature_by_own_party),
		cmocka_unit_test(test_cosignature_over_another_body),
		cmocka_unit_test(test_second_log_signature_line),
		cmocka_unit_test(test_latest_not_cosigned_warns),
		cmocka_unit_test(test_wrong_charter_ca),
		cmocka_unit_test(test_ca_of_another_party),
		cmocka_unit_test(test_charter_paths_and_cas),
		cmocka_unit_test(test_certificate_missing),
		cmocka_unit_test(test_witnessed_fork),
		cmocka_unit_test(test_witnessed_without_own_cosignature),
		cmocka_unit_test(test_report_cleans_hostile_text),
		cmocka_unit_test(test_bogus_lines_first),
		cmocka_unit_test(test_outside_witness_ignored),
		cmocka_unit_test(test_anchor),
		cmocka_unit_test(test_forged_cas),
		cmocka_unit_test(test_truncated_tail_resigned),
		cmocka_unit_test(test_no_checkpoint),
		cmocka_unit_test(test_no_cosignature),
		cmocka_unit_test(test_empty_record),
		cmocka_unit_test(test_altered_after_receipt),
		cmocka_unit_test(test_receipts_counted),
		cmocka_unit_test(test_own_entry_dropped_receipt_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
