/*
 * store_operator.h - the store's console tables (schema version 7): the
 * station's operators (name, role, console language, Argon2id password hash
 * as libsodium's crypto_pwhash_str string, disabled flag) and the audit of
 * what operators did through the console, from which address.
 *
 * Part of the store module (store_operator.c speaks SQL). The store never sees
 * a password: the API hashes it (console_password.c) and stores the string.
 * Names, roles and languages are checked here too, so a bad row cannot be
 * written whatever the caller checked.
 */
#ifndef LIA_STORE_OPERATOR_H
#define LIA_STORE_OPERATOR_H

#include <stdint.h>
#include <jansson.h>

#include "store.h"

#define LIA_OPERATOR_NAME_MAX 64    /* bytes of an operator's name */
#define LIA_OPERATOR_HASH_MAX 127   /* bytes of a crypto_pwhash_str string (crypto_pwhash_STRBYTES - 1) */
#define LIA_AUDIT_TEXT_MAX 200      /* bytes of an audit row's action or detail */

enum lia_operator_role { LIA_ROLE_OPERATOR, LIA_ROLE_SUPERVISOR, LIA_ROLE_AUDITOR };

/* One operator as stored. */
struct lia_operator {
	char name[LIA_OPERATOR_NAME_MAX + 1];
	enum lia_operator_role role;
	char lang[3];                   /* "en", "zh", "ja" or "ko" */
	char hash[LIA_OPERATOR_HASH_MAX + 1];
	int disabled;
	int64_t created_ms;
};

/* "operator", "supervisor", "auditor". */
const char *lia_store_operator_role_name(enum lia_operator_role role);

/* The role named name into *role; -1 with err when it names none. */
int lia_store_operator_role_parse(const char *name, enum lia_operator_role *role, char *err);

/* 0 when name is 1..LIA_OPERATOR_NAME_MAX bytes of UTF-8 without control characters; -1 with err. */
int lia_store_operator_name_check(const char *name, char *err);

/* 0 when lang is one of the console's languages (en zh ja ko); -1 with err. */
int lia_store_operator_lang_check(const char *lang, char *err);

/* Adds operator op (created_ms set by the caller); LIA_EDUP when the name exists, -1 with err on a bad field. */
int lia_store_operator_add(struct lia_store *s, const struct lia_operator *op, char *err);

/* Operator name into *op; LIA_ENOTFOUND when there is none. */
int lia_store_operator_get(struct lia_store *s, const char *name, struct lia_operator *op,
    char *err);

/* Replaces name's password hash; LIA_ENOTFOUND. */
int lia_store_operator_set_hash(struct lia_store *s, const char *name, const char *hash,
    char *err);

/* Sets name's disabled flag (1 disables); LIA_ENOTFOUND. */
int lia_store_operator_set_disabled(struct lia_store *s, const char *name, int disabled,
    char *err);

/* Sets name's console language; LIA_ENOTFOUND, -1 on a bad language. */
int lia_store_operator_set_lang(struct lia_store *s, const char *name, const char *lang,
    char *err);

/* Every operator, without hashes, as [{"name","role","lang","disabled","created_ms"}] into *out (caller decrefs). */
int lia_store_operator_list(struct lia_store *s, json_t **out, char *err);

/* Appends an audit row: who (operator or "-"), from where, what, how it ended, a detail; fields are cut to their bounds. */
int lia_store_audit_add(struct lia_store *s, int64_t time_ms, const char *operator_name,
    const char *address, const char *action, const char *outcome, const char *detail,
    char *err);

/* The newest limit (1..1000) audit rows, newest first, as [{"n","time_ms","operator","address","action","outcome","detail"}]. */
int lia_store_audit_list(struct lia_store *s, int limit, json_t **out, char *err);

#endif
