/*
 * cmd_daemon.c - how the CLI reaches its node's daemon: the Unix socket
 * NODEDIR/api.sock (httpc checks it is the daemon's before sending anything),
 * the bearer token from NODEDIR/api.token (which only the daemon creates), and
 * requests through httpc with failures printed.
 */
#include "cmd.h"
#include "err.h"
#include "httpc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define REQUEST_TIMEOUT_S 10


void lia_cli_daemon_close(struct lia_cli_daemon *d)
{
	OPENSSL_cleanse(d->token, sizeof(d->token));
}

/* Reads the config and token of cli->dir; prints the failure and returns 1. */
int lia_cli_daemon_open(const struct lia_cli *cli, struct lia_cli_daemon *d)
{
	char err[LIA_ERR_LEN] = "";
	int rc, status = LIA_EXIT_OK;

	memset(d, 0, sizeof(*d));
	if (realpath(cli->dir, d->where) == NULL)
		snprintf(d->where, sizeof(d->where), "%s", cli->dir);
	if (lia_config_load(cli->dir, &d->cfg, err) < 0) {
		status = lia_cli_fail("%s", err);
		goto out;
	}
	if ((size_t)snprintf(d->sock, sizeof(d->sock), "%s/api.sock", cli->dir) >= sizeof(d->sock)) {
		status = lia_cli_fail("node directory path is too long: %.60s...", cli->dir);
		goto out;
	}
	rc = lia_token_read(cli->dir, d->token, err);
	if (rc == LIA_ENOTFOUND)
		status = lia_cli_fail("%s (is liaisond running for %s?)", err, d->where);
	else if (rc < 0)
		status = lia_cli_fail("%s", err);
out:
	return status;
}

/* Prints the daemon's refusal (its "error" sentence) and returns 1. */
int lia_cli_daemon_refused(const struct lia_cli_daemon *d, int status, json_t *reply)
{
	const char *sentence = json_string_value(json_object_get(reply, "error"));

	fflush(stdout);
	if (status == 401) {
		fprintf(stderr, "liaison: liaisond at %s refused the token in %s/api.token "
		    "(was the daemon restarted with another token?)\n", d->sock, d->where);
	} else if (status == 413) {
		fprintf(stderr, "liaison: liaisond at %s refused the request as too large (HTTP 413)\n",
		    d->sock);
	} else if (sentence != NULL) {
		fputs("liaison: ", stderr);
		lia_cli_put_text(stderr, sentence, 0);
		fputc('\n', stderr);
	} else {
		fprintf(stderr, "liaison: liaisond at %s answered HTTP %d\n", d->sock, status);
	}
	return LIA_EXIT_FAIL;
}

/* One request; a transport failure is printed (returns 1), any HTTP status is the caller's. */
int lia_cli_daemon_call(const struct lia_cli_daemon *d, const char *method, const char *path,
    json_t *body, int timeout_s, int *status, json_t **reply)
{
	char err[LIA_ERR_LEN] = "";
	int rc = LIA_EXIT_OK;

	if (lia_httpc_request(d->sock, d->token, method, path, body,
	    timeout_s, status, reply, err) < 0)
		rc = lia_cli_fail(strncmp(err, "cannot reach", 12) == 0 ?
		    "%s (is liaisond running for %s?)" : "%s (node directory %s)", err, d->where);
	return rc;
}

/* One request that must answer `want`; anything else is printed (returns 1). */
int lia_cli_daemon_expect(const struct lia_cli_daemon *d, const char *method, const char *path,
    json_t *body, int want, json_t **reply)
{
	int status = 0, rc;

	rc = lia_cli_daemon_call(d, method, path, body, REQUEST_TIMEOUT_S, &status, reply);
	if (rc == LIA_EXIT_OK && status != want) {
		rc = lia_cli_daemon_refused(d, status, *reply);
		json_decref(*reply);
		*reply = NULL;
	}
	return rc;
}


int lia_cli_daemon_post(const struct lia_cli *cli, const struct lia_cli_daemon *d, const char *path,
    json_t *body)
{
	json_t *reply = NULL;
	int status;

	if (body == NULL)
		return lia_cli_fail("cannot build the request (out of memory)");
	status = lia_cli_daemon_expect(d, "POST", path, body, 201, &reply);
	if (status == LIA_EXIT_OK && cli->json)
		lia_cli_print_json(reply);
	else if (status == LIA_EXIT_OK)
		printf("%s\n", json_string_value(json_object_get(reply, "id")));
	json_decref(reply);
	return status;
}
