/*
 * charter.h - the agreement as a file: parties, their CAs, nodes, addresses.
 *
 * Format (see docs/liaison-charter.5):
 *   mechanism NAME
 *   party NAME ca PATH                      PATH relative to the charter's directory
 *   node NAME party PARTY role station|unit address HOST:PORT[,HOST:PORT...]
 *   deadline PRECEDENCE receipt DURATION ack DURATION   (docs/deadlines.md)
 *   escalate PARTY|NODE to NODE         the station told when answers are late
 * Several addresses are the node's redundant paths, most preferred first.
 * Names are unique across parties and nodes, so a recipient is either.
 * The charter hash is SHA-256 over the file's bytes then each CA's DER in
 * order of appearance; peers compare it when a link opens.
 */
#ifndef LIA_CHARTER_H
#define LIA_CHARTER_H

#include <stdint.h>
#include <openssl/x509.h>

#include "text.h"

#define LIA_MAX_PARTIES 8
#define LIA_MAX_NODES 64
#define LIA_HOST_MAX 255
#define LIA_ADDRS_MAX 4                /* redundant addresses (paths) of one node */
#define LIA_PRECEDENCES 4                  /* FLASH, IMMEDIATE, PRIORITY, ROUTINE (entry.h) */
#define LIA_DURATION_MAX_MS (INT64_C(30) * 24 * 3600 * 1000) /* 30 days */
#define LIA_DURATION_LEN 24                /* "123456789012h" and a NUL, with room */

enum lia_role { LIA_ROLE_STATION = 0, LIA_ROLE_UNIT = 1 };

struct lia_party {
	char name[LIA_NAME_MAX + 1];
	X509 *ca;                          /* the party's CA certificate (owned by the charter) */
};

/* One address a node is reached at: one path of a redundant link. */
struct lia_addr {
	char host[LIA_HOST_MAX + 1];
	char port[8];
};

struct lia_node_def {
	char name[LIA_NAME_MAX + 1];
	char party[LIA_NAME_MAX + 1];
	enum lia_role role;
	char host[LIA_HOST_MAX + 1];       /* address to dial, as written (= addrs[0]) */
	char port[8];
	struct lia_addr addrs[LIA_ADDRS_MAX]; /* every address, most preferred first */
	int n_addrs;                       /* 1 to LIA_ADDRS_MAX */
};

/* Deadlines of one precedence, ms after the message's time (defaults in docs/deadlines.md). */
struct lia_deadline_def {
	int64_t receipt_ms;                /* the receiving node's signed receipt */
	int64_t ack_ms;                    /* a human acknowledgement */
};

/* Whom to tell when the answers of a party's (or one node's) stations are late. */
struct lia_escalation {
	char subject[LIA_NAME_MAX + 1];    /* a party or a node name */
	char target[LIA_NAME_MAX + 1];     /* a station of the subject's party */
};

struct lia_charter {
	char mechanism[LIA_NAME_MAX + 1];
	char path[4096];                   /* file it was read from ("" when parsed from memory) */
	struct lia_party parties[LIA_MAX_PARTIES];
	int n_parties;
	struct lia_node_def nodes[LIA_MAX_NODES];
	int n_nodes;
	struct lia_deadline_def deadlines[LIA_PRECEDENCES]; /* indexed by enum lia_precedence */
	struct lia_escalation escalations[LIA_MAX_NODES + LIA_MAX_PARTIES];
	int n_escalations;
	uint8_t hash[32];
};

/* Loads and validates the charter at path; *out is the caller's, freed with lia_charter_free. */
int lia_charter_load(const char *path, struct lia_charter **out, char *err);

/* Same from memory: name for messages, basedir to resolve CA paths. */
int lia_charter_parse(const char *name, const char *text, size_t len,
    const char *basedir, struct lia_charter **out, char *err);

/* Frees a charter and its certificates; NULL is fine. */
void lia_charter_free(struct lia_charter *c);

/* The node or party of that name, or NULL (borrowed from c). */
const struct lia_node_def *lia_charter_node(const struct lia_charter *c, const char *name);
const struct lia_party *lia_charter_party(const struct lia_charter *c, const char *name);

/*
 * Expands a recipient (a node name, or a party name meaning all its stations)
 * into nodes other than self; fills out[] (borrowed) up to max, sets *n.
 * Fails naming the recipient when it is unknown or names no node but self.
 */
int lia_charter_recipients(const struct lia_charter *c, const char *to,
    const char *self, const struct lia_node_def **out, int max, int *n, char *err);

/*
 * Splits a comma-separated list "H:P,H:P" into out[] (at most max), setting *n;
 * refuses empty items, bad addresses, more than max, and the same address twice.
 */
int lia_charter_parse_addrs(const char *list, struct lia_addr *out, int max, int *n, char *err);

/*
 * The station to notify when node's answers are late: its own escalate line,
 * else its party's; NULL when the charter names none (borrowed from c).
 */
const struct lia_node_def *lia_charter_escalation(const struct lia_charter *c, const char *node);

/* Parses "30s", "10m", "3h", "2d" (a positive integer and one unit) into ms, 1 s to 30 days; -1 with err. */
int lia_duration_parse(const char *s, int64_t *ms, char *err);

/* Formats ms as the largest unit that divides it ("10m", "90s", "1500ms"). */
void lia_duration_format(int64_t ms, char out[LIA_DURATION_LEN]);

/* "station" or "unit". */
const char *lia_role_name(enum lia_role role);

#endif
