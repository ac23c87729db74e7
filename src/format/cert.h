/*
 * cert.h - party CAs and node certificates (X.509, Ed25519).
 *
 * A party directory holds ca.key (0600) and ca.crt. A node directory holds
 * node.key (0600) and node.crt whose subject is O=<party>, OU=<role>,
 * CN=<node>, issued by the party CA (subject O=<party>, CN=<party> CA).
 */
#ifndef LIA_CERT_H
#define LIA_CERT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "charter.h"

struct lia_identity {
	char party[LIA_NAME_MAX + 1];
	char node[LIA_NAME_MAX + 1];
	enum lia_role role;
};

/* Creates dir (0700) with ca.key (0600, O_EXCL) and a self-signed CA ca.crt valid 10 years. */
int lia_cert_create_party(const char *dir, const char *party, char *err);

/*
 * Issues a node certificate from the party in party_dir: creates out_dir (0700)
 * with node.key (0600, O_EXCL) and node.crt (valid 2 years), then copies the
 * party's ca.crt beside them as ca.crt for reference.
 */
int lia_cert_issue_node(const char *party_dir, const char *node,
    enum lia_role role, const char *out_dir, char *err);

/* Reads a PEM private key; *out is the caller's (EVP_PKEY_free). */
int lia_cert_load_key(const char *path, EVP_PKEY **out, char *err);

/* Reads a PEM certificate; *out is the caller's (X509_free). */
int lia_cert_load(const char *path, X509 **out, char *err);

/* Reads party, node and role from a node certificate's subject. */
int lia_cert_identity(X509 *cert, struct lia_identity *id, char *err);

/*
 * Checks a node certificate against the charter: its subject names a charter
 * node of that party and role, it is signed by that party's CA (not merely
 * any charter CA) and is within its validity. Fills id on success.
 */
int lia_cert_check(const struct lia_charter *c, X509 *cert,
    struct lia_identity *id, char *err);

/* As lia_cert_check but without the validity dates: for records checked later (see lia_cert_valid_at). */
int lia_cert_check_untimed(const struct lia_charter *c, X509 *cert,
    struct lia_identity *id, char *err);

/* 0 when at_ms (ms since the epoch, UTC) lies within cert's validity, LIA_ERROR with err when not. */
int lia_cert_valid_at(X509 *cert, int64_t at_ms, char *err);

/* Checks ca is a CA (basicConstraints CA:TRUE) with an Ed25519 key and reads the party from its subject O. */
int lia_cert_ca_party(X509 *ca, char party[LIA_NAME_MAX + 1], char *err);

/* DER encoding of cert into a malloc'd buffer (caller frees). */
int lia_cert_to_der(X509 *cert, unsigned char **der, size_t *len, char *err);

/* Certificate from DER; *out is the caller's. */
int lia_cert_from_der(const unsigned char *der, size_t len, X509 **out, char *err);

#endif
