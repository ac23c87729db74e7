/*
 * incident.c - the rules of incidents (see incident.h): which incident
 * entries may be stored, whether made here or received from a peer.
 *
 * lia_incident_decide is pure (it reads only the view), so every refusal is
 * testable without a store; lia_incident_accept gathers the view from the
 * store and the charter. Entries given here have passed lia_entry_validate
 * (form and ranges); what is checked here is what they mean.
 */
#include "incident.h"
#include "clock.h"
#include "err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int lia_incident_party_of(const struct lia_charter *c, const char *name,
    char party[LIA_NAME_MAX + 1], char *err)
{
	const struct lia_node_def *node = lia_charter_node(c, name);

	if (node != NULL)
		snprintf(party, LIA_NAME_MAX + 1, "%s", node->party);
	else if (lia_charter_party(c, name) != NULL)
		snprintf(party, LIA_NAME_MAX + 1, "%s", name);
	else
		return lia_err_set(err, "\"%s\" is neither a node nor a party of the charter", name),
		    -1;
	return 0;
}

/* "incident <action> origin/seq: " before the sentence; always returns LIA_REFUSED (err.h). */
__attribute__((format(printf, 3, 4)))
static int refuse(const struct lia_entry *e, char *err, const char *fmt, ...)
{
	char msg[LIA_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lia_err_set(err, "incident %s %s/%" PRIu64 ": %s", lia_incident_action_name(e->action),
	    e->origin, e->seq, msg);
	return LIA_REFUSED;
}

static int decide_open(const struct lia_incident_view *v, const struct lia_entry *e,
    const char *party, const char *to_party, char *err)
{
	if (strcmp(party, to_party) == 0)
		return refuse(e, err, "addressed to %s, its own party: an incident lies between two "
		    "parties", e->to);
	if (e->subj_origin[0] == '\0')
		return 0;
	if (!v->have_subject)
		return refuse(e, err, "opened from signal %s/%" PRIu64 ", which is not stored here",
		    e->subj_origin, e->subj_seq);
	if (v->subject_type != LIA_ENTRY_SIGNAL)
		return refuse(e, err, "opened from %s/%" PRIu64 ", which is a %s, not a signal",
		    e->subj_origin, e->subj_seq, lia_entry_type_name(v->subject_type));
	if (CRYPTO_memcmp(v->subject_hash, e->subj_hash, 32) != 0)
		return refuse(e, err, "names a hash of signal %s/%" PRIu64 " that does not match ours",
		    e->subj_origin, e->subj_seq);
	return 0;
}

static int decide_attach(const struct lia_incident_view *v, const struct lia_entry *e,
    char *err)
{
	if (!v->have_subject && v->own_side)
		return 0; /* shown as an entry not held here; the other side checked it */
	if (!v->have_subject)
		return refuse(e, err, "attaches %s/%" PRIu64 ", which is not stored here",
		    e->subj_origin, e->subj_seq);
	if (v->subject_type != LIA_ENTRY_MESSAGE && v->subject_type != LIA_ENTRY_SIGNAL)
		return refuse(e, err, "attaches %s/%" PRIu64 ", a %s: only messages and signals are "
		    "attached", e->subj_origin, e->subj_seq, lia_entry_type_name(v->subject_type));
	if (CRYPTO_memcmp(v->subject_hash, e->subj_hash, 32) != 0)
		return refuse(e, err, "names a hash of %s/%" PRIu64 " that does not match ours",
		    e->subj_origin, e->subj_seq);
	if (v->attached)
		return refuse(e, err, "%s/%" PRIu64 " is already attached to incident %s/%" PRIu64,
		    e->subj_origin, e->subj_seq, e->inc_origin, e->inc_seq);
	return 0;
}

static int decide_propose(const struct lia_incident_view *v, const struct lia_entry *e,
    char *err)
{
	if (e->state <= v->inc.state && !v->received)
		return refuse(e, err, "proposes %s but incident %s/%" PRIu64 " is already %s "
		    "(a state only moves forward)", lia_incident_state_name(e->state), e->inc_origin,
		    e->inc_seq, lia_incident_state_name(v->inc.state));
	return 0;
}

static int decide_confirm(const struct lia_incident_view *v, const struct lia_entry *e,
    const char *party, char *err)
{
	const struct lia_incident_step *p = &v->step;

	if (!v->have_step || p->action != LIA_INCIDENT_PROPOSE)
		return refuse(e, err, "confirms %s/%" PRIu64 ", which is not a proposal stored here",
		    e->subj_origin, e->subj_seq);
	if (strcmp(p->inc_origin, e->inc_origin) != 0 || p->inc_seq != e->inc_seq)
		return refuse(e, err, "confirms %s/%" PRIu64 ", a proposal of another incident",
		    e->subj_origin, e->subj_seq);
	if (strcmp(p->party, party) == 0)
		return refuse(e, err, "confirms %s/%" PRIu64 ", a proposal of its own side (%s): the "
		    "other side must confirm", e->subj_origin, e->subj_seq, party);
	if (!v->have_subject || CRYPTO_memcmp(v->subject_hash, e->subj_hash, 32) != 0)
		return refuse(e, err, "names a hash of proposal %s/%" PRIu64 " that does not match "
		    "ours", e->subj_origin, e->subj_seq);
	if (p->confirmed)
		return refuse(e, err, "proposal %s/%" PRIu64 " is already confirmed", e->subj_origin,
		    e->subj_seq);
	if (p->state <= v->inc.state && !v->received)
		return refuse(e, err, "proposal %s/%" PRIu64 " (%s) is no longer pending: the "
		    "incident is %s", e->subj_origin, e->subj_seq, lia_incident_state_name(p->state),
		    lia_incident_state_name(v->inc.state));
	return 0;
}

int lia_incident_decide(const struct lia_incident_view *v, const struct lia_entry *e,
    const char *party, const char *to_party, char *err)
{
	const struct lia_incident_row *inc = &v->inc;
	const char *other;

	if (e->type != LIA_ENTRY_INCIDENT)
		return refuse(e, err, "is a %s, not an incident entry", lia_entry_type_name(e->type));
	if (e->action == LIA_INCIDENT_OPEN)
		return decide_open(v, e, party, to_party, err);
	if (!v->have_incident)
		return refuse(e, err, "no incident %s/%" PRIu64 " is stored here", e->inc_origin,
		    e->inc_seq);
	if (strcmp(party, inc->party_a) != 0 && strcmp(party, inc->party_b) != 0)
		return refuse(e, err, "%s is of party %s, not a side of incident %s/%" PRIu64
		    " (%s, %s)", e->origin, party, e->inc_origin, e->inc_seq, inc->party_a,
		    inc->party_b);
	other = strcmp(party, inc->party_a) == 0 ? inc->party_b : inc->party_a;
	if (strcmp(to_party, other) != 0)
		return refuse(e, err, "addressed to %s, not to the other side (%s)", e->to, other);
	if (inc->state == LIA_STATE_CLOSED && !(v->received && e->action == LIA_INCIDENT_CONFIRM))
		return refuse(e, err, "incident %s/%" PRIu64 " is closed", e->inc_origin, e->inc_seq);
	switch (e->action) {
	case LIA_INCIDENT_ATTACH: return decide_attach(v, e, err);
	case LIA_INCIDENT_PROPOSE: return decide_propose(v, e, err);
	case LIA_INCIDENT_CONFIRM: return decide_confirm(v, e, party, err);
	case LIA_INCIDENT_NOTE: return 0;
	case LIA_INCIDENT_OPEN: break;
	}
	return refuse(e, err, "unknown action");
}

/* The subject's type and hash into v; 0 also when it is not stored (have_subject stays 0). */
static int gather_subject(struct lia_store *s, const struct lia_entry *e,
    struct lia_incident_view *v, char *err)
{
	uint8_t *cose = NULL;
	size_t len = 0;
	struct lia_entry subj;
	int rc;

	rc = lia_store_get_entry(s, e->subj_origin, e->subj_seq, &cose, &len, NULL,
	    v->subject_hash, err);
	if (rc == LIA_ENOTFOUND)
		return 0;
	if (rc == 0 && lia_entry_open(cose, len, &subj, err) == 0) {
		v->have_subject = 1;
		v->subject_type = subj.type;
		lia_entry_finish(&subj);
	}
	free(cose);
	return rc;
}

/* Everything decide needs from the store; 0, or negative on a store failure. */
static int gather(struct lia_store *s, const struct lia_entry *e, struct lia_incident_view *v,
    char *err)
{
	int rc = 0;

	memset(v, 0, sizeof(*v));
	if (e->action != LIA_INCIDENT_OPEN) {
		rc = lia_store_incident_get(s, e->inc_origin, e->inc_seq, &v->inc, err);
		v->have_incident = rc == 0;
		rc = rc == LIA_ENOTFOUND ? 0 : rc;
	}
	if (rc == 0 && e->subj_origin[0] != '\0')
		rc = gather_subject(s, e, v, err);
	if (rc == 0 && e->action == LIA_INCIDENT_CONFIRM) {
		rc = lia_store_incident_step(s, e->subj_origin, e->subj_seq, &v->step, err);
		v->have_step = rc == 0;
		rc = rc == LIA_ENOTFOUND ? 0 : rc;
	}
	if (rc == 0 && e->action == LIA_INCIDENT_ATTACH) {
		rc = lia_store_incident_attached(s, e->inc_origin, e->inc_seq, e->subj_origin,
		    e->subj_seq, err);
		v->attached = rc == 1;
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

int lia_incident_accept(struct lia_store *s, const struct lia_charter *c, const char *self_party,
    const struct lia_entry *e, const uint8_t *cose, size_t cose_len, enum lia_dir dir,
    char *err)
{
	const struct lia_node_def *maker = lia_charter_node(c, e->origin);
	char party[LIA_NAME_MAX + 1], to_party[LIA_NAME_MAX + 1], why[LIA_ERR_LEN];
	struct lia_incident_view v;
	const char *other;
	int rc;

	if (maker == NULL || maker->role != LIA_ROLE_STATION)
		return refuse(e, err, "%s is not a station of the charter: only stations keep "
		    "incidents", e->origin);
	if (lia_incident_party_of(c, e->origin, party, why) < 0 ||
	    lia_incident_party_of(c, e->to, to_party, why) < 0)
		return refuse(e, err, "%s", why);
	rc = gather(s, e, &v, err);
	if (rc < 0)
		return rc;
	v.received = dir == LIA_DIR_IN;
	v.own_side = v.received && strcmp(party, self_party) == 0;
	rc = lia_incident_decide(&v, e, party, to_party, err);
	if (rc != 0)
		return rc;
	other = e->action == LIA_INCIDENT_OPEN ? to_party : "";
	rc = lia_store_add_entry(s, e, dir, cose, cose_len, lia_now_ms(), err);
	if (rc == 0)
		rc = lia_store_incident_add(s, e, party, other, err);
	return rc;
}
