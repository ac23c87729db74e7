/*
 * fuzz_api.c - libFuzzer target for the HTTP JSON API's request handling:
 * path, query string and JSON body of every route, fed to the daemon's own
 * handler (lia_api_request in api.c) without a network.
 *
 * The node is real: lia_node_create on a directory made at start-up (two
 * parties, two stations, two units, a charter, the signal catalogue), never
 * started, so it has no sockets; its store holds a few messages, a receipt,
 * an ack, signals and a checkpoint, and is put back to that state (a copy of
 * the database file) before each input that follows one with a POST, so a
 * crash reproduces from its input alone. GET routes only read the store;
 * reopening it costs milliseconds under ASan, so inputs of GETs only skip it.
 *
 * Input: up to MAX_REQUESTS requests separated by a line "=====". Each is
 * "METHOD URI[ AUTHORIZATION]\n" then the body; without AUTHORIZATION the
 * right "Bearer <token>" is sent. Only GET and POST reach the handler (evhttp
 * answers any other method itself), and only a URI evhttp would parse.
 *
 * Properties, checked on every answer (evhttp_send_reply is wrapped at link
 * time): each request is answered exactly once, before the handler returns;
 * the status is one the API documents; the body is a JSON object (or an
 * array, for the record's log listing); a refusal (4xx) carries an "error"
 * sentence; and no request makes the node fail inside (5xx), since the store
 * is healthy and every fault is the client's.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <jansson.h>

#include "api_internal.h"
#include "cert.h"
#include "clock.h"
#include "config.h"
#include "entry.h"
#include "err.h"
#include "log.h"
#include "node_internal.h"
#include "record.h"
#include "store.h"

#ifndef LIA_FUZZ_SOURCE_DIR
#error "LIA_FUZZ_SOURCE_DIR must name the source tree (for data/signals.json)"
#endif

#define MAX_REQUESTS 4
#define SEPARATOR "\n=====\n"
#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void __real_evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body);
void __wrap_evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body);
void __real_evhttp_send_error(struct evhttp_request *req, int code, const char *reason);
void __wrap_evhttp_send_error(struct evhttp_request *req, int code, const char *reason);

/* The harness's state: one node for the whole run (this file is its main). */
static struct {
	char dir[4096];                    /* the mechanism's directory */
	char db[4200], seed_db[4200];      /* tokyo's database and its pristine copy */
	struct event_base *base;
	struct lia_node *node;
	struct lia_api api;
	struct evhttp_request *current;    /* the request being handled */
	int replies;                       /* answers it got */
	int dirty;                         /* a POST was handled since the last reset */
	int verbose;                       /* LIA_FUZZ_LOG set: log lines go to stderr */
} F;

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_api: %s: %s\n", what, err);
	abort();
}

/* The node's log: formatted (so format mistakes still show under ASan) but kept quiet. */
__attribute__((format(printf, 2, 0)))
static void log_line(const char *level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (F.verbose)
		fprintf(stderr, "%s %s\n", level, line);
}

#define LOG_FUNCTION(name, level)         \
	void name(const char *fmt, ...)   \
	{                                 \
		va_list ap;               \
		va_start(ap, fmt);        \
		log_line(level, fmt, ap); \
		va_end(ap);               \
	}

LOG_FUNCTION(lia_log_info, "info")
LOG_FUNCTION(lia_log_warn, "warn")
LOG_FUNCTION(lia_log_error, "error")

/* ---- the answers ---- */

static int status_known(int code)
{
	static const int known[] = {200, 201, 400, 401, 404, 405, 409, 500, 507};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == code)
			return 1;
	return 0;
}

/* Reports a broken property with the answer's status and body, then aborts. */
static void broken(const char *what, int code, const char *text, size_t len)
{
	fprintf(stderr, "fuzz_api: %s: status %d, body %.*s\n", what, code,
	    len > 2000 ? 2000 : (int)len, text);
	abort();
}

/* Checks one answer against the properties in the file comment; aborts on a violation. */
static void check_reply(struct evhttp_request *req, int code, struct evbuffer *body)
{
	size_t len = body != NULL ? evbuffer_get_length(body) : 0;
	const char *text = len > 0 ? (const char *)evbuffer_pullup(body, -1) : "";
	json_error_t jerr;
	json_t *reply = len > 0 ? json_loadb(text, len, 0, &jerr) : NULL;
	const char *sentence = json_string_value(json_object_get(reply, "error"));

	if (F.verbose)
		fprintf(stderr, "answer %d: %.*s", code, len > 300 ? 300 : (int)len, text);

	if (req != F.current || F.replies++ > 0)
		broken("a request was answered twice (or out of turn)", code, text, len);
	if (!status_known(code))
		broken("an undocumented status", code, text, len);
	if (!json_is_object(reply) && !(code < 300 && json_is_array(reply)))
		broken("an answer that is neither a JSON object nor a listing", code, text, len);
	if (code >= 400 && (sentence == NULL || sentence[0] == '\0'))
		broken("a refusal without an \"error\" sentence", code, text, len);
	if (code >= 500)
		broken("a request made the node fail inside (5xx)", code, text, len);
	json_decref(reply);
}

void __wrap_evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	check_reply(req, code, body);
	__real_evhttp_send_reply(req, code, reason, body); /* no connection: frees req */
}

void __wrap_evhttp_send_error(struct evhttp_request *req, int code, const char *reason)
{
	(void)reason;
	die("evhttp_send_error was used (the API answers out of memory that way)", "");
	__real_evhttp_send_error(req, code, reason);
}

/* ---- the mechanism: files, identities, the node and its stored history ---- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die(path, strerror(errno));
}

static void copy_file(const char *from, const char *to)
{
	static char buf[1 << 20];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	if (in == NULL || out == NULL)
		die(in == NULL ? from : to, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			die(to, strerror(errno));
	if (ferror(in) || fclose(out) != 0)
		die(to, "cannot copy");
	fclose(in);
}

static void path_of(char out[4200], const char *name)
{
	snprintf(out, 4200, "%s/%s", F.dir, name);
}

static const char charter_text[] =
    "mechanism fuzz\n"
    "party japan ca party-japan/ca.crt\n"
    "party china ca party-china/ca.crt\n"
    "node tokyo party japan role station address 127.0.0.1:1\n"
    "node beijing party china role station address 127.0.0.1:2\n"
    "node kaiyo party japan role unit address 127.0.0.1:3\n"
    "node haixun party china role unit address 127.0.0.1:4\n";

/* Parties, node certificates, the charter, tokyo's liaisond.conf and catalogue. */
static void make_mechanism(void)
{
	static const struct { const char *name, *party; enum lia_role role; } nodes[] = {
		{"tokyo", "japan", LIA_ROLE_STATION}, {"beijing", "china", LIA_ROLE_STATION},
		{"kaiyo", "japan", LIA_ROLE_UNIT}, {"haixun", "china", LIA_ROLE_UNIT},
	};
	static const char conf[] = "node tokyo\ncharter ../charter\n";
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	char err[LIA_ERR_LEN] = "", party[4200], node[4200], path[4200];

	snprintf(F.dir, sizeof(F.dir), "%s/lia-fuzz-api-XXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(F.dir) == NULL)
		die(F.dir, strerror(errno));
	path_of(party, "party-japan");
	if (lia_cert_create_party(party, "japan", err) < 0)
		die("party japan", err);
	path_of(party, "party-china");
	if (lia_cert_create_party(party, "china", err) < 0)
		die("party china", err);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(path, sizeof(path), "party-%s", nodes[i].party);
		path_of(party, path);
		path_of(node, nodes[i].name);
		if (lia_cert_issue_node(party, nodes[i].name, nodes[i].role, node, err) < 0)
			die(nodes[i].name, err);
	}
	path_of(path, "charter");
	write_file(path, charter_text, strlen(charter_text));
	path_of(path, "tokyo/liaisond.conf");
	write_file(path, conf, strlen(conf));
	path_of(path, "tokyo/signals.json");
	copy_file(LIA_FUZZ_SOURCE_DIR "/data/signals.json", path);
}

static EVP_PKEY *key_of(const char *name)
{
	char path[4200], rel[64], err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = NULL;

	snprintf(rel, sizeof(rel), "%s/node.key", name);
	path_of(path, rel);
	if (lia_cert_load_key(path, &key, err) < 0)
		die(path, err);
	return key;
}

/* Stores name's certificate as if learned at a handshake, so its entries verify. */
static void learn_cert(const char *name)
{
	char path[4200], rel[64], err[LIA_ERR_LEN] = "";
	unsigned char *der = NULL;
	X509 *cert = NULL;
	size_t len = 0;

	snprintf(rel, sizeof(rel), "%s/node.crt", name);
	path_of(path, rel);
	if (lia_cert_load(path, &cert, err) < 0 || lia_cert_to_der(cert, &der, &len, err) < 0 ||
	    lia_store_put_cert(F.node->store, name, der, len, err) < 0)
		die(path, err);
	X509_free(cert);
	free(der);
}

/* Commits e, made and signed by its origin, as received from it; returns its hash. */
static void receive(struct lia_entry *e, uint8_t hash[32])
{
	char err[LIA_ERR_LEN] = "";
	EVP_PKEY *key = key_of(e->origin);
	uint8_t *cose = NULL;
	size_t len = 0;

	e->time_ms = lia_now_ms();
	if (lia_entry_sign(e, key, &cose, &len, err) < 0 || lia_store_begin(F.node->store, err) < 0 ||
	    lia_store_add_entry(F.node->store, e, LIA_DIR_IN, cose, len, e->time_ms, err) < 0 ||
	    (e->type == LIA_ENTRY_RECEIPT && lia_store_mark_delivered(F.node->store, e->ref_seq,
	    e->origin, e->seq, e->time_ms, err) < 0) ||
	    lia_store_set_cursor(F.node->store, e->origin, e->seq, err) < 0 ||
	    lia_store_commit(F.node->store, err) < 0)
		die("storing a received entry", err);
	if (hash != NULL)
		lia_entry_hash(cose, len, hash);
	free(cose);
	EVP_PKEY_free(key);
}

/*
 * tokyo's history: beijing/1 (acknowledged as tokyo/2), beijing/3 (to
 * japan, not acknowledged), tokyo/1 to beijing with beijing/2 its receipt,
 * haixun/1 a signal to tokyo, tokyo/3 a signal to haixun, one checkpoint.
 */
static void make_history(void)
{
	struct lia_entry e;
	struct lia_entry_signal sg[2] = {{.code = "L-MV4", .nparams = 2, .params = {"045", "12.5"}},
	    {.code = "D"}};
	char err[LIA_ERR_LEN] = "", id[LIA_ID_LEN];
	char text1[] = "Status of the search?", text3[] = "Stand by on channel 16.";
	uint8_t hash[32];

	learn_cert("beijing");
	learn_cert("kaiyo");
	learn_cert("haixun");
	e = (struct lia_entry){.type = LIA_ENTRY_MESSAGE, .origin = "beijing", .seq = 1,
	    .to = "tokyo", .precedence = LIA_IMMEDIATE, .lang = "en", .text = text1};
	receive(&e, NULL);
	if (lia_node_send(F.node, "beijing", LIA_FLASH, "ja", "針路を保持せよ", id, err) < 0)
		die("sending tokyo/1", err);
	if (lia_store_get_entry(F.node->store, "tokyo", 1, NULL, NULL, NULL, hash, err) < 0)
		die("reading tokyo/1", err);
	e = (struct lia_entry){.type = LIA_ENTRY_RECEIPT, .origin = "beijing", .seq = 2,
	    .ref_origin = "tokyo", .ref_seq = 1};
	memcpy(e.ref_hash, hash, 32);
	receive(&e, NULL);
	if (lia_node_ack(F.node, "beijing", 1, "Lt. Sato", id, err) < 0)
		die("acknowledging beijing/1", err);
	e = (struct lia_entry){.type = LIA_ENTRY_MESSAGE, .origin = "beijing", .seq = 3,
	    .to = "japan", .precedence = LIA_ROUTINE, .lang = "zh", .text = text3};
	receive(&e, NULL);
	e = (struct lia_entry){.type = LIA_ENTRY_SIGNAL, .origin = "haixun", .seq = 1, .to = "tokyo",
	    .nsignals = 2, .lat = 3150000, .lon = 12475000};
	memcpy(e.signals, sg, sizeof(sg));
	receive(&e, NULL);
	if (lia_node_send_signal(F.node, "haixun", sg, 1, 3150000, 12475000, id, err) < 0)
		die("sending a signal", err);
	if (lia_record_checkpoint(F.node, err) < 0)
		die("making a checkpoint", err);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(void)
{
	nftw(F.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void open_store(void)
{
	char err[LIA_ERR_LEN] = "";

	if (lia_store_open(F.db, &F.node->store, err) < 0)
		die(F.db, err);
}

/* Closes the store, puts the pristine database back and opens it again. */
static void reset_store(void)
{
	char side[4300];

	lia_store_close(F.node->store);
	F.node->store = NULL;
	snprintf(side, sizeof(side), "%s-wal", F.db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", F.db);
	unlink(side);
	copy_file(F.seed_db, F.db);
	open_store();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[LIA_ERR_LEN] = "", node_dir[4200], side[4300];
	struct lia_config cfg;

	(void)argc;
	(void)argv;
	F.verbose = getenv("LIA_FUZZ_LOG") != NULL;
	make_mechanism();
	atexit(remove_tree);
	path_of(node_dir, "tokyo");
	if ((F.base = event_base_new()) == NULL)
		die("event_base_new", "out of memory");
	if (lia_config_load(node_dir, &cfg, err) < 0 || lia_node_create(&cfg, F.base, &F.node, err) < 0)
		die(node_dir, err);
	make_history();
	path_of(F.db, "tokyo/liaison.db");
	path_of(F.seed_db, "tokyo/liaison.db.seed");
	lia_store_close(F.node->store); /* folds the WAL into the file */
	F.node->store = NULL;
	snprintf(side, sizeof(side), "%s-wal", F.db);
	if (access(side, F_OK) == 0)
		die(side, "the WAL outlived the store's close; the copy would miss it");
	copy_file(F.db, F.seed_db);
	open_store();
	F.api.node = F.node;
	memcpy(F.api.token, TOKEN, sizeof(F.api.token));
	return 0;
}

/* ---- one input ---- */

/* What one request of the input holds; pointers into the caller's NUL-terminated copy. */
struct request {
	enum evhttp_cmd_type method;
	const char *uri, *auth;            /* auth NULL: the right token */
	const char *body;
	size_t body_len;
};

/* Splits chunk (len bytes, NUL-terminated) into a request; 0, or -1 when evhttp would not pass it on. */
static int parse_request(char *chunk, size_t len, struct request *r)
{
	char *nl = memchr(chunk, '\n', len), *sp;
	size_t line_len = nl != NULL ? (size_t)(nl - chunk) : len;

	r->body = nl != NULL ? nl + 1 : chunk + len;
	r->body_len = len - (size_t)(r->body - chunk);
	if (memchr(chunk, '\0', line_len) != NULL)
		return -1; /* evhttp reads the request line as a C string */
	chunk[line_len] = '\0';
	if (line_len > 0 && chunk[line_len - 1] == '\r')
		chunk[line_len - 1] = '\0';
	sp = strchr(chunk, ' ');
	if (sp == NULL)
		return -1;
	*sp = '\0';
	if (strcmp(chunk, "GET") == 0)
		r->method = EVHTTP_REQ_GET;
	else if (strcmp(chunk, "POST") == 0)
		r->method = EVHTTP_REQ_POST;
	else
		return -1;
	r->uri = sp + 1;
	sp = strchr(sp + 1, ' ');
	r->auth = NULL;
	if (sp != NULL) {
		*sp = '\0';
		r->auth = sp + 1;
	}
	return r->uri[0] != '\0' ? 0 : -1;
}

/* Builds the request evhttp would hand over and lets the API answer it. */
static void handle(const struct request *r)
{
	struct evhttp_request *req = evhttp_request_new(NULL, NULL);
	struct evhttp_uri *uri = evhttp_uri_parse_with_flags(r->uri, EVHTTP_URI_NONCONFORMANT);

	if (req == NULL || uri == NULL) {
		if (req != NULL)
			evhttp_request_free(req);
		if (uri != NULL)
			evhttp_uri_free(uri); /* which, unlike free, does not take NULL */
		return; /* evhttp answers 400 itself: the API never sees it */
	}
	req->kind = EVHTTP_REQUEST;
	req->type = r->method;
	req->major = 1;
	req->minor = 1;
	req->uri_elems = uri;
	req->uri = strdup(r->uri);
	if (req->uri == NULL || evhttp_add_header(req->input_headers, "Authorization",
	    r->auth != NULL ? r->auth : "Bearer " TOKEN) != 0 ||
	    evbuffer_add(req->input_buffer, r->body, r->body_len) != 0) {
		evhttp_request_free(req); /* a header evhttp would not have parsed either */
		return;
	}
	F.current = req;
	F.replies = 0;
	F.dirty |= r->method == EVHTTP_REQ_POST;
	lia_api_request(req, &F.api);
	if (F.replies != 1)
		die("a request was left unanswered", r->uri);
	F.current = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *chunk, *end, *next;
	struct request r;
	int n = 0;

	if (copy == NULL || size > LIA_API_BODY_MAX)
		goto out;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (F.dirty)
		reset_store();
	F.dirty = 0;
	end = copy + size;
	for (chunk = copy; chunk != NULL && n < MAX_REQUESTS; chunk = next, n++) {
		char *sep = memmem(chunk, (size_t)(end - chunk), SEPARATOR, strlen(SEPARATOR));
		size_t len = sep != NULL ? (size_t)(sep - chunk) : (size_t)(end - chunk);
		next = sep != NULL ? sep + strlen(SEPARATOR) : NULL;
		chunk[len] = '\0';
		if (parse_request(chunk, len, &r) == 0)
			handle(&r);
	}
out:
	free(copy);
	return 0;
}
