/*
 * linkpath.c - path choice for redundant links (see linkpath.h). Addresses
 * are compared as text in their canonical numeric form, so a charter that
 * names a path by host name is matched only by the dialer, never by the
 * acceptor (which then reports the path as unknown, -1).
 */
#include "linkpath.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int lia_path_next(int cur, int n)
{
	return n <= 1 ? 0 : (cur + 1) % n;
}

int lia_path_delay_ms(int fails_in_row, int n, int backoff_ms)
{
	if (n < 1)
		n = 1;
	return fails_in_row > 0 && fails_in_row % n == 0 ? backoff_ms : 0;
}

int lia_path_short_lived(int64_t up_ms, int heartbeat_ms)
{
	int64_t floor_ms = heartbeat_ms > 1000 ? 2 * (int64_t)heartbeat_ms : 2000;

	return up_ms < floor_ms;
}

/* Numeric host and port of sa; -1 for other families. */
static int sockaddr_text(const struct sockaddr *sa, char host[INET6_ADDRSTRLEN], char port[8])
{
	const void *a;
	unsigned p;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		a = &s4->sin_addr;
		p = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		a = &s6->sin6_addr;
		p = ntohs(s6->sin6_port);
	} else {
		return -1;
	}
	if (inet_ntop(sa->sa_family, a, host, INET6_ADDRSTRLEN) == NULL)
		return -1;
	snprintf(port, 8, "%u", p);
	return 0;
}

/* The charter's text of an address in canonical form ("::1" for "0::1"); a host name stays as it is. */
static void canonical_host(const char *in, char out[INET6_ADDRSTRLEN + 1])
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, in, &a4) == 1)
		inet_ntop(AF_INET, &a4, out, INET6_ADDRSTRLEN);
	else if (inet_pton(AF_INET6, in, &a6) == 1)
		inet_ntop(AF_INET6, &a6, out, INET6_ADDRSTRLEN);
	else
		snprintf(out, INET6_ADDRSTRLEN + 1, "%s", in);
}

int lia_path_find(const struct lia_addr *addrs, int n, const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN], port[8], want[INET6_ADDRSTRLEN + 1];

	if (sa == NULL || sockaddr_text(sa, host, port) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		canonical_host(addrs[i].host, want);
		if (strcmp(want, host) == 0 && strcmp(addrs[i].port, port) == 0)
			return i;
	}
	return -1;
}

int lia_path_probe_due(int cur, int64_t now_ms, int64_t last_ms, int period_ms)
{
	return cur > 0 && (last_ms == 0 || now_ms - last_ms >= period_ms);
}
