/*
 * radio_rogue.c - a hostile sender on the unit link (tests/integ/33-*.sh):
 * sends one datagram of the kind asked to HOST:PORT over UDP.
 *
 *   radio_rogue signal NODEDIR ORIGIN TO SEQ HOST:PORT [AHEAD_S]
 *       a signal (code D) with origin ORIGIN, signed with NODEDIR's key
 *       (so a unit of one party can claim to be another node), dated
 *       AHEAD_S seconds ahead of now (default 0)
 *   radio_rogue cert NODEDIR HOST:PORT     NODEDIR's certificate as an offer
 *   radio_rogue raw HEX HOST:PORT          these bytes as they are
 *   radio_rogue big N HOST:PORT            N bytes of zeros
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cert.h"
#include "clock.h"
#include "config.h"
#include "entry.h"
#include "err.h"
#include "radio_wire.h"

static int send_to(const char *addr, const uint8_t *buf, size_t len)
{
	char host[256], port[8], err[LIA_ERR_LEN];
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
	int fd, rc = 1;

	if (lia_split_address(addr, host, sizeof(host), port, err) < 0 ||
	    getaddrinfo(host, port, &hints, &res) != 0) {
		fprintf(stderr, "radio_rogue: bad address %s\n", addr);
		return 1;
	}
	fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && sendto(fd, buf, len, 0, res->ai_addr, res->ai_addrlen) == (ssize_t)len)
		rc = 0;
	else
		perror("radio_rogue: sendto");
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return rc;
}

static int send_dgram(const struct lia_dgram *d, const char *addr)
{
	uint8_t buf[LIA_DGRAM_MAX];
	size_t len = 0;
	char err[LIA_ERR_LEN];

	if (lia_dgram_encode(d, buf, sizeof(buf), &len, err) < 0) {
		fprintf(stderr, "radio_rogue: %s\n", err);
		return 1;
	}
	return send_to(addr, buf, len);
}

static int forged_signal(char **argv)
{
	struct lia_entry e;
	struct lia_dgram d = {.kind = LIA_DGRAM_ENTRY};
	EVP_PKEY *key = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	char path[4200], err[LIA_ERR_LEN];
	int rc = 1;

	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/node.key", argv[2]);
	e.type = LIA_ENTRY_SIGNAL;
	snprintf(e.origin, sizeof(e.origin), "%s", argv[3]);
	snprintf(e.to, sizeof(e.to), "%s", argv[4]);
	e.seq = strtoull(argv[5], NULL, 10);
	e.time_ms = lia_now_ms() + (argv[7] != NULL ? strtoll(argv[7], NULL, 10) * 1000 : 0);
	e.nsignals = 1;
	strcpy(e.signals[0].code, "D");
	e.lat = 3150000;
	e.lon = 12475000;
	if (lia_cert_load_key(path, &key, err) < 0 ||
	    lia_entry_sign(&e, key, &cose, &cose_len, err) < 0) {
		fprintf(stderr, "radio_rogue: %s\n", err);
		goto out;
	}
	d.body = cose;
	d.body_len = cose_len;
	rc = send_dgram(&d, argv[6]);
out:
	free(cose);
	EVP_PKEY_free(key);
	return rc;
}

static int offer_cert(char **argv)
{
	struct lia_dgram d = {.kind = LIA_DGRAM_CERT};
	X509 *cert = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	char path[4200], err[LIA_ERR_LEN];
	int rc = 1;

	snprintf(path, sizeof(path), "%s/node.crt", argv[2]);
	if (lia_cert_load(path, &cert, err) < 0 || lia_cert_to_der(cert, &der, &len, err) < 0) {
		fprintf(stderr, "radio_rogue: %s\n", err);
		goto out;
	}
	d.body = der;
	d.body_len = len;
	rc = send_dgram(&d, argv[3]);
out:
	free(der);
	X509_free(cert);
	return rc;
}

static int raw(const char *hex, const char *addr)
{
	uint8_t buf[LIA_DGRAM_MAX];
	size_t n = strlen(hex) / 2;
	unsigned v;

	if (n == 0 || n > sizeof(buf))
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return 1;
		buf[i] = (uint8_t)v;
	}
	return send_to(addr, buf, n);
}

static int big(const char *count, const char *addr)
{
	size_t n = strtoul(count, NULL, 10);
	uint8_t *buf = calloc(1, n ? n : 1);
	int rc = buf ? send_to(addr, buf, n) : 1;

	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "signal") == 0)
		return forged_signal(argv);
	if (argc == 4 && strcmp(argv[1], "cert") == 0)
		return offer_cert(argv);
	if (argc == 4 && strcmp(argv[1], "raw") == 0)
		return raw(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "big") == 0)
		return big(argv[2], argv[3]);
	fprintf(stderr, "usage: radio_rogue signal NODEDIR ORIGIN TO SEQ HOST:PORT [AHEAD_S] | cert NODEDIR "
	    "HOST:PORT | raw HEX HOST:PORT | big N HOST:PORT\n");
	return 2;
}
