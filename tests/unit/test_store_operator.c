/*
 * test_store_operator.c - the store's console tables (store_operator.c) and
 * its arrival notices (store_notify.c): operators added, read, changed and
 * listed without hashes; bad names, roles, languages and hashes refused; the
 * audit kept append-only and cut to its bounds; committed entries reported,
 * rolled-back ones not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "err.h"
#include "fixture.h"
#include "store.h"
#include "store_notify.h"
#include "store_operator.h"
#include "store_internal.h"  /* the store's own connection, as the node writes through it */

struct fx {
	char dir[4096], path[4200], err[LIA_ERR_LEN];
	struct lia_store *s;
	int notified;
};

static const char good_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fixture_tmpdir("store_operator", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	lia_store_close(f->s);
	fixture_rmrf(f->dir);
	free(f);
	return 0;
}

static struct lia_operator op_named(const char *name, enum lia_operator_role role, const char *lang)
{
	struct lia_operator op;

	memset(&op, 0, sizeof(op));
	snprintf(op.name, sizeof(op.name), "%s", name);
	snprintf(op.lang, sizeof(op.lang), "%s", lang);
	snprintf(op.hash, sizeof(op.hash), "%s", good_hash);
	op.role = role;
	op.created_ms = 1000;
	return op;
}

static void test_add_get_list(void **state)
{
	struct fx *f = *state;
	struct lia_operator op = op_named("Lt. Wang", LIA_ROLE_OPERATOR, "zh"), got;
	json_t *list = NULL;
	char *text;

	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), 0);
	op = op_named("Sato", LIA_ROLE_AUDITOR, "ja");
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), 0);
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), LIA_EDUP);
	assert_int_equal(lia_store_operator_get(f->s, "Lt. Wang", &got, f->err), 0);
	assert_string_equal(got.lang, "zh");
	assert_string_equal(got.hash, good_hash);
	assert_int_equal(got.role, LIA_ROLE_OPERATOR);
	assert_int_equal(got.disabled, 0);
	assert_int_equal(lia_store_operator_get(f->s, "nobody", &got, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_operator_list(f->s, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 2);
	text = json_dumps(list, 0);
	assert_null(strstr(text, "argon2id"));  /* never the hashes */
	assert_non_null(strstr(text, "\"auditor\""));
	free(text);
	json_decref(list);
}

static void test_changes(void **state)
{
	struct fx *f = *state;
	struct lia_operator op = op_named("kim", LIA_ROLE_SUPERVISOR, "ko"), got;
	static const char other[] = "$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo";

	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), 0);
	assert_int_equal(lia_store_operator_set_disabled(f->s, "kim", 1, f->err), 0);
	assert_int_equal(lia_store_operator_set_hash(f->s, "kim", other, f->err), 0);
	assert_int_equal(lia_store_operator_set_lang(f->s, "kim", "en", f->err), 0);
	assert_int_equal(lia_store_operator_get(f->s, "kim", &got, f->err), 0);
	assert_int_equal(got.disabled, 1);
	assert_string_equal(got.hash, other);
	assert_string_equal(got.lang, "en");
	assert_int_equal(lia_store_operator_set_disabled(f->s, "ghost", 1, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_operator_set_lang(f->s, "kim", "fr", f->err), -1);
	assert_int_equal(lia_store_operator_set_hash(f->s, "kim", "plaintext", f->err), -1);
	assert_int_equal(lia_store_operator_get(f->s, "kim", &got, f->err), 0);
	assert_string_equal(got.hash, other);  /* nothing changed by the refusals */
}

static void test_bad_fields(void **state)
{
	struct fx *f = *state;
	struct lia_operator op = op_named("", LIA_ROLE_OPERATOR, "en");
	enum lia_operator_role role;
	char long_name[100];

	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), -1);
	op = op_named("tab\there", LIA_ROLE_OPERATOR, "en");
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), -1);
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_int_equal(lia_store_operator_name_check(long_name, f->err), -1);
	assert_int_equal(lia_store_operator_name_check("\xff\xfe", f->err), -1);
	op = op_named("ok", LIA_ROLE_OPERATOR, "xx");
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), -1);
	op = op_named("ok", LIA_ROLE_OPERATOR, "en");
	snprintf(op.hash, sizeof(op.hash), "$2y$bcrypt");
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), -1);
	op = op_named("ok", (enum lia_operator_role)7, "en");
	assert_int_equal(lia_store_operator_add(f->s, &op, f->err), -1);
	assert_int_equal(lia_store_operator_role_parse("admin", &role, f->err), -1);
	assert_int_equal(lia_store_operator_role_parse("auditor", &role, f->err), 0);
	assert_int_equal(role, LIA_ROLE_AUDITOR);
	assert_int_equal(lia_store_operator_get(f->s, "ok", &op, f->err), LIA_ENOTFOUND);
}

static void test_audit(void **state)
{
	struct fx *f = *state;
	char big[600];
	json_t *list = NULL;
	sqlite3 *db;

	memset(big, 'x', sizeof(big) - 3);
	memcpy(big + sizeof(big) - 4, "\xe4\xb8\xad", 3);  /* a CJK character across the cut */
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(lia_store_audit_add(f->s, 5, "Lt. Wang", "127.0.0.1", "sign in", "ok",
	    "operator", f->err), 0);
	assert_int_equal(lia_store_audit_add(f->s, 6, NULL, "127.0.0.1", "POST /v1/messages",
	    "refused 403", big, f->err), 0);
	assert_int_equal(lia_store_audit_add(f->s, 7, "a\nb", "x", "y", "z", "\xe4\xb8", f->err), 0);
	assert_int_equal(lia_store_audit_list(f->s, 10, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "operator")), "a?b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "detail")), "");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "operator")), "-");
	assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(list, 1), "detail"))),
	    LIA_AUDIT_TEXT_MAX);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "action")), "sign in");
	json_decref(list);
	/* Append-only: an edit or a removal is refused by the database itself. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET outcome = 'ok'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void notified(void *arg)
{
	((struct fx *)arg)->notified++;
}

static void test_notify(void **state)
{
	struct fx *f = *state;
	struct lia_store_notify *nt = NULL;
	struct lia_entry_brief b;
	int64_t rows[8];
	uint64_t dropped = 9;
	size_t n;

	assert_int_equal(lia_store_notify_create(f->s, notified, f, &nt, f->err), 0);
	/* An audit row is not an entry: no notice. */
	assert_int_equal(lia_store_audit_add(f->s, 1, "a", "b", "c", "d", "e", f->err), 0);
	assert_int_equal(f->notified, 0);
	/* Entries inserted through the store's own connection (as the node does). */
	assert_int_equal(sqlite3_exec(f->s->db,
	    "INSERT INTO entries (origin, seq, type, dir, hash, cose, time_ms, stored_ms, to_name,"
	    " precedence) VALUES ('tokyo', 1, 1, 1, zeroblob(32), x'00', 10, 11, 'beijing', 0)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(f->notified, 1);
	n = lia_store_notify_take(nt, rows, 8, &dropped);
	assert_int_equal(n, 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(lia_store_entry_brief(f->s, rows[0], &b, f->err), 0);
	assert_string_equal(b.origin, "tokyo");
	assert_int_equal(b.seq, 1);
	assert_int_equal(b.type, LIA_ENTRY_MESSAGE);
	assert_int_equal(b.incoming, 1);
	assert_int_equal(b.precedence, 0);
	assert_string_equal(b.to, "beijing");
	/* A rolled-back insert is never reported. */
	assert_int_equal(sqlite3_exec(f->s->db, "BEGIN;"
	    "INSERT INTO entries (origin, seq, type, dir, hash, cose, time_ms, stored_ms)"
	    " VALUES ('tokyo', 2, 1, 1, zeroblob(32), x'00', 10, 11); ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(lia_store_notify_take(nt, rows, 8, NULL), 0);
	assert_int_equal(lia_store_entry_brief(f->s, 999, &b, f->err), LIA_ENOTFOUND);
	lia_store_notify_destroy(nt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
