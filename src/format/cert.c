/*
 * cert.c - party CAs and node certificates: create, issue, load, and check a
 * node certificate against the charter (X.509 v3, Ed25519, OpenSSL 3).
 *
 * Certificates read from peers are hostile: their subject is read field by
 * field (each exactly once, UTF-8, no NUL) and checked against the charter
 * before any trust is given. Private keys are written once (O_EXCL, 0600),
 * never overwritten, and their PEM text is wiped from memory after use.
 */
#include "cert.h"
#include "conf.h"
#include "err.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define CA_DAYS 3652         /* ten years */
#define NODE_DAYS 731        /* two years */
#define BACKDATE_SECONDS 3600 /* notBefore an hour early, for peers whose clocks lag */
#define PEM_MAX (64 * 1024)

struct cert_spec {
	const char *party;           /* subject O */
	const char *role;            /* subject OU; NULL for a CA */
	const char *cn;              /* subject CN */
	long days;
};

/* Reads the one entry nid of name as UTF-8 into out. */
static int subject_field(X509_NAME *name, int nid, const char *what, char *out,
    size_t size, char *err)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1), len = -1, rc = -1;
	unsigned char *utf8 = NULL;

	if (i < 0 || X509_NAME_get_index_by_NID(name, nid, i) >= 0) {
		lia_err_set(err, "certificate subject must hold exactly one %s", what);
		goto out;
	}
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (len < 0 || (size_t)len >= size || memchr(utf8, 0, (size_t)len) != NULL) {
		lia_err_set(err, "certificate subject %s is not a short text", what);
		goto out;
	}
	memcpy(out, utf8, (size_t)len);
	out[len] = '\0';
	rc = 0;
out:
	OPENSSL_free(utf8);
	return rc;
}

static int is_ed25519(X509 *cert)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);

	return pub != NULL && EVP_PKEY_get_id(pub) == EVP_PKEY_ED25519;
}

int lia_cert_ca_party(X509 *ca, char party[LIA_NAME_MAX + 1], char *err)
{
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(ca, NID_basic_constraints, NULL, NULL);
	int rc = -1;

	if (bc == NULL || !bc->ca) {
		lia_err_set(err, "certificate is not a CA (basicConstraints CA:TRUE missing)");
		goto out;
	}
	if (!is_ed25519(ca)) {
		lia_err_set(err, "CA certificate key is not Ed25519");
		goto out;
	}
	if (subject_field(X509_get_subject_name(ca), NID_organizationName, "O (party)",
	    party, LIA_NAME_MAX + 1, err) < 0)
		goto out;
	if (!lia_name_valid(party)) {
		lia_err_set(err, "CA certificate subject O \"%.64s\" is not a party name", party);
		goto out;
	}
	rc = 0;
out:
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

int lia_cert_identity(X509 *cert, struct lia_identity *id, char *err)
{
	X509_NAME *name = X509_get_subject_name(cert);
	char role[16];
	int rc = -1;

	memset(id, 0, sizeof(*id));
	if (subject_field(name, NID_organizationName, "O (party)", id->party,
	    sizeof(id->party), err) < 0 ||
	    subject_field(name, NID_organizationalUnitName, "OU (role)", role,
	    sizeof(role), err) < 0 ||
	    subject_field(name, NID_commonName, "CN (node)", id->node,
	    sizeof(id->node), err) < 0)
		goto out;
	if (!lia_name_valid(id->party) || !lia_name_valid(id->node)) {
		lia_err_set(err, "certificate subject names party \"%.64s\" node \"%.64s\", not valid names",
		    id->party, id->node);
		goto out;
	}
	if (strcmp(role, "station") == 0) {
		id->role = LIA_ROLE_STATION;
	} else if (strcmp(role, "unit") == 0) {
		id->role = LIA_ROLE_UNIT;
	} else {
		lia_err_set(err, "certificate of node \"%s\" has role \"%s\", neither station nor unit",
		    id->node, role);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Verifies cert up to the one CA ca; with its validity dates as of now when timed. */
static int verify_chain(X509 *ca, X509 *cert, const struct lia_identity *id, int timed,
    char *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;

	if (store == NULL || ctx == NULL || X509_STORE_add_cert(store, ca) != 1 ||
	    X509_STORE_CTX_init(ctx, store, cert, NULL) != 1) {
		lia_err_set(err, "cannot set up the verification of node \"%s\"", id->node);
		lia_err_add_openssl(err);
		goto out;
	}
	/* The charter's CA is the trust anchor, whether or not it is self-signed. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN |
	    (timed ? 0 : X509_V_FLAG_NO_CHECK_TIME));
	if (X509_verify_cert(ctx) != 1) {
		lia_err_set(err, "certificate of node \"%s\" fails verification against the CA of party \"%s\": %s",
		    id->node, id->party,
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		ERR_clear_error();
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

/* Checks the subject's claims against the charter. */
static int check_claims(const struct lia_charter *c, const struct lia_identity *id, char *err)
{
	const struct lia_node_def *node = lia_charter_node(c, id->node);
	int rc = -1;

	if (node == NULL) {
		lia_err_set(err, "certificate names node \"%s\", which is not in the charter", id->node);
	} else if (strcmp(node->party, id->party) != 0) {
		lia_err_set(err, "certificate of node \"%s\" claims party \"%s\" but the charter puts it in party \"%s\"",
		    id->node, id->party, node->party);
	} else if (node->role != id->role) {
		lia_err_set(err, "certificate of node \"%s\" claims role %s but the charter makes it a %s",
		    id->node, lia_role_name(id->role), lia_role_name(node->role));
	} else if (lia_charter_party(c, id->party) == NULL) {
		lia_err_set(err, "certificate of node \"%s\" names party \"%s\", which is not in the charter",
		    id->node, id->party);
	} else {
		rc = 0;
	}
	return rc;
}

static int check_cert(const struct lia_charter *c, X509 *cert, int timed,
    struct lia_identity *id, char *err)
{
	const struct lia_party *party;
	struct lia_identity claimed;
	int rc = -1;

	if (lia_cert_identity(cert, &claimed, err) < 0 || check_claims(c, &claimed, err) < 0)
		goto out;
	party = lia_charter_party(c, claimed.party);
	if (X509_check_ca(cert) != 0) {
		lia_err_set(err, "certificate of node \"%s\" is a CA certificate, not a node's", claimed.node);
		goto out;
	}
	if (!is_ed25519(cert)) {
		lia_err_set(err, "certificate of node \"%s\" does not carry an Ed25519 key", claimed.node);
		goto out;
	}
	if (X509_verify(cert, X509_get0_pubkey(party->ca)) != 1) {
		lia_err_set(err, "certificate of node \"%s\" is not signed by the CA of party \"%s\"",
		    claimed.node, claimed.party);
		ERR_clear_error();
		goto out;
	}
	if (verify_chain(party->ca, cert, &claimed, timed, err) < 0)
		goto out;
	*id = claimed;
	rc = 0;
out:
	return rc;
}

int lia_cert_check(const struct lia_charter *c, X509 *cert,
    struct lia_identity *id, char *err)
{
	return check_cert(c, cert, 1, id, err);
}

int lia_cert_check_untimed(const struct lia_charter *c, X509 *cert,
    struct lia_identity *id, char *err)
{
	return check_cert(c, cert, 0, id, err);
}

int lia_cert_valid_at(X509 *cert, int64_t at_ms, char *err)
{
	time_t at = (time_t)(at_ms / 1000);
	const char *node = "?";
	struct lia_identity id;
	char ignored[LIA_ERR_LEN];

	if (lia_cert_identity(cert, &id, ignored) == 0)
		node = id.node;
	if (X509_cmp_time(X509_get0_notBefore(cert), &at) >= 0) {
		lia_err_set(err, "certificate of node \"%s\" was not yet valid at that time", node);
		return LIA_ERROR;
	}
	if (X509_cmp_time(X509_get0_notAfter(cert), &at) <= 0) {
		lia_err_set(err, "certificate of node \"%s\" had expired by that time", node);
		return LIA_ERROR;
	}
	return 0;
}

int lia_cert_to_der(X509 *cert, unsigned char **der, size_t *len, char *err)
{
	int n = i2d_X509(cert, NULL), rc = -1;
	unsigned char *buf = NULL, *p;

	if (n <= 0 || (buf = malloc((size_t)n)) == NULL) {
		lia_err_set(err, "cannot encode a certificate as DER");
		lia_err_add_openssl(err);
		goto out;
	}
	p = buf;
	if (i2d_X509(cert, &p) != n) {
		lia_err_set(err, "cannot encode a certificate as DER");
		lia_err_add_openssl(err);
		goto out;
	}
	*der = buf;
	*len = (size_t)n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

int lia_cert_from_der(const unsigned char *der, size_t len, X509 **out, char *err)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	int rc = -1;

	if (len == 0 || len > PEM_MAX || (x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		lia_err_set(err, "certificate DER is malformed");
		lia_err_add_openssl(err);
		goto out;
	}
	if (p != der + len) {
		lia_err_set(err, "certificate DER has %zu trailing bytes", (size_t)(der + len - p));
		goto out;
	}
	*out = x;
	x = NULL;
	rc = 0;
out:
	X509_free(x);
	return rc;
}

/* Never asks for a pass phrase: keys are stored unencrypted, protected by their mode. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

int lia_cert_load_key(const char *path, EVP_PKEY **out, char *err)
{
	char *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (lia_read_file(path, PEM_MAX, &text, &len, err) < 0)
		goto out;
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL || (key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL) {
		lia_err_set(err, "%s: not a PEM private key", path);
		lia_err_add_openssl(err);
		goto out;
	}
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		lia_err_set(err, "%s: not an Ed25519 key", path);
		goto out;
	}
	*out = key;
	key = NULL;
	rc = 0;
out:
	EVP_PKEY_free(key);
	BIO_free(bio);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

int lia_cert_load(const char *path, X509 **out, char *err)
{
	char *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	X509 *x = NULL;
	int rc = -1;

	if (lia_read_file(path, PEM_MAX, &text, &len, err) < 0)
		goto out;
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL || (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		lia_err_set(err, "%s: not a PEM certificate", path);
		lia_err_add_openssl(err);
		goto out;
	}
	*out = x;
	rc = 0;
out:
	BIO_free(bio);
	free(text);
	return rc;
}

/*
 * Creates dir with mode 0700, or takes an existing directory that group and
 * others cannot use (it will hold a private key: one that others can list or
 * write is refused, naming its mode).
 */
static int make_dir(const char *dir, char *err)
{
	struct stat st;
	int rc = -1;

	if (mkdir(dir, 0700) == 0) {
		/* mkdir's mode passes through the umask, which may take the owner's bits too. */
		if (chmod(dir, 0700) < 0) {
			lia_err_set(err, "%s: cannot set the mode: %s", dir, strerror(errno));
			goto out;
		}
	} else if (errno != EEXIST) {
		lia_err_set(err, "%s: cannot create the directory: %s", dir, strerror(errno));
		goto out;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		lia_err_set(err, "%s: not a directory", dir);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		lia_err_set(err, "%s is open to group or others (mode %04o); it must be 0700 "
		    "(chmod 700 %s)", dir, (unsigned)(st.st_mode & 07777), dir);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int join_path(const char *dir, const char *file, char out[4096], char *err)
{
	int n = snprintf(out, 4096, "%s/%s", dir, file), rc = 0;

	if (n < 0 || n >= 4096) {
		lia_err_set(err, "%s: path too long", dir);
		rc = -1;
	}
	return rc;
}

/* Fails naming path when it already exists, so nothing is overwritten. */
static int refuse_existing(const char *path, char *err)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) == 0) {
		lia_err_set(err, "%s already exists; refusing to overwrite it", path);
		rc = -1;
	}
	return rc;
}

/* Writes key as PKCS#8 PEM to a new file path (0600, O_EXCL); the PEM text is wiped after. */
static int write_key(const char *path, EVP_PKEY *key, char *err)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *pem = NULL;
	long len = 0;
	int fd = -1, rc = -1;

	if (bio == NULL || PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (len = BIO_get_mem_data(bio, &pem)) <= 0) {
		lia_err_set(err, "%s: cannot encode the private key", path);
		lia_err_add_openssl(err);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			lia_err_set(err, "%s already exists; refusing to overwrite a key", path);
		else
			lia_err_set(err, "%s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || lia_write_all(fd, pem, (size_t)len) < 0 || fsync(fd) < 0) {
		lia_err_set(err, "%s: cannot write: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (pem != NULL)
		OPENSSL_cleanse(pem, (size_t)len);
	BIO_free(bio);
	return rc;
}

/* Writes cert as PEM to path atomically (0644: certificates are public). */
static int write_cert(const char *path, X509 *cert, char *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long len = 0;
	int rc = -1;

	if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1 ||
	    (len = BIO_get_mem_data(bio, &pem)) <= 0) {
		lia_err_set(err, "%s: cannot encode the certificate", path);
		lia_err_add_openssl(err);
		goto out;
	}
	rc = lia_write_file_atomic(path, pem, (size_t)len, 0644, err);
out:
	BIO_free(bio);
	return rc;
}

/* A random positive 128-bit serial number (RFC 5280 section 4.1.2.2 allows 20 octets). */
static int set_serial(X509 *x)
{
	unsigned char bytes[16];
	BIGNUM *bn = NULL;
	int rc = -1;

	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		goto out;
	bytes[sizeof(bytes) - 1] |= 1; /* never zero */
	bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int rc = -1;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext != NULL && X509_add_ext(subject, ext, -1) == 1)
		rc = 0;
	X509_EXTENSION_free(ext);
	return rc;
}

/* Validity from an hour ago for days, but never past the issuer's own end (cap). */
static int set_validity(X509 *x, long days, const ASN1_TIME *cap)
{
	int rc = -1;

	if (X509_gmtime_adj(X509_getm_notBefore(x), -BACKDATE_SECONDS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) == NULL)
		goto out;
	if (cap != NULL && ASN1_TIME_compare(X509_get0_notAfter(x), cap) > 0 &&
	    X509_set1_notAfter(x, cap) != 1)
		goto out;
	rc = 0;
out:
	return rc;
}

static int set_subject(X509 *x, const struct cert_spec *s)
{
	X509_NAME *name = X509_get_subject_name(x);
	const unsigned char *o = (const unsigned char *)s->party;
	const unsigned char *ou = (const unsigned char *)s->role;
	const unsigned char *cn = (const unsigned char *)s->cn;
	int ok;

	ok = X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8, o, -1, -1, 0) &&
	    (ou == NULL ||
	    X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName, MBSTRING_UTF8, ou, -1, -1, 0)) &&
	    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, cn, -1, -1, 0);
	return ok ? 0 : -1;
}

/* The v3 extensions: a CA's when s->role is NULL, else a node's (RFC 5280 section 4.2.1). */
static int add_extensions(X509 *issuer, X509 *x, const struct cert_spec *s)
{
	int ok;

	if (s->role == NULL)
		ok = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
		    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
		    add_ext(x, x, NID_subject_key_identifier, "hash") == 0;
	else
		ok = add_ext(issuer, x, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
		    add_ext(issuer, x, NID_key_usage, "critical,digitalSignature") == 0 &&
		    add_ext(issuer, x, NID_ext_key_usage, "serverAuth,clientAuth") == 0 &&
		    add_ext(issuer, x, NID_subject_key_identifier, "hash") == 0 &&
		    add_ext(issuer, x, NID_authority_key_identifier, "keyid:always") == 0;
	return ok ? 0 : -1;
}

/*
 * Builds and signs a certificate for pub: self-signed with sign_key when
 * issuer is NULL, else issued by issuer (whose key is sign_key).
 */
static int cert_make(const struct cert_spec *s, EVP_PKEY *pub, X509 *issuer,
    EVP_PKEY *sign_key, X509 **out, char *err)
{
	X509 *x = X509_new();
	int rc = -1;

	if (x == NULL || X509_set_version(x, 2) != 1 || set_serial(x) < 0 ||
	    set_validity(x, s->days, issuer ? X509_get0_notAfter(issuer) : NULL) < 0 ||
	    X509_set_pubkey(x, pub) != 1 || set_subject(x, s) < 0 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
	    X509_get_subject_name(x)) != 1 ||
	    add_extensions(issuer, x, s) < 0 ||
	    X509_sign(x, sign_key, NULL) <= 0) {
		lia_err_set(err, "cannot make the certificate of \"%s\"", s->cn);
		lia_err_add_openssl(err);
		goto out;
	}
	*out = x;
	x = NULL;
	rc = 0;
out:
	X509_free(x);
	return rc;
}

static EVP_PKEY *ed25519_generate(char *err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (key == NULL) {
		lia_err_set(err, "cannot generate an Ed25519 key");
		lia_err_add_openssl(err);
	}
	return key;
}

int lia_cert_create_party(const char *dir, const char *party, char *err)
{
	char key_path[4096], crt_path[4096], cn[LIA_NAME_MAX + 8];
	struct cert_spec spec = { party, NULL, cn, CA_DAYS };
	EVP_PKEY *key = NULL;
	X509 *ca = NULL;
	int key_made = 0, rc = -1;

	if (!lia_name_valid(party)) {
		lia_err_set(err, "party name \"%.64s\" is not 1-%d of a-z, 0-9 and '-'", party, LIA_NAME_MAX);
		goto out;
	}
	snprintf(cn, sizeof(cn), "%s CA", party);
	if (join_path(dir, "ca.key", key_path, err) < 0 || join_path(dir, "ca.crt", crt_path, err) < 0 ||
	    make_dir(dir, err) < 0 || refuse_existing(crt_path, err) < 0 ||
	    (key = ed25519_generate(err)) == NULL || write_key(key_path, key, err) < 0)
		goto out;
	key_made = 1;
	if (cert_make(&spec, key, NULL, key, &ca, err) < 0 || write_cert(crt_path, ca, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && key_made)
		unlink(key_path); /* so that the command can simply be run again */
	X509_free(ca);
	EVP_PKEY_free(key);
	return rc;
}

/* Loads party_dir's CA certificate and key, checking they belong together. */
static int load_party(const char *party_dir, X509 **ca, EVP_PKEY **ca_key,
    char party[LIA_NAME_MAX + 1], char *err)
{
	char key_path[4096], crt_path[4096], sub[LIA_ERR_LEN];
	int rc = -1;

	if (join_path(party_dir, "ca.key", key_path, err) < 0 ||
	    join_path(party_dir, "ca.crt", crt_path, err) < 0 ||
	    lia_cert_load(crt_path, ca, err) < 0 || lia_cert_load_key(key_path, ca_key, err) < 0)
		goto out;
	if (lia_cert_ca_party(*ca, party, sub) < 0) {
		lia_err_set(err, "%s: %s", crt_path, sub);
		goto out;
	}
	if (X509_check_private_key(*ca, *ca_key) != 1) {
		lia_err_set(err, "%s does not belong to %s", key_path, crt_path);
		ERR_clear_error();
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Writes out_dir's node.key, node.crt and ca.crt; tells which files it made. */
static int write_node(const char *out_dir, const struct cert_spec *spec, X509 *ca,
    EVP_PKEY *ca_key, int *made, char *err)
{
	char key_path[4096], crt_path[4096], ca_path[4096];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc = -1;

	if (join_path(out_dir, "node.key", key_path, err) < 0 ||
	    join_path(out_dir, "node.crt", crt_path, err) < 0 ||
	    join_path(out_dir, "ca.crt", ca_path, err) < 0 ||
	    make_dir(out_dir, err) < 0 || refuse_existing(crt_path, err) < 0 ||
	    (key = ed25519_generate(err)) == NULL || write_key(key_path, key, err) < 0)
		goto out;
	*made = 1;
	if (cert_make(spec, key, ca, ca_key, &cert, err) < 0 || write_cert(crt_path, cert, err) < 0)
		goto out;
	*made = 2;
	if (write_cert(ca_path, ca, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && *made >= 2)
		unlink(crt_path);
	if (rc < 0 && *made >= 1)
		unlink(key_path); /* so that the command can simply be run again */
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int lia_cert_issue_node(const char *party_dir, const char *node,
    enum lia_role role, const char *out_dir, char *err)
{
	char party[LIA_NAME_MAX + 1];
	struct cert_spec spec = { party, lia_role_name(role), node, NODE_DAYS };
	EVP_PKEY *ca_key = NULL;
	X509 *ca = NULL;
	int made = 0, rc = -1;

	if (!lia_name_valid(node)) {
		lia_err_set(err, "node name \"%.64s\" is not 1-%d of a-z, 0-9 and '-'", node, LIA_NAME_MAX);
		goto out;
	}
	if (role != LIA_ROLE_STATION && role != LIA_ROLE_UNIT) {
		lia_err_set(err, "node \"%s\": role must be station or unit", node);
		goto out;
	}
	if (load_party(party_dir, &ca, &ca_key, party, err) < 0 ||
	    write_node(out_dir, &spec, ca, ca_key, &made, err) < 0)
		goto out;
	rc = 0;
out:
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return rc;
}
