/*
 * rogue_incident.c - the rogue's incident attack (tests/integ/36-incident-bad.sh):
 * validly signed incident entries, two of them against the incident rules.
 * The rogue opens an incident with the peer and proposes "contained" (both
 * allowed), then confirms its own proposal (its own side may not) and
 * attaches an entry the peer never received; the peer must refuse those two
 * in error frames and keep the link.
 */
#include "rogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* Completes e as our next incident entry to the peer, signs it, sends it; its hash into hash. */
static int send_incident(struct rogue *r, struct lia_entry *e, uint8_t hash[32])
{
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	e->type = LIA_ENTRY_INCIDENT;
	snprintf(e->origin, sizeof(e->origin), "%s", r->self);
	snprintf(e->to, sizeof(e->to), "%s", rogue_recipient(r));
	e->seq = r->prev + 1;
	e->time_ms = lia_now_ms();
	if (rogue_sign(e, r->key, &cose, &len) < 0)
		return -1;
	lia_entry_hash(cose, len, hash);
	rc = rogue_send_next(r, e, cose, len);
	free(cose);
	return rc;
}

/* Names the incident opened by entry open in e. */
static void set_incident(struct lia_entry *e, const struct lia_entry *open)
{
	snprintf(e->inc_origin, sizeof(e->inc_origin), "%s", open->origin);
	e->inc_seq = open->seq;
}

int rogue_attack_incident(struct rogue *r)
{
	struct lia_entry open, propose, confirm, attach;
	uint8_t hash[32], propose_hash[32];

	memset(&open, 0, sizeof(open));
	open.action = LIA_INCIDENT_OPEN;
	snprintf(open.inc_text, sizeof(open.inc_text), "rogue incident");
	if (send_incident(r, &open, hash) < 0)
		return -1;
	memset(&propose, 0, sizeof(propose));
	propose.action = LIA_INCIDENT_PROPOSE;
	set_incident(&propose, &open);
	propose.state = LIA_STATE_CONTAINED;
	snprintf(propose.inc_text, sizeof(propose.inc_text), "rogue says contained");
	if (send_incident(r, &propose, propose_hash) < 0)
		return -1;
	memset(&confirm, 0, sizeof(confirm));
	confirm.action = LIA_INCIDENT_CONFIRM;
	set_incident(&confirm, &open);
	snprintf(confirm.subj_origin, sizeof(confirm.subj_origin), "%s", propose.origin);
	confirm.subj_seq = propose.seq;
	memcpy(confirm.subj_hash, propose_hash, 32);
	if (send_incident(r, &confirm, hash) < 0)
		return -1;
	memset(&attach, 0, sizeof(attach));
	attach.action = LIA_INCIDENT_ATTACH;
	set_incident(&attach, &open);
	snprintf(attach.subj_origin, sizeof(attach.subj_origin), "%s", r->self);
	attach.subj_seq = confirm.seq + 1000;
	memset(attach.subj_hash, 0x5a, 32);
	return send_incident(r, &attach, hash);
}
