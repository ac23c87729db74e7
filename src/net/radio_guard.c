/* radio_guard.c - per-source limits and refusal counts of the unit link (radio_guard.h). */
#include "radio_guard.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "log.h"

static const char *const kind_names[LIA_RADIO_REFUSED_KINDS] = {
	"rate", "size", "malformed", "origin", "certificate", "signature", "content"};

void lia_radio_guard_init(struct lia_radio_guard *g)
{
	memset(g, 0, sizeof(*g));
}

static void source_key(const struct sockaddr *sa, uint8_t key[19])
{
	memset(key, 0, 19);
	key[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		memcpy(key + 1, &s4->sin_port, 2);
		memcpy(key + 3, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		memcpy(key + 1, &s6->sin6_port, 2);
		memcpy(key + 3, &s6->sin6_addr, 16);
	}
}

int lia_radio_guard_admit(struct lia_radio_guard *g, const struct sockaddr *sa, int64_t now_ms)
{
	struct lia_radio_source *s = NULL, *stalest = &g->sources[0];
	uint8_t key[19];

	source_key(sa, key);
	for (int i = 0; i < LIA_RADIO_SOURCES && s == NULL; i++) {
		struct lia_radio_source *c = &g->sources[i];
		if (c->last_mono != 0 && memcmp(c->key, key, sizeof(key)) == 0)
			s = c;
		else if (c->last_mono < stalest->last_mono)
			stalest = c;
	}
	if (s == NULL) {
		s = stalest;
		memcpy(s->key, key, sizeof(key));
		lia_ratelimit_init(&s->rl, LIA_RADIO_SOURCE_BURST, 1000);
	}
	s->last_mono = now_ms != 0 ? now_ms : 1;
	if (lia_ratelimit_allow(&s->rl, now_ms, NULL))
		return 1;
	g->counts[LIA_RADIO_REFUSED_RATE]++;
	return 0;
}

void lia_radio_guard_count(struct lia_radio_guard *g, enum lia_radio_refusal kind)
{
	if ((unsigned)kind < LIA_RADIO_REFUSED_KINDS)
		g->counts[kind]++;
}

void lia_radio_guard_summary(struct lia_radio_guard *g, int64_t now_ms)
{
	char line[512];
	size_t used = 0;
	uint64_t total = 0;

	if (g->summary_mono != 0 && now_ms - g->summary_mono < LIA_RADIO_SUMMARY_MS)
		return;
	g->summary_mono = now_ms != 0 ? now_ms : 1;
	line[0] = '\0';
	for (int i = 0; i < LIA_RADIO_REFUSED_KINDS; i++) {
		uint64_t n = g->counts[i] - g->reported[i];
		g->reported[i] = g->counts[i];
		total += n;
		if (n > 0 && used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s %" PRIu64,
			    used ? ", " : "", kind_names[i], n);
	}
	if (total > 0)
		lia_log_warn("radio: refused %" PRIu64 " datagrams since the last summary (%s)", total,
		    line);
}

json_t *lia_radio_guard_json(const struct lia_radio_guard *g)
{
	json_t *o = json_object();

	for (int i = 0; o != NULL && i < LIA_RADIO_REFUSED_KINDS; i++)
		json_object_set_new(o, kind_names[i], json_integer((json_int_t)g->counts[i]));
	return o;
}
