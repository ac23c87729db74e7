/*
 * incident.h - incidents: an encounter or crisis as a record both sides
 * share, built from incident entries (entry type 5, see entry.h and
 * docs/incidents.md).
 *
 * An incident is named by its opening entry (origin/seq) and lies between
 * two parties: the opener's and the party its `to` names. Every later entry
 * (attach, propose, confirm, note) comes from a station of one of the two.
 * A change of state (open -> contained -> closed, or open -> closed) is
 * proposed by one side and takes effect when the other side confirms that
 * proposal, naming it and its hash. This module decides whether an entry may
 * be stored, for entries made here and entries from peers alike.
 */
#ifndef LIA_INCIDENT_H
#define LIA_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "charter.h"
#include "entry.h"
#include "store.h"
#include "store_incident.h"

/* What the store holds that an incident entry refers to, gathered by lia_incident_accept. */
struct lia_incident_view {
	int have_incident;                  /* inc: the incident named (not for open) */
	struct lia_incident_row inc;
	int have_subject;                   /* subject entry stored here */
	enum lia_entry_type subject_type;
	uint8_t subject_hash[32];
	int have_step;                      /* confirm: the subject as an incident step */
	struct lia_incident_step step;
	int attached;                       /* attach: subject already attached */
	int received;                       /* the entry comes from a peer (see lia_incident_decide) */
	int own_side;                       /* received from a station of this node's own party */
};

/*
 * The rules, on what the store holds (no I/O): 0 when incident entry e,
 * made by a station of party `party` with `to` resolving to party `to_party`,
 * may be stored; LIA_REFUSED (1, err.h) with a sentence in err naming the entry and the rule.
 * A received entry may have crossed on the link with one that moved the
 * state on: a proposal or confirmation that is no longer forward of the
 * state (and a confirmation of a now closed incident) is then stored
 * without effect rather than refused, so both sides keep the same entries;
 * an own entry must move the state forward. A station of one's own party
 * may attach an entry this node does not hold (it was between that station
 * and the other side); the other side's stations must hold what is attached.
 */
int lia_incident_decide(const struct lia_incident_view *v, const struct lia_entry *e,
    const char *party, const char *to_party, char *err);

/*
 * Inside the caller's transaction (self_party: this node's party): checks that e's origin is a station,
 * gathers the view of e from the store, decides, and when allowed stores e (COSE bytes as given, direction dir)
 * and records it in the incident tables. 0 stored, LIA_REFUSED refused (err says why,
 * nothing written), negative on a store failure (the caller rolls back).
 */
int lia_incident_accept(struct lia_store *s, const struct lia_charter *c, const char *self_party,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, enum lia_dir dir,
    char *err);

/* The party of name (a node's party, or name itself when it is a party) into party; -1 with err when unknown. */
int lia_incident_party_of(const struct lia_charter *c, const char *name,
    char party[LIA_NAME_MAX + 1], char *err);

#endif
