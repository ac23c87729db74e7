/*
 * bundle_internal.h - what the parts of the record verifier share: its
 * state while checking one bundle, and the checks each part exports to the
 * driver in bundle.c. Every check returns 0 when it held and -1 after
 * recording the failure in the report (lia_bundle_report_fail), so the driver
 * stops at the first one. Not installed; only bundle*.c include it.
 *
 *   bundle.c            driver, format, charter (with its CAs) and anchor, certificates
 *   bundle_log.c        entries: signatures, sequence order, receipts
 *   bundle_checkpoint.c checkpoints: signature, forks, sizes, roots, consistency
 *   bundle_cosig.c      cosignatures, coverage warnings, witnessed checkpoints
 *   bundle_report.c     the report: failure, warnings, print, JSON
 */
#ifndef LIA_BUNDLE_INTERNAL_H
#define LIA_BUNDLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bundle.h"
#include "charter.h"
#include "note.h"

/* A node whose certificate the bundle carries and the charter accepts. */
struct lia_bundle_node {
	char name[LIA_NAME_MAX + 1];
	int party;                 /* index into the charter's parties */
	X509 *cert;                /* owned */
	EVP_PKEY *pub;             /* the certificate's key (borrowed from cert) */
	uint8_t raw[32];           /* the same Ed25519 public key, raw */
	uint64_t last_seq;         /* highest seq of this origin seen so far in the log (0: none) */
	size_t last_index;         /* the entry that carried it */
};

/* One entry of the log whose signature verified. */
struct lia_bundle_entry {
	uint8_t *cose;             /* exact COSE bytes (owned) */
	size_t len;
	int node;                  /* its origin: index into nodes */
	uint64_t seq;
	uint8_t hash[32];          /* SHA-256 of the COSE bytes, as receipts name it */
	int n_refs;                /* entries it names by hash (a receipt's, a subject's) */
	struct {
		char origin[LIA_NAME_MAX + 1];
		uint64_t seq;
		uint8_t hash[32];
	} refs[2];
};

/* One checkpoint whose signature verified. */
struct lia_bundle_cp {
	struct lia_note note;      /* owned; lia_note_finish */
	struct lia_checkpoint cp;
	size_t log_sig;            /* the note's (first valid) signature line by the log's key */
};

/* The verifier's state for one bundle. */
struct lia_bundle_ctx {
	json_t *root;                          /* the bundle (borrowed) */
	struct lia_bundle_report *report;      /* borrowed */
	struct lia_charter *charter;           /* owned */
	struct lia_bundle_node nodes[LIA_MAX_NODES];
	int n_nodes;
	int self;                              /* the log's node: index into nodes */
	struct lia_bundle_entry *entries;      /* n_entries verified entries, in log order (owned) */
	size_t n_entries;
	struct lia_bundle_cp *cps;             /* n_cps checkpoints, in bundle order (owned) */
	size_t n_cps;
	const struct lia_bundle_anchor *anchor; /* borrowed; NULL: none */
	int internal;                          /* the failure is the verifier's (out of memory) */
};

/* Index in ctx->nodes of the node named name, or -1. */
int lia_bundle_node_find(const struct lia_bundle_ctx *ctx, const char *name);

/* Records that the verifier itself ran out of memory doing what; returns -1. */
int lia_bundle_oom(struct lia_bundle_ctx *ctx, const char *what);

/* Checks every entry's COSE and signature, keeping the exact bytes (bundle_log.c). */
int lia_bundle_log_entries(struct lia_bundle_ctx *ctx);

/* Checks the node's own seq runs 1, 2, 3... and every other origin's ascends (bundle_log.c). */
int lia_bundle_log_order(struct lia_bundle_ctx *ctx);

/* Reads v, item i of what ("checkpoint"), as a checkpoint of origin signed by pub into *out; failures under check (bundle_checkpoint.c). */
int lia_bundle_checkpoint_read(struct lia_bundle_ctx *ctx, const char *check, const char *what,
    size_t i, const json_t *v, const char *origin, const uint8_t pub[static 32],
    struct lia_bundle_cp *out);

/* Fails under check naming the first two of what's cps[0..n) with one size and two roots (bundle_checkpoint.c). */
int lia_bundle_checkpoint_forks(struct lia_bundle_ctx *ctx, const char *check, const char *what,
    const struct lia_bundle_cp *cps, size_t n);

/* Frees cps[0..n) and the array; NULL is fine (bundle_checkpoint.c). */
void lia_bundle_checkpoint_free(struct lia_bundle_cp *cps, size_t n);

/* Checks that every receipt (and every entry naming another by hash) names the bytes the log holds for it (bundle_log.c). */
int lia_bundle_log_receipts(struct lia_bundle_ctx *ctx);

/* Checks the log's checkpoints: signatures, forks, order, sizes, roots, consistency (bundle_checkpoint.c). */
int lia_bundle_checkpoint_check(struct lia_bundle_ctx *ctx);

/* Checks every cosignature line of every checkpoint and counts them per party (bundle_cosig.c). */
int lia_bundle_cosig_check(struct lia_bundle_ctx *ctx);

/* Checks the other logs' checkpoints this node cosigned ("witnessed") (bundle_cosig.c). */
int lia_bundle_cosig_witnessed(struct lia_bundle_ctx *ctx);

/* Adds the warnings of a record that verified: entries not yet under a checkpoint, missing cosigners (bundle_cosig.c). */
void lia_bundle_cosig_warnings(struct lia_bundle_ctx *ctx);

/* Records the first failure (check name and sentence) in r; later ones are ignored. Returns -1. */
int lia_bundle_report_fail(struct lia_bundle_report *r, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a signature line the verifier ignored and why (kept while there is room, always counted). */
void lia_bundle_report_ignore(struct lia_bundle_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds a warning sentence to r (kept while there is room, always counted). */
void lia_bundle_report_warn(struct lia_bundle_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
