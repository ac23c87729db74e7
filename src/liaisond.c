/*
 * liaisond.c - the node daemon's main: options, wiring, signals, nothing more.
 * Wiring: the engine (node.h) first, then its transports, which register
 * with it (net.h: the TLS links; radio.h: the unit link), then the API.
 * Runs in the foreground and logs to standard error (a supervisor keeps it up).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>

#include "api.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "net.h"
#include "node.h"
#include "radio.h"
#include "token.h"

static void usage(FILE *out)
{
	fprintf(out,
	    "usage: liaisond [-d NODEDIR]\n"
	    "       liaisond -h | -V\n"
	    "\n"
	    "Runs the Liaison node whose directory is NODEDIR (default $LIAISON_DIR, else .).\n"
	    "NODEDIR holds liaisond.conf, node.key, node.crt and the database; see liaisond(8).\n"
	    "  -d NODEDIR  node directory\n"
	    "  -h          this help\n"
	    "  -V          version\n");
}

static void stop_cb(evutil_socket_t sig, short what, void *ctx)
{
	struct event_base *base = ctx;

	lia_log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(base, NULL);
}

/*
 * Two priorities: peer links (0) before the API (1), so a flood of API
 * requests cannot starve receipts and "seen" frames. Each API request
 * commits to disk; after a few of them the loop looks for link events again
 * instead of running every waiting request first.
 */
static struct event_base *new_event_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base = NULL;

	if (cfg != NULL && event_config_set_max_dispatch_interval(cfg, NULL, 4, 1) == 0)
		base = event_base_new_with_config(cfg);
	if (base != NULL && event_base_priority_init(base, 2) != 0) {
		event_base_free(base);
		base = NULL;
	}
	if (cfg != NULL)
		event_config_free(cfg);
	return base;
}

static int run(const char *dir)
{
	char err[LIA_ERR_LEN] = "", token[LIA_TOKEN_LEN + 1];
	struct lia_config cfg;
	struct event_base *base = NULL;
	struct event *sigterm = NULL, *sigint = NULL;
	struct lia_node *node = NULL;
	struct lia_net *net = NULL;
	struct lia_radio *radio = NULL;
	struct lia_api *api = NULL;
	int rc = 1;

	if (lia_config_load(dir, &cfg, err) < 0)
		goto out;
	base = new_event_base();
	if (base == NULL) {
		snprintf(err, sizeof(err), "cannot create the event loop");
		goto out;
	}
	if (lia_node_create(&cfg, base, &node, err) < 0 ||
	    lia_net_create(node, base, &net, err) < 0 ||
	    lia_radio_create(node, base, &radio, err) < 0 ||
	    lia_token_get(dir, token, err) < 0 ||
	    lia_node_start(node, err) < 0 ||
	    lia_net_start(net, err) < 0 ||
	    lia_radio_start(radio, err) < 0 ||
	    lia_api_start(node, base, cfg.api_host, cfg.api_port, token, &api, err) < 0)
		goto out;
	sigterm = evsignal_new(base, SIGTERM, stop_cb, base);
	sigint = evsignal_new(base, SIGINT, stop_cb, base);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	lia_log_info("API on http://%s:%s/v1/ (bearer token in %s/api.token)", cfg.api_host,
	    cfg.api_port, dir);
	event_base_dispatch(base);
	rc = 0;
out:
	if (rc != 0)
		lia_log_error("%s", err);
	OPENSSL_cleanse(token, sizeof(token));
	lia_api_stop(api);
	lia_radio_destroy(radio);
	lia_net_destroy(net);
	lia_node_destroy(node);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (base)
		event_base_free(base);
	return rc;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("LIAISON_DIR");
	int ch;

	while ((ch = getopt(argc, argv, "d:hV")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("liaisond 0.1.0\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	return run(dir ? dir : ".");
}
