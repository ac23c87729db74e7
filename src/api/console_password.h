/*
 * console_password.h - operators' password hashes: libsodium's Argon2id
 * (crypto_pwhash_str, interactive limits: 2 passes over 64 MiB), so a stolen
 * database costs an attacker memory-hard work per guess. No home-made crypto:
 * the hash string carries its own salt and parameters.
 *
 * Hashing takes on the order of 0.1-0.5 s of one core and runs on the
 * daemon's loop: sign-in is rate-limited (console_limit.h) before it.
 */
#ifndef LIA_CONSOLE_PASSWORD_H
#define LIA_CONSOLE_PASSWORD_H

#include <stddef.h>

#include "store_operator.h"

#define LIA_PASSWORD_MIN 8
#define LIA_PASSWORD_MAX 256

/* 0 when password is LIA_PASSWORD_MIN..LIA_PASSWORD_MAX bytes; -1 with err. */
int lia_console_password_check(const char *password, char *err);

/* Hashes password into out (a NUL-terminated "$argon2id$..." string); -1 with err. */
int lia_console_password_hash(const char *password, char out[static LIA_OPERATOR_HASH_MAX + 1],
    char *err);

/* 1 when password matches hash, 0 when not (or hash is malformed). */
int lia_console_password_verify(const char *hash, const char *password);

#endif
