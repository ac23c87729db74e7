/* test_charter.c - charter parsing, validation errors, hash, lookups and recipients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "charter.h"
#include "err.h"
#include "fixture.h"

static char root[4096];

#define GOOD_CHARTER \
	"# Japan-China maritime and air communication mechanism\n" \
	"mechanism jp-cn-maritime\n" \
	"party japan ca japan/ca.crt\n" \
	"party china ca \"china/ca.crt\"   # quoted path\n" \
	"\n" \
	"node tokyo party japan role station address tokyo.example:7400\n" \
	"node yokosuka party japan role station address [2001:db8::1]:7401\n" \
	"node kirishima party japan role unit address 192.0.2.10:7402\n" \
	"node beijing party china role station address beijing.example:7400\n" \
	"node haikou address 192.0.2.20:7403 role unit party china\n"

static void join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);

	assert_true(n > 0 && (size_t)n < size);
}

static void make_party(const char *name)
{
	char dir[4096], err[LIA_ERR_LEN];

	join(dir, sizeof(dir), root, name);
	if (lia_cert_create_party(dir, name, err) != 0)
		fail_msg("%s", err);
}

/* A CA with a P-256 key, otherwise well-formed, to be refused for not being Ed25519. */
static void make_ec_ca(const char *file, const char *party)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	char path[4096];
	FILE *f;

	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_UTF8,
	    (const unsigned char *)party, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	join(path, sizeof(path), root, file);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

static int setup(void **state)
{
	char dir[4096], party_dir[4096], path[4096], err[LIA_ERR_LEN];
	const char *parties[] = { "japan", "china", "p3", "p4", "p5", "p6", "p7", "p8", "p9" };

	(void)state;
	fixture_tmpdir("charter", root);
	for (size_t i = 0; i < sizeof(parties) / sizeof(parties[0]); i++)
		make_party(parties[i]);
	join(party_dir, sizeof(party_dir), root, "japan");
	join(dir, sizeof(dir), root, "tokyo");
	if (lia_cert_issue_node(party_dir, "tokyo", LIA_ROLE_STATION, dir, err) != 0)
		fail_msg("%s", err);
	make_ec_ca("ec-ca.crt", "japan");
	fixture_write(root, "garbage.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n", 33, path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rmrf(root);
	return 0;
}

static int parse(const char *text, struct lia_charter **c, char *err)
{
	err[0] = '\0';
	*c = NULL;
	return lia_charter_parse("charter.conf", text, strlen(text), root, c, err);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	struct lia_charter *c;
	char err[LIA_ERR_LEN];

	if (parse(text, &c, err) != -1)
		fail_msg("accepted:\n%s", text);
	assert_null(c);
	if (strstr(err, where) == NULL || strstr(err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", err, where, what);
}

/* SHA-256 of text then each CA file's DER, computed here independently. */
static void expected_hash(const char *text, const char *const *ca_files, int n, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	assert_non_null(md);
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	EVP_DigestUpdate(md, text, strlen(text));
	for (int i = 0; i < n; i++) {
		char path[4096];
		unsigned char *der = NULL;
		int len;
		FILE *f;
		X509 *x;

		join(path, sizeof(path), root, ca_files[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
		assert_non_null(x);
		len = i2d_X509(x, &der);
		assert_true(len > 0);
		EVP_DigestUpdate(md, der, (size_t)len);
		OPENSSL_free(der);
		X509_free(x);
	}
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
}

static void test_good(void **state)
{
	static const char *const cas[] = { "japan/ca.crt", "china/ca.crt" };
	struct lia_charter *c;
	const struct lia_node_def *n;
	char err[LIA_ERR_LEN];
	uint8_t hash[32];

	(void)state;
	if (parse(GOOD_CHARTER, &c, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(c->mechanism, "jp-cn-maritime");
	assert_string_equal(c->path, "");
	assert_int_equal(c->n_parties, 2);
	assert_int_equal(c->n_nodes, 5);
	assert_string_equal(c->parties[0].name, "japan");
	assert_string_equal(c->parties[1].name, "china");
	assert_non_null(c->parties[0].ca);
	n = lia_charter_node(c, "yokosuka");
	assert_non_null(n);
	assert_string_equal(n->party, "japan");
	assert_int_equal(n->role, LIA_ROLE_STATION);
	assert_string_equal(n->host, "2001:db8::1");
	assert_string_equal(n->port, "7401");
	n = lia_charter_node(c, "haikou");
	assert_non_null(n);
	assert_string_equal(n->party, "china");
	assert_int_equal(n->role, LIA_ROLE_UNIT);
	assert_string_equal(n->host, "192.0.2.20");
	assert_null(lia_charter_node(c, "japan"));
	assert_null(lia_charter_node(c, "paris"));
	assert_non_null(lia_charter_party(c, "china"));
	assert_null(lia_charter_party(c, "tokyo"));
	assert_ptr_equal(lia_charter_party(c, "japan"), &c->parties[0]);
	expected_hash(GOOD_CHARTER, cas, 2, hash);
	assert_memory_equal(c->hash, hash, 32);
	lia_charter_free(c);
	lia_charter_free(NULL);
}

static void test_hash_covers_text(void **state)
{
	struct lia_charter *a, *b;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(GOOD_CHARTER, &a, err), 0);
	assert_int_equal(parse(GOOD_CHARTER "# one more comment\n", &b, err), 0);
	assert_memory_not_equal(a->hash, b->hash, 32);
	lia_charter_free(a);
	lia_charter_free(b);
}

static void test_load_relative_to_charter(void **state)
{
	char path[4096], err[LIA_ERR_LEN];
	struct lia_charter *c = NULL;

	(void)state;
	fixture_write(root, "charter.conf", GOOD_CHARTER, strlen(GOOD_CHARTER), path);
	assert_int_equal(chdir("/"), 0);
	if (lia_charter_load(path, &c, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(c->path, path);
	assert_int_equal(c->n_nodes, 5);
	lia_charter_free(c);
	join(path, sizeof(path), root, "missing.conf");
	assert_int_equal(lia_charter_load(path, &c, err), -1);
	assert_non_null(strstr(err, path));
}

static void test_load_error_names_path(void **state)
{
	const char *text = "mechanism m\nparty japan ca japan/ca.crt\nnode a party japn role unit address h:1\n";
	char path[4096], err[LIA_ERR_LEN], want[4200];
	struct lia_charter *c = NULL;

	(void)state;
	fixture_write(root, "bad.conf", text, strlen(text), path);
	assert_int_equal(lia_charter_load(path, &c, err), -1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:3: node \"a\" names unknown party \"japn\"", path);
	assert_string_equal(err, want);
}

struct bad_case {
	const char *text;
	const char *where;
	const char *what;
};

#define HEAD "mechanism m\nparty japan ca japan/ca.crt\n"

static const struct bad_case bad_cases[] = {
	{ HEAD "node beijing party china role station address b:1\n",
	  "charter.conf:3:", "node \"beijing\" names unknown party \"china\"" },
	{ HEAD "\n\n\n\nnode tokyo party japn role station address t:1\n",
	  "charter.conf:7:", "node \"tokyo\" names unknown party \"japn\"" },
	{ HEAD "node japan party japan role station address t:1\n",
	  "charter.conf:3:", "node name \"japan\" is already used by the party on line 2" },
	{ HEAD "node tokyo party japan role station address t:1\nnode tokyo party japan role unit address u:1\n",
	  "charter.conf:4:", "node name \"tokyo\" is already used by the node on line 3" },
	{ "mechanism m\nnode china party china role station address t:1\nparty china ca china/ca.crt\n",
	  "charter.conf:3:", "party name \"china\" is already used by the node on line 2" },
	{ HEAD "party japan ca japan/ca.crt\n",
	  "charter.conf:3:", "party name \"japan\" is already used by the party on line 2" },
	{ HEAD "node tokyo party japan role ship address t:1\n",
	  "charter.conf:3:", "role \"ship\" is neither station nor unit" },
	{ HEAD "node tokyo party japan role station address tokyo\n",
	  "charter.conf:3:", "node \"tokyo\": address \"tokyo\" has no port" },
	{ HEAD "node tokyo party japan role station address tokyo:70000\n",
	  "charter.conf:3:", "port must be a number from 1 to 65535" },
	{ HEAD "node tokyo party japan role station address ::1:7400\n",
	  "charter.conf:3:", "goes in brackets" },
	{ "mechanism m\nparty japan ca japan/nope.crt\n",
	  "charter.conf:2:", "party \"japan\": " },
	{ "mechanism m\nparty japan ca japan/nope.crt\n",
	  "charter.conf:2:", "No such file" },
	{ "mechanism m\nparty japan ca tokyo/node.crt\n",
	  "charter.conf:2:", "party \"japan\": certificate is not a CA" },
	{ "mechanism m\nparty japan ca ec-ca.crt\n",
	  "charter.conf:2:", "party \"japan\": CA certificate key is not Ed25519" },
	{ "mechanism m\nparty japan ca china/ca.crt\n",
	  "charter.conf:2:", "party \"japan\": CA china/ca.crt is the CA of party \"china\"" },
	{ "mechanism m\nparty japan ca garbage.crt\n",
	  "charter.conf:2:", "not a PEM certificate" },
	{ "mechanism m\nparty japan ca japan\n",
	  "charter.conf:2:", "not a regular file" },
	{ "mechanism m\nparty japan ca \"\"\n",
	  "charter.conf:2:", "CA path empty" },
	{ "party japan ca japan/ca.crt\n",
	  "charter.conf:", "no mechanism line" },
	{ "mechanism m\n",
	  "charter.conf:", "no party" },
	{ "mechanism m\nparty japan ca japan/ca.crt\nmechanism n\n",
	  "charter.conf:3:", "mechanism given again (first on line 1)" },
	{ "mechanism\n", "charter.conf:1:", "mechanism takes exactly one name" },
	{ "mechanism a b\n", "charter.conf:1:", "mechanism takes exactly one name" },
	{ "mechanism Big_Deal\n", "charter.conf:1:", "mechanism name \"Big_Deal\"" },
	{ HEAD "nodes tokyo party japan role station address t:1\n",
	  "charter.conf:3:", "unknown keyword \"nodes\"" },
	{ HEAD "node tokyo party japan role station role unit address t:1\n",
	  "charter.conf:3:", "node \"tokyo\": key \"role\" given twice" },
	{ HEAD "node tokyo party japan role station address t:1 colour red\n",
	  "charter.conf:3:", "node \"tokyo\": unknown key \"colour\"" },
	{ HEAD "node tokyo party japan role station\n",
	  "charter.conf:3:", "node \"tokyo\": key \"address\" is missing" },
	{ HEAD "node tokyo party japan role station address\n",
	  "charter.conf:3:", "node \"tokyo\": key \"address\" has no value" },
	{ HEAD "node Tokyo party japan role station address t:1\n",
	  "charter.conf:3:", "node name \"Tokyo\" is not" },
	{ HEAD "node -x party japan role station address t:1\n",
	  "charter.conf:3:", "node name \"-x\" is not" },
	{ HEAD "node tokyo party Japan role station address t:1\n",
	  "charter.conf:3:", "party name \"Japan\" is not valid" },
	{ HEAD "node\n", "charter.conf:3:", "node needs a name" },
	{ "mechanism m\nparty\n", "charter.conf:2:", "party needs a name" },
	{ "mechanism m\nparty japan\n", "charter.conf:2:", "party \"japan\": key \"ca\" is missing" },
	{ "mechanism m\nparty japan ca japan/ca.crt ca japan/ca.crt\n",
	  "charter.conf:2:", "party \"japan\": key \"ca\" given twice" },
	{ "mechanism m\nparty japan ca japan/ca.crt role station\n",
	  "charter.conf:2:", "party \"japan\": unknown key \"role\"" },
	{ "mechanism m\nparty japan ca \"japan/ca.crt\n",
	  "charter.conf:2:", "unterminated quote" },
	{ HEAD "deadline\n", "charter.conf:3:", "deadline needs a precedence" },
	{ HEAD "deadline URGENT receipt 1s ack 2s\n",
	  "charter.conf:3:", "precedence \"URGENT\" is not one of" },
	{ HEAD "deadline flash receipt 1s\n",
	  "charter.conf:3:", "key \"ack\" is missing" },
	{ HEAD "deadline FLASH receipt 1s ack 2x\n",
	  "charter.conf:3:", "deadline FLASH: duration \"2x\" is not a whole number" },
	{ HEAD "deadline FLASH receipt 0s ack 2s\n",
	  "charter.conf:3:", "duration \"0s\"" },
	{ HEAD "deadline FLASH receipt 1s ack 31d\n",
	  "charter.conf:3:", "duration \"31d\"" },
	{ HEAD "deadline FLASH receipt 1s ack 2s\ndeadline flash receipt 1s ack 2s\n",
	  "charter.conf:4:", "deadline flash given again (first on line 3)" },
	{ HEAD "escalate japan\n", "charter.conf:3:", "escalate takes the form" },
	{ HEAD "escalate japan at tokyo\n", "charter.conf:3:", "escalate takes the form" },
	{ HEAD "escalate Japan to tokyo\n", "charter.conf:3:", "is not a valid name" },
	{ HEAD "escalate korea to tokyo\n",
	  "charter.conf:3:", "escalate names \"korea\", neither a party nor a node" },
	{ HEAD "escalate japan to nowhere\n",
	  "charter.conf:3:", "target \"nowhere\" is not a node" },
	{ HEAD "node tokyo party japan role station address t:1\n"
	  "node ship party japan role unit address s:1\nescalate japan to ship\n",
	  "charter.conf:5:", "target ship is not a station of party japan" },
	{ HEAD "party china ca china/ca.crt\nnode tokyo party japan role station address t:1\n"
	  "node beijing party china role station address b:1\nescalate china to tokyo\n",
	  "charter.conf:6:", "target tokyo is not a station of party china" },
	{ HEAD "node tokyo party japan role station address t:1\nescalate tokyo to tokyo\n",
	  "charter.conf:4:", "cannot be its own escalation target" },
	{ HEAD "node tokyo party japan role station address t:1\n"
	  "escalate japan to tokyo\nescalate japan to tokyo\n",
	  "charter.conf:5:", "escalate japan given again (first on line 4)" },
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		expect_error(bad_cases[i].text, bad_cases[i].where, bad_cases[i].what);
}

/* The one case with a NUL in it cannot go through strlen. */
static void test_nul_byte(void **state)
{
	static const char text[] = "mechanism m\nparty japan ca japan/ca.crt\nnode a\0b\n";
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(lia_charter_parse("charter.conf", text, sizeof(text) - 1, root, &c, err), -1);
	assert_null(c);
	assert_string_equal(err, "charter.conf:3: NUL byte in the text");
}

static void test_party_limit(void **state)
{
	char text[2048] = "mechanism m\n", line[128];
	const char *parties[] = { "japan", "china", "p3", "p4", "p5", "p6", "p7", "p8", "p9" };
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN];

	(void)state;
	for (int i = 0; i < LIA_MAX_PARTIES; i++) {
		snprintf(line, sizeof(line), "party %s ca %s/ca.crt\n", parties[i], parties[i]);
		strcat(text, line);
	}
	if (parse(text, &c, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n_parties, LIA_MAX_PARTIES);
	lia_charter_free(c);
	snprintf(line, sizeof(line), "party p9 ca p9/ca.crt\n");
	strcat(text, line);
	expect_error(text, "charter.conf:10:", "party \"p9\": more than 8 parties");
}

static void test_node_limit(void **state)
{
	char *text = calloc(1, 8192), line[128];
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_non_null(text);
	strcpy(text, HEAD);
	for (int i = 0; i < LIA_MAX_NODES; i++) {
		snprintf(line, sizeof(line), "node n%d party japan role unit address h:%d\n", i, i + 1);
		strcat(text, line);
	}
	if (parse(text, &c, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n_nodes, LIA_MAX_NODES);
	lia_charter_free(c);
	strcat(text, "node extra party japan role unit address h:1\n");
	expect_error(text, "charter.conf:67:", "node \"extra\": more than 64 nodes");
	free(text);
}

static void test_address_list(void **state)
{
	struct lia_addr a[LIA_ADDRS_MAX];
	struct lia_charter *c;
	const struct lia_node_def *n;
	char err[LIA_ERR_LEN];
	int count = 0;

	(void)state;
	assert_int_equal(parse(HEAD "node tokyo party japan role station address "
	    "10.0.1.1:7400,10.0.2.1:7400,[2001:db8::1]:7401\n", &c, err), 0);
	n = lia_charter_node(c, "tokyo");
	assert_non_null(n);
	assert_int_equal(n->n_addrs, 3);
	assert_string_equal(n->host, "10.0.1.1");
	assert_string_equal(n->port, "7400");
	assert_string_equal(n->addrs[1].host, "10.0.2.1");
	assert_string_equal(n->addrs[2].host, "2001:db8::1");
	assert_string_equal(n->addrs[2].port, "7401");
	lia_charter_free(c);
	assert_int_equal(lia_charter_parse_addrs("h:1", a, LIA_ADDRS_MAX, &count, err), 0);
	assert_int_equal(count, 1);
	assert_int_equal(lia_charter_parse_addrs("a:1,b:2,c:3,d:4", a, LIA_ADDRS_MAX, &count, err), 0);
	assert_int_equal(count, 4);
	assert_int_equal(lia_charter_parse_addrs("a:1,b:2,c:3,d:4,e:5", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_non_null(strstr(err, "more than 4 addresses"));
	assert_int_equal(lia_charter_parse_addrs("a:1,,b:2", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(lia_charter_parse_addrs("a:1,", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_int_equal(lia_charter_parse_addrs(",a:1", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_int_equal(lia_charter_parse_addrs("a:1,b", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_non_null(strstr(err, "has no port"));
	assert_int_equal(lia_charter_parse_addrs("a:1,b:2,a:01", a, LIA_ADDRS_MAX, &count, err), -1);
	assert_non_null(strstr(err, "listed twice"));
	expect_error(HEAD "node tokyo party japan role station address t:1,t:99999\n",
	    "charter.conf:3:", "node \"tokyo\": address \"t:99999\"");
}

static void test_role_name(void **state)
{
	(void)state;
	assert_string_equal(lia_role_name(LIA_ROLE_STATION), "station");
	assert_string_equal(lia_role_name(LIA_ROLE_UNIT), "unit");
}

/* Fills names with the recipients' names joined by ','. */
static int recipients(const struct lia_charter *c, const char *to, const char *self, int max,
    char *names, char *err)
{
	const struct lia_node_def *out[LIA_MAX_NODES];
	int n = -1, rc;

	names[0] = '\0';
	err[0] = '\0';
	rc = lia_charter_recipients(c, to, self, out, max, &n, err);
	assert_true(rc == 0 ? n > 0 : n == 0);
	for (int i = 0; i < n; i++) {
		strcat(names, i ? "," : "");
		strcat(names, out[i]->name);
	}
	return rc;
}

static void test_recipients(void **state)
{
	struct lia_charter *c;
	char names[512], err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(GOOD_CHARTER, &c, err), 0);
	assert_int_equal(recipients(c, "japan", "beijing", 8, names, err), 0);
	assert_string_equal(names, "tokyo,yokosuka");
	assert_int_equal(recipients(c, "japan", "tokyo", 8, names, err), 0);
	assert_string_equal(names, "yokosuka");
	assert_int_equal(recipients(c, "japan", "kirishima", 8, names, err), 0);
	assert_string_equal(names, "tokyo,yokosuka");
	assert_int_equal(recipients(c, "china", "tokyo", 8, names, err), 0);
	assert_string_equal(names, "beijing");
	assert_int_equal(recipients(c, "kirishima", "beijing", 8, names, err), 0);
	assert_string_equal(names, "kirishima");
	assert_int_equal(recipients(c, "haikou", "beijing", 1, names, err), 0);
	assert_string_equal(names, "haikou");
	assert_int_equal(recipients(c, "japan", NULL, 8, names, err), 0);
	assert_string_equal(names, "tokyo,yokosuka");

	assert_int_equal(recipients(c, "tokyo", "tokyo", 8, names, err), -1);
	assert_non_null(strstr(err, "\"tokyo\" is this node itself"));
	assert_int_equal(recipients(c, "china", "beijing", 8, names, err), -1);
	assert_non_null(strstr(err, "recipient \"china\""));
	assert_non_null(strstr(err, "no station other than this node"));
	assert_int_equal(recipients(c, "paris", "tokyo", 8, names, err), -1);
	assert_non_null(strstr(err, "recipient \"paris\" is neither a party nor a node"));
	assert_int_equal(recipients(c, "", "tokyo", 8, names, err), -1);
	assert_non_null(strstr(err, "recipient \"\""));
	assert_int_equal(recipients(c, "japan", "beijing", 1, names, err), -1);
	assert_non_null(strstr(err, "more than 1"));
	assert_int_equal(recipients(c, "tokyo", "beijing", 0, names, err), -1);
	lia_charter_free(c);
}

/* A party whose only nodes are units has no station to write to. */
static void test_recipients_units_only(void **state)
{
	const char *text = "mechanism m\nparty japan ca japan/ca.crt\nparty china ca china/ca.crt\n"
	    "node tokyo party japan role station address t:1\n"
	    "node haikou party china role unit address h:1\n";
	struct lia_charter *c;
	char names[512], err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(text, &c, err), 0);
	assert_int_equal(recipients(c, "china", "tokyo", 8, names, err), -1);
	assert_non_null(strstr(err, "recipient \"china\""));
	assert_int_equal(recipients(c, "haikou", "tokyo", 8, names, err), 0);
	assert_string_equal(names, "haikou");
	lia_charter_free(c);
}

static void test_durations(void **state)
{
	static const struct { const char *text; int64_t ms; } good[] = {
		{"1s", 1000}, {"30s", 30000}, {"10m", 600000}, {"3h", 10800000},
		{"6h", 21600000}, {"2d", 172800000}, {"30d", INT64_C(2592000000)},
	};
	static const char *const bad[] = {
		"", "s", "0s", "10", "10 m", "-1s", "+1s", "1.5h", "1sm", "31d", "721h", "1S",
		"99999999999999999999s", "010s",
	};
	char err[LIA_ERR_LEN], text[LIA_DURATION_LEN];
	int64_t ms = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (lia_duration_parse(good[i].text, &ms, err) != 0)
			fail_msg("%s: %s", good[i].text, err);
		assert_int_equal(ms, good[i].ms);
		lia_duration_format(ms, text);
		assert_string_equal(text, good[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lia_duration_parse(bad[i], &ms, err) == 0)
			fail_msg("duration \"%s\" was accepted", bad[i]);
		assert_non_null(strstr(err, "is not a whole number"));
	}
	lia_duration_format(90000, text);
	assert_string_equal(text, "90s");
	lia_duration_format(1500, text);
	assert_string_equal(text, "1500ms");
}

static void test_deadlines_and_escalation(void **state)
{
	const char *text = GOOD_CHARTER
	    "deadline flash receipt 5s ack 20s\n"
	    "deadline ROUTINE ack 1d receipt 2m\n"
	    "node beijing-hq party china role station address b:2\n"
	    "node tokyo-hq party japan role station address t:2\n"
	    "escalate china to beijing-hq\n"
	    "escalate yokosuka to tokyo\n"
	    "escalate japan to tokyo-hq\n";
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN];
	const struct lia_node_def *t;

	(void)state;
	if (parse(text, &c, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->deadlines[0].receipt_ms, 5000);
	assert_int_equal(c->deadlines[0].ack_ms, 20000);
	assert_int_equal(c->deadlines[1].receipt_ms, 30000);       /* IMMEDIATE: defaults */
	assert_int_equal(c->deadlines[1].ack_ms, 30 * 60 * 1000);
	assert_int_equal(c->deadlines[2].ack_ms, 3 * 3600 * 1000);
	assert_int_equal(c->deadlines[3].receipt_ms, 120000);
	assert_int_equal(c->deadlines[3].ack_ms, 24 * 3600 * 1000);
	t = lia_charter_escalation(c, "beijing");
	assert_non_null(t);
	assert_string_equal(t->name, "beijing-hq");
	assert_null(lia_charter_escalation(c, "beijing-hq")); /* never told of itself */
	t = lia_charter_escalation(c, "yokosuka");              /* the node's own line wins */
	assert_non_null(t);
	assert_string_equal(t->name, "tokyo");
	t = lia_charter_escalation(c, "tokyo");                 /* the party's line */
	assert_non_null(t);
	assert_string_equal(t->name, "tokyo-hq");
	assert_null(lia_charter_escalation(c, "nowhere"));
	lia_charter_free(c);
	if (parse(GOOD_CHARTER, &c, err) != 0)
		fail_msg("%s", err);
	assert_null(lia_charter_escalation(c, "beijing"));
	assert_int_equal(c->deadlines[0].ack_ms, 10 * 60 * 1000); /* FLASH default */
	assert_int_equal(c->deadlines[3].ack_ms, 6 * 3600 * 1000);
	lia_charter_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_hash_covers_text),
		cmocka_unit_test(test_load_relative_to_charter),
		cmocka_unit_test(test_load_error_names_path),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_party_limit),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_address_list),
		cmocka_unit_test(test_role_name),
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_recipients_units_only),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_deadlines_and_escalation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
