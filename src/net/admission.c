/*
 * admission.c - the table of pending (unauthenticated) connections, its
 * caps and absolute deadlines, and listeners that pause when descriptors run
 * out (admission.h). Tables are small (hundreds), so linear scans are fine
 * and keep the code plain.
 */
#include "admission.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "clock.h"
#include "listen_pause.h"
#include "log.h"

#define SWEEP_MS 250          /* how often deadlines are checked */

struct pending {
	struct bufferevent *bev;   /* NULL: free slot */
	uint8_t addr[17];          /* family byte, then the IPv4 address or the IPv6 /64 */
	uint64_t order;            /* arrival number: smallest is oldest */
	int64_t since_mono;
};

struct lia_admission {
	struct lia_admission_limits lim;
	void (*close)(struct bufferevent *bev);
	struct pending *slots;     /* lim.max_total of them */
	struct event *sweep;
	uint64_t next_order;
	struct lia_admission_stats stats;
	struct lia_listen_pause *pause;  /* its listeners (engine/listen_pause.h) */
};

/* The part of a source address that counts as one source: IPv4 address, IPv6 /64 (one site's worth). */
static void addr_key(const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	if (sa == NULL)
		return;
	key[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET) {
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		/* An IPv4-mapped address counts as its IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			key[0] = AF_INET;
			memcpy(key + 1, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			memcpy(key + 1, s6->sin6_addr.s6_addr, 8);
		}
	}
}

static void give_up(struct lia_admission *a, struct pending *p)
{
	struct bufferevent *bev = p->bev;

	p->bev = NULL;
	a->stats.pending--;
	a->close(bev);
}

/* Closes p to make room (logged; the log line is rate-limited per site, log.h). */
static void evict(struct lia_admission *a, struct pending *p, const char *which, int cap)
{
	a->stats.evicted++;
	give_up(a, p);
	lia_log_warn("admission: more than %d pending %s connections %s: closed the oldest "
	    "(%llu closed so far)", cap, a->lim.what, which, (unsigned long long)a->stats.evicted);
}

/* The oldest pending slot, of that source when key is not NULL; NULL when none. */
static struct pending *oldest(struct lia_admission *a, const uint8_t *key, int *count)
{
	struct pending *old = NULL;

	*count = 0;
	for (int i = 0; i < a->lim.max_total; i++) {
		struct pending *p = &a->slots[i];
		if (p->bev == NULL || (key != NULL && memcmp(p->addr, key, 17) != 0))
			continue;
		(*count)++;
		if (old == NULL || p->order < old->order)
			old = p;
	}
	return old;
}

static void sweep_cb(evutil_socket_t fd, short what, void *ctx)
{
	struct lia_admission *a = ctx;
	int64_t now = lia_mono_ms();
	uint64_t expired = 0;

	for (int i = 0; i < a->lim.max_total; i++) {
		struct pending *p = &a->slots[i];
		if (p->bev != NULL && now - p->since_mono >= a->lim.deadline_ms) {
			give_up(a, p);
			expired++;
		}
	}
	a->stats.expired += expired;
	if (expired > 0)
		lia_log_warn("admission: closed %llu connection%s whose %s took over %d ms "
		    "(absolute deadline)", (unsigned long long)expired, expired == 1 ? "" : "s",
		    a->lim.what, a->lim.deadline_ms);
}

int lia_admission_create(struct event_base *base, const struct lia_admission_limits *lim,
    void (*close)(struct bufferevent *bev), struct lia_admission **out, char *err)
{
	struct timeval tv = {0, SWEEP_MS * 1000};
	struct lia_admission *a = calloc(1, sizeof(*a));
	int rc = -1;

	*out = NULL;
	if (a == NULL || lim->max_total < 1 || lim->max_per_addr < 1)
		goto out;
	a->lim = *lim;
	a->close = close;
	a->slots = calloc((size_t)lim->max_total, sizeof(*a->slots));
	a->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, a);
	if (a->slots == NULL || a->sweep == NULL || event_add(a->sweep, &tv) != 0 ||
	    lia_listen_pause_create(lim->what, &a->pause, err) < 0)
		goto out;
	*out = a;
	a = NULL;
	rc = 0;
out:
	if (rc < 0)
		lia_err_set(err, "cannot set up the admission of %s connections", lim->what);
	lia_admission_destroy(a);
	return rc;
}

void lia_admission_destroy(struct lia_admission *a)
{
	if (a == NULL)
		return;
	for (int i = 0; a->slots != NULL && i < a->lim.max_total; i++)
		if (a->slots[i].bev != NULL)
			give_up(a, &a->slots[i]);
	lia_listen_pause_destroy(a->pause);
	if (a->sweep != NULL)
		event_free(a->sweep);
	free(a->slots);
	free(a);
}

int lia_admission_add(struct lia_admission *a, struct bufferevent *bev, const struct sockaddr *sa)
{
	uint8_t key[17];
	struct pending *old, *slot = NULL;
	int count;

	addr_key(sa, key);
	/* Per source first, then in total: the oldest make room. */
	while ((old = oldest(a, key, &count)) != NULL && count >= a->lim.max_per_addr)
		evict(a, old, "from one address", a->lim.max_per_addr);
	while ((old = oldest(a, NULL, &count)) != NULL && count >= a->lim.max_total)
		evict(a, old, "in all", a->lim.max_total);
	for (int i = 0; i < a->lim.max_total && slot == NULL; i++)
		if (a->slots[i].bev == NULL)
			slot = &a->slots[i];
	if (slot == NULL) { /* cannot happen: the loop above made room */
		a->close(bev);
		return -1;
	}
	slot->bev = bev;
	memcpy(slot->addr, key, 17);
	slot->order = a->next_order++;
	slot->since_mono = lia_mono_ms();
	a->stats.admitted++;
	if (++a->stats.pending > a->stats.pending_max)
		a->stats.pending_max = a->stats.pending;
	return 0;
}

int lia_admission_remove(struct lia_admission *a, struct bufferevent *bev)
{
	for (int i = 0; a != NULL && i < a->lim.max_total; i++) {
		if (a->slots[i].bev == bev) {
			a->slots[i].bev = NULL;
			a->stats.pending--;
			return 1;
		}
	}
	return 0;
}

void lia_admission_get_stats(const struct lia_admission *a, struct lia_admission_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (a != NULL)
		*out = a->stats;
}

int lia_admission_guard_listener(struct lia_admission *a, struct evconnlistener *lev, char *err)
{
	return lia_listen_pause_add(a->pause, lev, err);
}

uint64_t lia_admission_pauses(const struct lia_admission *a)
{
	return a != NULL ? lia_listen_pause_count(a->pause) : 0;
}

json_t *lia_admission_json(const struct lia_admission *a)
{
	struct lia_admission_stats st;

	lia_admission_get_stats(a, &st);
	return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I}", "pending", st.pending,
	    "pending_max", st.pending_max, "admitted", (json_int_t)st.admitted,
	    "closed_over_cap", (json_int_t)st.evicted, "closed_deadline", (json_int_t)st.expired,
	    "listener_pauses", (json_int_t)lia_admission_pauses(a));
}
