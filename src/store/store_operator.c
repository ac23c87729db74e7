/*
 * store_operator.c - the console's tables: operators and the audit of their
 * actions (schema version 7, created by store.c's upgrade from this file's
 * store_operator_schema_sql). Statements are prepared per call: operators
 * sign in a few times a day, and this keeps store.c's tables untouched.
 *
 * Assumes nothing of its callers' strings: every field is checked (name,
 * role, language, hash shape) before it is bound, and audit text is cut to
 * LIA_AUDIT_TEXT_MAX bytes on a character boundary.
 */
#include "store_operator.h"
#include "store_internal.h"
#include "err.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char store_operator_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS operators (name TEXT PRIMARY KEY,"
	" role INTEGER NOT NULL CHECK (role BETWEEN 0 AND 2),"
	" lang TEXT NOT NULL CHECK (lang IN ('en', 'zh', 'ja', 'ko')),"
	" hash TEXT NOT NULL CHECK (length(hash) BETWEEN 1 AND 127),"
	" disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	" created_ms INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS audit (n INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
	" operator TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL,"
	" outcome TEXT NOT NULL, detail TEXT NOT NULL);"
	/* The audit is append-only, like the record. */
	"CREATE TRIGGER IF NOT EXISTS audit_fixed BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit cannot be changed or removed'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_kept BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit cannot be changed or removed'); END;";

static const char *const role_names[] = {
	[LIA_ROLE_OPERATOR] = "operator", [LIA_ROLE_SUPERVISOR] = "supervisor",
	[LIA_ROLE_AUDITOR] = "auditor",
};

const char *lia_store_operator_role_name(enum lia_operator_role role)
{
	return (unsigned)role < 3 ? role_names[role] : "unknown";
}

int lia_store_operator_role_parse(const char *name, enum lia_operator_role *role, char *err)
{
	for (int i = 0; i < 3; i++) {
		if (name != NULL && strcmp(name, role_names[i]) == 0) {
			*role = (enum lia_operator_role)i;
			return 0;
		}
	}
	lia_err_set(err, "the role must be operator, supervisor or auditor");
	return -1;
}

int lia_store_operator_name_check(const char *name, char *err)
{
	size_t len = name != NULL ? strlen(name) : 0;

	if (len == 0 || len > LIA_OPERATOR_NAME_MAX) {
		lia_err_set(err, "an operator's name must hold 1 to %d bytes, not %zu",
		    LIA_OPERATOR_NAME_MAX, len);
		return -1;
	}
	if (!lia_utf8_valid((const uint8_t *)name, len)) {
		lia_err_set(err, "an operator's name must be UTF-8");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			lia_err_set(err, "an operator's name must not hold control characters");
			return -1;
		}
	}
	return 0;
}

int lia_store_operator_lang_check(const char *lang, char *err)
{
	static const char *const langs[] = {"en", "zh", "ja", "ko"};

	for (size_t i = 0; lang != NULL && i < 4; i++)
		if (strcmp(lang, langs[i]) == 0)
			return 0;
	lia_err_set(err, "the console language must be en, zh, ja or ko");
	return -1;
}

static int hash_check(const char *hash, char *err)
{
	size_t len = hash != NULL ? strlen(hash) : 0;

	if (len == 0 || len > LIA_OPERATOR_HASH_MAX || strncmp(hash, "$argon2id$", 10) != 0) {
		lia_err_set(err, "a password hash must be an Argon2id string of at most %d bytes",
		    LIA_OPERATOR_HASH_MAX);
		return -1;
	}
	return 0;
}

/* Prepares sql, binds fmt's values from index 1 and steps once: 1 row, 0 done, negative with err. */
static int run1(struct lia_store *s, sqlite3_stmt **st, const char *sql, const char *what,
    char *err, const char *fmt, ...)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	va_list ap;

	if (rc != SQLITE_OK)
		return store_fail(s, rc, err, "prepare to %s", what);
	va_start(ap, fmt);
	for (int i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		if (*fmt == 's')
			rc = sqlite3_bind_text(*st, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_int64(*st, i, va_arg(ap, int64_t));
	}
	va_end(ap);
	return store_step(s, *st, rc, err, "%s", what);
}

/* Runs a one-row UPDATE of operator name; LIA_ENOTFOUND when no row changed. */
static int update_one(struct lia_store *s, const char *sql, const char *name, const char *what,
    char *err, const char *text, int64_t num)
{
	sqlite3_stmt *st = NULL;
	int rc = text != NULL ? run1(s, &st, sql, what, err, "ss", text, name) :
	    run1(s, &st, sql, what, err, "is", num, name);

	if (rc == 0 && sqlite3_changes(s->db) == 0) {
		lia_err_set(err, "no operator is named \"%s\"", name);
		rc = LIA_ENOTFOUND;
	}
	sqlite3_finalize(st);
	return rc;
}

int lia_store_operator_add(struct lia_store *s, const struct lia_operator *op, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (lia_store_operator_name_check(op->name, err) < 0 ||
	    lia_store_operator_lang_check(op->lang, err) < 0 || hash_check(op->hash, err) < 0 ||
	    (unsigned)op->role > LIA_ROLE_AUDITOR)
		goto out;
	rc = run1(s, &st, "INSERT INTO operators (name, role, lang, hash, disabled, created_ms)"
	    " VALUES (?, ?, ?, ?, ?, ?)", "add an operator", err, "sissii", op->name,
	    (int64_t)op->role, op->lang, op->hash, (int64_t)(op->disabled != 0), op->created_ms);
	if (rc < 0 && sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
		lia_err_set(err, "an operator named \"%s\" exists already", op->name);
		rc = LIA_EDUP;
	}
out:
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

int lia_store_operator_get(struct lia_store *s, const char *name, struct lia_operator *op,
    char *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(op, 0, sizeof(*op));
	rc = run1(s, &st, "SELECT role, lang, hash, disabled, created_ms FROM operators"
	    " WHERE name = ?", "read an operator", err, "s", name != NULL ? name : "");
	if (rc == 0) {
		lia_err_set(err, "no operator is named \"%.64s\"", name != NULL ? name : "");
		rc = LIA_ENOTFOUND;
	} else if (rc == 1) {
		snprintf(op->name, sizeof(op->name), "%s", name);
		op->role = (enum lia_operator_role)sqlite3_column_int(st, 0);
		snprintf(op->lang, sizeof(op->lang), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(op->hash, sizeof(op->hash), "%s", (const char *)sqlite3_column_text(st, 2));
		op->disabled = sqlite3_column_int(st, 3);
		op->created_ms = sqlite3_column_int64(st, 4);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int lia_store_operator_set_hash(struct lia_store *s, const char *name, const char *hash,
    char *err)
{
	if (hash_check(hash, err) < 0)
		return -1;
	return update_one(s, "UPDATE operators SET hash = ? WHERE name = ?", name,
	    "change an operator's password", err, hash, 0);
}

int lia_store_operator_set_disabled(struct lia_store *s, const char *name, int disabled,
    char *err)
{
	return update_one(s, "UPDATE operators SET disabled = ? WHERE name = ?", name,
	    "disable an operator", err, NULL, disabled != 0);
}

int lia_store_operator_set_lang(struct lia_store *s, const char *name, const char *lang,
    char *err)
{
	if (lia_store_operator_lang_check(lang, err) < 0)
		return -1;
	return update_one(s, "UPDATE operators SET lang = ? WHERE name = ?", name,
	    "set an operator's language", err, lang, 0);
}

int lia_store_operator_list(struct lia_store *s, json_t **out, char *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int rc = run1(s, &st, "SELECT name, role, lang, disabled, created_ms FROM operators"
	    " ORDER BY name", "list the operators", err, "");

	for (; rc == 1 && list != NULL; rc = store_step(s, st, SQLITE_OK, err, "list the operators"))
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:I}",
		    "name", (const char *)sqlite3_column_text(st, 0),
		    "role", lia_store_operator_role_name(sqlite3_column_int(st, 1)),
		    "lang", (const char *)sqlite3_column_text(st, 2),
		    "disabled", sqlite3_column_int(st, 3), "created_ms",
		    (json_int_t)sqlite3_column_int64(st, 4)));
	if (list == NULL) {
		lia_err_set(err, "cannot list the operators (out of memory)");
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		json_decref(list);
	*out = rc < 0 ? NULL : list;
	return rc < 0 ? rc : 0;
}

/* Copies s into out (LIA_AUDIT_TEXT_MAX + 1 bytes), control bytes as '?', cut before a character cut in two or any byte that is not UTF-8. */
static void audit_text(const char *s, char out[static LIA_AUDIT_TEXT_MAX + 1])
{
	size_t len = 0;

	for (; s != NULL && s[len] != '\0' && len < LIA_AUDIT_TEXT_MAX; len++)
		out[len] = ((unsigned char)s[len] < 0x20 || s[len] == 0x7f) ? '?' : s[len];
	len = lia_utf8_error_offset((const uint8_t *)out, len);
	out[len] = '\0';
}

int lia_store_audit_add(struct lia_store *s, int64_t time_ms, const char *operator_name,
    const char *address, const char *action, const char *outcome, const char *detail,
    char *err)
{
	char op[LIA_AUDIT_TEXT_MAX + 1], addr[LIA_AUDIT_TEXT_MAX + 1], act[LIA_AUDIT_TEXT_MAX + 1],
	    res[LIA_AUDIT_TEXT_MAX + 1], det[LIA_AUDIT_TEXT_MAX + 1];
	sqlite3_stmt *st = NULL;
	int rc;

	audit_text(operator_name != NULL ? operator_name : "-", op);
	audit_text(address != NULL ? address : "-", addr);
	audit_text(action, act);
	audit_text(outcome, res);
	audit_text(detail != NULL ? detail : "", det);
	rc = run1(s, &st, "INSERT INTO audit (time_ms, operator, address, action, outcome, detail)"
	    " VALUES (?, ?, ?, ?, ?, ?)", "add an audit row", err, "isssss", time_ms, op, addr,
	    act, res, det);
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

int lia_store_audit_list(struct lia_store *s, int limit, json_t **out, char *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int rc = run1(s, &st, "SELECT n, time_ms, operator, address, action, outcome, detail"
	    " FROM audit ORDER BY n DESC LIMIT ?", "list the audit", err, "i",
	    (int64_t)(limit < 1 ? 1 : limit > 1000 ? 1000 : limit));

	for (; rc == 1 && list != NULL; rc = store_step(s, st, SQLITE_OK, err, "list the audit"))
		json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
		    "n", (json_int_t)sqlite3_column_int64(st, 0),
		    "time_ms", (json_int_t)sqlite3_column_int64(st, 1),
		    "operator", (const char *)sqlite3_column_text(st, 2),
		    "address", (const char *)sqlite3_column_text(st, 3),
		    "action", (const char *)sqlite3_column_text(st, 4),
		    "outcome", (const char *)sqlite3_column_text(st, 5),
		    "detail", (const char *)sqlite3_column_text(st, 6)));
	if (list == NULL) {
		lia_err_set(err, "cannot list the audit (out of memory)");
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		json_decref(list);
	*out = rc < 0 ? NULL : list;
	return rc < 0 ? rc : 0;
}
