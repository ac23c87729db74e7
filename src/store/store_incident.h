/*
 * store_incident.h - the store's incident tables (schema version 5): each
 * incident, and each incident entry as a step of its timeline, derived from
 * incident entries as they are stored, in the same transaction (incident.c
 * calls lia_store_incident_add right after lia_store_add_entry).
 *
 * Part of the store module (store_incident.c speaks SQL); incident.c decides
 * what may be stored, this file only records and reads it.
 */
#ifndef LIA_STORE_INCIDENT_H
#define LIA_STORE_INCIDENT_H

#include <stdint.h>
#include <jansson.h>

#include "entry.h"
#include "store.h"

/* An incident as stored: named by its opening entry (origin, seq). */
struct lia_incident_row {
	char origin[LIA_NAME_MAX + 1];
	uint64_t seq;
	char party_a[LIA_NAME_MAX + 1];     /* the opener's party */
	char party_b[LIA_NAME_MAX + 1];     /* the other side */
	enum lia_incident_state state;
};

/* One step (incident entry) as stored. */
struct lia_incident_step {
	char inc_origin[LIA_NAME_MAX + 1];
	uint64_t inc_seq;
	enum lia_incident_action action;
	char party[LIA_NAME_MAX + 1];       /* the party of the step's origin */
	enum lia_incident_state state;      /* proposed state (propose) */
	int confirmed;                      /* propose: 1 once the other side confirmed it */
};

/* The incident opened by entry (origin, seq) into *row; LIA_ENOTFOUND. */
int lia_store_incident_get(struct lia_store *s, const char *origin, uint64_t seq,
    struct lia_incident_row *row, char *err);

/* The step made by entry (origin, seq) into *step; LIA_ENOTFOUND when it is no incident entry. */
int lia_store_incident_step(struct lia_store *s, const char *origin, uint64_t seq,
    struct lia_incident_step *step, char *err);

/* 1 when entry (subj_origin, subj_seq) is already attached to the incident, 0 when not, negative on error. */
int lia_store_incident_attached(struct lia_store *s, const char *inc_origin, uint64_t inc_seq,
    const char *subj_origin, uint64_t subj_seq, char *err);

/*
 * Inside the caller's transaction, after e was stored: records incident
 * entry e made by a station of `party`; an open creates the incident between
 * party and `other`, a confirm moves the incident to its proposal's state.
 */
int lia_store_incident_add(struct lia_store *s, const struct lia_entry *e, const char *party,
    const char *other, char *err);

/*
 * Views, identical on every node that holds the same entries (caller
 * json_decref). List: the newest `limit` incidents, newest first:
 * [{"id","title","state","parties":[a,b],"opened","opened_by","updated","steps"}].
 * One: the same object with "pending" (unconfirmed proposals) and "timeline"
 * (every step in time order; see docs/incidents.md); LIA_ENOTFOUND.
 */
int lia_store_incidents_json(struct lia_store *s, int limit, json_t **out, char *err);
int lia_store_incident_json(struct lia_store *s, const char *origin, uint64_t seq,
    json_t **out, char *err);

#endif
