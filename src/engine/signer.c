/*
 * signer.c - the node key (signer.h). No other file holds the private key:
 * node.c keeps only the certificate's public key, record.c asks here for
 * checkpoints and cosignatures, compose.c for entries, net/ for the TLS
 * context. The primitives themselves (COSE, signed notes) live in format/.
 */
#include "signer.h"

#include <stdlib.h>

#include "cert.h"
#include "err.h"

struct lia_signer {
	EVP_PKEY *key;                        /* the node's Ed25519 private key (owned) */
};

int lia_signer_load(const char *path, struct lia_signer **out, char *err)
{
	struct lia_signer *s = calloc(1, sizeof(*s));
	int rc = -1;

	if (s == NULL) {
		lia_err_set(err, "out of memory");
		goto out;
	}
	if (lia_cert_load_key(path, &s->key, err) < 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	lia_signer_free(s);
	return rc;
}

void lia_signer_free(struct lia_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	free(s);
}

int lia_signer_matches(const struct lia_signer *s, EVP_PKEY *pub)
{
	return pub != NULL && EVP_PKEY_eq(pub, s->key) == 1;
}

int lia_signer_entry(struct lia_signer *s, const struct lia_entry *e, uint8_t **cose,
    size_t *cose_len, char *err)
{
	return lia_entry_sign(e, s->key, cose, cose_len, err);
}

int lia_signer_checkpoint(struct lia_signer *s, const char *origin, const char *body,
    size_t body_len, char **note, size_t *note_len, char *err)
{
	return lia_note_sign(s->key, origin, body, body_len, note, note_len, err);
}

int lia_signer_cosign(struct lia_signer *s, const char *name, const char *body, size_t body_len,
    uint64_t time_s, char line[static LIA_NOTE_LINE_MAX], char *err)
{
	return lia_cosig_line(s->key, name, body, body_len, time_s, line, err);
}

int lia_signer_tls(struct lia_signer *s, SSL_CTX *ctx, char *err)
{
	if (SSL_CTX_use_PrivateKey(ctx, s->key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		/* The OpenSSL queue is left for the caller, whose sentence names the certificate. */
		lia_err_set(err, "the node key does not match the TLS certificate");
		return -1;
	}
	return 0;
}
