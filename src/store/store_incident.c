/*
 * store_incident.c - the incident tables (schema version 5): recording each
 * incident entry as a step, and the incident views for the API.
 *
 * Assumes incident.c has already checked every entry it records here (the
 * incident exists, the proposal is the other side's, ...): this file keeps
 * no rule of its own but the schema's. Its statements are prepared at first
 * use rather than at open, so that programs and tests that link the store
 * without incidents need not link this file. The views are built only from
 * signed entries and what is derived from them, never from arrival times or
 * directions, so that both sides of an incident render it identically.
 */
#include "store_incident.h"
#include "store_internal.h"
#include "clock.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Incident columns, in the order incident_row reads them. */
#define INC_COLS "i.origin, i.seq, i.title, i.state, i.party_a, i.party_b, i.opened_ms," \
	" (SELECT max(time_ms) FROM incident_steps WHERE inc_origin = i.origin AND" \
	" inc_seq = i.seq), (SELECT count(*) FROM incident_steps WHERE inc_origin = i.origin" \
	" AND inc_seq = i.seq)"
#define CONFIRMED(t) "EXISTS (SELECT 1 FROM incident_steps AS c WHERE c.subj_origin = " t \
	".origin AND c.subj_seq = " t ".seq AND c.action = 3)"

static const char *const sql[SI_COUNT] = {
	[SI_GET] = "SELECT party_a, party_b, state FROM incidents WHERE origin = ?1 AND seq = ?2",
	[SI_STEP] = "SELECT s.inc_origin, s.inc_seq, s.action, s.party, s.state, " CONFIRMED("s")
		" FROM incident_steps AS s WHERE s.origin = ?1 AND s.seq = ?2",
	[SI_ATTACHED] = "SELECT 1 FROM incident_steps WHERE subj_origin = ?3 AND subj_seq = ?4"
		" AND inc_origin = ?1 AND inc_seq = ?2 AND action = 1",
	[SI_ADD_INCIDENT] = "INSERT INTO incidents (origin, seq, title, party_a, party_b, state,"
		" opened_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)",
	[SI_ADD_STEP] = "INSERT INTO incident_steps (origin, seq, inc_origin, inc_seq, action,"
		" party, time_ms, state, text, subj_origin, subj_seq)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* max: a confirmation that crossed a later one leaves the state where it is. */
	[SI_SET_STATE] = "UPDATE incidents SET state = max(state, (SELECT state FROM incident_steps"
		" WHERE origin = ?3 AND seq = ?4)), updated_ms = ?5 WHERE origin = ?1 AND seq = ?2",
	[SI_LIST] = "SELECT " INC_COLS " FROM incidents AS i"
		" ORDER BY i.opened_ms DESC, i.origin, i.seq LIMIT ?1",
	[SI_ONE] = "SELECT " INC_COLS " FROM incidents AS i WHERE i.origin = ?1 AND i.seq = ?2",
	[SI_STEPS] = "SELECT s.origin, s.seq, s.party, e.cose, " CONFIRMED("s") ","
		" (SELECT state FROM incidents WHERE origin = ?1 AND seq = ?2)"
		" FROM incident_steps AS s JOIN entries AS e ON e.origin = s.origin AND e.seq = s.seq"
		" WHERE s.inc_origin = ?1 AND s.inc_seq = ?2 ORDER BY s.time_ms, s.origin, s.seq",
};

/* The statement i, prepared on first use; NULL with err when it cannot be. */
static sqlite3_stmt *stmt(struct lia_store *s, enum store_incident_stmt i, char *err)
{
	int rc;

	if (s->inc[i] != NULL)
		return s->inc[i];
	rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->inc[i], NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc, err, "prepare incident query %d", (int)i);
		s->inc[i] = NULL;
	}
	return s->inc[i];
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t != NULL ? t : "");
}

int lia_store_incident_get(struct lia_store *s, const char *origin, uint64_t seq,
    struct lia_incident_row *row, char *err)
{
	sqlite3_stmt *st = stmt(s, SI_GET, err);
	int rc;

	if (st == NULL)
		return LIA_ERROR;
	rc = store_step(s, st, store_bind(st, 1, "su", origin, seq), err, "read incident %s/%"
	    PRIu64, origin, seq);
	if (rc == 1) {
		memset(row, 0, sizeof(*row));
		snprintf(row->origin, sizeof(row->origin), "%s", origin);
		row->seq = seq;
		copy_text(row->party_a, sizeof(row->party_a), st, 0);
		copy_text(row->party_b, sizeof(row->party_b), st, 1);
		row->state = (enum lia_incident_state)sqlite3_column_int(st, 2);
	} else if (rc == 0) {
		lia_err_set(err, "no incident %s/%" PRIu64, origin, seq);
		rc = LIA_ENOTFOUND;
	}
	store_finish(st);
	return rc < 0 ? rc : 0;
}

int lia_store_incident_step(struct lia_store *s, const char *origin, uint64_t seq,
    struct lia_incident_step *step, char *err)
{
	sqlite3_stmt *st = stmt(s, SI_STEP, err);
	int rc;

	if (st == NULL)
		return LIA_ERROR;
	rc = store_step(s, st, store_bind(st, 1, "su", origin, seq), err, "read incident step %s/%"
	    PRIu64, origin, seq);
	if (rc == 1) {
		memset(step, 0, sizeof(*step));
		copy_text(step->inc_origin, sizeof(step->inc_origin), st, 0);
		step->inc_seq = (uint64_t)sqlite3_column_int64(st, 1);
		step->action = (enum lia_incident_action)sqlite3_column_int(st, 2);
		copy_text(step->party, sizeof(step->party), st, 3);
		step->state = (enum lia_incident_state)sqlite3_column_int(st, 4);
		step->confirmed = sqlite3_column_int(st, 5);
	} else if (rc == 0) {
		lia_err_set(err, "%s/%" PRIu64 " is not an incident entry", origin, seq);
		rc = LIA_ENOTFOUND;
	}
	store_finish(st);
	return rc < 0 ? rc : 0;
}

int lia_store_incident_attached(struct lia_store *s, const char *inc_origin, uint64_t inc_seq,
    const char *subj_origin, uint64_t subj_seq, char *err)
{
	sqlite3_stmt *st = stmt(s, SI_ATTACHED, err);
	int rc;

	if (st == NULL)
		return LIA_ERROR;
	rc = store_step(s, st, store_bind(st, 1, "susu", inc_origin, inc_seq, subj_origin,
	    subj_seq), err, "look up attachments of incident %s/%" PRIu64, inc_origin, inc_seq);
	store_finish(st);
	return rc;
}

static int add_step(struct lia_store *s, const struct lia_entry *e, const char *party,
    char *err)
{
	sqlite3_stmt *st = stmt(s, SI_ADD_STEP, err);
	int open = e->action == LIA_INCIDENT_OPEN;
	int has_text = e->inc_text[0] != '\0', has_subj = e->subj_origin[0] != '\0';
	int rc;

	if (st == NULL)
		return LIA_ERROR;
	rc = store_bind(st, 1, "susu", e->origin, e->seq, open ? e->origin : e->inc_origin,
	    open ? e->seq : e->inc_seq);
	if (rc == SQLITE_OK)
		rc = store_bind(st, 5, "isi", (int64_t)e->action, party, e->time_ms);
	if (rc == SQLITE_OK && e->action == LIA_INCIDENT_PROPOSE)
		rc = sqlite3_bind_int(st, 8, (int)e->state);
	if (rc == SQLITE_OK)
		rc = store_bind(st, 9, "s", has_text ? e->inc_text : NULL);
	if (rc == SQLITE_OK && has_subj)
		rc = store_bind(st, 10, "su", e->subj_origin, e->subj_seq);
	rc = store_step(s, st, rc, err, "record incident step %s/%" PRIu64, e->origin, e->seq);
	store_finish(st);
	return rc < 0 ? rc : 0;
}

int lia_store_incident_add(struct lia_store *s, const struct lia_entry *e, const char *party,
    const char *other, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (e->action == LIA_INCIDENT_OPEN) {
		if ((st = stmt(s, SI_ADD_INCIDENT, err)) == NULL)
			return LIA_ERROR;
		rc = store_step(s, st, store_bind(st, 1, "susssi", e->origin, e->seq, e->inc_text,
		    party, other, e->time_ms), err, "record incident %s/%" PRIu64, e->origin, e->seq);
		store_finish(st);
	}
	if (rc >= 0)
		rc = add_step(s, e, party, err);
	if (rc >= 0 && e->action == LIA_INCIDENT_CONFIRM) {
		if ((st = stmt(s, SI_SET_STATE, err)) == NULL)
			return LIA_ERROR;
		rc = store_step(s, st, store_bind(st, 1, "susui", e->inc_origin, e->inc_seq,
		    e->subj_origin, e->subj_seq, e->time_ms), err, "change the state of incident %s/%"
		    PRIu64, e->inc_origin, e->inc_seq);
		store_finish(st);
	}
	return rc < 0 ? rc : 0;
}

/* ---- views ---- */

static json_t *id_json(const char *origin, uint64_t seq)
{
	char id[96];

	snprintf(id, sizeof(id), "%s/%" PRIu64, origin, seq);
	return json_string(id);
}

static json_t *time_json(int64_t ms)
{
	char t[LIA_TIME_LEN];

	lia_time_format(ms, t);
	return json_string(t);
}

static json_t *incident_row(sqlite3_stmt *st)
{
	const char *origin = (const char *)sqlite3_column_text(st, 0);

	if (origin == NULL)
		return NULL;
	return json_pack("{s:o, s:s?, s:s, s:[s?, s?], s:o, s:s, s:o, s:I}",
	    "id", id_json(origin, (uint64_t)sqlite3_column_int64(st, 1)),
	    "title", (const char *)sqlite3_column_text(st, 2),
	    "state", lia_incident_state_name((enum lia_incident_state)sqlite3_column_int(st, 3)),
	    "parties", (const char *)sqlite3_column_text(st, 4),
	    (const char *)sqlite3_column_text(st, 5),
	    "opened", time_json(sqlite3_column_int64(st, 6)), "opened_by", origin,
	    "updated", time_json(sqlite3_column_int64(st, 7)),
	    "steps", (json_int_t)sqlite3_column_int64(st, 8));
}

int lia_store_incidents_json(struct lia_store *s, int limit, json_t **out, char *err)
{
	sqlite3_stmt *st = stmt(s, SI_LIST, err);
	json_t *list = json_array();
	int rc = st == NULL || list == NULL ? LIA_ERROR : 0;

	if (rc == 0)
		rc = store_bind(st, 1, "i", (int64_t)limit) == SQLITE_OK ? 0 : LIA_ERROR;
	while (rc == 0 && (rc = store_step(s, st, SQLITE_OK, err, "list incidents")) == 1)
		rc = json_array_append_new(list, incident_row(st)) == 0 ? 0 : LIA_ERROR;
	if (st != NULL)
		store_finish(st);
	if (rc < 0)
		json_decref(list);
	else
		*out = list;
	return rc < 0 ? rc : 0;
}


/*
 * A signal's code; one that came in the narrow form as a catalogue number is
 * "#N" here, as the store knows no catalogue (the API resolves it: lia_node_signal_code).
 */
static json_t *signal_code_json(const struct lia_entry_signal *sg)
{
	char numbered[16];

	if (sg->code[0] != '\0' || sg->number == 0)
		return json_string(sg->code);
	snprintf(numbered, sizeof(numbered), "#%u", sg->number);
	return json_string(numbered);
}

/* A message or signal the incident names, as both sides hold it; null when not stored here. */
static json_t *entry_summary(struct lia_store *s, const char *origin, uint64_t seq)
{
	char err[LIA_ERR_LEN], when[LIA_TIME_LEN];
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_entry e;
	json_t *o = NULL, *sigs;

	if (lia_store_get_entry(s, origin, seq, &cose, &len, NULL, NULL, err) < 0 ||
	    lia_entry_open(cose, len, &e, err) < 0) {
		free(cose);
		return json_null();
	}
	lia_time_format(e.time_ms, when);
	o = json_pack("{s:o, s:s, s:s, s:s, s:s}", "id", id_json(origin, seq),
	    "type", lia_entry_type_name(e.type), "from", e.origin, "to", e.to, "time", when);
	if (o != NULL && e.type == LIA_ENTRY_MESSAGE)
		json_object_set_new(o, "text", json_string(e.text));
	if (o != NULL && e.type == LIA_ENTRY_SIGNAL) {
		sigs = json_array();
		for (size_t i = 0; i < e.nsignals; i++)
			json_array_append_new(sigs, signal_code_json(&e.signals[i]));
		json_object_set_new(o, "signals", sigs);
		json_object_set_new(o, "broadcast", json_boolean(e.to[0] == '\0'));
		json_object_set_new(o, "lat", json_integer(e.lat));
		json_object_set_new(o, "lon", json_integer(e.lon));
	}
	lia_entry_finish(&e);
	free(cose);
	return o;
}

/* One timeline step from its stored entry; sets *pending for an unconfirmed proposal still forward of the state. */
static json_t *step_json(struct lia_store *s, sqlite3_stmt *st, int *pending)
{
	const void *cose = sqlite3_column_blob(st, 3);
	char err[LIA_ERR_LEN], when[LIA_TIME_LEN];
	struct lia_entry e;
	json_t *o;

	*pending = 0;
	if (cose == NULL || lia_entry_open(cose, (size_t)sqlite3_column_bytes(st, 3), &e, err) < 0)
		return json_pack("{s:s}", "error", "a stored incident entry does not open");
	lia_time_format(e.time_ms, when);
	o = json_pack("{s:o, s:s, s:s, s:s?, s:s}", "id", id_json(e.origin, e.seq),
	    "action", lia_incident_action_name(e.action), "by", e.origin,
	    "party", (const char *)sqlite3_column_text(st, 2), "time", when);
	if (o != NULL && e.operator_name[0] != '\0')  /* signed into the entry: both sides show it */
		json_object_set_new(o, "operator", json_string(e.operator_name));
	if (o != NULL && e.inc_text[0] != '\0')
		json_object_set_new(o, e.action == LIA_INCIDENT_OPEN ? "title" :
		    e.action == LIA_INCIDENT_PROPOSE ? "reason" : "text", json_string(e.inc_text));
	if (o != NULL && e.action == LIA_INCIDENT_PROPOSE) {
		json_object_set_new(o, "state", json_string(lia_incident_state_name(e.state)));
		json_object_set_new(o, "confirmed", json_boolean(sqlite3_column_int(st, 4)));
		*pending = !sqlite3_column_int(st, 4) && (int)e.state > sqlite3_column_int(st, 5);
	}
	if (o != NULL && e.has_position) {
		json_object_set_new(o, "lat", json_integer(e.lat));
		json_object_set_new(o, "lon", json_integer(e.lon));
	}
	if (o != NULL && e.subj_origin[0] != '\0') {
		json_object_set_new(o, "subject", id_json(e.subj_origin, e.subj_seq));
		if (e.action != LIA_INCIDENT_CONFIRM)
			json_object_set_new(o, "entry", entry_summary(s, e.subj_origin, e.subj_seq));
	}
	lia_entry_finish(&e);
	return o;
}

/* The incident's steps as "timeline" and its unconfirmed proposals as "pending", into o. */
static int add_timeline(struct lia_store *s, const char *origin, uint64_t seq, json_t *o,
    char *err)
{
	sqlite3_stmt *st = stmt(s, SI_STEPS, err);
	json_t *timeline = json_array(), *pending = json_array(), *step;
	int rc = st == NULL ? LIA_ERROR : store_bind(st, 1, "su", origin, seq) == SQLITE_OK ? 0 :
	    LIA_ERROR, open = 0;

	while (rc == 0 && (rc = store_step(s, st, SQLITE_OK, err, "read the timeline of incident "
	    "%s/%" PRIu64, origin, seq)) == 1) {
		step = step_json(s, st, &open);
		if (open)
			json_array_append(pending, step);
		rc = json_array_append_new(timeline, step) == 0 ? 0 : LIA_ERROR;
	}
	if (st != NULL)
		store_finish(st);
	json_object_set_new(o, "pending", pending);
	json_object_set_new(o, "timeline", timeline);
	return rc;
}

int lia_store_incident_json(struct lia_store *s, const char *origin, uint64_t seq,
    json_t **out, char *err)
{
	sqlite3_stmt *st = stmt(s, SI_ONE, err);
	json_t *o = NULL;
	int rc = st == NULL ? LIA_ERROR : 0;

	if (rc == 0)
		rc = store_step(s, st, store_bind(st, 1, "su", origin, seq), err,
		    "read incident %s/%" PRIu64, origin, seq);
	if (rc == 1)
		o = incident_row(st);
	else if (rc == 0) {
		lia_err_set(err, "no incident %s/%" PRIu64, origin, seq);
		rc = LIA_ENOTFOUND;
	}
	if (st != NULL)
		store_finish(st);
	if (rc == 1 && o == NULL) {
		lia_err_set(err, "%s: cannot render incident %s/%" PRIu64 ": out of memory", s->path,
		    origin, seq);
		rc = LIA_ERROR;
	}
	if (rc == 1)
		rc = add_timeline(s, origin, seq, o, err);
	if (rc < 0)
		json_decref(o);
	else
		*out = o;
	return rc < 0 ? rc : 0;
}
