/*
 * test_api.c - the HTTP JSON API (api.c, api_messages.c) and its token file,
 * driven through httpc against a server on its own thread.
 *
 * node.c is not linked: a small fake node below signs and stores entries with
 * the real store, entry and charter modules, so show's verification is real.
 * Forged inputs must fail: an entry signed by the wrong key is shown INVALID,
 * a receipt over other bytes shows hash_matches false.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>

#include "api.h"
#include "cert.h"
#include "charter.h"
#include "clock.h"
#include "entry.h"
#include "err.h"
#include "fixture.h"
#include "httpc.h"
#include "linktest.h"
#include "node.h"
#include "record.h"
#include "store.h"

/* ---- the fake node: tokyo, with beijing as its one peer ---- */

struct lia_node {
	struct lia_store *store;
	struct lia_charter *charter;
	EVP_PKEY *key;                     /* tokyo's */
	EVP_PKEY *peer_key;                /* beijing's */
	int outbox_max;                    /* messages sent before the fake outbox is full; 0: no bound */
	int sent;                          /* messages sent */
};

void lia_id_format(const char *origin, uint64_t seq, char id[LIA_ID_LEN])
{
	snprintf(id, LIA_ID_LEN, "%s/%" PRIu64, origin, seq);
}

int lia_id_parse(const char *id, char origin[LIA_NAME_MAX + 1], uint64_t *seq, char *err)
{
	const char *slash = strchr(id, '/');
	char *end = NULL;

	if (slash == NULL || slash == id || (size_t)(slash - id) > LIA_NAME_MAX ||
	    slash[1] < '1' || slash[1] > '9') {
		lia_err_set(err, "id \"%.60s\" is malformed", id);
		return -1;
	}
	memcpy(origin, id, (size_t)(slash - id));
	origin[slash - id] = '\0';
	*seq = strtoull(slash + 1, &end, 10);
	if (*end != '\0' || !lia_name_valid(origin)) {
		lia_err_set(err, "id \"%.60s\" is malformed", id);
		return -1;
	}
	return 0;
}

struct lia_store *lia_node_store(struct lia_node *n) { return n->store; }
const struct lia_charter *lia_node_charter(const struct lia_node *n) { return n->charter; }
const char *lia_node_name(const struct lia_node *n) { (void)n; return "tokyo"; }
const char *lia_node_party(const struct lia_node *n) { (void)n; return "japan"; }
json_t *lia_node_links_json(struct lia_node *n) { (void)n; return json_array(); }
json_t *lia_node_radio_json(struct lia_node *n) { (void)n; return json_null(); }
int lia_linktest_send(struct lia_node *n, const char *peer, char id[LIA_ID_LEN], char *err)
{
	(void)n;
	lia_err_set(err, "%s is not a link peer of this test: no link tests", peer);
	if (id != NULL)
		id[0] = '\0';
	return -1;
}

/* The record's node side (record.c) is tested by the integration tests; api_record.c's own routing, query parsing and store proofs are tested here. */
json_t *lia_record_status_json(struct lia_node *n) { (void)n; return json_pack("{s:s}", "origin", "t/tokyo"); }
json_t *lia_record_export(struct lia_node *n, char *err) { (void)n; (void)err; return json_object(); }
json_t *lia_record_own_proof(struct lia_node *n, const char *origin, uint64_t seq)
{
	(void)n;
	return json_pack("{s:s, s:I}", "node", origin, "seq", (json_int_t)seq);
}
void lia_record_ask_proof(struct lia_node *n, const char *peer, const char *origin,
    uint64_t seq, lia_record_proof_fn done, void *ctx)
{
	(void)n; (void)origin; (void)seq;
	done(ctx, json_pack("{s:s, s:b}", "node", peer, "verified", 0));
}

int lia_node_public_key(struct lia_node *n, const char *name, EVP_PKEY **out, char *err)
{
	EVP_PKEY *k = strcmp(name, "tokyo") == 0 ? n->key :
	    strcmp(name, "beijing") == 0 ? n->peer_key : NULL;

	if (k == NULL) {
		lia_err_set(err, "no certificate of %s", name);
		return LIA_ENOTFOUND;
	}
	EVP_PKEY_up_ref(k);
	*out = k;
	return 0;
}

/* Signs e with key and stores it in direction dir, in one transaction. */
static int commit_entry(struct lia_node *n, struct lia_entry *e, EVP_PKEY *key, enum lia_dir dir,
    char *err)
{
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc;

	rc = lia_store_begin(n->store, err);
	if (rc == 0 && dir == LIA_DIR_OUT)
		rc = lia_store_next_seq(n->store, &e->seq, err);
	if (rc == 0)
		rc = lia_entry_sign(e, key, &cose, &len, err);
	if (rc == 0)
		rc = lia_store_add_entry(n->store, e, dir, cose, len, lia_now_ms(), err);
	if (rc == 0 && e->type == LIA_ENTRY_MESSAGE && dir == LIA_DIR_OUT)
		rc = lia_store_add_delivery(n->store, e->seq, "beijing", err);
	if (rc == 0)
		rc = lia_store_commit(n->store, err);
	else
		lia_store_rollback(n->store);
	free(cose);
	return rc;
}

/* The fake outbox toward beijing holds every message sent (none is ever confirmed). */
int lia_node_outbox_room(struct lia_node *n, const char *const *to, int n_to, char *err)
{
	(void)to;
	if (n->outbox_max > 0 && n->sent + n_to > n->outbox_max) {
		lia_err_set(err, "the outbox toward beijing holds %d entries it has not confirmed "
		    "yet; %d more would pass the bound of %d", n->sent, n_to, n->outbox_max);
		return LIA_EFULL;
	}
	return 0;
}

int lia_node_send(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, char id[LIA_ID_LEN], char *err)
{
	return lia_node_send_as(n, to, precedence, lang, text, NULL, id, err);
}

int lia_node_send_as(struct lia_node *n, const char *to, enum lia_precedence precedence,
    const char *lang, const char *text, const char *operator_name, char id[LIA_ID_LEN],
    char *err)
{
	struct lia_entry e = { .type = LIA_ENTRY_MESSAGE, .origin = "tokyo",
	    .time_ms = lia_now_ms(), .precedence = precedence, .text = (char *)text };
	int rc;

	if (operator_name != NULL)
		snprintf(e.sender_operator, sizeof(e.sender_operator), "%s", operator_name);
	snprintf(e.to, sizeof(e.to), "%s", to);
	snprintf(e.lang, sizeof(e.lang), "%s", lang);
	rc = commit_entry(n, &e, n->key, LIA_DIR_OUT, err);
	if (rc == 0) {
		lia_id_format("tokyo", e.seq, id);
		n->sent++;
	}
	return rc;
}

/* Signals are covered end to end by tests/integ/30-signal.sh; here only the routes link. */
int lia_node_send_signal(struct lia_node *n, const char *to, const struct lia_entry_signal *sigs,
    size_t nsigs, int32_t lat, int32_t lon, char id[LIA_ID_LEN], char *err)
{
	lia_err_set(err, "signals are not sent by this test");
	return -1;
}

/* tokyo is a station here: a broadcast is refused as node.c refuses it. */
int lia_node_broadcast_peers(struct lia_node *n, const char **dests, int max, char *err)
{
	(void)n; (void)dests; (void)max;
	lia_err_set(err, "a station addresses its signals: give --to");
	return -1;
}

/* Incidents are covered by test_incident and tests/integ/35-incident.sh; here only the routes link. */
const char *lia_node_signal_code(struct lia_node *n, unsigned number)
{
	(void)n;
	return number == 36 ? "L-MV4" : NULL;
}

int lia_node_incident(struct lia_node *n, struct lia_entry *e, char id[LIA_ID_LEN], char *err)
{
	lia_err_set(err, "incidents are not made by this test");
	return -1;
}

int lia_node_check_signals(struct lia_node *n, const struct lia_entry *e, char *err)
{
	lia_err_set(err, "no signal catalogue in this test");
	return -1;
}

int lia_node_render_signal(struct lia_node *n, const struct lia_entry_signal *sg,
    enum lia_signal_lang lang, char *out, size_t cap, char *err)
{
	lia_err_set(err, "no signal catalogue in this test");
	return -1;
}

int lia_node_ack(struct lia_node *n, const char *origin, uint64_t seq,
    const char *operator_name, char id[LIA_ID_LEN], char *err)
{
	struct lia_entry e = { .type = LIA_ENTRY_ACK, .origin = "tokyo", .time_ms = lia_now_ms(),
	    .ref_seq = seq };
	int rc;

	snprintf(e.ref_origin, sizeof(e.ref_origin), "%s", origin);
	snprintf(e.operator_name, sizeof(e.operator_name), "%s", operator_name);
	rc = lia_store_get_entry(n->store, origin, seq, NULL, NULL, NULL, e.ref_hash, err);
	if (rc == 0)
		rc = commit_entry(n, &e, n->key, LIA_DIR_OUT, err);
	if (rc == 0)
		lia_id_format("tokyo", e.seq, id);
	return rc;
}

/* ---- fixture: two parties, two nodes, a charter, tokyo's API on its own thread ---- */

struct fx {
	char dir[4096];
	char sock[108];                    /* tokyo/api.sock */
	char token[LIA_TOKEN_LEN + 1];
	struct lia_node node;
	struct event_base *base;
	struct lia_api *api;
	struct event *stop;
	int stop_pipe[2];
	pthread_t thread;
};

static void path_join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, 4096, "%s/%s", dir, name);

	assert_true(n > 0 && n < 4096);
}

static void make_identities(struct fx *f)
{
	char err[LIA_ERR_LEN] = "", p[4096], q[4096], charter[1024];
	int n;

	path_join(p, f->dir, "party-japan");
	assert_int_equal(lia_cert_create_party(p, "japan", err), 0);
	path_join(q, f->dir, "tokyo");
	assert_int_equal(lia_cert_issue_node(p, "tokyo", LIA_ROLE_STATION, q, err), 0);
	path_join(p, f->dir, "party-china");
	assert_int_equal(lia_cert_create_party(p, "china", err), 0);
	path_join(q, f->dir, "beijing");
	assert_int_equal(lia_cert_issue_node(p, "beijing", LIA_ROLE_STATION, q, err), 0);
	n = snprintf(charter, sizeof(charter), "mechanism test\n"
	    "party japan ca party-japan/ca.crt\nparty china ca party-china/ca.crt\n"
	    "node tokyo party japan role station address 127.0.0.1:1\n"
	    "node beijing party china role station address 127.0.0.1:2\n");
	fixture_write(f->dir, "charter", charter, (size_t)n, p);
	assert_int_equal(lia_charter_load(p, &f->node.charter, err), 0);
	path_join(p, f->dir, "tokyo/node.key");
	assert_int_equal(lia_cert_load_key(p, &f->node.key, err), 0);
	path_join(p, f->dir, "beijing/node.key");
	assert_int_equal(lia_cert_load_key(p, &f->node.peer_key, err), 0);
	path_join(p, f->dir, "tokyo/liaison.db");
	assert_int_equal(lia_store_open(p, &f->node.store, err), 0);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void *serve(void *arg)
{
	struct fx *f = arg;

	event_base_dispatch(f->base);
	return NULL;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[LIA_ERR_LEN] = "", tokyo[4096];

	assert_non_null(f);
	fixture_tmpdir("api", f->dir);
	make_identities(f);
	path_join(tokyo, f->dir, "tokyo");
	assert_int_equal(lia_token_get(tokyo, f->token, err), 0);
	assert_true((size_t)snprintf(f->sock, sizeof(f->sock), "%s/api.sock", tokyo) < sizeof(f->sock));
	f->base = event_base_new();
	assert_int_equal(lia_api_start(&f->node, f->base, f->token, &f->api, err), 0);
	assert_int_equal(lia_api_listen_unix(f->api, f->sock, err), 0);
	assert_int_equal(pipe(f->stop_pipe), 0);
	f->stop = event_new(f->base, f->stop_pipe[0], EV_READ, on_stop, f->base);
	event_add(f->stop, NULL);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(write(f->stop_pipe[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	event_free(f->stop);
	close(f->stop_pipe[0]);
	close(f->stop_pipe[1]);
	lia_api_stop(f->api);
	event_base_free(f->base);
	lia_store_close(f->node.store);
	lia_charter_free(f->node.charter);
	EVP_PKEY_free(f->node.key);
	EVP_PKEY_free(f->node.peer_key);
	fixture_rmrf(f->dir);
	free(f);
	return 0;
}

/* One request with the right token; returns the status, *reply the caller's. */
static int call(struct fx *f, const char *method, const char *path, const char *body, json_t **reply)
{
	char err[LIA_ERR_LEN] = "";
	json_t *b = body != NULL ? json_loads(body, 0, NULL) : NULL;
	int status = 0;

	assert_true(body == NULL || b != NULL);
	assert_int_equal(lia_httpc_request(f->sock, f->token, method, path, b, 5,
	    &status, reply, err), 0);
	json_decref(b);
	return status;
}

/* The status of a request whose reply is only looked at for its "error". */
static int call_error(struct fx *f, const char *method, const char *path, const char *body,
    const char *needle)
{
	json_t *reply = NULL;
	int status = call(f, method, path, body, &reply);
	const char *sentence = json_string_value(json_object_get(reply, "error"));

	if (needle != NULL) {
		assert_non_null(sentence);
		if (strstr(sentence, needle) == NULL)
			fail_msg("\"%s\" not in \"%s\"", needle, sentence);
	}
	json_decref(reply);
	return status;
}

/*
 * Sends method path with body as raw bytes (httpc would re-encode it) over a
 * plain socket; returns the status and checks the reply holds needle.
 */
static int raw_request(struct fx *f, const char *method, const char *path, const char *body,
    const char *needle)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char req[1024], reply[4096];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), status = 0;
	size_t len = 0;
	ssize_t n;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nAuthorization: Bearer %s\r\n"
	    "Content-Length: %zu\r\n\r\n%s", method, path, f->token, strlen(body), body);
	assert_int_equal(write(fd, req, (size_t)n), n);
	while (len + 1 < sizeof(reply) && (n = read(fd, reply + len, sizeof(reply) - 1 - len)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	assert_int_equal(sscanf(reply, "HTTP/1.%*d %d", &status), 1);
	if (strstr(reply, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, reply);
	return status;
}

static int raw_post(struct fx *f, const char *path, const char *body, const char *needle)
{
	return raw_request(f, "POST", path, body, needle);
}

/* Stores an inbound entry from beijing signed with key (beijing's, or a forger's). */
static void receive(struct fx *f, struct lia_entry *e, EVP_PKEY *key)
{
	char err[LIA_ERR_LEN] = "";

	snprintf(e->origin, sizeof(e->origin), "beijing");
	e->time_ms = lia_now_ms();
	assert_int_equal(commit_entry(&f->node, e, key, LIA_DIR_IN, err), 0);
}

/* ---- token file ---- */

static void test_token_created_private_and_stable(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_LEN] = "", again[LIA_TOKEN_LEN + 1], path[4096];
	struct stat st;

	path_join(path, f->dir, "tokyo/api.token");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, LIA_TOKEN_LEN);
	assert_int_equal(strspn(f->token, "0123456789abcdef"), LIA_TOKEN_LEN);
	path_join(path, f->dir, "tokyo");
	assert_int_equal(lia_token_get(path, again, err), 0);
	assert_string_equal(again, f->token);
	assert_int_equal(lia_token_read(path, again, err), 0);
	assert_string_equal(again, f->token);
}

static void test_token_refused_when_loose_or_malformed(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_LEN] = "", token[LIA_TOKEN_LEN + 1], dir[4096], path[4096];

	path_join(dir, f->dir, "tokyo");
	path_join(path, f->dir, "tokyo/api.token");
	assert_int_equal(chmod(path, 0640), 0);
	assert_true(lia_token_get(dir, token, err) < 0);
	assert_non_null(strstr(err, path));
	assert_int_equal(chmod(path, 0600), 0);
	fixture_write(dir, "api.token", "0123zz", 6, path);
	assert_int_equal(chmod(path, 0600), 0);
	assert_true(lia_token_get(dir, token, err) < 0);
	assert_non_null(strstr(err, "hex token"));
}

static void test_token_read_never_creates(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_LEN] = "", token[LIA_TOKEN_LEN + 1], dir[4096], path[4096];

	path_join(dir, f->dir, "beijing");
	assert_int_equal(lia_token_read(dir, token, err), LIA_ENOTFOUND);
	path_join(path, dir, "api.token");
	assert_int_equal(access(path, F_OK), -1);
	assert_non_null(strstr(err, path));
}

/* A second listener on a served socket is another liaisond: refused; so is a path that is not a socket. */
static void test_listen_refuses_busy_and_foreign(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_LEN] = "", path[4096];
	struct lia_api *api = NULL;
	int fd;

	assert_int_equal(lia_api_start(&f->node, f->base, f->token, &api, err), 0);
	assert_int_equal(lia_api_listen_unix(api, f->sock, err), -1);
	assert_non_null(strstr(err, "another liaisond already serves"));
	path_join(path, f->dir, "tokyo/not-a-socket");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lia_api_listen_unix(api, path, err), -1);
	assert_non_null(strstr(err, "is not a socket"));
	assert_int_equal(access(path, F_OK), 0);
	lia_api_stop(api);
	assert_int_equal(access(f->sock, F_OK), 0); /* the refused listener removed nothing */
}

/* ---- requests ---- */

static void test_token_required(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_LEN] = "", wrong[LIA_TOKEN_LEN + 1];
	json_t *reply = NULL;
	int status = 0;

	memcpy(wrong, f->token, sizeof(wrong));
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	assert_int_equal(lia_httpc_request(f->sock, wrong, "GET", "/v1/status", NULL,
	    5, &status, &reply, err), 0);
	assert_int_equal(status, 401);
	json_decref(reply);
	assert_int_equal(lia_httpc_request(f->sock, "", "GET", "/v1/status", NULL,
	    5, &status, &reply, err), 0);
	assert_int_equal(status, 401);
	json_decref(reply);
}

static void test_status_and_links(void **state)
{
	struct fx *f = *state;
	json_t *reply = NULL;

	assert_int_equal(call(f, "GET", "/v1/status", NULL, &reply), 200);
	assert_string_equal(json_string_value(json_object_get(reply, "node")), "tokyo");
	assert_string_equal(json_string_value(json_object_get(reply, "role")), "station");
	assert_string_equal(json_string_value(json_object_get(reply, "mechanism")), "test");
	assert_int_equal(strlen(json_string_value(json_object_get(reply, "charter_hash"))), 64);
	assert_true(json_is_object(json_object_get(reply, "counts")));
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/links", NULL, &reply), 200);
	assert_true(json_is_array(json_object_get(reply, "links")));
	json_decref(reply);
}

static void test_send_list_show(void **state)
{
	struct fx *f = *state;
	json_t *reply = NULL, *sig;

	assert_int_equal(call(f, "POST", "/v1/messages",
	    "{\"to\":\"beijing\",\"precedence\":\"flash\",\"text\":\"hold course\"}", &reply), 201);
	assert_string_equal(json_string_value(json_object_get(reply, "id")), "tokyo/1");
	assert_string_equal(json_string_value(json_object_get(reply, "state")), "queued");
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/messages?box=out&limit=5", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "messages")), 1);
	assert_true(json_is_false(json_object_get(reply, "more")));
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/messages/tokyo/1", NULL, &reply), 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(reply, "message"),
	    "precedence")), "FLASH");
	sig = json_object_get(reply, "signature");
	assert_true(json_is_true(json_object_get(sig, "valid")));
	assert_string_equal(json_string_value(json_object_get(sig, "signer")), "tokyo");
	assert_true(json_is_null(json_object_get(sig, "error")));
	assert_int_equal(json_array_size(json_object_get(reply, "receipts")), 0);
	json_decref(reply);
}

static void test_list_newest_last_with_more(void **state)
{
	struct fx *f = *state;
	json_t *reply = NULL, *messages;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(call(f, "POST", "/v1/messages",
		    "{\"to\":\"beijing\",\"precedence\":\"ROUTINE\",\"text\":\"n\"}", &reply), 201);
		json_decref(reply);
	}
	assert_int_equal(call(f, "GET", "/v1/messages?box=out&limit=2", NULL, &reply), 200);
	messages = json_object_get(reply, "messages");
	assert_int_equal(json_array_size(messages), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 0), "id")), "tokyo/2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 1), "id")), "tokyo/3");
	assert_true(json_is_true(json_object_get(reply, "more")));
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/messages?box=out&limit=999999999", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "messages")), 3);
	assert_true(json_is_false(json_object_get(reply, "more")));
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/messages", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "messages")), 0);
	json_decref(reply);
}

/* Past the outbox bound a send is deferred: 503, Retry-After, the bound named, nothing stored. */
static void test_send_past_outbox_bound(void **state)
{
	struct fx *f = *state;
	static const char *const body = "{\"to\":\"beijing\",\"precedence\":\"FLASH\",\"text\":\"x\"}";
	json_t *reply = NULL;

	f->node.outbox_max = 2;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(call(f, "POST", "/v1/messages", body, &reply), 201);
		json_decref(reply);
	}
	assert_int_equal(raw_post(f, "/v1/messages", body, "Retry-After: 1\r\n"), 503);
	assert_int_equal(call_error(f, "POST", "/v1/messages", body,
	    "the outbox toward beijing holds 2 entries"), 503);
	assert_int_equal(call_error(f, "POST", "/v1/messages", body, "the bound of 2"), 503);
	assert_int_equal(call(f, "GET", "/v1/messages?box=out", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "messages")), 2);
	json_decref(reply);
}

/* What the store holds as overdue shows in /v1/overdue, the message list and status (the server is idle between calls). */
static void test_overdue(void **state)
{
	struct fx *f = *state;
	struct lia_deadline_row r;
	json_t *reply = NULL, *item;
	char err[LIA_ERR_LEN];

	assert_int_equal(call(f, "GET", "/v1/overdue", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "overdue")), 0);
	json_decref(reply);
	assert_int_equal(call(f, "POST", "/v1/messages",
	    "{\"to\":\"beijing\",\"precedence\":\"FLASH\",\"text\":\"answer\"}", &reply), 201);
	json_decref(reply);
	memset(&r, 0, sizeof(r));
	strcpy(r.origin, "tokyo");
	r.seq = 1;
	strcpy(r.node, "beijing");
	r.kind = LIA_DEADLINE_ACK;
	r.due_ms = lia_now_ms() - 5000;
	assert_int_equal(lia_store_deadline_add(f->node.store, &r, err), 0);
	r.step = 1;
	r.overdue_ms = r.due_ms;
	r.next_ms = -1;
	assert_int_equal(lia_store_deadline_step(f->node.store, &r, err), 0);
	assert_int_equal(call(f, "GET", "/v1/overdue", NULL, &reply), 200);
	assert_int_equal(json_array_size(json_object_get(reply, "overdue")), 1);
	item = json_array_get(json_object_get(reply, "overdue"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "id")), "tokyo/1");
	assert_string_equal(json_string_value(json_object_get(item, "side")), "sender");
	assert_string_equal(json_string_value(json_object_get(item, "deadline")), "ack");
	assert_string_equal(json_string_value(json_object_get(item, "precedence")), "FLASH");
	assert_true(json_integer_value(json_object_get(item, "late_s")) >= 5);
	assert_int_equal(json_integer_value(json_object_get(item, "steps")), 1);
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/messages?box=out", NULL, &reply), 200);
	item = json_array_get(json_object_get(reply, "messages"), 0);
	assert_int_equal(json_array_size(json_object_get(item, "overdue")), 1);
	json_decref(reply);
	assert_int_equal(call(f, "GET", "/v1/status", NULL, &reply), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(reply, "counts"),
	    "overdue")), 1);
	json_decref(reply);
	assert_int_equal(call_error(f, "GET", "/v1/overdue?all=1", NULL, NULL), 400);
	assert_int_equal(call_error(f, "POST", "/v1/overdue", "{}", NULL), 405);
	assert_int_equal(call_error(f, "GET", "/v1/overdue/tokyo", NULL, NULL), 404);
}

static void test_bad_bodies_refused(void **state)
{
	struct fx *f = *state;
	static const struct { const char *body, *needle; } cases[] = {
		{"[1]", "JSON object"},
		{"{\"to\":\"beijing\",\"precedence\":\"FLASH\",\"text\":\"x\",\"cc\":\"x\"}", "\"cc\""},
		{"{\"to\":\"beijing\",\"precedence\":3,\"text\":\"x\"}", "field \"precedence\""},
		{"{\"to\":\"beijing\",\"precedence\":\"SOON\",\"text\":\"x\"}", "field \"precedence\""},
		{"{\"to\":\"beijing\",\"text\":\"x\"}", "\"precedence\" is missing"},
		{"{\"to\":\"tokyo\",\"precedence\":\"FLASH\",\"text\":\"x\"}", "field \"to\""},
		{"{\"to\":\"Beijing\",\"precedence\":\"FLASH\",\"text\":\"x\"}", "field \"to\""},
		{"{\"to\":\"beijing\",\"precedence\":\"FLASH\",\"text\":\"\"}", "field \"text\""},
		{"{\"to\":\"beijing\",\"precedence\":\"FLASH\",\"text\":\"x\",\"lang\":\"e\"}", "field \"lang\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(call_error(f, "POST", "/v1/messages", cases[i].body, cases[i].needle), 400);
	assert_int_equal(raw_post(f, "/v1/messages", "{\"to\":\"beijing\",\"to\":\"beijing\","
	    "\"precedence\":\"FLASH\",\"text\":\"x\"}", "duplicate"), 400);
	assert_int_equal(raw_post(f, "/v1/messages", "{\"to\":", "not JSON"), 400);
	assert_int_equal(raw_post(f, "/v1/messages", "", "empty"), 400);
}

static void test_routes_methods_queries(void **state)
{
	struct fx *f = *state;

	assert_int_equal(call_error(f, "GET", "/v1/nothing", NULL, NULL), 404);
	assert_int_equal(call_error(f, "POST", "/v1/status", "{}", NULL), 405);
	assert_int_equal(call_error(f, "GET", "/v1/status?x=1", NULL, NULL), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages/tokyo/0", NULL, NULL), 404);
	assert_int_equal(call_error(f, "GET", "/v1/messages/tokyo/7", NULL, "tokyo/7"), 404);
	assert_int_equal(call_error(f, "GET", "/v1/messages/tokyo/1/read", NULL, NULL), 404);
	assert_int_equal(call_error(f, "GET", "/v1/messages/tokyo/1/ack", NULL, NULL), 405);
	assert_int_equal(call_error(f, "GET", "/v1/messages?box=up", NULL, "\"box\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages?limit=0", NULL, "\"limit\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages?limit=-1", NULL, "\"limit\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages?limit=1x", NULL, "\"limit\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages?limit=1&limit=2", NULL, "\"limit\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/messages?since=1", NULL, "\"since\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/nothing", NULL, NULL), 404);
	assert_int_equal(call_error(f, "POST", "/v1/record", "{}", NULL), 405);
	assert_int_equal(call_error(f, "GET", "/v1/record/inclusion?index=0", NULL, "needs index and size"), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/inclusion?index=x&size=1", NULL, "\"index\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/inclusion?index=0&size=1&index=0", NULL, "\"index\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/inclusion?index=5&size=1", NULL, NULL), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/consistency?old=0&new=1", NULL, NULL), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/log?from=0&limit=0", NULL, "\"limit\""), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/entries/tokyo", NULL, NULL), 400);
	assert_int_equal(call_error(f, "GET", "/v1/record/entries/tokyo/99", NULL, NULL), 404);
}

/*
 * A refusal that quotes the client's bytes stays a JSON 400 even when they
 * are not UTF-8, or when "%.40s" cuts a character in two (found by
 * fuzz/fuzz_api.c: jansson refused the sentence and the client got a bare 500).
 */
static void test_refusals_quoting_bad_utf8(void **state)
{
	struct fx *f = *state;

	assert_int_equal(raw_request(f, "GET", "/v1/record/log?from=0&lim\xe0\xe0it=10", "",
	    "lim??it\\\": unknown"), 400);
	assert_int_equal(raw_request(f, "GET", "/v1/messages?\xff=1", "", "query parameter"), 400);
	assert_int_equal(raw_post(f, "/v1/messages",
	    "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\":1}", "is not known here"), 400);
}

/* A signal to a recipient the charter lacks, or to this node, is the client's mistake: 400 naming "to", not 500 (found by fuzz_api). */
static void test_signal_recipient_refused(void **state)
{
	struct fx *f = *state;
	static const char *const to[] = {"chinc", "tokyo"};
	char body[256];

	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		snprintf(body, sizeof(body), "{\"to\":\"%s\",\"signals\":[{\"code\":\"D\"}],"
		    "\"lat\":0,\"lon\":0}", to[i]);
		assert_int_equal(call_error(f, "POST", "/v1/signals", body, "field \"to\""), 400);
	}
}

/* A signal without "to" (or with "") is a broadcast only a unit with radio peers sends: a station gets a 400 saying to give --to. */
static void test_signal_broadcast_refused_on_station(void **state)
{
	struct fx *f = *state;

	assert_int_equal(call_error(f, "POST", "/v1/signals",
	    "{\"signals\":[{\"code\":\"D\"}],\"lat\":0,\"lon\":0}",
	    "a station addresses its signals: give --to"), 400);
	assert_int_equal(call_error(f, "POST", "/v1/signals",
	    "{\"to\":\"\",\"signals\":[{\"code\":\"D\"}],\"lat\":0,\"lon\":0}",
	    "a station addresses its signals: give --to"), 400);
}

static void test_show_flags_forgeries(void **state)
{
	struct fx *f = *state;
	struct lia_entry forged = { .type = LIA_ENTRY_MESSAGE, .seq = 1, .to = "tokyo",
	    .precedence = LIA_FLASH, .lang = "en", .text = "obey" };
	struct lia_entry good = { .type = LIA_ENTRY_RECEIPT, .seq = 2, .ref_origin = "tokyo",
	    .ref_seq = 1 };
	struct lia_entry bad = good;
	char err[LIA_ERR_LEN] = "";
	json_t *reply = NULL, *receipts;

	assert_int_equal(call(f, "POST", "/v1/messages",
	    "{\"to\":\"beijing\",\"precedence\":\"ROUTINE\",\"text\":\"hello\"}", &reply), 201);
	json_decref(reply);
	receive(f, &forged, f->node.key); /* beijing/1 signed with tokyo's key */
	assert_int_equal(call(f, "GET", "/v1/messages/beijing/1", NULL, &reply), 200);
	assert_true(json_is_false(json_object_get(json_object_get(reply, "signature"), "valid")));
	assert_true(json_is_string(json_object_get(json_object_get(reply, "signature"), "error")));
	json_decref(reply);

	assert_int_equal(lia_store_get_entry(f->node.store, "tokyo", 1, NULL, NULL, NULL,
	    good.ref_hash, err), 0);
	receive(f, &good, f->node.peer_key);
	bad.seq = 3;
	bad.ref_hash[0] ^= 1;
	receive(f, &bad, f->node.peer_key);
	assert_int_equal(call(f, "GET", "/v1/messages/tokyo/1", NULL, &reply), 200);
	receipts = json_object_get(reply, "receipts");
	assert_int_equal(json_array_size(receipts), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(receipts, 0), "id")), "beijing/2");
	assert_true(json_is_true(json_object_get(json_array_get(receipts, 0), "hash_matches")));
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(receipts, 0),
	    "signature"), "valid")));
	assert_true(json_is_false(json_object_get(json_array_get(receipts, 1), "hash_matches")));
	json_decref(reply);
}

static void test_ack_once_and_only_received(void **state)
{
	struct fx *f = *state;
	struct lia_entry msg = { .type = LIA_ENTRY_MESSAGE, .seq = 1, .to = "tokyo",
	    .precedence = LIA_IMMEDIATE, .lang = "zh", .text = "received?" };
	json_t *reply = NULL, *acks;

	receive(f, &msg, f->node.peer_key);
	assert_int_equal(call_error(f, "POST", "/v1/messages/beijing/1/ack", "{\"operator\":\"\"}",
	    "field \"operator\""), 400);
	assert_int_equal(call_error(f, "POST", "/v1/messages/beijing/1/ack", "{}",
	    "\"operator\" is missing"), 400);
	assert_int_equal(call(f, "POST", "/v1/messages/beijing/1/ack", "{\"operator\":\"Lt. Sato\"}",
	    &reply), 201);
	assert_string_equal(json_string_value(json_object_get(reply, "id")), "tokyo/1");
	json_decref(reply);
	assert_int_equal(call_error(f, "POST", "/v1/messages/beijing/1/ack",
	    "{\"operator\":\"Lt. Sato\"}", "already acknowledged"), 409);
	assert_int_equal(call_error(f, "POST", "/v1/messages/beijing/9/ack",
	    "{\"operator\":\"Lt. Sato\"}", NULL), 404);
	assert_int_equal(call_error(f, "POST", "/v1/messages/tokyo/1/ack",
	    "{\"operator\":\"Lt. Sato\"}", NULL), 404);
	assert_int_equal(call(f, "GET", "/v1/messages/beijing/1", NULL, &reply), 200);
	acks = json_object_get(reply, "acks");
	assert_int_equal(json_array_size(acks), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(acks, 0), "operator")), "Lt. Sato");
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(acks, 0),
	    "signature"), "valid")));
	json_decref(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_created_private_and_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_refused_when_loose_or_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_read_never_creates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_refuses_busy_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_and_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_list_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_newest_last_with_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_past_outbox_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_methods_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_quoting_bad_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_recipient_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_broadcast_refused_on_station, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_flags_forgeries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_once_and_only_received, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
