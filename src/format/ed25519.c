/*
 * ed25519.c - Ed25519 signatures over whole messages (ed25519.h). Assumes
 * nothing of msg: it is signed or checked byte for byte.
 */
#include "ed25519.h"

#include <openssl/err.h>

int lia_ed25519_sign(EVP_PKEY *key, const uint8_t *msg, size_t len,
    uint8_t sig[static LIA_ED25519_SIG_LEN], const char *what, char *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t sig_len = LIA_ED25519_SIG_LEN;
	int rc = -1;

	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &sig_len, msg, len) != 1 || sig_len != LIA_ED25519_SIG_LEN) {
		lia_err_set(err, "Ed25519 signing of %s failed", what);
		lia_err_add_openssl(err);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int lia_ed25519_valid(EVP_PKEY *pub, const uint8_t *msg, size_t len,
    const uint8_t sig[static LIA_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = pub != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, LIA_ED25519_SIG_LEN, msg, len) == 1;

	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ok;
}

int lia_ed25519_valid_raw(const uint8_t pub[static LIA_ED25519_PUB_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[static LIA_ED25519_SIG_LEN])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    LIA_ED25519_PUB_LEN);
	int ok = key != NULL && lia_ed25519_valid(key, msg, len, sig);

	ERR_clear_error();
	EVP_PKEY_free(key);
	return ok;
}
