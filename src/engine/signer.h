/*
 * signer.h - the node key, and the only code that uses it.
 *
 * Everything this node signs goes through here: its entries (COSE_Sign1,
 * RFC 9052), its checkpoints (a C2SP signed note) and its cosignatures of
 * peers' checkpoints (C2SP tlog-cosignature), and the key is handed to the
 * TLS context once for the handshake's proof of possession. This is the
 * seam where privilege separation goes later (STYLE.md, "Later, for
 * security"): a parent that keeps the key answers these four calls over a
 * socket, and nothing else in the engine changes.
 */
#ifndef LIA_SIGNER_H
#define LIA_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "entry.h"
#include "note.h"

struct lia_signer;

/* Loads the Ed25519 node key from path (PEM); *out caller frees with lia_signer_free. 0, or -1 with err naming the file. */
int lia_signer_load(const char *path, struct lia_signer **out, char *err);

/* Frees the key (OpenSSL wipes it); NULL is fine. */
void lia_signer_free(struct lia_signer *s);

/* 1 when pub (a certificate's key) is the public half of the node key, else 0. */
int lia_signer_matches(const struct lia_signer *s, EVP_PKEY *pub);

/* Signs entry e as COSE_Sign1; *cose caller frees. 0, or -1 with err. */
int lia_signer_entry(struct lia_signer *s, const struct lia_entry *e, uint8_t **cose,
    size_t *cose_len, char *err);

/* Signs checkpoint body under key name origin as a signed note; *note caller frees. 0, or -1 with err. */
int lia_signer_checkpoint(struct lia_signer *s, const char *origin, const char *body,
    size_t body_len, char **note, size_t *note_len, char *err);

/* The tlog-cosignature/v1 line of witness name over a peer's checkpoint body at time (s). 0, or -1 with err. */
int lia_signer_cosign(struct lia_signer *s, const char *name, const char *body, size_t body_len,
    uint64_t time_s, char line[static LIA_NOTE_LINE_MAX], char *err);

/* Gives the key to TLS context ctx (whose certificate is already set) and checks they match. 0, or -1 with err. */
int lia_signer_tls(struct lia_signer *s, SSL_CTX *ctx, char *err);

#endif
