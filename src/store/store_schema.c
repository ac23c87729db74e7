/*
 * store_schema.c - the database schema and its migrations: the tables of
 * every version, the check that a file is ours and not from a newer liaisond,
 * and the upgrade of an older one in place, in one transaction.
 */
#include "store_internal.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>

#include <sqlite3.h>

/*
 * Version 1: entries, outbox, deliveries, cursors, certs, meta.
 * Version 2: the joint record (log, tree, checkpoints, cosignatures,
 * witnessed, evidence) and triggers that keep what is recorded unchanged.
 * A version-1 database is migrated in place at open, in one transaction.
 * Version 3: entries of type 4 (signal) are allowed (the CHECK on type).
 * Version 4: entries of types 5 to 31 are allowed (reserved in entry.h), so
 * that new kinds of entry do not each need their own loosening.
 * Version 5: incidents and their steps (store_incident.c), derived from
 * incident entries (type 5) as they are stored; no entry of type 5 could be
 * stored before, so the new tables start empty.
 * Version 6: deadlines (store_deadline.c).
 * Version 7: the console's operators and audit (store_operator.c).
 * The version this liaisond writes is STORE_SCHEMA_VERSION (store_internal.h).
 */
#define APPLICATION_ID 0x4c494131 /* "LIA1" at offset 68 of the file header */
#define STR(x) STR_(x)
#define STR_(x) #x

/* Version 1, exactly as liaisond 0.1 created it. */
static const char schema_v1_sql[] =
	"CREATE TABLE entries ("
	" n INTEGER PRIMARY KEY,"
	" origin TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
	" type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 3),"
	" dir INTEGER NOT NULL CHECK (dir IN (0, 1)),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32), cose BLOB NOT NULL,"
	" time_ms INTEGER NOT NULL, stored_ms INTEGER NOT NULL,"
	" to_name TEXT, precedence INTEGER, lang TEXT, text TEXT,"
	" ref_origin TEXT, ref_seq INTEGER, operator TEXT,"
	" UNIQUE (origin, seq));"
	"CREATE UNIQUE INDEX entries_own ON entries (seq) WHERE dir = 0;"
	"CREATE INDEX entries_ref ON entries (ref_origin, ref_seq) WHERE ref_origin IS NOT NULL;"
	/* The rowid n is the index's implicit last column: messages by arrival. */
	"CREATE INDEX entries_list ON entries (type, dir);"
	"CREATE TABLE outbox (dest TEXT NOT NULL, seq INTEGER NOT NULL,"
	" PRIMARY KEY (dest, seq)) WITHOUT ROWID;"
	"CREATE TABLE deliveries (seq INTEGER NOT NULL, dest TEXT NOT NULL,"
	" receipt_seq INTEGER CHECK (receipt_seq >= 1), delivered_ms INTEGER,"
	" PRIMARY KEY (seq, dest)) WITHOUT ROWID;"
	"CREATE TABLE cursors (peer TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 0))"
	" WITHOUT ROWID;"
	"CREATE TABLE certs (node TEXT PRIMARY KEY, der BLOB NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('next_seq', 1);";

/* Refuses a change to what a table records (the triggers below). */
#define KEEP(name, event, table, what) \
	"CREATE TRIGGER " name " BEFORE " event " ON " table \
	" BEGIN SELECT RAISE(ABORT, '" what " cannot be changed or removed'); END;"

/*
 * Version 2: the joint record. Leaf idx of the log is entry entry_n; tree
 * holds every complete subtree node (merkle.h's (level, idx); level 0 is the
 * leaf hash of the entry's exact COSE bytes). Notes are the signed note
 * texts; a cosignature is kept as its signature line. Evidence is kept
 * forever. Large rows (notes) stay in rowid tables; small ones are WITHOUT
 * ROWID.
 */
static const char schema_v2_sql[] =
	"CREATE TABLE log (idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
	" entry_n INTEGER NOT NULL UNIQUE REFERENCES entries (n));"
	"CREATE TABLE tree (level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),"
	" idx INTEGER NOT NULL CHECK (idx >= 0), hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE checkpoints (size INTEGER PRIMARY KEY CHECK (size >= 0),"
	" root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,"
	" made_ms INTEGER NOT NULL);"
	"CREATE TABLE cosignatures (size INTEGER NOT NULL REFERENCES checkpoints (size),"
	" witness TEXT NOT NULL, line TEXT NOT NULL, received_ms INTEGER NOT NULL,"
	" PRIMARY KEY (size, witness)) WITHOUT ROWID;"
	"CREATE INDEX cosignatures_witness ON cosignatures (witness, size);"
	"CREATE TABLE witnessed (peer TEXT PRIMARY KEY, size INTEGER NOT NULL CHECK (size >= 0),"
	" root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL);"
	"CREATE TABLE evidence (n INTEGER PRIMARY KEY, peer TEXT NOT NULL, reason TEXT NOT NULL,"
	" note_old TEXT, note_new TEXT, found_ms INTEGER NOT NULL);"
	/* Against bugs, not against someone with the file: lia_store_log_check is for that. */
	KEEP("entries_fixed", "UPDATE OF origin, seq, type, dir, hash, cose", "entries",
	    "a stored entry")
	KEEP("entries_kept", "DELETE", "entries", "a stored entry")
	KEEP("log_fixed", "UPDATE", "log", "the log")
	KEEP("log_kept", "DELETE", "log", "the log")
	KEEP("tree_fixed", "UPDATE", "tree", "the Merkle tree")
	KEEP("tree_kept", "DELETE", "tree", "the Merkle tree")
	KEEP("checkpoints_fixed", "UPDATE", "checkpoints", "a checkpoint")
	KEEP("checkpoints_kept", "DELETE", "checkpoints", "a checkpoint")
	KEEP("cosignatures_fixed", "UPDATE", "cosignatures", "a cosignature")
	KEEP("cosignatures_kept", "DELETE", "cosignatures", "a cosignature")
	KEEP("evidence_fixed", "UPDATE", "evidence", "evidence")
	KEEP("evidence_kept", "DELETE", "evidence", "evidence");

/*
 * Version 3 loosens entries' CHECK (type BETWEEN 1 AND 3) to 4 (signal
 * entries). Every stored row satisfies the new constraint, so the table's
 * text is edited in place as SQLite's ALTER TABLE page allows for a relaxed
 * CHECK ("making other kinds of table schema changes"), the schema cookie
 * bumped in the same transaction (apply_v3).
 */
static const char schema_v3_sql[] =
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (type BETWEEN 1 AND 3)',"
	" 'CHECK (type BETWEEN 1 AND 4)') WHERE type = 'table' AND name = 'entries';";

/* Version 4 loosens the same CHECK to every type entry.h reserves (1 to 31), as version 3 did. */
static const char schema_v4_sql[] =
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (type BETWEEN 1 AND 4)',"
	" 'CHECK (type BETWEEN 1 AND 31)') WHERE type = 'table' AND name = 'entries';";

/* Version 5: incidents, and each incident entry as a step of one (store_incident.c). */
static const char schema_v5_sql[] =
	"CREATE TABLE incidents (origin TEXT NOT NULL, seq INTEGER NOT NULL,"
	" title TEXT NOT NULL, party_a TEXT NOT NULL, party_b TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2),"
	" opened_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
	" PRIMARY KEY (origin, seq), FOREIGN KEY (origin, seq) REFERENCES entries (origin, seq))"
	" WITHOUT ROWID;"
	"CREATE TABLE incident_steps (origin TEXT NOT NULL, seq INTEGER NOT NULL,"
	" inc_origin TEXT NOT NULL, inc_seq INTEGER NOT NULL,"
	" action INTEGER NOT NULL CHECK (action BETWEEN 0 AND 4), party TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL, state INTEGER, text TEXT, subj_origin TEXT, subj_seq INTEGER,"
	" PRIMARY KEY (origin, seq), FOREIGN KEY (origin, seq) REFERENCES entries (origin, seq),"
	" FOREIGN KEY (inc_origin, inc_seq) REFERENCES incidents (origin, seq)) WITHOUT ROWID;"
	"CREATE INDEX incident_steps_time ON incident_steps (inc_origin, inc_seq, time_ms);"
	"CREATE INDEX incident_steps_subject ON incident_steps (subj_origin, subj_seq)"
	" WHERE subj_origin IS NOT NULL;"
	KEEP("incident_steps_fixed", "UPDATE", "incident_steps", "an incident step")
	KEEP("incident_steps_kept", "DELETE", "incident_steps", "an incident step")
	KEEP("incidents_kept", "DELETE", "incidents", "an incident");
/*
 * Version 6: one row per answer awaited by a deadline: (origin, seq) the
 * message, node whose answer (kind 0 receipt, 1 ack) is due at due_ms.
 * next_ms is when the deadline timer must look at it again (NULL: nothing
 * more to do); step counts the overdue notices made (at the sender) or heard
 * (elsewhere); overdue_ms is when it was marked overdue here, met_ms when the
 * answer (or a closing notice) came. Messages stored before version 6 have
 * no rows: their deadlines are not tracked.
 */
static const char schema_v6_sql[] =
	"CREATE TABLE deadlines (origin TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
	" node TEXT NOT NULL, kind INTEGER NOT NULL CHECK (kind IN (0, 1)),"
	" precedence INTEGER NOT NULL CHECK (precedence BETWEEN 0 AND 3),"
	" due_ms INTEGER NOT NULL, next_ms INTEGER,"
	" step INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),"
	" overdue_ms INTEGER, met_ms INTEGER,"
	" PRIMARY KEY (origin, seq, node, kind)) WITHOUT ROWID;"
	"CREATE INDEX deadlines_next ON deadlines (next_ms) WHERE next_ms IS NOT NULL;"
	"CREATE INDEX deadlines_overdue ON deadlines (overdue_ms)"
	" WHERE overdue_ms IS NOT NULL AND met_ms IS NULL;";

static const char schema_version_sql[] =
	"PRAGMA application_id = " STR(APPLICATION_ID) ";"
	"PRAGMA user_version = " STR(STORE_SCHEMA_VERSION) ";";

/* Refuses a file that is not a database, not ours, or from a newer liaisond. */
int store_schema_check(struct lia_store *s, int64_t *version, char *err)
{
	int64_t app = 0;
	int rc = -1;

	if (store_query_int(s, "PRAGMA user_version", version, "read the schema version", err) < 0 ||
	    store_query_int(s, "PRAGMA application_id", &app, "read the application id", err) < 0)
		goto out;
	if (*version > STORE_SCHEMA_VERSION) {
		lia_err_set(err, "%s: database schema version %" PRId64 " is newer than this "
		    "liaisond supports (%d); run a newer liaisond", s->path, *version, STORE_SCHEMA_VERSION);
		goto out;
	}
	if (*version > 0 && app != APPLICATION_ID) {
		lia_err_set(err, "%s: not a Liaison database (application id %" PRId64 ")",
		    s->path, app);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Version 0 (a new file): 1 when it holds no tables at all, 0 when it has some, negative on error. */
static int is_empty(struct lia_store *s, char *err)
{
	int64_t tables = 0;
	int rc = store_query_int(s, "SELECT count(*) FROM sqlite_schema", &tables, "read the schema", err);

	if (rc == 0 && tables > 0)
		lia_err_set(err, "%s: not a Liaison database (it has tables but no schema version)",
		    s->path);
	return rc < 0 ? rc : tables == 0;
}

/* Inside the upgrade's transaction: an edit of the stored schema text, then a new schema cookie so the change is seen. */
static int apply_schema_edit(struct lia_store *s, const char *edit_sql, const char *what,
    char *err)
{
	int64_t cookie = 0;
	char sql[96];
	int rc = store_query_int(s, "PRAGMA schema_version", &cookie, "read the schema cookie", err);

	if (rc == 0)
		rc = store_exec(s, edit_sql, what, err);
	snprintf(sql, sizeof(sql), "PRAGMA schema_version = %" PRId64 ";"
	    "PRAGMA writable_schema = OFF", cookie + 1);
	if (rc == 0)
		rc = store_exec(s, sql, "bump the schema cookie", err);
	else
		sqlite3_exec(s->db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	return rc;
}

/*
 * Brings the schema to STORE_SCHEMA_VERSION and prepares the statements, in one
 * transaction that re-reads the version (another process may have done it
 * first): a new file gets every table, a version-1 database the joint
 * record's tables and a log of its entries in stored order. A failure rolls
 * everything back and leaves the file as it was.
 */
int store_schema_upgrade(struct lia_store *s, char *err)
{
	int64_t version = 0;
	int rc = store_exec(s, "BEGIN IMMEDIATE", "begin upgrading the schema", err);

	if (rc < 0 || (rc = store_schema_check(s, &version, err)) < 0)
		goto out;
	if (version == 0 && (rc = is_empty(s, err)) <= 0) {
		rc = rc < 0 ? rc : LIA_ERROR;
		goto out;
	}
	if (version == 0 && (rc = store_exec(s, schema_v1_sql, "create the schema", err)) < 0)
		goto out;
	if (version < 2 && (rc = store_exec(s, schema_v2_sql, "create the joint record's tables",
	    err)) < 0)
		goto out;
	if (version < 3 && (rc = apply_schema_edit(s, schema_v3_sql,
	    "allow signal entries (schema version 3)", err)) < 0)
		goto out;
	if (version < 4 && (rc = apply_schema_edit(s, schema_v4_sql,
	    "allow entry types up to 31 (schema version 4)", err)) < 0)
		goto out;
	if (version < 5 && (rc = store_exec(s, schema_v5_sql, "create the incident tables", err)) < 0)
		goto out;
	if (version < 6 && (rc = store_exec(s, schema_v6_sql, "create the deadlines table", err)) < 0)
		goto out;
	if (version < 7 && (rc = store_exec(s, store_operator_schema_sql,
	    "create the console's operator and audit tables", err)) < 0)
		goto out;
	if ((rc = store_prepare_all(s, err)) < 0)
		goto out;
	if (version == 1 && (rc = store_log_rebuild(s, err)) < 0)
		goto out;
	if (version < STORE_SCHEMA_VERSION && (rc = store_exec(s, schema_version_sql,
	    "set the schema version", err)) < 0)
		goto out;
	rc = store_exec(s, "COMMIT", version == 0 ? "commit the new schema" :
	    "commit the migration to schema version " STR(STORE_SCHEMA_VERSION), err);
out:
	if (rc < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
