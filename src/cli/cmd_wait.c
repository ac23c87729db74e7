/*
 * cmd_wait.c - the CLI's wait command: polls the daemon's HTTP JSON API until
 * a message reaches a state (delivered, acked) or the time runs out.
 */
#include "cmd.h"
#include "clock.h"
#include "err.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REQUEST_TIMEOUT_S 10
#define WAIT_DEFAULT_S 30
#define WAIT_MAX_S 86400
#define WAIT_POLL_MS 100

/* ---- wait ---- */

struct wait_args {
	const char *id;
	const char *state;
	double timeout_s;
};

static int wait_parse(struct lia_cli *cli, int argc, char **argv, struct wait_args *a, int *status)
{
	static const struct option options[] = {
		{"state", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		LIA_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	char *end;
	int ch, stop = 0;

	while (!stop && (ch = getopt_long(argc, argv, LIA_CLI_COMMON_SHORTOPTS, options, NULL)) != -1) {
		if (ch == 's') {
			a->state = optarg;
		} else if (ch == 't') {
			a->timeout_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(a->timeout_s) ||
			    a->timeout_s <= 0 || a->timeout_s > WAIT_MAX_S) {
				*status = lia_cli_usage("wait", "--timeout must be a number of seconds "
				    "above 0, at most %d", WAIT_MAX_S);
				stop = 1;
			}
		} else if (lia_cli_common_option(cli, "wait", ch, argv, status) < 0) {
			stop = 1;
		}
	}
	if (stop)
		;
	else if (argc - optind != 1)
		*status = lia_cli_usage("wait", "expected exactly one message ID");
	else if (a->state == NULL || (strcmp(a->state, "delivered") != 0 &&
	    strcmp(a->state, "acknowledged") != 0))
		*status = lia_cli_usage("wait", "--state must be delivered or acknowledged");
	else
		*status = lia_cli_check_id("wait", argv[optind]);
	a->id = argv[optind < argc ? optind : 0];
	return stop || *status != LIA_EXIT_OK ? -1 : 0;
}

/* 1 when state satisfies want: acknowledged implies delivered, and a received message was delivered here. */
static int state_reached(const char *state, const char *want)
{
	if (state == NULL)
		return 0;
	if (strcmp(want, "acknowledged") == 0)
		return strcmp(state, "acknowledged") == 0;
	return strcmp(state, "delivered") == 0 || strcmp(state, "acknowledged") == 0 ||
	    strcmp(state, "received") == 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int lia_cmd_wait(struct lia_cli *cli, int argc, char **argv)
{
	struct wait_args a = { .timeout_s = WAIT_DEFAULT_S };
	int status = LIA_EXIT_OK, http = 0;
	int64_t deadline, left;
	char path[LIA_ID_LEN + 16], last[32] = "";
	json_t *reply = NULL;
	const char *state;
	struct lia_cli_daemon d;

	memset(&d, 0, sizeof(d));
	if (wait_parse(cli, argc, argv, &a, &status) < 0 || (status = lia_cli_daemon_open(cli, &d)) != LIA_EXIT_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/messages/%s", a.id);
	deadline = lia_mono_ms() + (int64_t)(a.timeout_s * 1000);
	for (;;) {
		left = deadline - lia_mono_ms();
		json_decref(reply);
		reply = NULL;
		if ((status = lia_cli_daemon_call(&d, "GET", path, NULL,
		    left > REQUEST_TIMEOUT_S * 1000 ? REQUEST_TIMEOUT_S : (int)(left / 1000) + 1,
		    &http, &reply)) != LIA_EXIT_OK)
			goto out;
		if (http != 200 && http != 404) {
			status = lia_cli_daemon_refused(&d, http, reply);
			goto out;
		}
		state = json_string_value(json_object_get(json_object_get(reply, "message"), "state"));
		if (http == 200 && state_reached(state, a.state))
			break;
		snprintf(last, sizeof(last), "%s", http == 200 && state != NULL ? state : "");
		if (lia_mono_ms() + WAIT_POLL_MS > deadline) {
			if (last[0] != '\0')
				status = lia_cli_fail("message %s is still %s after %g s (waited for %s)",
				    a.id, last, a.timeout_s, a.state);
			else
				status = lia_cli_fail("message %s is not known to the node in %s after %g s "
				    "(waited for %s)", a.id, d.where, a.timeout_s, a.state);
			goto out;
		}
		sleep_ms(WAIT_POLL_MS);
	}
	if (cli->json)
		lia_cli_print_json(reply);
	else
		printf("%s %s\n", a.id, state);
out:
	lia_cli_daemon_close(&d);
	json_decref(reply);
	return status;
}

