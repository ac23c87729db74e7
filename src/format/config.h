/*
 * config.h - a node directory's liaisond.conf.
 *
 *   node NAME                 this node's name in the charter (required)
 *   charter PATH              charter file, relative to the node directory (default "charter")
 *   listen HOST:PORT          where peers connect (default: this node's charter address)
 *   (an "api HOST:PORT" line is refused: the API is on the socket NODEDIR/api.sock)
 *   heartbeat SECONDS         ping period; a link silent for 3 periods is dead (default 1)
 *   linktest PERIOD           how often each link sends a signed link test: seconds, or
 *                             with s, m or h ("30", "10s", "5m", "1h"); 1 s to 24 h, or
 *                             "off" (default 1h)
 *   linktest-timeout PERIOD   how long a link test's answer may take before the test
 *                             counts as failed: 1 s to 1 h (default 10s)
 *   signals PATH              signal catalogue, relative to the node directory (default
 *                             "signals.json"); when absent the node refuses signal entries
 *   radio listen HOST:PORT    unit link: the UDP address this unit receives datagrams on
 *   radio peer NODE HOST:PORT unit link to NODE (a unit of another party), repeatable
 *   radio rate BITS           unit link pacing per peer in bit/s (default 9600)
 * The directory also holds node.key, node.crt, liaison.db, api.token and api.sock.
 */
#ifndef LIA_CONFIG_H
#define LIA_CONFIG_H

#define LIA_LINKTEST_TIMEOUT_DEFAULT_S 10 /* linktest-timeout */

#include <stdint.h>

#include "charter.h"

#define LIA_RADIO_PEERS 16
#define LIA_RADIO_RATE_DEFAULT 9600

/* One `radio peer` line: where that unit listens for datagrams. */
#define LIA_OUTBOX_MAX_DEFAULT 10000   /* outbox-max when liaisond.conf gives none */
#define LIA_OUTBOX_MAX_LIMIT 10000000

struct lia_radio_peer_cfg {
	char node[LIA_NAME_MAX + 1];
	char host[LIA_HOST_MAX + 1];
	char port[8];
};

struct lia_config {
	char dir[4096];                    /* node directory as given */
	char node[LIA_NAME_MAX + 1];
	char charter_path[4096];           /* resolved against dir */
	char signals_path[4096];           /* resolved against dir */
	char listen_host[LIA_HOST_MAX + 1];/* "" until resolved from the charter */
	char listen_port[8];
	char console_host[LIA_HOST_MAX + 1]; /* "" when the node serves no console */
	char console_port[8];
	char console_web[4096];            /* the console's built assets; "" for the installed ones */
	int console_idle_s;                /* a console session ends after this long idle; 0: 30 min */
	int heartbeat_ms;
	int linktest_s;                    /* link test period in seconds; 0 = off */
	int linktest_timeout_s;            /* an answer later than this is a failure (seconds) */
	int outbox_max;                    /* own entries the API may queue toward one peer not yet confirmed by it */
	char radio_host[LIA_HOST_MAX + 1]; /* "" when the node has no unit link */
	char radio_port[8];
	int64_t radio_rate;                /* bit/s per peer */
	struct lia_radio_peer_cfg radio_peers[LIA_RADIO_PEERS];
	int n_radio_peers;
};

/* The `radio peer` line for node, or NULL (borrowed from cfg). */
const struct lia_radio_peer_cfg *lia_config_radio_peer(const struct lia_config *cfg,
    const char *node);

/* Reads dir/liaisond.conf into cfg; errors name the file and line. */
int lia_config_load(const char *dir, struct lia_config *cfg, char *err);

/* Same from memory (for tests and fuzzing); name is used in messages. */
int lia_config_parse(const char *name, const char *text, size_t len,
    const char *dir, struct lia_config *cfg, char *err);

/* Parses a link test period ("30", "10s", "5m", "1h", "off") into seconds (0 = off). */
int lia_config_parse_period(const char *s, int *seconds);

/* Splits "HOST:PORT" or "[V6]:PORT", checking the port is 1..65535. */
int lia_split_address(const char *addr, char *host, size_t host_len,
    char port[8], char *err);

#endif
