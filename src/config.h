/*
 * config.h - a node directory's liaisond.conf.
 *
 *   node NAME                 this node's name in the charter (required)
 *   charter PATH              charter file, relative to the node directory (default "charter")
 *   listen HOST:PORT          where peers connect (default: this node's charter address)
 *   api HOST:PORT             HTTP JSON API, loopback only (required)
 *   heartbeat SECONDS         ping period; a link silent for 3 periods is dead (default 1)
 *   linktest PERIOD           how often each link sends a signed link test: seconds, or
 *                             with s, m or h ("30", "10s", "5m", "1h"); 1 s to 24 h, or
 *                             "off" (default 1h)
 *   signals PATH              signal catalogue, relative to the node directory (default
 *                             "signals.json"); when absent the node refuses signal entries
 * The directory also holds node.key, node.crt, liaison.db and api.token.
 */
#ifndef LIA_CONFIG_H
#define LIA_CONFIG_H

#include "charter.h"

struct lia_config {
	char dir[4096];                    /* node directory as given */
	char node[LIA_NAME_MAX + 1];
	char charter_path[4096];           /* resolved against dir */
	char signals_path[4096];           /* resolved against dir */
	char listen_host[LIA_HOST_MAX + 1];/* "" until resolved from the charter */
	char listen_port[8];
	char api_host[LIA_HOST_MAX + 1];
	char api_port[8];
	int heartbeat_ms;
	int linktest_s;                    /* link test period in seconds; 0 = off */
};

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
