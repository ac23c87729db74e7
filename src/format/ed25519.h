/*
 * ed25519.h - the one Ed25519 signature and check of the project (RFC 8032,
 * pure Ed25519 as OpenSSL's EVP_DigestSign gives it), used by COSE_Sign1
 * (cose.c) and signed notes and cosignatures (note.c). Which key signs is
 * not decided here: the node key is held by engine/signer.c only.
 */
#ifndef LIA_ED25519_H
#define LIA_ED25519_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "err.h"

#define LIA_ED25519_PUB_LEN 32
#define LIA_ED25519_SIG_LEN 64

/*
 * Signs msg (len bytes) with the Ed25519 private key into sig. 0, or -1 with
 * err ("Ed25519 signing of <what> failed" and OpenSSL's reason); what names
 * the signed thing for that sentence (borrowed). The caller checks the key
 * type first.
 */
int lia_ed25519_sign(EVP_PKEY *key, const uint8_t *msg, size_t len,
    uint8_t sig[static LIA_ED25519_SIG_LEN], const char *what, char *err);

/* 1 when sig is pub's Ed25519 signature of msg, else 0 (OpenSSL's error queue is cleared). */
int lia_ed25519_valid(EVP_PKEY *pub, const uint8_t *msg, size_t len,
    const uint8_t sig[static LIA_ED25519_SIG_LEN]);

/* As lia_ed25519_valid with a raw 32-byte public key. */
int lia_ed25519_valid_raw(const uint8_t pub[static LIA_ED25519_PUB_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[static LIA_ED25519_SIG_LEN]);

#endif
