/* test_cert.c - party CAs, node certificates, and their check against the charter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "charter.h"
#include "conf.h"
#include "err.h"
#include "fixture.h"

static char root[4096];
static struct lia_charter *charter;

static const char charter_text[] =
	"mechanism jp-cn\n"
	"party japan ca japan/ca.crt\n"
	"party china ca china/ca.crt\n"
	"node tokyo party japan role station address t:1\n"
	"node kirishima party japan role unit address k:1\n"
	"node beijing party china role station address b:1\n";

static void join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);

	assert_true(n > 0 && (size_t)n < size);
}

static void path_in(char out[4096], const char *dir, const char *file)
{
	char d[4096];

	join(d, sizeof(d), root, dir);
	join(out, 4096, d, file);
}

static int setup(void **state)
{
	char dir[4096], err[LIA_ERR_LEN];

	(void)state;
	fixture_tmpdir("cert", root);
	join(dir, sizeof(dir), root, "japan");
	if (lia_cert_create_party(dir, "japan", err) != 0)
		fail_msg("%s", err);
	join(dir, sizeof(dir), root, "china");
	if (lia_cert_create_party(dir, "china", err) != 0)
		fail_msg("%s", err);
	if (lia_charter_parse("charter", charter_text, sizeof(charter_text) - 1, root,
	    &charter, err) != 0)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lia_charter_free(charter);
	fixture_rmrf(root);
	return 0;
}

/* Issues node into root/<node> from root/<party>; returns 0 or -1 with err. */
static int issue(const char *party, const char *node, enum lia_role role, char *err)
{
	char party_dir[4096], out_dir[4096];

	join(party_dir, sizeof(party_dir), root, party);
	join(out_dir, sizeof(out_dir), root, node);
	return lia_cert_issue_node(party_dir, node, role, out_dir, err);
}

static X509 *load_cert(const char *dir, const char *file)
{
	char path[4096], err[LIA_ERR_LEN];
	X509 *x = NULL;

	path_in(path, dir, file);
	if (lia_cert_load(path, &x, err) != 0)
		fail_msg("%s", err);
	return x;
}

/*
 * A node certificate made by hand: subject o/ou/cn (ou may be NULL), valid
 * from now+from_s to now+to_s, signed by the CA in root/<issuer>.
 */
static X509 *forge(const char *issuer, const char *o, const char *ou, const char *cn,
    long from_s, long to_s)
{
	char path[4096], err[LIA_ERR_LEN];
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *ca_key = NULL;
	X509 *ca = load_cert(issuer, "ca.crt"), *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);

	path_in(path, issuer, "ca.key");
	if (lia_cert_load_key(path, &ca_key, err) != 0)
		fail_msg("%s", err);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
	X509_gmtime_adj(X509_getm_notBefore(x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), to_s);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0);
	if (ou != NULL)
		X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8, (const unsigned char *)ou, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	assert_true(X509_sign(x, ca_key, NULL) > 0);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	return x;
}

static void expect_check_fails(X509 *x, const char *what)
{
	struct lia_identity id;
	char err[LIA_ERR_LEN] = "";

	if (lia_cert_check(charter, x, &id, err) != -1)
		fail_msg("certificate accepted; expected \"%s\"", what);
	if (strstr(err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, what);
}

static int file_mode(const char *dir, const char *file)
{
	char path[4096];
	struct stat st;

	path_in(path, dir, file);
	assert_int_equal(stat(path, &st), 0);
	return (int)(st.st_mode & 07777);
}

static int has_ext_text(X509 *x, int nid, const char *want)
{
	int i = X509_get_ext_by_NID(x, nid, -1);
	BIO *b = BIO_new(BIO_s_mem());
	char buf[256] = "";
	int ok;

	assert_true(i >= 0);
	X509V3_EXT_print(b, X509_get_ext(x, i), 0, 0);
	BIO_read(b, buf, sizeof(buf) - 1);
	BIO_free(b);
	ok = strstr(buf, want) != NULL;
	if (!ok)
		print_message("extension reads \"%s\", wanted \"%s\"\n", buf, want);
	return ok;
}

static long days_valid(X509 *x)
{
	int days = 0, secs = 0;

	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
	return days;
}

static void test_party_ca(void **state)
{
	X509 *ca = load_cert("japan", "ca.crt");
	char party[LIA_NAME_MAX + 1], err[LIA_ERR_LEN], subject[256];
	const ASN1_INTEGER *serial = X509_get0_serialNumber(ca);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);

	(void)state;
	assert_int_equal(X509_get_version(ca), 2);
	X509_NAME_oneline(X509_get_subject_name(ca), subject, sizeof(subject));
	assert_string_equal(subject, "/O=japan/CN=japan CA");
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
	assert_int_equal(X509_verify(ca, X509_get0_pubkey(ca)), 1);
	assert_int_equal(EVP_PKEY_get_id(X509_get0_pubkey(ca)), EVP_PKEY_ED25519);
	assert_true(has_ext_text(ca, NID_basic_constraints, "CA:TRUE"));
	assert_true(X509_EXTENSION_get_critical(X509_get_ext(ca, X509_get_ext_by_NID(ca, NID_basic_constraints, -1))));
	assert_true(has_ext_text(ca, NID_key_usage, "Certificate Sign, CRL Sign"));
	assert_non_null(X509_get0_subject_key_id(ca));
	assert_true(BN_num_bits(bn) > 100 && BN_num_bits(bn) <= 128);
	assert_true(days_valid(ca) >= 3650);
	assert_int_equal(lia_cert_ca_party(ca, party, err), 0);
	assert_string_equal(party, "japan");
	assert_int_equal(file_mode("japan", "ca.key"), 0600);
	assert_int_equal(file_mode("japan", ""), 0700);
	BN_free(bn);
	X509_free(ca);
}

static void test_key_file_is_pkcs8(void **state)
{
	char path[4096], err[LIA_ERR_LEN], *text = NULL;
	size_t len;

	(void)state;
	path_in(path, "japan", "ca.key");
	assert_int_equal(lia_read_file(path, 4096, &text, &len, err), 0);
	assert_non_null(strstr(text, "-----BEGIN PRIVATE KEY-----"));
	free(text);
}

static void test_issue_and_check(void **state)
{
	struct lia_identity id;
	char err[LIA_ERR_LEN], subject[256], path[4096];
	X509 *x, *ca, *copy;
	EVP_PKEY *key = NULL;

	(void)state;
	if (issue("japan", "tokyo", LIA_ROLE_STATION, err) != 0)
		fail_msg("%s", err);
	x = load_cert("tokyo", "node.crt");
	ca = load_cert("japan", "ca.crt");
	copy = load_cert("tokyo", "ca.crt");
	assert_int_equal(X509_cmp(ca, copy), 0);
	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
	assert_string_equal(subject, "/O=japan/OU=station/CN=tokyo");
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)), 0);
	assert_int_equal(X509_get_version(x), 2);
	assert_true(has_ext_text(x, NID_basic_constraints, "CA:FALSE"));
	assert_true(has_ext_text(x, NID_key_usage, "Digital Signature"));
	assert_true(has_ext_text(x, NID_ext_key_usage, "TLS Web Server Authentication, TLS Web Client Authentication"));
	assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x), X509_get0_subject_key_id(ca)), 0);
	assert_true(days_valid(x) >= 730 && days_valid(x) <= 732);
	assert_int_equal(X509_check_issued(ca, x), X509_V_OK);
	assert_int_equal(file_mode("tokyo", "node.key"), 0600);
	assert_int_equal(file_mode("tokyo", ""), 0700);

	memset(&id, 0x55, sizeof(id));
	if (lia_cert_check(charter, x, &id, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(id.party, "japan");
	assert_string_equal(id.node, "tokyo");
	assert_int_equal(id.role, LIA_ROLE_STATION);

	path_in(path, "tokyo", "node.key");
	if (lia_cert_load_key(path, &key, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(X509_check_private_key(x, key), 1);
	EVP_PKEY_free(key);
	X509_free(copy);
	X509_free(ca);
	X509_free(x);
}

static void test_unit_role(void **state)
{
	struct lia_identity id;
	char err[LIA_ERR_LEN];
	X509 *x;

	(void)state;
	if (issue("japan", "kirishima", LIA_ROLE_UNIT, err) != 0)
		fail_msg("%s", err);
	x = load_cert("kirishima", "node.crt");
	if (lia_cert_check(charter, x, &id, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(id.role, LIA_ROLE_UNIT);
	X509_free(x);
}

static void test_refuses_overwrite(void **state)
{
	char dir[4096], path[4096], err[LIA_ERR_LEN], *before = NULL, *after = NULL;
	size_t len;

	(void)state;
	join(dir, sizeof(dir), root, "japan");
	path_in(path, "japan", "ca.key");
	assert_int_equal(lia_read_file(path, 4096, &before, &len, err), 0);
	assert_int_equal(lia_cert_create_party(dir, "japan", err), -1);
	assert_non_null(strstr(err, "ca.crt already exists"));
	assert_int_equal(lia_read_file(path, 4096, &after, &len, err), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	before = after = NULL;

	/* Without ca.crt, the key itself is refused by O_EXCL and left as it was. */
	join(dir, sizeof(dir), root, "lost");
	assert_int_equal(lia_cert_create_party(dir, "lost", err), 0);
	path_in(path, "lost", "ca.crt");
	assert_int_equal(unlink(path), 0);
	path_in(path, "lost", "ca.key");
	assert_int_equal(lia_read_file(path, 4096, &before, &len, err), 0);
	assert_int_equal(lia_cert_create_party(dir, "lost", err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "refusing to overwrite a key"));
	assert_int_equal(lia_read_file(path, 4096, &after, &len, err), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	before = after = NULL;

	assert_int_equal(issue("china", "beijing", LIA_ROLE_STATION, err), 0);
	assert_int_equal(issue("china", "beijing", LIA_ROLE_STATION, err), -1);
	assert_non_null(strstr(err, "node.crt already exists"));
	path_in(path, "beijing", "node.crt");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(issue("china", "beijing", LIA_ROLE_STATION, err), -1);
	assert_non_null(strstr(err, "node.key already exists; refusing to overwrite a key"));
}

/* Key and directory modes are exact whatever the umask (here one that takes the owner's write bit). */
static void test_key_mode_under_open_umask(void **state)
{
	char dir[4096], err[LIA_ERR_LEN];
	mode_t old = umask(0277);

	(void)state;
	join(dir, sizeof(dir), root, "umask");
	assert_int_equal(lia_cert_create_party(dir, "umask", err), 0);
	umask(old);
	assert_int_equal(file_mode("umask", "ca.key"), 0600);
	assert_int_equal(file_mode("umask", ""), 0700);
	assert_int_equal(file_mode("umask", "ca.crt"), 0644);
}

static void test_other_party_ca_refused(void **state)
{
	X509 *x;

	(void)state;
	/* China's CA signs a certificate claiming to be Japan's tokyo. */
	x = forge("china", "japan", "station", "tokyo", -60, 86400);
	expect_check_fails(x, "certificate of node \"tokyo\" is not signed by the CA of party \"japan\"");
	X509_free(x);
}

static void test_rogue_ca_same_name_refused(void **state)
{
	char dir[4096], err[LIA_ERR_LEN];
	X509 *x;

	(void)state;
	/* A CA that calls itself japan but is not the charter's. */
	join(dir, sizeof(dir), root, "rogue");
	assert_int_equal(lia_cert_create_party(dir, "japan", err), 0);
	x = forge("rogue", "japan", "station", "tokyo", -60, 86400);
	expect_check_fails(x, "is not signed by the CA of party \"japan\"");
	X509_free(x);
	/* And through the normal issuing path too. */
	assert_int_equal(lia_cert_issue_node(dir, "tokyo", LIA_ROLE_STATION, dir, err), 0);
	x = load_cert("rogue", "node.crt");
	expect_check_fails(x, "is not signed by the CA of party \"japan\"");
	X509_free(x);
}

static void test_wrong_role_refused(void **state)
{
	char err[LIA_ERR_LEN], dir[4096], party_dir[4096];
	X509 *x;

	(void)state;
	join(party_dir, sizeof(party_dir), root, "japan");
	join(dir, sizeof(dir), root, "tokyo-as-unit");
	assert_int_equal(lia_cert_issue_node(party_dir, "tokyo", LIA_ROLE_UNIT, dir, err), 0);
	x = load_cert("tokyo-as-unit", "node.crt");
	expect_check_fails(x, "certificate of node \"tokyo\" claims role unit but the charter makes it a station");
	X509_free(x);
	x = forge("japan", "japan", "ship", "tokyo", -60, 86400);
	expect_check_fails(x, "role \"ship\", neither station nor unit");
	X509_free(x);
}

static void test_unknown_node_refused(void **state)
{
	char err[LIA_ERR_LEN];
	X509 *x;

	(void)state;
	assert_int_equal(issue("japan", "osaka", LIA_ROLE_STATION, err), 0);
	x = load_cert("osaka", "node.crt");
	expect_check_fails(x, "certificate names node \"osaka\", which is not in the charter");
	X509_free(x);
}

static void test_wrong_party_refused(void **state)
{
	X509 *x;

	(void)state;
	/* Japan's CA issues "beijing", a node the charter gives to China. */
	x = forge("japan", "japan", "station", "beijing", -60, 86400);
	expect_check_fails(x, "certificate of node \"beijing\" claims party \"japan\" but the charter puts it in party \"china\"");
	X509_free(x);
}

static void test_validity_enforced(void **state)
{
	X509 *x;

	(void)state;
	x = forge("japan", "japan", "station", "tokyo", -2 * 86400, -86400);
	expect_check_fails(x, "certificate of node \"tokyo\" fails verification against the CA of party \"japan\": certificate has expired");
	X509_free(x);
	x = forge("japan", "japan", "station", "tokyo", 86400, 2 * 86400);
	expect_check_fails(x, "certificate is not yet valid");
	X509_free(x);
	x = forge("japan", "japan", "station", "tokyo", -60, 86400);
	{
		struct lia_identity id;
		char err[LIA_ERR_LEN];
		if (lia_cert_check(charter, x, &id, err) != 0)
			fail_msg("%s", err);
	}
	X509_free(x);
}

/* A record is checked later: the chain without dates, then each entry's time against the certificate. */
static void test_validity_at_signing_time(void **state)
{
	struct lia_identity id;
	char err[LIA_ERR_LEN];
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	X509 *x = forge("japan", "japan", "station", "tokyo", -2 * 86400, -86400);

	(void)state;
	assert_int_not_equal(lia_cert_check(charter, x, &id, err), 0);
	if (lia_cert_check_untimed(charter, x, &id, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(id.node, "tokyo");
	/* Signed a day and a half ago: inside; now and three days ago: outside. */
	assert_int_equal(lia_cert_valid_at(x, now_ms - 36 * 3600 * 1000LL, err), 0);
	assert_int_not_equal(lia_cert_valid_at(x, now_ms, err), 0);
	assert_string_equal(err, "certificate of node \"tokyo\" had expired by that time");
	assert_int_not_equal(lia_cert_valid_at(x, now_ms - 3 * 86400 * 1000LL, err), 0);
	assert_string_equal(err, "certificate of node \"tokyo\" was not yet valid at that time");
	X509_free(x);
	/* Without dates, the other checks still hold. */
	x = forge("japan", "japan", "station", "beijing", -60, 86400);
	assert_int_not_equal(lia_cert_check_untimed(charter, x, &id, err), 0);
	X509_free(x);
}

static void test_bad_subjects_refused(void **state)
{
	X509 *x, *ca;

	(void)state;
	x = forge("japan", "japan", NULL, "tokyo", -60, 86400);
	expect_check_fails(x, "exactly one OU (role)");
	X509_free(x);
	x = forge("japan", "Japan", "station", "tokyo", -60, 86400);
	expect_check_fails(x, "not valid names");
	X509_free(x);
	x = forge("japan", "japan", "station", "tokyo\xe2\x80\x8b", -60, 86400);
	expect_check_fails(x, "not valid names");
	X509_free(x);
	ca = load_cert("japan", "ca.crt");
	expect_check_fails(ca, "exactly one OU (role)");
	X509_free(ca);
}

static void test_two_common_names_refused(void **state)
{
	X509 *x = forge("japan", "japan", "station", "tokyo", -60, 86400);
	struct lia_identity id;
	char err[LIA_ERR_LEN];

	(void)state;
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
	    (const unsigned char *)"beijing", -1, -1, 0);
	assert_int_equal(lia_cert_identity(x, &id, err), -1);
	assert_non_null(strstr(err, "exactly one CN (node)"));
	X509_free(x);
}

static void test_der_round_trip(void **state)
{
	X509 *x = load_cert("japan", "ca.crt"), *back = NULL;
	unsigned char *der = NULL, *longer;
	size_t len = 0;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(lia_cert_to_der(x, &der, &len, err), 0);
	assert_true(len > 100);
	assert_int_equal(lia_cert_from_der(der, len, &back, err), 0);
	assert_int_equal(X509_cmp(x, back), 0);
	X509_free(back);
	back = NULL;
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(lia_cert_from_der(longer, len + 1, &back, err), -1);
	assert_non_null(strstr(err, "1 trailing bytes"));
	assert_null(back);
	assert_int_equal(lia_cert_from_der(der, len - 1, &back, err), -1);
	assert_int_equal(lia_cert_from_der(der, 0, &back, err), -1);
	assert_null(back);
	free(longer);
	free(der);
	X509_free(x);
}

static void test_load_errors(void **state)
{
	char path[4096], err[LIA_ERR_LEN];
	EVP_PKEY *key = NULL, *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = NULL;
	FILE *f;

	(void)state;
	path_in(path, "japan", "ca.crt");
	assert_int_equal(lia_cert_load_key(path, &key, err), -1);
	assert_non_null(strstr(err, "not a PEM private key"));
	assert_null(key);
	path_in(path, "japan", "ca.key");
	assert_int_equal(lia_cert_load(path, &x, err), -1);
	assert_non_null(strstr(err, "not a PEM certificate"));
	assert_null(x);
	path_in(path, "japan", "missing.crt");
	assert_int_equal(lia_cert_load(path, &x, err), -1);
	assert_non_null(strstr(err, path));
	path_in(path, "japan", "ec.key");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_int_equal(lia_cert_load_key(path, &key, err), -1);
	assert_non_null(strstr(err, "not an Ed25519 key"));
	EVP_PKEY_free(ec);
}

static void test_issue_errors(void **state)
{
	char party_dir[4096], out_dir[4096], src[4096], dst[4096], err[LIA_ERR_LEN], *text;
	size_t len;

	(void)state;
	assert_int_equal(issue("japan", "Bad_Name", LIA_ROLE_STATION, err), -1);
	assert_non_null(strstr(err, "node name \"Bad_Name\""));
	assert_int_equal(issue("japan", "x", (enum lia_role)7, err), -1);
	assert_non_null(strstr(err, "role must be station or unit"));
	assert_int_equal(issue("nowhere", "x", LIA_ROLE_STATION, err), -1);
	assert_non_null(strstr(err, "nowhere/ca.crt"));
	assert_int_equal(lia_cert_create_party(root, "Japan", err), -1);
	assert_non_null(strstr(err, "party name \"Japan\""));

	/* A party directory whose key is not its certificate's. */
	join(party_dir, sizeof(party_dir), root, "mixed");
	assert_int_equal(mkdir(party_dir, 0700), 0);
	path_in(src, "japan", "ca.crt");
	assert_int_equal(lia_read_file(src, 65536, &text, &len, err), 0);
	fixture_write(party_dir, "ca.crt", text, len, dst);
	free(text);
	path_in(src, "china", "ca.key");
	assert_int_equal(lia_read_file(src, 65536, &text, &len, err), 0);
	fixture_write(party_dir, "ca.key", text, len, dst);
	free(text);
	join(out_dir, sizeof(out_dir), root, "mixed-node");
	assert_int_equal(lia_cert_issue_node(party_dir, "tokyo", LIA_ROLE_STATION, out_dir, err), -1);
	assert_non_null(strstr(err, "does not belong to"));
	/* Nothing half-made is left behind to block a retry. */
	path_in(dst, "mixed-node", "node.key");
	assert_int_equal(access(dst, F_OK), -1);
}

static void test_node_cert_is_not_a_ca(void **state)
{
	char err[LIA_ERR_LEN], party[LIA_NAME_MAX + 1];
	X509 *x;

	(void)state;
	assert_int_equal(issue("japan", "ca-test", LIA_ROLE_STATION, err), 0);
	x = load_cert("ca-test", "node.crt");
	assert_int_equal(lia_cert_ca_party(x, party, err), -1);
	assert_non_null(strstr(err, "not a CA"));
	X509_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_party_ca),
		cmocka_unit_test(test_key_file_is_pkcs8),
		cmocka_unit_test(test_issue_and_check),
		cmocka_unit_test(test_unit_role),
		cmocka_unit_test(test_refuses_overwrite),
		cmocka_unit_test(test_key_mode_under_open_umask),
		cmocka_unit_test(test_other_party_ca_refused),
		cmocka_unit_test(test_rogue_ca_same_name_refused),
		cmocka_unit_test(test_wrong_role_refused),
		cmocka_unit_test(test_unknown_node_refused),
		cmocka_unit_test(test_wrong_party_refused),
		cmocka_unit_test(test_validity_enforced),
		cmocka_unit_test(test_validity_at_signing_time),
		cmocka_unit_test(test_bad_subjects_refused),
		cmocka_unit_test(test_two_common_names_refused),
		cmocka_unit_test(test_der_round_trip),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_issue_errors),
		cmocka_unit_test(test_node_cert_is_not_a_ca),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
