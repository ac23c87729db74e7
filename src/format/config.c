/*
 * config.c - a node directory's liaisond.conf, and HOST:PORT addresses.
 *
 * The file is read with the conf.c tokenizer; each keyword may appear once
 * and takes exactly one value. The API must listen on loopback only: it is
 * guarded by a bearer token, not by TLS, so it must never face a network.
 * This file does not read the charter: the listen address stays "" when not
 * given, for the caller to take from the node's charter entry.
 */
#include "config.h"
#include "conf.h"
#include "err.h"
#include "text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEARTBEAT_MIN_MS 50
#define HEARTBEAT_MAX_MS 3600000
#define LINKTEST_DEFAULT_S 3600
#define LINKTEST_MAX_S 86400
#define LINKTEST_TIMEOUT_MAX_S 3600

enum config_key { KEY_NODE, KEY_CHARTER, KEY_LISTEN, KEY_API, KEY_HEARTBEAT, KEY_SIGNALS, KEY_LINKTEST,
	KEY_CONSOLE, KEY_CONSOLE_WEB, KEY_CONSOLE_IDLE, KEY_LINKTEST_TIMEOUT, KEY_OUTBOX_MAX, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {
	"node", "charter", "listen", "api", "heartbeat", "signals", "linktest", "console",
	"console-web", "console-idle", "linktest-timeout", "outbox-max"
};

struct config_parse {
	struct lia_config *cfg;
	int seen[KEY_COUNT];               /* line where each key was set, 0 when not yet */
};

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Checks a host name or IPv4 literal's characters. */
static int host_name_valid(const char *s, size_t len)
{
	int ok = len > 0 && s[0] != '-' && s[0] != '.';

	for (size_t i = 0; ok && i < len; i++)
		ok = is_host_char(s[i]);
	return ok;
}

/* Parses a decimal port 1..65535 into its canonical text. */
static int port_parse(const char *s, char port[8])
{
	size_t len = strlen(s);
	unsigned long v = 0;
	int ok = len >= 1 && len <= 5;

	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	ok = ok && v >= 1 && v <= 65535;
	if (ok)
		snprintf(port, 8, "%lu", v);
	return ok ? 0 : -1;
}

int lia_split_address(const char *addr, char *host, size_t host_len,
    char port[8], char *err)
{
	const char *h = addr, *colon;
	size_t hlen;
	int rc = -1;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');
		h = addr + 1;
		hlen = rb ? (size_t)(rb - h) : 0;
		colon = rb ? rb + 1 : NULL;
		if (colon == NULL || *colon != ':') {
			lia_err_set(err, "address \"%.80s\" is not [IPV6]:PORT", addr);
			goto out;
		}
	} else {
		colon = strchr(addr, ':');
		hlen = colon ? (size_t)(colon - addr) : 0;
		if (colon == NULL) {
			lia_err_set(err, "address \"%.80s\" has no port (HOST:PORT)", addr);
			goto out;
		}
		if (strchr(colon + 1, ':') != NULL) {
			lia_err_set(err, "address \"%.80s\": an IPv6 address goes in brackets, as [::1]:7400", addr);
			goto out;
		}
		if (!host_name_valid(h, hlen)) {
			lia_err_set(err, "address \"%.80s\" has no valid host name", addr);
			goto out;
		}
	}
	if (hlen == 0 || hlen >= host_len || hlen > LIA_HOST_MAX) {
		lia_err_set(err, "address \"%.80s\": host empty or too long", addr);
		goto out;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (addr[0] == '[') {
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			lia_err_set(err, "address \"%.80s\": \"%.64s\" is not an IPv6 address", addr, host);
			goto out;
		}
	}
	if (port_parse(colon + 1, port) < 0) {
		lia_err_set(err, "address \"%.80s\": port must be a number from 1 to 65535", addr);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* A decimal count from 1 to LIA_OUTBOX_MAX_LIMIT (no sign, no leading zero). */
static int outbox_max_parse(const char *s, int *max)
{
	long v = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 9 || s[0] == '0')
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > LIA_OUTBOX_MAX_LIMIT)
		return -1;
	*max = (int)v;
	return 0;
}

/* Seconds with up to three decimals ("1", "0.25") into milliseconds. */
static int heartbeat_parse(const char *s, int *ms)
{
	long whole = 0, frac = 0;
	int digits = 0, fdigits = 0, ok;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && digits < 8; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && fdigits < 3; p++, fdigits++)
			frac = frac * 10 + (*p - '0');
		for (int i = fdigits; i < 3; i++)
			frac *= 10;
	}
	whole = whole * 1000 + frac;
	ok = digits > 0 && *p == '\0' && (s[digits] != '.' || fdigits > 0) &&
	    whole >= HEARTBEAT_MIN_MS && whole <= HEARTBEAT_MAX_MS;
	if (ok)
		*ms = (int)whole;
	return ok ? 0 : -1;
}

int lia_config_parse_period(const char *s, int *seconds)
{
	long v = 0;
	int digits = 0;
	const char *p = s;

	if (strcmp(s, "off") == 0) {
		*seconds = 0;
		return 0;
	}
	for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		v = v * 10 + (*p - '0');
	if (*p == 'm')
		v *= 60;
	else if (*p == 'h')
		v *= 3600;
	if (*p == 's' || *p == 'm' || *p == 'h')
		p++;
	if (digits == 0 || *p != '\0' || v < 1 || v > LINKTEST_MAX_S)
		return -1;
	*seconds = (int)v;
	return 0;
}

/* Joins dir and a relative path (an absolute path stays as it is). */
static int resolve_path(const char *dir, const char *path, char out[4096])
{
	int n;

	if (path[0] == '/' || dir[0] == '\0')
		n = snprintf(out, 4096, "%s", path);
	else
		n = snprintf(out, 4096, "%s/%s", dir, path);
	return n < 0 || n >= 4096 ? -1 : 0;
}

/* Applies one key's value; problem is filled when it is refused. */
static int config_apply(struct lia_config *cfg, enum config_key key, const char *value,
    char *problem)
{
	char sub[LIA_ERR_LEN];
	int rc = -1;

	switch (key) {
	case KEY_NODE:
		if (!lia_name_valid(value))
			lia_err_set(problem, "node name \"%.64s\" is not 1-%d of a-z, 0-9 and '-'",
			    value, LIA_NAME_MAX);
		else
			rc = snprintf(cfg->node, sizeof(cfg->node), "%s", value) < 0 ? -1 : 0;
		break;
	case KEY_CHARTER:
		if (value[0] == '\0' || resolve_path(cfg->dir, value, cfg->charter_path) < 0)
			lia_err_set(problem, "charter path empty or too long");
		else
			rc = 0;
		break;
	case KEY_SIGNALS:
		if (value[0] == '\0' || resolve_path(cfg->dir, value, cfg->signals_path) < 0)
			lia_err_set(problem, "signals path empty or too long");
		else
			rc = 0;
		break;
	case KEY_LISTEN:
		if (lia_split_address(value, cfg->listen_host, sizeof(cfg->listen_host),
		    cfg->listen_port, sub) < 0)
			lia_err_set(problem, "listen %s", sub);
		else
			rc = 0;
		break;
	case KEY_API:
		/* The API left TCP: a port any local user could bind while liaisond is down. */
		lia_err_set(problem, "\"api\" is no longer used: the CLI reaches liaisond on the "
		    "socket NODEDIR/api.sock; remove this line (see liaisond(8))");
		break;
	case KEY_HEARTBEAT:
		if (heartbeat_parse(value, &cfg->heartbeat_ms) < 0)
			lia_err_set(problem, "heartbeat \"%.32s\" must be seconds from 0.05 to 3600", value);
		else
			rc = 0;
		break;
	case KEY_LINKTEST:
		if (lia_config_parse_period(value, &cfg->linktest_s) < 0)
			lia_err_set(problem, "linktest \"%.32s\" must be a period from 1s to 24h "
			    "(\"30\", \"10s\", \"5m\", \"1h\") or \"off\"", value);
		else
			rc = 0;
		break;
	case KEY_LINKTEST_TIMEOUT:
		if (lia_config_parse_period(value, &cfg->linktest_timeout_s) < 0 ||
		    cfg->linktest_timeout_s < 1 || cfg->linktest_timeout_s > LINKTEST_TIMEOUT_MAX_S)
			lia_err_set(problem, "linktest-timeout \"%.32s\" must be a period from 1s to 1h "
			    "(\"5\", \"10s\", \"1m\")", value);
		else
			rc = 0;
		break;
	case KEY_CONSOLE:  /* any address: off loopback the console serves HTTPS (console.c) */
		if (lia_split_address(value, cfg->console_host, sizeof(cfg->console_host),
		    cfg->console_port, sub) < 0)
			lia_err_set(problem, "console %s", sub);
		else
			rc = 0;
		break;
	case KEY_CONSOLE_IDLE:
		if (lia_config_parse_period(value, &cfg->console_idle_s) < 0 || cfg->console_idle_s < 2)
			lia_err_set(problem, "console-idle \"%.32s\" must be a period from 2s to 24h "
			    "(\"30m\", \"1h\")", value);
		else
			rc = 0;
		break;
	case KEY_CONSOLE_WEB:
		if (value[0] == '\0' || resolve_path(cfg->dir, value, cfg->console_web) < 0)
			lia_err_set(problem, "console-web path empty or too long");
		else
			rc = 0;
		break;
	case KEY_OUTBOX_MAX:
		if (outbox_max_parse(value, &cfg->outbox_max) < 0)
			lia_err_set(problem, "outbox-max \"%.32s\" must be a whole number from 1 to %d",
			    value, LIA_OUTBOX_MAX_LIMIT);
		else
			rc = 0;
		break;
	default:
		lia_err_set(problem, "unknown keyword");
		break;
	}
	return rc;
}

const struct lia_radio_peer_cfg *lia_config_radio_peer(const struct lia_config *cfg,
    const char *node)
{
	for (int i = 0; i < cfg->n_radio_peers; i++)
		if (strcmp(cfg->radio_peers[i].node, node) == 0)
			return &cfg->radio_peers[i];
	return NULL;
}

/* A decimal bit rate from 300 to 100,000,000. */
static int rate_parse(const char *s, int64_t *rate)
{
	int64_t v = 0;
	size_t len = strlen(s);
	int ok = len >= 1 && len <= 9;

	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (s[i] - '0');
	}
	ok = ok && v >= 300 && v <= 100000000;
	if (ok)
		*rate = v;
	return ok ? 0 : -1;
}

static int radio_peer_apply(struct lia_config *cfg, const struct lia_conf_line *l, char *problem)
{
	struct lia_radio_peer_cfg *peer = &cfg->radio_peers[cfg->n_radio_peers];
	char sub[LIA_ERR_LEN];

	if (l->argc != 4) {
		lia_err_set(problem, "\"radio peer\" takes a node name and HOST:PORT");
		return -1;
	}
	if (!lia_name_valid(l->argv[2])) {
		lia_err_set(problem, "radio peer \"%.64s\" is not a node name", l->argv[2]);
		return -1;
	}
	if (lia_config_radio_peer(cfg, l->argv[2]) != NULL) {
		lia_err_set(problem, "radio peer %s given twice", l->argv[2]);
		return -1;
	}
	if (cfg->n_radio_peers >= LIA_RADIO_PEERS) {
		lia_err_set(problem, "more than %d radio peers", LIA_RADIO_PEERS);
		return -1;
	}
	if (lia_split_address(l->argv[3], peer->host, sizeof(peer->host), peer->port, sub) < 0) {
		lia_err_set(problem, "radio peer %s: %s", l->argv[2], sub);
		return -1;
	}
	snprintf(peer->node, sizeof(peer->node), "%s", l->argv[2]);
	cfg->n_radio_peers++;
	return 0;
}

/* `radio listen HOST:PORT`, `radio peer NODE HOST:PORT` (repeatable), `radio rate BITS`. */
static int radio_apply(struct lia_config *cfg, const struct lia_conf_line *l, char *problem)
{
	char sub[LIA_ERR_LEN];
	const char *what = l->argc >= 2 ? l->argv[1] : "";

	if (strcmp(what, "peer") == 0)
		return radio_peer_apply(cfg, l, problem);
	if (l->argc != 3 || (strcmp(what, "listen") != 0 && strcmp(what, "rate") != 0)) {
		lia_err_set(problem, "radio takes \"listen HOST:PORT\", \"peer NODE HOST:PORT\" or "
		    "\"rate BITS\"");
		return -1;
	}
	if (strcmp(what, "rate") == 0) {
		if (rate_parse(l->argv[2], &cfg->radio_rate) == 0)
			return 0;
		lia_err_set(problem, "radio rate \"%.32s\" must be bit/s from 300 to 100000000",
		    l->argv[2]);
		return -1;
	}
	if (cfg->radio_host[0] != '\0') {
		lia_err_set(problem, "\"radio listen\" given again");
		return -1;
	}
	if (lia_split_address(l->argv[2], cfg->radio_host, sizeof(cfg->radio_host),
	    cfg->radio_port, sub) < 0) {
		cfg->radio_host[0] = '\0';
		lia_err_set(problem, "radio listen %s", sub);
		return -1;
	}
	return 0;
}

static int config_line(void *ctx, const struct lia_conf_line *l, char *err)
{
	struct config_parse *p = ctx;
	char problem[LIA_ERR_LEN];
	int key = 0, rc = -1;

	if (strcmp(l->argv[0], "radio") == 0) {
		rc = radio_apply(p->cfg, l, problem);
		goto out;
	}
	while (key < KEY_COUNT && strcmp(l->argv[0], key_names[key]) != 0)
		key++;
	if (key == KEY_COUNT) {
		lia_err_set(problem, "unknown keyword \"%.32s\" (node, charter, listen, heartbeat, "
		    "signals, linktest, outbox-max, radio)",
		    l->argv[0]);
		goto out;
	}
	if (p->seen[key]) {
		lia_err_set(problem, "\"%s\" given again (first on line %d)", key_names[key], p->seen[key]);
		goto out;
	}
	if (l->argc != 2) {
		lia_err_set(problem, "\"%s\" takes exactly one value", key_names[key]);
		goto out;
	}
	if (config_apply(p->cfg, (enum config_key)key, l->argv[1], problem) < 0)
		goto out;
	p->seen[key] = l->line;
	rc = 0;
out:
	if (rc < 0)
		lia_err_set(err, "%s:%d: %s", l->file, l->line, problem);
	return rc;
}

int lia_config_parse(const char *name, const char *text, size_t len,
    const char *dir, struct lia_config *cfg, char *err)
{
	struct config_parse p;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	cfg->heartbeat_ms = 1000;
	cfg->linktest_s = LINKTEST_DEFAULT_S;
	cfg->linktest_timeout_s = LIA_LINKTEST_TIMEOUT_DEFAULT_S;
	cfg->outbox_max = LIA_OUTBOX_MAX_DEFAULT;
	cfg->radio_rate = LIA_RADIO_RATE_DEFAULT;
	if (dir == NULL)
		dir = "";
	if ((size_t)snprintf(cfg->dir, sizeof(cfg->dir), "%s", dir) >= sizeof(cfg->dir) ||
	    resolve_path(dir, "charter", cfg->charter_path) < 0 ||
	    resolve_path(dir, "signals.json", cfg->signals_path) < 0) {
		lia_err_set(err, "%s: node directory path too long", name);
		goto out;
	}
	if (lia_conf_parse_text(name, text, len, config_line, &p, err) < 0)
		goto out;
	if (cfg->n_radio_peers > 0 && cfg->radio_host[0] == '\0') {
		lia_err_set(err, "%s: \"radio peer\" lines need a \"radio listen\" line", name);
		goto out;
	}
	if (!p.seen[KEY_NODE]) {
		lia_err_set(err, "%s: no \"node\" line (it is required)", name);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int lia_config_load(const char *dir, struct lia_config *cfg, char *err)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	int rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/liaisond.conf", dir) >= sizeof(path)) {
		lia_err_set(err, "%s: node directory path too long", dir);
		goto out;
	}
	if (lia_read_file(path, LIA_CONF_MAXFILE, &text, &len, err) < 0)
		goto out;
	rc = lia_config_parse(path, text, len, dir, cfg, err);
out:
	free(text);
	return rc;
}
