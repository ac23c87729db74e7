/*
 * liaisond.c - the node daemon's main: options, wiring, signals, nothing more.
 * Wiring: the engine (node.h) first, then its transports, which register
 * with it (net.h: the TLS links; radio.h: the unit link), then the API.
 * Runs in the foreground and logs to standard error (a supervisor keeps it up).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/resource.h>
#include <event2/event.h>

#include "api.h"
#include "console.h"
#include "console_events.h"
#include "config.h"
#include "err.h"
#include "filemode.h"
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
	    "NODEDIR (mode 0700) holds liaisond.conf, node.key, node.crt, the database and\n"
	    "the API socket api.sock; see liaisond(8).\n"
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

/* libevent's own warnings go through our log, so its lines are timestamped and rate-limited too. */
static void libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		lia_log_error("libevent: %s", msg);
	else if (severity >= EVENT_LOG_WARN)
		lia_log_warn("libevent: %s", msg);
}

/*
 * Raises the soft limit on open files to the hard limit: connections are
 * capped by the node (admission.h, the API guard) well below it, and the
 * headroom keeps the peer links and the store working under a flood.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		lia_log_warn("cannot read the open-file limit: %s", strerror(errno));
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			lia_log_warn("cannot raise the open-file limit from %llu to %llu: %s",
			    (unsigned long long)old, (unsigned long long)rl.rlim_max, strerror(errno));
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	lia_log_info("open-file limit: %llu", (unsigned long long)rl.rlim_cur);
}

/* /v1/status's "admission": the peer port's unauthenticated connections (net/admission.h). */
static json_t *admission_json(void *ctx)
{
	return lia_net_admission_json(ctx);
}

/* Every 10 s: the summaries of log lines left out by the rate limit. */
static void log_flush_cb(evutil_socket_t fd, short what, void *ctx)
{
	lia_log_flush();
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

/*
 * Refuses a node directory or a private file that group or others may use,
 * and creates the database 0600 when it is new (SQLite gives its -wal and -shm
 * the database's mode). api.token is checked where it is read (token.c).
 */
static int check_node_files(const char *dir, char *err)
{
	static const char *const optional[] = { "liaison.db", "liaison.db-wal", "liaison.db-shm" };

	if (lia_filemode_check_dir(dir, err) < 0 || lia_filemode_check_private(dir, "node.key", 0, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		if (lia_filemode_check_private(dir, optional[i], 1, err) < 0)
			return -1;
	return lia_filemode_precreate(dir, "liaison.db", err);
}

static int run(const char *dir)
{
	char err[LIA_ERR_LEN] = "", token[LIA_TOKEN_LEN + 1], sock[4200];
	struct lia_config cfg;
	struct event_base *base = NULL;
	struct event *sigterm = NULL, *sigint = NULL, *flush = NULL;
	struct timeval flush_period = {10, 0};
	struct lia_node *node = NULL;
	struct lia_net *net = NULL;
	struct lia_radio *radio = NULL;
	struct lia_api *api = NULL;
	struct lia_console_events *events = NULL;
	struct lia_console *console = NULL;
	int rc = 1;

	if ((size_t)snprintf(sock, sizeof(sock), "%s/api.sock", dir) >= sizeof(sock)) {
		snprintf(err, sizeof(err), "node directory path is too long: %.60s...", dir);
		goto out;
	}
	event_set_log_callback(libevent_log);
	raise_nofile();
	if (check_node_files(dir, err) < 0 || lia_config_load(dir, &cfg, err) < 0)
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
	    lia_api_start(node, base, token, &api, err) < 0 ||
	    lia_api_listen_unix(api, sock, err) < 0 ||
	    lia_console_events_create(node, base, &events, err) < 0)
		goto out;
	lia_api_set_events(api, events, lia_console_events_serve);
	if (cfg.console_host[0] != '\0' && lia_console_start(node, api, events, base, &cfg,
	    LIA_WEB_DIR, &console, err) < 0)
		goto out;
	lia_api_status_extra(api, "admission", admission_json, net);
	sigterm = evsignal_new(base, SIGTERM, stop_cb, base);
	sigint = evsignal_new(base, SIGINT, stop_cb, base);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	flush = event_new(base, -1, EV_PERSIST, log_flush_cb, NULL);
	if (flush != NULL)
		event_add(flush, &flush_period);
	lia_log_info("API on %s, /v1/ (peers of this uid or root; bearer token in %s/api.token)",
	    sock, dir);
	event_base_dispatch(base);
	rc = 0;
out:
	if (rc != 0)
		lia_log_error("%s", err);
	OPENSSL_cleanse(token, sizeof(token));
	lia_console_stop(console);
	lia_api_stop(api);
	lia_console_events_destroy(events);
	lia_radio_destroy(radio);
	lia_net_destroy(net);
	lia_node_destroy(node);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (flush)
		event_free(flush);
	lia_log_flush();
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
	/* Every file the node creates (database, -wal, -shm, socket, token) is private. */
	umask(077);
	return run(dir ? dir : ".");
}
