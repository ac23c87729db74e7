/*
 * console_password.c - Argon2id password hashes through libsodium (see
 * console_password.h). libsodium's verify compares in constant time and
 * wipes its own buffers.
 */
#include "console_password.h"
#include "err.h"

#include <string.h>

#include <sodium.h>

_Static_assert(crypto_pwhash_STRBYTES <= LIA_OPERATOR_HASH_MAX + 1,
    "a crypto_pwhash_str string must fit the store's column");

static int ready(char *err)
{
	if (sodium_init() < 0) {
		lia_err_set(err, "cannot initialise libsodium");
		return -1;
	}
	return 0;
}

int lia_console_password_check(const char *password, char *err)
{
	size_t len = password != NULL ? strlen(password) : 0;

	if (len < LIA_PASSWORD_MIN || len > LIA_PASSWORD_MAX) {
		lia_err_set(err, "a password must hold %d to %d bytes", LIA_PASSWORD_MIN,
		    LIA_PASSWORD_MAX);
		return -1;
	}
	return 0;
}

int lia_console_password_hash(const char *password, char out[static LIA_OPERATOR_HASH_MAX + 1],
    char *err)
{
	char buf[crypto_pwhash_STRBYTES];
	int rc = -1;

	if (lia_console_password_check(password, err) < 0 || ready(err) < 0)
		goto out;
	if (crypto_pwhash_str_alg(buf, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		lia_err_set(err, "cannot hash the password (out of memory)");
		goto out;
	}
	memcpy(out, buf, sizeof(buf));
	out[LIA_OPERATOR_HASH_MAX] = '\0';
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int lia_console_password_verify(const char *hash, const char *password)
{
	if (hash == NULL || password == NULL || ready(NULL) < 0 ||
	    strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
