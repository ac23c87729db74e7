/*
 * cmd_console.c - liaison console cert --host NAME|IP [--days N]: the
 * console's HTTPS certificate, for a `console ADDR:PORT` off loopback.
 * Writes NODEDIR/console.key (0600) and NODEDIR/console.crt: a self-signed
 * ECDSA P-256 certificate (browsers refuse Ed25519, the node keys' algorithm)
 * for serverAuth with the host as subjectAltName, at most 398 days (what
 * browsers accept). The operators' browsers trust console.crt as the
 * station's own anchor (import it once); liaisond serves it.
 * Both files are written atomically (.new, fsync, rename): a crash leaves the
 * old pair or the new one, never half; the key is wiped from memory.
 */
#include "cmd.h"
#include "conf.h"
#include "err.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define DAYS_MAX 398

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = ext != NULL && X509_add_ext(crt, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* The self-signed certificate for host with key; *out caller frees. */
static int make_cert(EVP_PKEY *key, const char *host, int days, X509 **out, char *err)
{
	unsigned char serial[16], ip[16];
	char san[300];
	X509 *crt = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *bn = NULL;
	int rc = -1, is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;

	snprintf(san, sizeof(san), "%s:%s", is_ip ? "IP" : "DNS", host);
	if (crt == NULL || name == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)) == NULL ||
	    X509_set_version(crt, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(crt), -300) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(crt), (long)days * 86400) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)host, -1,
	    -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
	    (const unsigned char *)"Liaison operator console", -1, -1, 0) != 1 ||
	    X509_set_subject_name(crt, name) != 1 || X509_set_issuer_name(crt, name) != 1 ||
	    X509_set_pubkey(crt, key) != 1 ||
	    add_ext(crt, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(crt, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(crt, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(crt, NID_subject_alt_name, san) < 0 ||
	    add_ext(crt, NID_subject_key_identifier, "hash") < 0 ||
	    X509_sign(crt, key, EVP_sha256()) == 0)
		goto out;
	*out = crt;
	crt = NULL;
	rc = 0;
out:
	if (rc < 0) {
		lia_err_set(err, "cannot make the console certificate for %s", host);
		lia_err_add_openssl(err);
	}
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(crt);
	return rc;
}

/* PEM of key (write_key) or crt into path, atomically with mode. */
static int write_pem(const char *path, EVP_PKEY *key, X509 *crt, int mode, char *err)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;
	int rc = -1;

	if (mem == NULL || (key != NULL ? PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_bio_X509(mem, crt)) != 1) {
		lia_err_set(err, "cannot encode %s", path);
		goto out;
	}
	len = BIO_get_mem_data(mem, &data);
	rc = lia_write_file_atomic(path, data, (size_t)len, mode, err);
	OPENSSL_cleanse(data, (size_t)len);
out:
	BIO_free(mem);
	return rc;
}

static int console_cert(struct lia_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		LIA_CLI_COMMON_LONGOPTS, {"host", required_argument, NULL, 'H'},
		{"days", required_argument, NULL, 'D'}, {NULL, 0, NULL, 0},
	};
	char err[LIA_ERR_LEN] = "", keypath[4200], crtpath[4200];
	const char *host = NULL;
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	int ch, status = LIA_EXIT_OK, days = DAYS_MAX;

	while ((ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS "H:D:", options, NULL)) != -1) {
		int r = lia_cli_common_option(cli, "console", ch, argv, &status);
		if (r < 0)
			goto out;
		if (r == 0 && ch == 'H')
			host = optarg;
		else if (r == 0 && ch == 'D')
			days = atoi(optarg);
	}
	if (host == NULL || strlen(host) == 0 || strlen(host) > 253 || strspn(host,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != strlen(host) ||
	    days < 1 || days > DAYS_MAX || optind < argc) {
		status = lia_cli_usage("console", "cert needs --host NAME|IP (and --days 1 to %d)",
		    DAYS_MAX);
		goto out;
	}
	snprintf(keypath, sizeof(keypath), "%s/console.key", cli->dir);
	snprintf(crtpath, sizeof(crtpath), "%s/console.crt", cli->dir);
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		lia_err_set(err, "cannot make an ECDSA P-256 key");
		lia_err_add_openssl(err);
		status = lia_cli_fail("%s", err);
		goto out;
	}
	if (make_cert(key, host, days, &crt, err) < 0 ||
	    write_pem(keypath, key, NULL, 0600, err) < 0 ||
	    write_pem(crtpath, NULL, crt, 0644, err) < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	printf("%s\n%s\n", crtpath, keypath);
out:
	EVP_PKEY_free(key);
	X509_free(crt);
	return status;
}

int lia_cmd_console(struct lia_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "cert") == 0)
		return console_cert(cli, argc - 1, argv + 1);
	return lia_cli_usage("console", "expected \"cert --host NAME|IP\"");
}
