/*
 * store_internal.h - what the store's files share; not an API.
 *
 * The store is one module in three files, the only ones that speak SQL:
 * store.c (open, schema and its migrations, transactions, entries, outbox,
 * deliveries, cursors, certificates), store_log.c (the joint record: the
 * append-only log of entries, its Merkle tree, checkpoints, cosignatures,
 * witnessed peer checkpoints and evidence) and store_view.c (the JSON views
 * for the API); store_deadline.c (deadlines and what is overdue). Each file keeps its SQL beside the code that reads its
 * columns, in a table of statements prepared once at open.
 */
#ifndef LIA_STORE_INTERNAL_H
#define LIA_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "store.h"

/* Statements of store.c and store_entry.c. */
enum store_stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_NEXT_SEQ, ST_ADD_ENTRY, ST_GET_ENTRY, ST_OWN_TYPE,
	ST_QUEUE, ST_SCAN_OUTBOX, ST_OUTBOX_COUNT, ST_PEER_SEEN, ST_GET_CURSOR, ST_SET_CURSOR,
	ST_ADD_DELIVERY, ST_MARK_DELIVERED, ST_HAS_DELIVERY, ST_FIND_ACK, ST_PUT_CERT,
	ST_GET_CERT, ST_SCAN_REFS, ST_COUNT
};

/* Statements of store_log.c. */
enum store_log_stmt {
	SL_SIZE, SL_APPEND, SL_TREE_GET, SL_TREE_PUT, SL_INDEX, SL_ENTRY, SL_ADD_CHECKPOINT,
	SL_LATEST_CHECKPOINT, SL_CHECKPOINT, SL_CHECKPOINTS_FROM, SL_ADD_COSIG, SL_HAS_COSIG,
	SL_SCAN_COSIGS, SL_COSIGNED_SIZE, SL_GET_WITNESSED, SL_SET_WITNESSED, SL_ADD_EVIDENCE,
	SL_CHECK_SCAN, SL_ENTRY_COUNT, SL_READ_BEGIN, SL_SCAN_CHECKPOINTS, SL_COUNT
};

/* Statements of store_view.c. */
enum store_view_stmt {
	SV_LIST_MESSAGES, SV_GET_MESSAGE, SV_DELIVERIES, SV_ACKS, SV_COUNTS, SV_LOG, SV_EVIDENCE, SV_SIGNALS,
	SV_LINKTESTS, SV_COUNT
};

/* Statements of store_incident.c, prepared at first use (see there). */
enum store_incident_stmt {
	SI_GET, SI_STEP, SI_ATTACHED, SI_ADD_INCIDENT, SI_ADD_STEP, SI_SET_STATE, SI_LIST,
	SI_ONE, SI_STEPS, SI_COUNT
};

/* Statements of store_deadline.c. */
enum store_deadline_stmt {
	SD_ADD, SD_MET, SD_NEXT, SD_DUE, SD_STEP, SD_HEARD, SD_OVERDUE, SD_OF_MESSAGE, SD_COUNT
};

/* The schema version this liaisond writes and reads (store_schema.c). */
#define STORE_SCHEMA_VERSION 7

/* The SQL of store_entry.c's, store_log.c's, store_view.c's and store_deadline.c's statements (prepared by store.c at open). */
extern const char *const store_entry_sql[ST_COUNT];
extern const char *const store_log_sql[SL_COUNT];
extern const char *const store_view_sql[SV_COUNT];
extern const char *const store_deadline_sql[SD_COUNT];

/* Version 7's tables (store_operator.c): operators and the console's audit. */
extern const char store_operator_schema_sql[];

struct lia_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	sqlite3_stmt *lg[SL_COUNT];
	sqlite3_stmt *vw[SV_COUNT];
	sqlite3_stmt *inc[SI_COUNT];        /* store_incident.c; NULL until first used */
	sqlite3_stmt *dl[SD_COUNT];
	EVP_MD *sha256; /* fetched once: an implicit fetch per digest costs a lock and a lookup */
};

/* One row copied out of a scan, so callbacks run with no statement active. */
struct store_row {
	char *text;     /* a text column (origin, witness) or NULL */
	uint64_t num;   /* an integer column (seq, time) */
	uint8_t *blob;  /* a blob or text column, NUL-terminated */
	size_t len;     /* its length without the NUL */
};

struct store_rows {
	struct store_row *v;
	size_t n, cap;
};

/* "path: cannot <what>: <sqlite's reason>"; returns LIA_EFULL or LIA_ERROR. */
int store_fail(struct lia_store *s, int rc, char *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Steps st unless brc (a bind result) failed: 1 for a row, 0 when done, or a negative LIA code with "cannot <fmt...>". */
int store_step(struct lia_store *s, sqlite3_stmt *st, int brc, char *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Resets st and drops its bindings so it holds no pointer into the caller's memory. */
void store_finish(sqlite3_stmt *st);

/* Binds from index first: 's' text, 'i' int64_t, 'u' seq (uint64_t), 'U' bound (uint64_t, clamped), 'b' blob (ptr, size_t). */
int store_bind(sqlite3_stmt *st, int first, const char *fmt, ...);

/* A malloc'd copy of len bytes with a NUL after them; NULL on no memory. */
uint8_t *store_copy_blob(const void *p, size_t len);

/* Appends a copy of the current row's (text column or -1, integer column, blob column); -1 on no memory. */
int store_rows_add(struct store_rows *r, sqlite3_stmt *st, int text_col, int num_col,
    int blob_col);
void store_rows_free(struct store_rows *r);

/* Runs a one-row query that yields an integer (pragmas, counts) into *v; 0 or a negative LIA code with err. */
int store_query_int(struct lia_store *s, const char *sql, int64_t *v, const char *what, char *err);

/* Runs SQL with no parameters and no rows of interest (pragmas, the schema); 0 or a negative LIA code with err. */
int store_exec(struct lia_store *s, const char *sql, const char *what, char *err);

/* Prepares every statement of every store_*.c table (but store_incident.c's, prepared at first use). */
int store_prepare_all(struct lia_store *s, char *err);

/* Refuses a file that is not a database, not ours, or from a newer liaisond; *version is its user_version. */
int store_schema_check(struct lia_store *s, int64_t *version, char *err);

/*
 * Brings the schema to STORE_SCHEMA_VERSION and prepares the statements, in
 * one transaction (store_schema.c); a failure leaves the file as it was.
 */
int store_schema_upgrade(struct lia_store *s, char *err);

/* Inside a transaction: appends entry row n with these COSE bytes to the log and its tree. */
int store_log_append(struct lia_store *s, int64_t n, const uint8_t *cose, size_t cose_len,
    char *err);

/* Inside the migration's transaction: appends every stored entry, by stored order, to an empty log. */
int store_log_rebuild(struct lia_store *s, char *err);

#endif
