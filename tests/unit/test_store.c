/*
 * test_store.c - the SQLite store: durability across close, sequence numbers,
 * exact bytes and hashes, duplicates, rollback, outbox, cursors, deliveries,
 * acks, certificates, the JSON views and their states, counts, and refusal
 * of corrupt, foreign, newer and full databases.
 *
 * The store does not parse COSE, so entries carry arbitrary bytes (with NULs)
 * as their "cose"; the fields are set directly in struct lia_entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "clock.h"
#include "entry.h"
#include "err.h"
#include "fixture.h"
#include "merkle.h"
#include "store.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20.000Z */

struct fx {
	char dir[4096];
	char path[4096 + 16];
	struct lia_store *s;
	char err[LIA_ERR_LEN];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fixture_tmpdir("store", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/liaison.db", f->dir);
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	lia_store_close(f->s);
	fixture_rmrf(f->dir);
	free(f);
	return 0;
}

static void reopen(struct fx *f)
{
	lia_store_close(f->s);
	f->s = NULL;
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
}

/* Arbitrary "COSE" bytes derived from the entry's name, with NULs and high bytes. */
static size_t fake_cose(const char *origin, uint64_t seq, uint8_t *buf, size_t cap)
{
	size_t n = 40 + (seq * 7) % 50;
	uint32_t x = (uint32_t)seq * 2654435761u;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u + (uint8_t)origin[i % strlen(origin)];
		buf[i] = (uint8_t)(x >> 16);
	}
	buf[0] = 0xd2;
	buf[1] = 0x00;
	return n;
}

static void message(struct lia_entry *e, const char *origin, uint64_t seq, const char *to,
    const char *text)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_MESSAGE;
	snprintf(e->origin, sizeof(e->origin), "%s", origin);
	e->seq = seq;
	e->time_ms = T0 + (int64_t)(seq % 1000000) * 1000; /* seq may be past INT64_MAX */
	snprintf(e->to, sizeof(e->to), "%s", to);
	e->precedence = LIA_FLASH;
	snprintf(e->lang, sizeof(e->lang), "en");
	e->text = (char *)text;
}

static void reference(struct lia_entry *e, enum lia_entry_type type, const char *origin,
    uint64_t seq, const char *ref_origin, uint64_t ref_seq, const char *operator_name)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	snprintf(e->origin, sizeof(e->origin), "%s", origin);
	e->seq = seq;
	e->time_ms = T0 + (int64_t)seq * 1000 + 500;
	snprintf(e->ref_origin, sizeof(e->ref_origin), "%s", ref_origin);
	e->ref_seq = ref_seq;
	if (operator_name != NULL)
		snprintf(e->operator_name, sizeof(e->operator_name), "%s", operator_name);
}

static int add(struct fx *f, const struct lia_entry *e, enum lia_dir dir)
{
	uint8_t cose[128];
	size_t n = fake_cose(e->origin, e->seq, cose, sizeof(cose));

	return lia_store_add_entry(f->s, e, dir, cose, n, T0 + 99, f->err);
}

static void add_ok(struct fx *f, const struct lia_entry *e, enum lia_dir dir)
{
	int rc = add(f, e, dir);

	if (rc != 0)
		fail_msg("add_entry %s/%llu: %d %s", e->origin, (unsigned long long)e->seq, rc, f->err);
}

static void add_message(struct fx *f, const char *origin, uint64_t seq, const char *to,
    enum lia_dir dir)
{
	struct lia_entry e;

	message(&e, origin, seq, to, "Request immediate contact on hotline.");
	add_ok(f, &e, dir);
}

static void add_ref(struct fx *f, enum lia_entry_type type, const char *origin, uint64_t seq,
    const char *ref_origin, uint64_t ref_seq, enum lia_dir dir)
{
	struct lia_entry e;

	reference(&e, type, origin, seq, ref_origin, ref_seq,
	    type == LIA_ENTRY_ACK ? "Li Wei" : NULL);
	add_ok(f, &e, dir);
}

static int64_t count(struct fx *f, const char *key)
{
	json_t *c = NULL;
	int64_t v;

	assert_int_equal(lia_store_counts(f->s, &c, f->err), 0);
	assert_true(json_is_integer(json_object_get(c, key)));
	v = json_integer_value(json_object_get(c, key));
	json_decref(c);
	return v;
}

static void test_reopen_keeps_data(void **state)
{
	struct fx *f = *state;
	uint8_t *cose = NULL, want[128];
	size_t len = 0, n = fake_cose("tokyo", 1, want, sizeof(want));
	uint64_t seq = 0;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
	assert_int_equal(lia_store_queue(f->s, "beijing", seq, f->err), 0);
	assert_int_equal(lia_store_set_cursor(f->s, "beijing", 7, f->err), 0);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	reopen(f);
	assert_int_equal(lia_store_get_entry(f->s, "tokyo", 1, &cose, &len, NULL, NULL, f->err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(cose, want, n);
	free(cose);
	assert_int_equal(count(f, "outbox"), 1);
	assert_int_equal(lia_store_get_cursor(f->s, "beijing", &seq, f->err), 0);
	assert_int_equal(seq, 7);
}

static void test_next_seq(void **state)
{
	struct fx *f = *state;
	uint64_t seq = 0;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t want = 1; want <= 3; want++) {
		assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
		assert_int_equal(seq, want);
	}
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	/* A number taken in a rolled-back transaction is taken again. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	assert_int_equal(seq, 4);
	lia_store_rollback(f->s);
	reopen(f);
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	assert_int_equal(seq, 4);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
}

static void test_add_get_exact(void **state)
{
	struct fx *f = *state;
	struct lia_entry e;
	uint8_t cose[256], hash[32], want[32], *got = NULL;
	unsigned int hl = 32;
	size_t len = 0;
	enum lia_dir dir = LIA_DIR_OUT;

	for (size_t i = 0; i < sizeof(cose); i++)
		cose[i] = (uint8_t)(255 - i); /* every byte value, NUL included */
	message(&e, "beijing", 12, "japan", "\xe4\xb8\xad\xe6\x96\x87 text");
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_IN, cose, sizeof(cose), T0,
	    f->err), 0);
	assert_int_equal(lia_store_get_entry(f->s, "beijing", 12, &got, &len, &dir, hash,
	    f->err), 0);
	assert_int_equal(len, sizeof(cose));
	assert_memory_equal(got, cose, sizeof(cose));
	assert_int_equal(dir, LIA_DIR_IN);
	assert_int_equal(EVP_Digest(cose, sizeof(cose), want, &hl, EVP_sha256(), NULL), 1);
	assert_memory_equal(hash, want, 32);
	free(got);
	/* Every out pointer may be NULL. */
	assert_int_equal(lia_store_get_entry(f->s, "beijing", 12, NULL, NULL, NULL, NULL,
	    f->err), 0);
	assert_int_equal(lia_store_get_entry(f->s, "beijing", 13, NULL, NULL, NULL, NULL,
	    f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "beijing/13"));
	assert_int_equal(lia_store_get_entry(f->s, "tokyo", 12, NULL, NULL, NULL, NULL,
	    f->err), LIA_ENOTFOUND);
}

static void test_duplicate(void **state)
{
	struct fx *f = *state;
	struct lia_entry e;
	uint8_t other[8] = {1, 2, 3, 4, 5, 6, 7, 8}, *got = NULL, want[128];
	size_t len = 0, n = fake_cose("tokyo", 12, want, sizeof(want));

	add_message(f, "tokyo", 12, "beijing", LIA_DIR_OUT);
	message(&e, "tokyo", 12, "shanghai", "different");
	f->err[0] = '\0';
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_IN, other, sizeof(other), T0,
	    f->err), LIA_EDUP);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "tokyo/12"));
	assert_int_equal(lia_store_get_entry(f->s, "tokyo", 12, &got, &len, NULL, NULL, f->err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
	free(got);
	assert_int_equal(count(f, "entries"), 1);
	assert_int_equal(count(f, "messages_in"), 0);
	/* Inside a transaction the duplicate leaves the rest of the batch intact. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	add_message(f, "tokyo", 13, "beijing", LIA_DIR_OUT);
	assert_int_equal(add(f, &e, LIA_DIR_IN), LIA_EDUP);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	assert_int_equal(count(f, "entries"), 2);
}

static void test_bad_arguments(void **state)
{
	struct fx *f = *state;
	struct lia_entry e;
	uint8_t cose[4] = {1, 2, 3, 4};

	message(&e, "tokyo", (uint64_t)INT64_MAX + 1, "beijing", "x");
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_OUT, cose, 4, T0, f->err),
	    LIA_ERROR);
	assert_non_null(strstr(f->err, "out of range"));
	message(&e, "tokyo", 0, "beijing", "x");
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_OUT, cose, 4, T0, f->err),
	    LIA_ERROR);
	message(&e, "tokyo", 1, "beijing", "x");
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_OUT, cose, 0, T0, f->err),
	    LIA_ERROR);
	/* Two own entries may not share a seq (own entries all have one origin). */
	add_message(f, "tokyo", 1, "beijing", LIA_DIR_OUT);
	message(&e, "kyoto", 1, "beijing", "x");
	assert_true(lia_store_add_entry(f->s, &e, LIA_DIR_OUT, cose, 4, T0, f->err) < 0);
	assert_non_null(strstr(f->err, "kyoto/1"));
	assert_int_equal(count(f, "entries"), 1);
}

static void test_rollback(void **state)
{
	struct fx *f = *state;
	uint8_t der[3] = {0x30, 0x01, 0x00}, *der_out = NULL;
	uint64_t seq = 0;
	size_t len = 0;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
	assert_int_equal(lia_store_queue(f->s, "beijing", seq, f->err), 0);
	assert_int_equal(lia_store_add_delivery(f->s, seq, "beijing", f->err), 0);
	assert_int_equal(lia_store_set_cursor(f->s, "beijing", 5, f->err), 0);
	assert_int_equal(lia_store_put_cert(f->s, "beijing", der, sizeof(der), f->err), 0);
	lia_store_rollback(f->s);
	lia_store_rollback(f->s); /* harmless outside a transaction */
	lia_store_rollback(NULL);
	assert_int_equal(lia_store_get_entry(f->s, "tokyo", 1, NULL, NULL, NULL, NULL, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(count(f, "entries"), 0);
	assert_int_equal(count(f, "outbox"), 0);
	assert_int_equal(lia_store_has_delivery(f->s, 1, "beijing", f->err), 0);
	assert_int_equal(lia_store_get_cursor(f->s, "beijing", &seq, f->err), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(lia_store_get_cert(f->s, "beijing", &der_out, &len, f->err), LIA_ENOTFOUND);
	/* The store is usable after the rollback, with the same sequence number. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	/* A transaction cannot be nested. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_true(lia_store_begin(f->s, f->err) < 0);
	assert_non_null(strstr(f->err, f->path));
	lia_store_rollback(f->s);
}

struct seen {
	uint64_t seq[64];
	int n;
	int stop_after;
	struct fx *f;
};

static int on_entry(void *ctx, uint64_t seq, const uint8_t *cose, size_t len)
{
	struct seen *w = ctx;
	uint8_t want[128];
	size_t n = fake_cose("tokyo", seq, want, sizeof(want));

	assert_int_equal(len, n);
	assert_memory_equal(cose, want, n);
	w->seq[w->n++] = seq;
	return w->stop_after > 0 && w->n >= w->stop_after;
}

static void test_outbox(void **state)
{
	struct fx *f = *state;
	struct seen w;
	int64_t n = -1;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t seq = 1; seq <= 5; seq++) {
		add_message(f, "tokyo", seq, "china", LIA_DIR_OUT);
		assert_int_equal(lia_store_queue(f->s, "beijing", 6 - seq, f->err),
		    seq >= 3 ? 0 : LIA_ENOTFOUND); /* 5 and 4 are not stored yet */
	}
	assert_int_equal(lia_store_queue(f->s, "beijing", 1, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "beijing", 2, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "beijing", 4, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "beijing", 5, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "beijing", 5, f->err), 0); /* idempotent */
	assert_int_equal(lia_store_queue(f->s, "shanghai", 3, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "shanghai", 1, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "shanghai", 9, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);

	memset(&w, 0, sizeof(w));
	assert_int_equal(lia_store_scan_outbox(f->s, "beijing", 0, 10, on_entry, &w, f->err), 5);
	assert_int_equal(w.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(w.seq[i], (uint64_t)i + 1);
	memset(&w, 0, sizeof(w));
	assert_int_equal(lia_store_scan_outbox(f->s, "beijing", 2, 2, on_entry, &w, f->err), 2);
	assert_int_equal(w.seq[0], 3);
	assert_int_equal(w.seq[1], 4);
	memset(&w, 0, sizeof(w));
	w.stop_after = 1;
	assert_int_equal(lia_store_scan_outbox(f->s, "beijing", 0, 10, on_entry, &w, f->err), 1);
	memset(&w, 0, sizeof(w));
	assert_int_equal(lia_store_scan_outbox(f->s, "shanghai", 0, 0, on_entry, &w, f->err), 2);
	assert_int_equal(w.seq[0], 1);
	assert_int_equal(w.seq[1], 3);
	assert_int_equal(lia_store_scan_outbox(f->s, "seoul", 0, 10, on_entry, &w, f->err), 0);

	assert_int_equal(lia_store_outbox_count(f->s, "beijing", &n, f->err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(lia_store_peer_seen(f->s, "beijing", 3, f->err), 0);
	assert_int_equal(lia_store_outbox_count(f->s, "beijing", &n, f->err), 0);
	assert_int_equal(n, 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(lia_store_scan_outbox(f->s, "beijing", 0, 10, on_entry, &w, f->err), 2);
	assert_int_equal(w.seq[0], 4);
	assert_int_equal(w.seq[1], 5);
	assert_int_equal(lia_store_outbox_count(f->s, "shanghai", &n, f->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lia_store_peer_seen(f->s, "shanghai", UINT64_MAX, f->err), 0);
	assert_int_equal(lia_store_outbox_count(f->s, "shanghai", &n, f->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(count(f, "outbox"), 2);
}

/* The unit link drops one outbox row per receipt, in any order (store_radio.c). */
static void test_dequeue(void **state)
{
	struct fx *f = *state;
	struct seen w;
	int64_t n = -1;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t seq = 1; seq <= 4; seq++) {
		add_message(f, "tokyo", seq, "china", LIA_DIR_OUT);
		assert_int_equal(lia_store_queue(f->s, "haixun", seq, f->err), 0);
		assert_int_equal(lia_store_queue(f->s, "beijing", seq, f->err), 0);
	}
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	assert_int_equal(lia_store_dequeue(f->s, "haixun", 3, f->err), 0);
	assert_int_equal(lia_store_dequeue(f->s, "haixun", 1, f->err), 0);
	assert_int_equal(lia_store_dequeue(f->s, "haixun", 1, f->err), 0); /* again: nothing */
	assert_int_equal(lia_store_dequeue(f->s, "haixun", 99, f->err), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(lia_store_scan_outbox(f->s, "haixun", 0, 10, on_entry, &w, f->err), 2);
	assert_int_equal(w.seq[0], 2);
	assert_int_equal(w.seq[1], 4);
	assert_int_equal(lia_store_outbox_count(f->s, "beijing", &n, f->err), 0);
	assert_int_equal(n, 4);
	reopen(f);
	assert_int_equal(lia_store_outbox_count(f->s, "haixun", &n, f->err), 0);
	assert_int_equal(n, 2);
}

/* A callback may use the store: scans hand over copies, not live rows. */
static int on_entry_reenter(void *ctx, uint64_t seq, const uint8_t *cose, size_t len)
{
	struct seen *w = ctx;
	struct seen inner;

	(void)cose; (void)len;
	memset(&inner, 0, sizeof(inner));
	assert_int_equal(lia_store_scan_outbox(w->f->s, "beijing", 0, 10, on_entry, &inner,
	    w->f->err), 3);
	assert_int_equal(lia_store_peer_seen(w->f->s, "beijing", seq, w->f->err), 0);
	w->seq[w->n++] = seq;
	return 0;
}

static void test_outbox_reentrant(void **state)
{
	struct fx *f = *state;
	struct seen w;

	memset(&w, 0, sizeof(w));
	w.f = f;
	for (uint64_t seq = 1; seq <= 3; seq++) {
		add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
		assert_int_equal(lia_store_queue(f->s, "beijing", seq, f->err), 0);
	}
	assert_int_equal(lia_store_scan_outbox(f->s, "beijing", 0, 1, on_entry_reenter, &w,
	    f->err), 1);
	assert_int_equal(w.seq[0], 1);
	assert_int_equal(count(f, "outbox"), 2);
}

static void test_bulk_batches(void **state)
{
	struct fx *f = *state;
	struct seen w;
	uint64_t seq = 0, after = 0;
	int64_t n = 0;
	int total = 0, got;

	for (int batch = 0; batch < 4; batch++) {
		assert_int_equal(lia_store_begin(f->s, f->err), 0);
		for (int i = 0; i < 500; i++) {
			assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
			add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
			assert_int_equal(lia_store_queue(f->s, "beijing", seq, f->err), 0);
			assert_int_equal(lia_store_add_delivery(f->s, seq, "beijing", f->err), 0);
		}
		assert_int_equal(lia_store_commit(f->s, f->err), 0);
	}
	assert_int_equal(seq, 2000);
	/* Page through the outbox 64 at a time, as a link would. */
	do {
		memset(&w, 0, sizeof(w));
		got = lia_store_scan_outbox(f->s, "beijing", after, 64, on_entry, &w, f->err);
		assert_true(got >= 0);
		for (int i = 0; i < got; i++)
			assert_int_equal(w.seq[i], after + (uint64_t)i + 1);
		after += (uint64_t)got;
		total += got;
	} while (got > 0);
	assert_int_equal(total, 2000);
	assert_int_equal(lia_store_outbox_count(f->s, "beijing", &n, f->err), 0);
	assert_int_equal(n, 2000);
	assert_int_equal(count(f, "messages_out"), 2000);
}

static void test_cursors(void **state)
{
	struct fx *f = *state;
	uint64_t seq = 99;

	assert_int_equal(lia_store_get_cursor(f->s, "beijing", &seq, f->err), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(lia_store_set_cursor(f->s, "beijing", 5, f->err), 0);
	assert_int_equal(lia_store_set_cursor(f->s, "shanghai", 2, f->err), 0);
	assert_int_equal(lia_store_set_cursor(f->s, "beijing", 9, f->err), 0);
	reopen(f);
	assert_int_equal(lia_store_get_cursor(f->s, "beijing", &seq, f->err), 0);
	assert_int_equal(seq, 9);
	assert_int_equal(lia_store_get_cursor(f->s, "shanghai", &seq, f->err), 0);
	assert_int_equal(seq, 2);
}

static void test_deliveries(void **state)
{
	struct fx *f = *state;

	add_message(f, "tokyo", 1, "china", LIA_DIR_OUT);
	add_ref(f, LIA_ENTRY_RECEIPT, "tokyo", 2, "beijing", 4, LIA_DIR_OUT);
	assert_int_equal(lia_store_add_delivery(f->s, 1, "beijing", f->err), 0);
	assert_int_equal(lia_store_add_delivery(f->s, 1, "shanghai", f->err), 0);
	assert_int_equal(lia_store_add_delivery(f->s, 1, "beijing", f->err), LIA_EDUP);
	assert_int_equal(lia_store_add_delivery(f->s, 7, "beijing", f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, f->path));
	/* Only messages are delivered; a receipt is not. */
	assert_int_equal(lia_store_add_delivery(f->s, 2, "beijing", f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_has_delivery(f->s, 1, "beijing", f->err), 1);
	assert_int_equal(lia_store_has_delivery(f->s, 1, "seoul", f->err), 0);
	assert_int_equal(lia_store_has_delivery(f->s, 2, "beijing", f->err), 0);

	assert_int_equal(lia_store_mark_delivered(f->s, 1, "beijing", 5, T0 + 5000, f->err), 0);
	f->err[0] = '\0';
	assert_int_equal(lia_store_mark_delivered(f->s, 1, "beijing", 6, T0 + 6000, f->err),
	    LIA_EDUP);
	assert_non_null(strstr(f->err, "beijing"));
	assert_int_equal(lia_store_mark_delivered(f->s, 1, "seoul", 5, T0, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_mark_delivered(f->s, 3, "beijing", 5, T0, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_has_delivery(f->s, 1, "beijing", f->err), 1);
}

static void test_find_ack(void **state)
{
	struct fx *f = *state;
	uint64_t ack = 0;

	add_message(f, "beijing", 4, "japan", LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_RECEIPT, "tokyo", 6, "beijing", 4, LIA_DIR_OUT);
	assert_int_equal(lia_store_find_ack(f->s, "beijing", 4, "tokyo", &ack, f->err),
	    LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "beijing/4"));
	add_ref(f, LIA_ENTRY_ACK, "tokyo", 7, "beijing", 4, LIA_DIR_OUT);
	assert_int_equal(lia_store_find_ack(f->s, "beijing", 4, "tokyo", &ack, f->err), 0);
	assert_int_equal(ack, 7);
	assert_int_equal(lia_store_find_ack(f->s, "beijing", 4, "tokyo", NULL, f->err), 0);
	assert_int_equal(lia_store_find_ack(f->s, "beijing", 4, "osaka", &ack, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_find_ack(f->s, "beijing", 5, "tokyo", &ack, f->err),
	    LIA_ENOTFOUND);
}

static void test_certs(void **state)
{
	struct fx *f = *state;
	uint8_t a[300], b[5] = {0x30, 0x03, 0x02, 0x01, 0x00}, *der = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 31);
	assert_int_equal(lia_store_get_cert(f->s, "beijing", &der, &len, f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "beijing"));
	assert_int_equal(lia_store_put_cert(f->s, "beijing", a, sizeof(a), f->err), 0);
	assert_int_equal(lia_store_get_cert(f->s, "beijing", &der, &len, f->err), 0);
	assert_int_equal(len, sizeof(a));
	assert_memory_equal(der, a, sizeof(a));
	free(der);
	assert_int_equal(lia_store_put_cert(f->s, "beijing", b, sizeof(b), f->err), 0);
	reopen(f);
	assert_int_equal(lia_store_get_cert(f->s, "beijing", &der, &len, f->err), 0);
	assert_int_equal(len, sizeof(b));
	assert_memory_equal(der, b, sizeof(b));
	free(der);
}

struct refs {
	char origin[8][LIA_NAME_MAX + 1];
	uint64_t seq[8];
	int n;
};

static int on_ref(void *ctx, const char *origin, uint64_t seq, const uint8_t *cose, size_t len)
{
	struct refs *r = ctx;
	uint8_t want[128];
	size_t n = fake_cose(origin, seq, want, sizeof(want));

	assert_int_equal(len, n);
	assert_memory_equal(cose, want, n);
	snprintf(r->origin[r->n], sizeof(r->origin[0]), "%s", origin);
	r->seq[r->n++] = seq;
	return 0;
}

static void test_scan_refs(void **state)
{
	struct fx *f = *state;
	struct refs r;

	memset(&r, 0, sizeof(r));
	add_message(f, "tokyo", 1, "china", LIA_DIR_OUT);
	add_message(f, "tokyo", 2, "china", LIA_DIR_OUT);
	add_ref(f, LIA_ENTRY_RECEIPT, "shanghai", 9, "tokyo", 1, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 5, "tokyo", 1, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 6, "tokyo", 2, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_ACK, "beijing", 7, "tokyo", 1, LIA_DIR_IN);
	assert_int_equal(lia_store_scan_refs(f->s, "tokyo", 1, on_ref, &r, f->err), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.origin[0], "shanghai");
	assert_int_equal(r.seq[0], 9);
	assert_string_equal(r.origin[1], "beijing");
	assert_int_equal(r.seq[1], 5);
	assert_string_equal(r.origin[2], "beijing");
	assert_int_equal(r.seq[2], 7);
	memset(&r, 0, sizeof(r));
	assert_int_equal(lia_store_scan_refs(f->s, "tokyo", 3, on_ref, &r, f->err), 0);
	assert_int_equal(r.n, 0);
}

static json_t *only_message(struct fx *f, enum lia_dir dir)
{
	json_t *list = NULL, *m;

	assert_int_equal(lia_store_list_messages(f->s, dir, 10, &list, f->err), 0);
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 1);
	m = json_incref(json_array_get(list, 0));
	json_decref(list);
	return m;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void check_delivery(json_t *d, const char *node, const char *state,
    const char *receipt, const char *when)
{
	assert_string_equal(str(d, "node"), node);
	assert_string_equal(str(d, "state"), state);
	if (receipt == NULL) {
		assert_true(json_is_null(json_object_get(d, "receipt")));
		assert_true(json_is_null(json_object_get(d, "delivered")));
	} else {
		assert_string_equal(str(d, "receipt"), receipt);
		assert_string_equal(str(d, "delivered"), when);
	}
}

static const char *out_state(struct fx *f, json_t **m)
{
	json_decref(*m);
	*m = only_message(f, LIA_DIR_OUT);
	return str(*m, "state");
}

static void test_views_out(void **state)
{
	struct fx *f = *state;
	json_t *m = NULL, *dl, *acks;
	char when[LIA_TIME_LEN];

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	add_message(f, "tokyo", 1, "china", LIA_DIR_OUT);
	assert_int_equal(lia_store_add_delivery(f->s, 1, "shanghai", f->err), 0);
	assert_int_equal(lia_store_add_delivery(f->s, 1, "beijing", f->err), 0);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);

	assert_string_equal(out_state(f, &m), "queued");
	assert_string_equal(str(m, "id"), "tokyo/1");
	assert_string_equal(str(m, "origin"), "tokyo");
	assert_int_equal(json_integer_value(json_object_get(m, "seq")), 1);
	assert_string_equal(str(m, "to"), "china");
	assert_string_equal(str(m, "precedence"), "FLASH");
	assert_string_equal(str(m, "time"), "2023-11-14T22:13:21.000Z");
	assert_string_equal(str(m, "lang"), "en");
	assert_string_equal(str(m, "text"), "Request immediate contact on hotline.");
	assert_string_equal(str(m, "direction"), "out");
	assert_string_equal(str(m, "stored"), "2023-11-14T22:13:20.099Z");
	dl = json_object_get(m, "deliveries");
	assert_int_equal(json_array_size(dl), 2);
	check_delivery(json_array_get(dl, 0), "beijing", "queued", NULL, NULL);
	check_delivery(json_array_get(dl, 1), "shanghai", "queued", NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(m, "acks")), 0);

	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 5, "tokyo", 1, LIA_DIR_IN);
	assert_int_equal(lia_store_mark_delivered(f->s, 1, "beijing", 5, T0 + 7000, f->err), 0);
	assert_string_equal(out_state(f, &m), "queued");
	lia_time_format(T0 + 7000, when);
	dl = json_object_get(m, "deliveries");
	check_delivery(json_array_get(dl, 0), "beijing", "delivered", "beijing/5", when);
	check_delivery(json_array_get(dl, 1), "shanghai", "queued", NULL, NULL);

	add_ref(f, LIA_ENTRY_RECEIPT, "shanghai", 9, "tokyo", 1, LIA_DIR_IN);
	assert_int_equal(lia_store_mark_delivered(f->s, 1, "shanghai", 9, T0 + 8000, f->err), 0);
	assert_string_equal(out_state(f, &m), "delivered");

	add_ref(f, LIA_ENTRY_ACK, "beijing", 6, "tokyo", 1, LIA_DIR_IN);
	assert_string_equal(out_state(f, &m), "acknowledged");
	acks = json_object_get(m, "acks");
	assert_int_equal(json_array_size(acks), 1);
	assert_string_equal(str(json_array_get(acks, 0), "id"), "beijing/6");
	assert_string_equal(str(json_array_get(acks, 0), "node"), "beijing");
	assert_string_equal(str(json_array_get(acks, 0), "operator"), "Li Wei");
	assert_string_equal(str(json_array_get(acks, 0), "time"), "2023-11-14T22:13:26.500Z");
	json_decref(m);

	/* The same object by id; ids that are not messages are not found. */
	assert_int_equal(lia_store_message_json(f->s, "tokyo", 1, &m, f->err), 0);
	assert_string_equal(str(m, "state"), "acknowledged");
	assert_int_equal(json_array_size(json_object_get(m, "deliveries")), 2);
	json_decref(m);
	assert_int_equal(lia_store_message_json(f->s, "beijing", 5, &m, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_message_json(f->s, "tokyo", 2, &m, f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "tokyo/2"));
	/* With no delivery recorded a message is not "delivered" to nobody. */
	add_message(f, "tokyo", 2, "beijing", LIA_DIR_OUT);
	assert_int_equal(lia_store_message_json(f->s, "tokyo", 2, &m, f->err), 0);
	assert_string_equal(str(m, "state"), "queued");
	json_decref(m);
}

static void test_views_in(void **state)
{
	struct fx *f = *state;
	json_t *m;

	add_message(f, "beijing", 7, "japan", LIA_DIR_IN);
	m = only_message(f, LIA_DIR_IN);
	assert_string_equal(str(m, "state"), "received");
	assert_string_equal(str(m, "direction"), "in");
	assert_string_equal(str(m, "id"), "beijing/7");
	assert_int_equal(json_array_size(json_object_get(m, "deliveries")), 0);
	json_decref(m);
	/* Another node's ack does not acknowledge it here; our own does. */
	add_ref(f, LIA_ENTRY_ACK, "osaka", 3, "beijing", 7, LIA_DIR_IN);
	m = only_message(f, LIA_DIR_IN);
	assert_string_equal(str(m, "state"), "received");
	json_decref(m);
	assert_int_equal(count(f, "unacknowledged"), 1);
	add_ref(f, LIA_ENTRY_ACK, "tokyo", 2, "beijing", 7, LIA_DIR_OUT);
	m = only_message(f, LIA_DIR_IN);
	assert_string_equal(str(m, "state"), "acknowledged");
	assert_int_equal(json_array_size(json_object_get(m, "acks")), 2);
	assert_string_equal(str(json_array_get(json_object_get(m, "acks"), 1), "id"), "tokyo/2");
	json_decref(m);
	assert_int_equal(count(f, "unacknowledged"), 0);
	/* Outgoing list is unaffected. */
	assert_int_equal(lia_store_list_messages(f->s, LIA_DIR_OUT, 10, &m, f->err), 0);
	assert_int_equal(json_array_size(m), 0);
	json_decref(m);
}

static void test_list_limit(void **state)
{
	struct fx *f = *state;
	json_t *list = NULL;

	for (uint64_t seq = 1; seq <= 5; seq++)
		add_message(f, "beijing", seq * 10, "japan", LIA_DIR_IN);
	assert_int_equal(lia_store_list_messages(f->s, LIA_DIR_IN, 2, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(str(json_array_get(list, 0), "id"), "beijing/40");
	assert_string_equal(str(json_array_get(list, 1), "id"), "beijing/50");
	json_decref(list);
	assert_int_equal(lia_store_list_messages(f->s, LIA_DIR_IN, 0, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 5);
	assert_string_equal(str(json_array_get(list, 0), "id"), "beijing/10");
	json_decref(list);
}

static void test_counts(void **state)
{
	struct fx *f = *state;
	json_t *c = NULL;

	add_message(f, "tokyo", 1, "china", LIA_DIR_OUT);
	add_message(f, "tokyo", 2, "china", LIA_DIR_OUT);
	assert_int_equal(lia_store_queue(f->s, "beijing", 1, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "shanghai", 1, f->err), 0);
	assert_int_equal(lia_store_queue(f->s, "beijing", 2, f->err), 0);
	add_message(f, "beijing", 1, "japan", LIA_DIR_IN);
	add_message(f, "beijing", 2, "japan", LIA_DIR_IN);
	add_message(f, "shanghai", 1, "japan", LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 3, "tokyo", 1, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_ACK, "tokyo", 3, "beijing", 2, LIA_DIR_OUT);
	add_ref(f, LIA_ENTRY_RECEIPT, "tokyo", 4, "shanghai", 1, LIA_DIR_OUT);
	assert_int_equal(lia_store_counts(f->s, &c, f->err), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "entries")), 8);
	assert_int_equal(json_integer_value(json_object_get(c, "messages_in")), 3);
	assert_int_equal(json_integer_value(json_object_get(c, "messages_out")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "outbox")), 3);
	assert_int_equal(json_integer_value(json_object_get(c, "unacknowledged")), 2);
	assert_int_equal(json_object_size(c), 5);
	json_decref(c);
}

/* Overwrites len bytes at offset of path with byte b (or the bytes of data). */
static void patch(const char *path, long offset, const void *data, size_t len)
{
	FILE *fp = fopen(path, "r+b");

	assert_non_null(fp);
	assert_int_equal(fseek(fp, offset, SEEK_SET), 0);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* A link test (type 7) by origin to peer, stored at stored_ms; its answer (type 8) by peer. */
static void add_linktest(struct fx *f, const char *origin, uint64_t seq, const char *peer,
    int64_t stored_ms, enum lia_dir dir)
{
	struct lia_entry e;
	uint8_t cose[128];
	size_t n;

	memset(&e, 0, sizeof(e));
	e.type = LIA_ENTRY_LINKTEST;
	snprintf(e.origin, sizeof(e.origin), "%s", origin);
	e.seq = seq;
	e.time_ms = stored_ms - 1;
	snprintf(e.to, sizeof(e.to), "%s", peer);
	n = fake_cose(e.origin, e.seq, cose, sizeof(cose));
	assert_int_equal(lia_store_add_entry(f->s, &e, dir, cose, n, stored_ms, f->err), 0);
}

static void add_answer(struct fx *f, const char *origin, uint64_t seq, const char *ref_origin,
    uint64_t ref_seq, int64_t stored_ms)
{
	struct lia_entry e;
	uint8_t cose[128];
	size_t n;

	reference(&e, LIA_ENTRY_LINKTEST_ANSWER, origin, seq, ref_origin, ref_seq, NULL);
	n = fake_cose(e.origin, e.seq, cose, sizeof(cose));
	assert_int_equal(lia_store_add_entry(f->s, &e, LIA_DIR_IN, cose, n, stored_ms, f->err), 0);
}

static const char *history_at(json_t *h, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(h, i), key));
}

/* The link-test history: own tests to one peer, newest first, judged against the timeout. */
static void test_linktest_history(void **state)
{
	struct fx *f = *state;
	json_t *h = NULL;

	add_linktest(f, "tokyo", 1, "beijing", T0, LIA_DIR_OUT);
	add_answer(f, "beijing", 1, "tokyo", 1, T0 + 5);                /* answered in 5 ms */
	add_linktest(f, "tokyo", 2, "beijing", T0 + 1000, LIA_DIR_OUT);
	add_answer(f, "beijing", 2, "tokyo", 2, T0 + 16000);            /* 15 s: late */
	add_linktest(f, "tokyo", 3, "beijing", T0 + 2000, LIA_DIR_OUT); /* never answered */
	add_linktest(f, "tokyo", 4, "osaka", T0 + 3000, LIA_DIR_OUT);   /* another peer's */
	add_answer(f, "osaka", 1, "tokyo", 3, T0 + 3005);               /* not beijing's answer */
	add_linktest(f, "beijing", 3, "tokyo", T0 + 4000, LIA_DIR_IN);  /* the peer's test of us */
	add_linktest(f, "tokyo", 5, "beijing", T0 + 19000, LIA_DIR_OUT);/* still within the timeout */

	assert_int_equal(lia_store_linktest_history(f->s, "tokyo", "beijing", 10, T0 + 20000, 10000,
	    &h, f->err), 0);
	assert_int_equal(json_array_size(h), 4);
	assert_string_equal(history_at(h, 0, "id"), "tokyo/5");
	assert_string_equal(history_at(h, 0, "result"), "pending");
	assert_string_equal(history_at(h, 1, "id"), "tokyo/3");
	assert_string_equal(history_at(h, 1, "result"), "failed");
	assert_true(json_is_null(json_object_get(json_array_get(h, 1), "rtt_ms")));
	assert_string_equal(history_at(h, 2, "result"), "late");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 2), "rtt_ms")), 15000);
	assert_string_equal(history_at(h, 3, "id"), "tokyo/1");
	assert_string_equal(history_at(h, 3, "result"), "answered");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 3), "rtt_ms")), 5);
	assert_non_null(history_at(h, 3, "time"));
	json_decref(h);
	/* The limit keeps the newest; a peer never tested has none. */
	assert_int_equal(lia_store_linktest_history(f->s, "tokyo", "beijing", 2, T0 + 20000, 10000,
	    &h, f->err), 0);
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(history_at(h, 1, "id"), "tokyo/3");
	json_decref(h);
	assert_int_equal(lia_store_linktest_history(f->s, "tokyo", "seoul", 10, T0, 10000, &h,
	    f->err), 0);
	assert_int_equal(json_array_size(h), 0);
	json_decref(h);
}

static void test_garbage_file(void **state)
{
	struct fx *f = *state;
	char garbage[8192], path[4096], missing[4096 + 32];
	struct lia_store *s = (struct lia_store *)f; /* must be reset to NULL */

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)("not a database "[i % 15] ^ (i >> 7));
	fixture_write(f->dir, "garbage.db", garbage, sizeof(garbage), path);
	f->err[0] = '\0';
	assert_true(lia_store_open(path, &s, f->err) < 0);
	assert_null(s);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "not a database"));
	/* A file too short to hold even the header: refused, not taken as empty. */
	fixture_write(f->dir, "short.db", "SQLite format 3", 16, path);
	assert_true(lia_store_open(path, &s, f->err) < 0);
	assert_non_null(strstr(f->err, path));
	/* A directory that does not exist. */
	snprintf(missing, sizeof(missing), "%s/missing/liaison.db", f->dir);
	assert_true(lia_store_open(missing, &s, f->err) < 0);
	assert_non_null(strstr(f->err, missing));
}

static void test_damaged_pages(void **state)
{
	struct fx *f = *state;
	uint8_t junk[4096];
	struct stat st;
	json_t *j = NULL;
	struct lia_entry e;
	uint8_t cose[4] = {1, 2, 3, 4};
	int rc;

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t seq = 1; seq <= 200; seq++)
		add_message(f, "beijing", seq, "japan", LIA_DIR_IN);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	lia_store_close(f->s);
	f->s = NULL;
	/* Every page but the first (the schema) becomes noise. */
	memset(junk, 0xa5, sizeof(junk));
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size > 8192);
	for (long off = 4096; off < st.st_size; off += 4096)
		patch(f->path, off, junk, sizeof(junk));
	rc = lia_store_open(f->path, &f->s, f->err);
	if (rc < 0) {
		assert_non_null(strstr(f->err, f->path));
		return;
	}
	f->err[0] = '\0';
	assert_true(lia_store_counts(f->s, &j, f->err) < 0);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "malformed"));
	assert_true(lia_store_get_entry(f->s, "beijing", 5, NULL, NULL, NULL, NULL, f->err) < 0);
	assert_non_null(strstr(f->err, "beijing/5"));
	assert_true(lia_store_list_messages(f->s, LIA_DIR_IN, 10, &j, f->err) < 0);
	message(&e, "beijing", 500, "japan", "x");
	assert_true(lia_store_add_entry(f->s, &e, LIA_DIR_IN, cose, 4, T0, f->err) < 0);
	assert_non_null(strstr(f->err, "cannot store entry beijing/500"));
}

static void test_newer_version_refused(void **state)
{
	struct fx *f = *state;
	uint8_t v99[4] = {0, 0, 0, 99};
	struct lia_store *s = NULL;

	lia_store_close(f->s);
	f->s = NULL;
	patch(f->path, 60, v99, 4); /* user_version, big-endian, in the file header */
	f->err[0] = '\0';
	assert_true(lia_store_open(f->path, &s, f->err) < 0);
	assert_null(s);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "newer"));
	assert_non_null(strstr(f->err, "99"));
}

static void test_foreign_database_refused(void **state)
{
	struct fx *f = *state;
	uint8_t other[4] = {0x12, 0x34, 0x56, 0x78};
	struct lia_store *s = NULL;

	lia_store_close(f->s);
	f->s = NULL;
	patch(f->path, 68, other, 4); /* application_id */
	assert_true(lia_store_open(f->path, &s, f->err) < 0);
	assert_null(s);
	assert_non_null(strstr(f->err, "not a Liaison database"));
}

/* A write past RLIMIT_FSIZE fails like a full disk: LIA_EFULL, nothing kept, store usable. */
static void test_disk_full(void **state)
{
	struct fx *f = *state;
	static uint8_t big[64 * 1024];
	struct rlimit old, small;
	struct lia_entry e;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	int rc = 0;

	memset(big, 0x5a, sizeof(big));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 512 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = lia_store_begin(f->s, f->err);
	for (uint64_t seq = 1; rc == 0 && seq <= 40; seq++) {
		message(&e, "beijing", seq, "japan", "x");
		big[0] = (uint8_t)seq;
		rc = lia_store_add_entry(f->s, &e, LIA_DIR_IN, big, sizeof(big), T0, f->err);
	}
	if (rc == 0)
		rc = lia_store_commit(f->s, f->err);
	else
		lia_store_rollback(f->s);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(rc, LIA_EFULL);
	assert_non_null(strstr(f->err, f->path));
	assert_true(strstr(f->err, "full") != NULL || strstr(f->err, "too large") != NULL);
	assert_int_equal(count(f, "entries"), 0);
	add_message(f, "beijing", 1, "japan", LIA_DIR_IN);
	reopen(f);
	assert_int_equal(count(f, "entries"), 1);
}

/*
 * The joint record. The tests below reach the database file through a second
 * connection of their own (raw SQL) to build old schemas, count rows, read the
 * stored bytes independently of the log and tamper with rows, and recompute
 * roots naively from the RFC 9162 definition, without merkle.c's tree.
 */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* SQLite's answer to sql (a failure expected), as its error code. */
static int raw_try(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void sha256(const void *a, size_t alen, const void *b, size_t blen, const void *c,
    size_t clen, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, a, alen), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, b, blen), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, c, clen), 1);
	assert_int_equal(EVP_DigestFinal_ex(ctx, out, NULL), 1);
	EVP_MD_CTX_free(ctx);
}

/* RFC 9162 section 2.1.1 leaf hash: SHA-256(0x00 || bytes). */
static void naive_leaf(const uint8_t *cose, size_t len, uint8_t out[32])
{
	uint8_t zero = 0x00;

	sha256(&zero, 1, cose, len, "", 0, out);
}

/* RFC 9162 section 2.1.1 MTH, by its recursive definition. */
static void naive_mth(uint8_t (*leaf)[32], size_t n, uint8_t out[32])
{
	uint8_t one = 0x01, l[32], r[32];
	size_t k = 1;

	if (n == 0) {
		sha256("", 0, "", 0, "", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaf[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(leaf, k, l);
	naive_mth(leaf + k, n - k, r);
	sha256(&one, 1, l, 32, r, 32, out);
}

/* Leaf hashes of every stored entry, read by stored order straight from the entries table. */
static size_t stored_leaves(struct fx *f, uint8_t (*leaf)[32], size_t cap)
{
	sqlite3 *db = raw_open(f->path);
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT cose FROM entries ORDER BY n", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(n < cap);
		naive_leaf(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    leaf[n++]);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static uint64_t log_size(struct fx *f)
{
	uint64_t n = 0;

	assert_int_equal(lia_store_log_size(f->s, &n, f->err), 0);
	return n;
}

static uint64_t log_index(struct fx *f, const char *origin, uint64_t seq)
{
	uint64_t idx = 0;

	if (lia_store_log_index(f->s, origin, seq, &idx, f->err) != 0)
		fail_msg("log_index %s/%llu: %s", origin, (unsigned long long)seq, f->err);
	return idx;
}

static void test_log_grows(void **state)
{
	struct fx *f = *state;
	uint8_t *cose = NULL, want[128];
	size_t len = 0, n;
	uint64_t idx = 99, seq = 0;
	json_t *m = NULL;

	assert_int_equal(log_size(f), 0);
	assert_int_equal(lia_store_log_index(f->s, "tokyo", 1, &idx, f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "tokyo/1"));
	/* Out and in, messages and references, inside a transaction and outside one. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_next_seq(f->s, &seq, f->err), 0);
	add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
	assert_int_equal(log_size(f), 1);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	add_message(f, "beijing", 4, "japan", LIA_DIR_IN);
	assert_int_equal(log_size(f), 2);
	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 5, "tokyo", 1, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_ACK, "tokyo", 2, "beijing", 4, LIA_DIR_OUT);
	assert_int_equal(log_size(f), 4);
	/* A duplicate is not logged again. */
	assert_int_equal(add(f, &(struct lia_entry){.type = LIA_ENTRY_MESSAGE, .origin = "beijing",
	    .seq = 4, .to = "japan", .lang = "en", .text = "again"}, LIA_DIR_IN), LIA_EDUP);
	assert_int_equal(log_size(f), 4);
	reopen(f);
	assert_int_equal(log_size(f), 4);
	assert_int_equal(log_index(f, "tokyo", 1), 0);
	assert_int_equal(log_index(f, "beijing", 4), 1);
	assert_int_equal(log_index(f, "beijing", 5), 2);
	assert_int_equal(log_index(f, "tokyo", 2), 3);
	/* Each leaf holds the entry's exact bytes. */
	n = fake_cose("beijing", 5, want, sizeof(want));
	assert_int_equal(lia_store_log_entry(f->s, 2, &cose, &len, f->err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(cose, want, n);
	free(cose);
	assert_int_equal(lia_store_log_entry(f->s, 4, &cose, &len, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_log_entry(f->s, UINT64_MAX, &cose, &len, f->err),
	    LIA_ENOTFOUND);
	/* The message views carry their log index. */
	assert_int_equal(lia_store_message_json(f->s, "beijing", 4, &m, f->err), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "log_index")), 1);
	json_decref(m);
	m = only_message(f, LIA_DIR_OUT);
	assert_int_equal(json_integer_value(json_object_get(m, "log_index")), 0);
	json_decref(m);
}

static void test_log_json(void **state)
{
	struct fx *f = *state;
	uint8_t cose[128], leaf[32];
	char hex[65];
	json_t *list = NULL, *o;
	size_t n;

	add_message(f, "tokyo", 1, "beijing", LIA_DIR_OUT);
	add_message(f, "beijing", 7, "japan", LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_RECEIPT, "beijing", 8, "tokyo", 1, LIA_DIR_IN);
	add_ref(f, LIA_ENTRY_ACK, "tokyo", 2, "beijing", 7, LIA_DIR_OUT);
	assert_int_equal(lia_store_log_json(f->s, 0, 0, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 4);
	json_decref(list);
	assert_int_equal(lia_store_log_json(f->s, 1, 2, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 2);
	o = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "index")), 1);
	assert_string_equal(str(o, "id"), "beijing/7");
	assert_string_equal(str(o, "type"), "message");
	assert_string_equal(str(o, "direction"), "in");
	n = fake_cose("beijing", 7, cose, sizeof(cose));
	naive_leaf(cose, n, leaf);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", leaf[i]);
	assert_string_equal(str(o, "leaf_hash"), hex);
	o = json_array_get(list, 1);
	assert_string_equal(str(o, "id"), "beijing/8");
	assert_string_equal(str(o, "type"), "receipt");
	json_decref(list);
	assert_int_equal(lia_store_log_json(f->s, 3, 10, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(str(json_array_get(list, 0), "type"), "ack");
	assert_string_equal(str(json_array_get(list, 0), "direction"), "out");
	json_decref(list);
	assert_int_equal(lia_store_log_json(f->s, UINT64_MAX, 10, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

/* A rolled-back transaction, or a failed add outside one, leaves log and tree as they were. */
static void test_log_rollback(void **state)
{
	struct fx *f = *state;
	uint8_t root[32], again[32];
	sqlite3 *db;
	int64_t tree_rows;

	for (uint64_t seq = 1; seq <= 5; seq++)
		add_message(f, "beijing", seq, "japan", LIA_DIR_IN);
	assert_int_equal(lia_store_log_root(f->s, 5, root, f->err), 0);
	db = raw_open(f->path);
	tree_rows = raw_int(db, "SELECT count(*) FROM tree");
	assert_int_equal(tree_rows, 5 + 2 + 1);

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t seq = 6; seq <= 12; seq++)
		add_message(f, "beijing", seq, "japan", LIA_DIR_IN);
	assert_int_equal(log_size(f), 12);
	lia_store_rollback(f->s);
	assert_int_equal(log_size(f), 5);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM tree"), tree_rows);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM log"), 5);
	assert_int_equal(lia_store_log_root(f->s, 5, again, f->err), 0);
	assert_memory_equal(root, again, 32);

	/* A leaf that cannot be written (its slot taken behind the store's back) fails the add,
	 * which outside a transaction takes the entry row with it. */
	raw_exec(db, "INSERT INTO tree (level, idx, hash) VALUES (0, 5, zeroblob(32))");
	f->err[0] = '\0';
	assert_true(add(f, &(struct lia_entry){.type = LIA_ENTRY_MESSAGE, .origin = "beijing",
	    .seq = 6, .to = "japan", .lang = "en", .text = "x"}, LIA_DIR_IN) < 0);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "Merkle tree node (level 0, index 5)"));
	assert_int_equal(lia_store_get_entry(f->s, "beijing", 6, NULL, NULL, NULL, NULL, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(log_size(f), 5);
	/* Inside a transaction the caller rolls back, and nothing is left either. */
	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	assert_int_equal(lia_store_set_cursor(f->s, "shanghai", 9, f->err), 0);
	assert_true(lia_store_add_entry(f->s, &(struct lia_entry){.type = LIA_ENTRY_MESSAGE,
	    .origin = "shanghai", .seq = 2, .to = "japan", .lang = "en", .text = "x"}, LIA_DIR_IN,
	    (const uint8_t *)"xyz", 3, T0, f->err) < 0);
	lia_store_rollback(f->s);
	assert_int_equal(count(f, "entries"), 5);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM log"), 5);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM cursors"), 0);
	sqlite3_close(db);
}


#define ROOT_SIZES 200

/* Roots from the store equal the naive MTH over the stored bytes, for every size as it grows and after. */
static void test_log_root_naive(void **state)
{
	struct fx *f = *state;
	static uint8_t leaf[ROOT_SIZES][32];
	uint8_t want[32], got[32];
	uint64_t big = UINT64_MAX;

	assert_int_equal(lia_store_log_root(f->s, 0, got, f->err), 0);
	naive_mth(leaf, 0, want);
	assert_memory_equal(got, want, 32);
	for (uint64_t size = 1; size <= ROOT_SIZES; size++) {
		if (size % 3 == 0)
			add_message(f, "tokyo", size, "beijing", LIA_DIR_OUT);
		else
			add_ref(f, size % 3 == 1 ? LIA_ENTRY_RECEIPT : LIA_ENTRY_ACK, "beijing", size,
			    "tokyo", size, LIA_DIR_IN);
		assert_int_equal(stored_leaves(f, leaf, ROOT_SIZES), size);
		naive_mth(leaf, size, want);
		assert_int_equal(lia_store_log_root(f->s, size, got, f->err), 0);
		assert_memory_equal(got, want, 32);
	}
	reopen(f);
	for (uint64_t size = 0; size <= ROOT_SIZES; size++) {
		naive_mth(leaf, size, want);
		assert_int_equal(lia_store_log_root(f->s, size, got, f->err), 0);
		assert_memory_equal(got, want, 32);
	}
	assert_int_equal(lia_store_log_root(f->s, ROOT_SIZES + 1, got, f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, f->path));
	assert_int_equal(lia_store_log_root(f->s, big, got, f->err), LIA_ENOTFOUND);
}

#define PROOF_SIZE 130

static void test_log_proofs(void **state)
{
	struct fx *f = *state;
	static uint8_t leaf[PROOF_SIZE][32], root[PROOF_SIZE + 1][32];
	struct lia_merkle_proof p;
	char err[LIA_ERR_LEN];

	assert_int_equal(lia_store_begin(f->s, f->err), 0);
	for (uint64_t seq = 1; seq <= PROOF_SIZE; seq++)
		add_message(f, seq % 2 ? "beijing" : "shanghai", seq, "japan", LIA_DIR_IN);
	assert_int_equal(lia_store_commit(f->s, f->err), 0);
	assert_int_equal(stored_leaves(f, leaf, PROOF_SIZE), PROOF_SIZE);
	for (size_t size = 1; size <= PROOF_SIZE; size++)
		naive_mth(leaf, size, root[size]);
	/* Every leaf in every tree size. */
	for (uint64_t size = 1; size <= PROOF_SIZE; size++) {
		for (uint64_t idx = 0; idx < size; idx++) {
			if (lia_store_inclusion_proof(f->s, idx, size, &p, f->err) != 0)
				fail_msg("inclusion %llu in %llu: %s", (unsigned long long)idx,
				    (unsigned long long)size, f->err);
			if (lia_merkle_verify_inclusion(leaf[idx], idx, size, &p, root[size], err) != 0)
				fail_msg("verify inclusion %llu in %llu: %s", (unsigned long long)idx,
				    (unsigned long long)size, err);
		}
	}
	/* Every pair of sizes. */
	for (uint64_t old = 1; old <= PROOF_SIZE; old++) {
		for (uint64_t size = old; size <= PROOF_SIZE; size++) {
			if (lia_store_consistency_proof(f->s, old, size, &p, f->err) != 0)
				fail_msg("consistency %llu to %llu: %s", (unsigned long long)old,
				    (unsigned long long)size, f->err);
			if (lia_merkle_verify_consistency(old, size, root[old], root[size], &p,
			    err) != 0)
				fail_msg("verify consistency %llu to %llu: %s", (unsigned long long)old,
				    (unsigned long long)size, err);
		}
	}
	/* A proof for one leaf or size does not pass for another. */
	assert_int_equal(lia_store_inclusion_proof(f->s, 17, 100, &p, f->err), 0);
	assert_true(lia_merkle_verify_inclusion(leaf[18], 17, 100, &p, root[100], err) < 0);
	p.hash[0][0] ^= 1;
	assert_true(lia_merkle_verify_inclusion(leaf[17], 17, 100, &p, root[100], err) < 0);
	assert_int_equal(lia_store_consistency_proof(f->s, 37, 100, &p, f->err), 0);
	assert_true(lia_merkle_verify_consistency(37, 100, root[38], root[100], &p, err) < 0);
	/* Sizes the log does not have, and impossible ones. */
	assert_int_equal(lia_store_inclusion_proof(f->s, 0, PROOF_SIZE + 1, &p, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_consistency_proof(f->s, 1, PROOF_SIZE + 1, &p, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_inclusion_proof(f->s, 5, 5, &p, f->err), LIA_ERROR);
	assert_non_null(strstr(f->err, f->path));
	assert_int_equal(lia_store_consistency_proof(f->s, 0, 5, &p, f->err), LIA_ERROR);
	assert_int_equal(lia_store_consistency_proof(f->s, 6, 5, &p, f->err), LIA_ERROR);
}

/* The version-1 schema, exactly as liaisond 0.1 created it. */
static const char v1_schema[] =
	"CREATE TABLE entries ("
	" n INTEGER PRIMARY KEY,"
	" origin TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),"
	" type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 3),"
	" dir INTEGER NOT NULL CHECK (dir IN (0, 1)),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32), cose BLOB NOT NULL,"
	" time_ms INTEGER NOT NULL, stored_ms INTEGER NOT NULL,"
	" to_name TEXT, precedence INTEGER, lang TEXT, text TEXT,"
	" ref_origin TEXT, ref_seq INTEGER, operator TEXT,"
	" UNIQUE (origin, seq));"
	"CREATE UNIQUE INDEX entries_own ON entries (seq) WHERE dir = 0;"
	"CREATE INDEX entries_ref ON entries (ref_origin, ref_seq) WHERE ref_origin IS NOT NULL;"
	"CREATE INDEX entries_list ON entries (type, dir);"
	"CREATE TABLE outbox (dest TEXT NOT NULL, seq INTEGER NOT NULL,"
	" PRIMARY KEY (dest, seq)) WITHOUT ROWID;"
	"CREATE TABLE deliveries (seq INTEGER NOT NULL, dest TEXT NOT NULL,"
	" receipt_seq INTEGER CHECK (receipt_seq >= 1), delivered_ms INTEGER,"
	" PRIMARY KEY (seq, dest)) WITHOUT ROWID;"
	"CREATE TABLE cursors (peer TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 0))"
	" WITHOUT ROWID;"
	"CREATE TABLE certs (node TEXT PRIMARY KEY, der BLOB NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('next_seq', 1);"
	"PRAGMA application_id = 1279869233;"
	"PRAGMA user_version = 1;";

#define V1_ENTRIES 37

/* Writes a version-1 database at path with V1_ENTRIES messages from two origins, interleaved. */
static void make_v1(const char *path)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st = NULL;
	uint8_t cose[128], hash[32];

	raw_exec(db, "PRAGMA journal_mode = WAL");
	raw_exec(db, v1_schema);
	raw_exec(db, "BEGIN");
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO entries (n, origin, seq, type, dir,"
	    " hash, cose, time_ms, stored_ms, to_name, precedence, lang, text)"
	    " VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?7, ?8, 0, 'en', 'old')", -1, &st, NULL),
	    SQLITE_OK);
	for (int i = 0; i < V1_ENTRIES; i++) {
		const char *origin = i % 3 ? "beijing" : "tokyo";
		uint64_t seq = (uint64_t)(V1_ENTRIES - i); /* stored order is not seq order */
		size_t n = fake_cose(origin, seq, cose, sizeof(cose));

		sha256(cose, n, "", 0, "", 0, hash);
		sqlite3_bind_int64(st, 1, 10 + 2 * i); /* rowids with gaps */
		sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)seq);
		sqlite3_bind_int(st, 4, i % 3 ? LIA_DIR_IN : LIA_DIR_OUT);
		sqlite3_bind_blob(st, 5, hash, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 6, cose, (int)n, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 7, T0 + i);
		sqlite3_bind_text(st, 8, i % 3 ? "japan" : "beijing", -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	raw_exec(db, "COMMIT");
	sqlite3_close(db);
}

static void test_migrate_v1(void **state)
{
	struct fx *f = *state;
	static uint8_t leaf[V1_ENTRIES + 1][32];
	uint8_t want[32], got[32], *cose = NULL, expect[128];
	char path[4096 + 16];
	struct lia_store *s = NULL;
	uint64_t bad = 0;
	size_t len = 0, n;
	json_t *m = NULL;
	sqlite3 *db;

	lia_store_close(f->s);
	f->s = NULL;
	snprintf(path, sizeof(path), "%s/v1.db", f->dir);
	make_v1(path);
	snprintf(f->path, sizeof(f->path), "%s", path);
	assert_int_equal(lia_store_open(path, &f->s, f->err), 0);
	db = raw_open(path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 7);
	sqlite3_close(db);
	/* The entries are kept and logged in stored order. */
	assert_int_equal(count(f, "entries"), V1_ENTRIES);
	assert_int_equal(log_size(f), V1_ENTRIES);
	for (int i = 0; i < V1_ENTRIES; i++) {
		const char *origin = i % 3 ? "beijing" : "tokyo";
		uint64_t seq = (uint64_t)(V1_ENTRIES - i);

		assert_int_equal(log_index(f, origin, seq), (uint64_t)i);
		n = fake_cose(origin, seq, expect, sizeof(expect));
		assert_int_equal(lia_store_log_entry(f->s, (uint64_t)i, &cose, &len, f->err), 0);
		assert_int_equal(len, n);
		assert_memory_equal(cose, expect, n);
		free(cose);
	}
	assert_int_equal(stored_leaves(f, leaf, V1_ENTRIES), V1_ENTRIES);
	naive_mth(leaf, V1_ENTRIES, want);
	assert_int_equal(lia_store_log_root(f->s, V1_ENTRIES, got, f->err), 0);
	assert_memory_equal(got, want, 32);
	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 0);
	assert_int_equal(lia_store_message_json(f->s, "tokyo", V1_ENTRIES, &m, f->err), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "log_index")), 0);
	json_decref(m);
	/* New entries follow; a second open migrates nothing again. */
	add_message(f, "shanghai", 1, "japan", LIA_DIR_IN);
	assert_int_equal(log_index(f, "shanghai", 1), V1_ENTRIES);
	reopen(f);
	assert_int_equal(log_size(f), V1_ENTRIES + 1);
	assert_int_equal(stored_leaves(f, leaf, V1_ENTRIES + 1), V1_ENTRIES + 1);
	naive_mth(leaf, V1_ENTRIES + 1, want);
	assert_int_equal(lia_store_log_root(f->s, V1_ENTRIES + 1, got, f->err), 0);
	assert_memory_equal(got, want, 32);
	/* A version-1 file whose migration fails is left as it was. */
	snprintf(path, sizeof(path), "%s/v1-bad.db", f->dir);
	make_v1(path);
	db = raw_open(path);
	raw_exec(db, "CREATE TABLE tree (x)"); /* in the way of the new table */
	sqlite3_close(db);
	assert_true(lia_store_open(path, &s, f->err) < 0);
	assert_null(s);
	assert_non_null(strstr(f->err, path));
	db = raw_open(path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'log'"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM entries"), V1_ENTRIES);
	sqlite3_close(db);
}

struct cosigs {
	char witness[4][32];
	char line[4][128];
	int64_t when[4];
	int n;
	int stop_after;
};

static int on_cosig(void *ctx, const char *witness, const char *line, int64_t received_ms)
{
	struct cosigs *c = ctx;

	assert_true(c->n < 4);
	snprintf(c->witness[c->n], sizeof(c->witness[0]), "%s", witness);
	snprintf(c->line[c->n], sizeof(c->line[0]), "%s", line);
	c->when[c->n++] = received_ms;
	return c->stop_after > 0 && c->n >= c->stop_after;
}

static void test_checkpoints(void **state)
{
	struct fx *f = *state;
	uint8_t root3[32], root5[32], got[32], wrong[32] = {0};
	char *note = NULL;
	uint64_t size = 99;
	struct cosigs c;

	assert_int_equal(lia_store_latest_checkpoint(f->s, &size, got, &note, f->err),
	    LIA_ENOTFOUND);
	for (uint64_t seq = 1; seq <= 5; seq++)
		add_message(f, "tokyo", seq, "beijing", LIA_DIR_OUT);
	assert_int_equal(lia_store_log_root(f->s, 3, root3, f->err), 0);
	assert_int_equal(lia_store_log_root(f->s, 5, root5, f->err), 0);
	/* Only the log's own root is kept, and only for a size the log has. */
	f->err[0] = '\0';
	assert_int_equal(lia_store_add_checkpoint(f->s, 3, wrong, "tokyo\n3\nx\n", T0, f->err),
	    LIA_ERROR);
	assert_non_null(strstr(f->err, "root"));
	assert_int_equal(lia_store_add_checkpoint(f->s, 6, root5, "n\n", T0, f->err),
	    LIA_ENOTFOUND);
	assert_int_equal(lia_store_add_checkpoint(f->s, 3, root3, "note three\n", T0, f->err), 0);
	assert_int_equal(lia_store_add_checkpoint(f->s, 5, root5, "note five\n", T0 + 1, f->err),
	    0);
	assert_int_equal(lia_store_add_checkpoint(f->s, 5, root5, "other\n", T0 + 2, f->err),
	    LIA_EDUP);
	reopen(f);
	assert_int_equal(lia_store_latest_checkpoint(f->s, &size, got, &note, f->err), 0);
	assert_int_equal(size, 5);
	assert_memory_equal(got, root5, 32);
	assert_string_equal(note, "note five\n");
	free(note);
	assert_int_equal(lia_store_latest_checkpoint(f->s, &size, NULL, NULL, f->err), 0);
	assert_int_equal(lia_store_checkpoint(f->s, 3, &note, f->err), 0);
	assert_string_equal(note, "note three\n");
	free(note);
	assert_int_equal(lia_store_checkpoint(f->s, 4, &note, f->err), LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "size 4"));

	/* Cosignatures: one per witness and checkpoint, only on checkpoints we keep. */
	assert_int_equal(lia_store_cosigned_size(f->s, "beijing", &size, f->err), 0);
	assert_int_equal(size, 0);
	assert_int_equal(lia_store_add_cosignature(f->s, 3, "shanghai", "\xe2\x80\x94 shanghai A\n",
	    T0 + 10, f->err), 0);
	assert_int_equal(lia_store_add_cosignature(f->s, 3, "beijing", "\xe2\x80\x94 beijing B\n",
	    T0 + 11, f->err), 0);
	assert_int_equal(lia_store_add_cosignature(f->s, 5, "beijing", "\xe2\x80\x94 beijing C\n",
	    T0 + 12, f->err), 0);
	assert_int_equal(lia_store_add_cosignature(f->s, 3, "beijing", "other", T0, f->err),
	    LIA_EDUP);
	assert_non_null(strstr(f->err, "beijing"));
	assert_int_equal(lia_store_add_cosignature(f->s, 4, "beijing", "x", T0, f->err),
	    LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "size 4"));
	memset(&c, 0, sizeof(c));
	assert_int_equal(lia_store_scan_cosignatures(f->s, 3, on_cosig, &c, f->err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.witness[0], "beijing");
	assert_string_equal(c.line[0], "\xe2\x80\x94 beijing B\n");
	assert_int_equal(c.when[0], T0 + 11);
	assert_string_equal(c.witness[1], "shanghai");
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	assert_int_equal(lia_store_scan_cosignatures(f->s, 3, on_cosig, &c, f->err), 0);
	assert_int_equal(c.n, 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(lia_store_scan_cosignatures(f->s, 4, on_cosig, &c, f->err), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(lia_store_cosigned_size(f->s, "beijing", &size, f->err), 0);
	assert_int_equal(size, 5);
	assert_int_equal(lia_store_cosigned_size(f->s, "shanghai", &size, f->err), 0);
	assert_int_equal(size, 3);
	assert_int_equal(lia_store_cosigned_size(f->s, "seoul", &size, f->err), 0);
	assert_int_equal(size, 0);
}

static void test_witnessed_evidence(void **state)
{
	struct fx *f = *state;
	uint8_t r1[32], r2[32], got[32];
	char *note = NULL;
	uint64_t size = 0;
	json_t *list = NULL, *o;
	sqlite3 *db;

	memset(r1, 0x11, sizeof(r1));
	memset(r2, 0x22, sizeof(r2));
	assert_int_equal(lia_store_get_witnessed(f->s, "beijing", &size, got, &note, f->err),
	    LIA_ENOTFOUND);
	assert_non_null(strstr(f->err, "beijing"));
	assert_int_equal(lia_store_set_witnessed(f->s, "beijing", 10, r1, "beijing ten\n", T0,
	    f->err), 0);
	assert_int_equal(lia_store_set_witnessed(f->s, "shanghai", 4, r2, "shanghai four\n", T0,
	    f->err), 0);
	assert_int_equal(lia_store_set_witnessed(f->s, "beijing", 12, r2, "beijing twelve\n",
	    T0 + 1, f->err), 0);
	reopen(f);
	assert_int_equal(lia_store_get_witnessed(f->s, "beijing", &size, got, &note, f->err), 0);
	assert_int_equal(size, 12);
	assert_memory_equal(got, r2, 32);
	assert_string_equal(note, "beijing twelve\n");
	free(note);
	assert_int_equal(lia_store_get_witnessed(f->s, "shanghai", &size, NULL, NULL, f->err), 0);
	assert_int_equal(size, 4);

	assert_int_equal(lia_store_evidence_json(f->s, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(lia_store_add_evidence(f->s, "beijing", "fork at size 12",
	    "beijing twelve\n", "beijing twelve (other)\n", T0 + 5, f->err), 0);
	assert_int_equal(lia_store_add_evidence(f->s, "shanghai", "history rewritten", NULL,
	    "shanghai three\n", T0 + 6, f->err), 0);
	reopen(f);
	assert_int_equal(lia_store_evidence_json(f->s, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 2);
	o = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 1);
	assert_string_equal(str(o, "peer"), "beijing");
	assert_string_equal(str(o, "reason"), "fork at size 12");
	assert_string_equal(str(o, "note_old"), "beijing twelve\n");
	assert_string_equal(str(o, "note_new"), "beijing twelve (other)\n");
	assert_string_equal(str(o, "found"), "2023-11-14T22:13:20.005Z");
	o = json_array_get(list, 1);
	assert_string_equal(str(o, "peer"), "shanghai");
	assert_true(json_is_null(json_object_get(o, "note_old")));
	json_decref(list);
	/* Evidence and the record are kept: SQL cannot change or remove them. */
	add_message(f, "tokyo", 1, "beijing", LIA_DIR_OUT);
	db = raw_open(f->path);
	assert_int_not_equal(raw_try(db, "DELETE FROM evidence"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "UPDATE evidence SET reason = 'none'"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "DELETE FROM log"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "DELETE FROM tree"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "UPDATE tree SET hash = zeroblob(32)"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "DELETE FROM entries"), SQLITE_OK);
	assert_int_not_equal(raw_try(db, "UPDATE entries SET cose = x'00'"), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM evidence"), 2);
	sqlite3_close(db);
}

/* Replaces the COSE bytes of entry (origin, seq) behind the store's back (and its trigger's). */
static void tamper_entry(sqlite3 *db, const char *origin, uint64_t seq)
{
	char sql[256];

	raw_try(db, "DROP TRIGGER entries_fixed");
	snprintf(sql, sizeof(sql), "UPDATE entries SET cose = cose || x'00' WHERE origin = '%s'"
	    " AND seq = %llu", origin, (unsigned long long)seq);
	raw_exec(db, sql);
	assert_int_equal(sqlite3_changes(db), 1);
}

static void test_log_check(void **state)
{
	struct fx *f = *state;
	uint8_t root[32];
	uint64_t bad = 0;
	sqlite3 *db;

	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 0); /* empty */
	assert_int_equal(bad, 0);
	for (uint64_t seq = 1; seq <= 50; seq++) {
		add_message(f, "beijing", seq, "japan", LIA_DIR_IN);
		if (seq % 20 == 0) {
			assert_int_equal(lia_store_log_root(f->s, seq, root, f->err), 0);
			assert_int_equal(lia_store_add_checkpoint(f->s, seq, root, "cp\n", T0,
			    f->err), 0);
		}
	}
	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 0);
	assert_int_equal(bad, 50);
	db = raw_open(f->path);
	/* The entries' trigger refuses the change; dropped, the check still finds it. */
	assert_int_not_equal(raw_try(db, "UPDATE entries SET cose = x'00' WHERE seq = 30"),
	    SQLITE_OK);
	tamper_entry(db, "beijing", 31);
	tamper_entry(db, "beijing", 45);
	f->err[0] = '\0';
	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 1);
	assert_int_equal(bad, 30);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "log index 30"));
	sqlite3_close(db);
}

/* Runs sql with blobs a (and b, when not NULL) bound as ?1 and ?2; one row must change. */
static void raw_update(sqlite3 *db, const char *sql, const void *a, size_t alen, const void *b,
    size_t blen)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, a, (int)alen, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_blob(st, 2, b, (int)blen, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
}

/* Fills f's log with 40 messages from beijing and checkpoints at 16 and 40; a raw connection with the guards dropped. */
static sqlite3 *check_fixture(struct fx *f)
{
	uint8_t root[32];
	sqlite3 *db;

	for (uint64_t seq = 1; seq <= 40; seq++) {
		add_message(f, "beijing", seq, "japan", LIA_DIR_IN);
		if (seq == 16 || seq == 40) {
			assert_int_equal(lia_store_log_root(f->s, seq, root, f->err), 0);
			assert_int_equal(lia_store_add_checkpoint(f->s, seq, root, "cp\n", T0,
			    f->err), 0);
		}
	}
	db = raw_open(f->path);
	raw_exec(db, "DROP TRIGGER entries_fixed; DROP TRIGGER tree_fixed;"
	    " DROP TRIGGER tree_kept");
	return db;
}

/* Replaces entry seq's COSE bytes (last byte flipped) and its entry hash; the new leaf hash in leaf. */
static void rewrite_entry(sqlite3 *db, uint64_t seq, uint8_t leaf[32])
{
	uint8_t cose[128], hash[32];
	char sql[128];
	size_t n = fake_cose("beijing", seq, cose, sizeof(cose));

	cose[n - 1] ^= 0xff;
	sha256(cose, n, "", 0, "", 0, hash);
	naive_leaf(cose, n, leaf);
	snprintf(sql, sizeof(sql), "UPDATE entries SET cose = ?1, hash = ?2 WHERE seq = %llu",
	    (unsigned long long)seq);
	raw_update(db, sql, cose, n, hash, 32);
}

/* A tamperer who rewrites the leaf hash too is caught by the node above it. */
static void test_log_check_leaf_rewritten(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = check_fixture(f);
	uint8_t leaf[32];
	uint64_t bad = 0;

	rewrite_entry(db, 22, leaf); /* log index 21 */
	raw_update(db, "UPDATE tree SET hash = ?1 WHERE level = 0 AND idx = 21", leaf, 32, NULL, 0);
	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 1);
	assert_int_equal(bad, 20); /* node (1, 10) covers leaves 20 and 21 */
	assert_non_null(strstr(f->err, "level 1, index 10"));
	sqlite3_close(db);
}

/* A tamperer who rebuilds the whole tree is caught by the checkpoints: the first entries not vouched for. */
static void test_log_check_tree_rewritten(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = check_fixture(f);
	static uint8_t leaf[40][32];
	uint8_t h[32];
	uint64_t bad = 0;

	rewrite_entry(db, 26, h); /* log index 25 */
	raw_exec(db, "DELETE FROM tree");
	assert_int_equal(stored_leaves(f, leaf, 40), 40);
	for (unsigned level = 0; level < 6; level++) {
		for (uint64_t idx = 0; ((idx + 1) << level) <= 40; idx++) {
			char sql[128];

			naive_mth(leaf + (idx << level), (size_t)1 << level, h);
			snprintf(sql, sizeof(sql), "INSERT INTO tree (level, idx, hash) VALUES"
			    " (%u, %llu, ?1)", level, (unsigned long long)idx);
			raw_update(db, sql, h, 32, NULL, 0);
		}
	}
	assert_int_equal(lia_store_log_check(f->s, &bad, f->err), 1);
	assert_int_equal(bad, 16);
	assert_non_null(strstr(f->err, "checkpoint"));
	sqlite3_close(db);
}

static struct lia_deadline_row deadline(const char *origin, uint64_t seq, const char *node,
    enum lia_deadline_kind kind, int64_t due_ms)
{
	struct lia_deadline_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.origin, sizeof(r.origin), "%s", origin);
	r.seq = seq;
	snprintf(r.node, sizeof(r.node), "%s", node);
	r.kind = kind;
	r.precedence = LIA_IMMEDIATE;
	r.due_ms = due_ms;
	return r;
}

/* Pending deadlines come due in order; a step moves one on; met closes it; overdue lists what is marked. */
static void test_deadlines(void **state)
{
	struct fx *f = *state;
	struct lia_deadline_row rows[8], r;
	json_t *list = NULL;
	int64_t next = 0;
	int n = -1;

	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), LIA_ENOTFOUND);
	r = deadline("tokyo", 1, "beijing", LIA_DEADLINE_ACK, T0 + 600000);
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	r = deadline("tokyo", 1, "beijing", LIA_DEADLINE_RECEIPT, T0 + 30000);
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	r.due_ms = T0; /* an existing key is kept as it was */
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), 0);
	assert_int_equal(next, T0 + 30000);
	assert_int_equal(lia_store_deadline_due(f->s, T0 + 29999, rows, 8, &n, f->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_deadline_due(f->s, T0 + 30000, rows, 8, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].kind, LIA_DEADLINE_RECEIPT);
	assert_int_equal(rows[0].overdue_ms, -1);
	assert_int_equal(rows[0].met_ms, -1);
	assert_int_equal(rows[0].step, 0);
	/* Step 1: overdue now, looked at again a minute later. */
	r = rows[0];
	r.step = 1;
	r.overdue_ms = T0 + 30001;
	r.next_ms = T0 + 90000;
	assert_int_equal(lia_store_deadline_step(f->s, &r, f->err), 0);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), 0);
	assert_int_equal(next, T0 + 90000);
	assert_int_equal(lia_store_overdue_json(f->s, T0 + 40000, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(str(json_array_get(list, 0), "id"), "tokyo/1");
	assert_string_equal(str(json_array_get(list, 0), "deadline"), "receipt");
	assert_string_equal(str(json_array_get(list, 0), "precedence"), "IMMEDIATE");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "late_s")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "steps")), 1);
	json_decref(list);
	/* The receipt comes: closed, reported with its state before. */
	assert_int_equal(lia_store_deadline_met(f->s, "tokyo", 1, "beijing", LIA_DEADLINE_RECEIPT,
	    T0 + 50000, rows, 8, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].step, 1);
	assert_int_equal(lia_store_deadline_met(f->s, "tokyo", 1, "beijing", LIA_DEADLINE_RECEIPT,
	    T0 + 60000, rows, 8, &n, f->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_overdue_json(f->s, T0 + 60000, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), 0);
	assert_int_equal(next, T0 + 600000);
	/* Any node's ack meets every recipient's ack deadline. */
	r = deadline("tokyo", 1, "shanghai", LIA_DEADLINE_ACK, T0 + 600000);
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	assert_int_equal(lia_store_deadline_met(f->s, "tokyo", 1, NULL, LIA_DEADLINE_ACK,
	    T0 + 70000, rows, 8, &n, f->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), LIA_ENOTFOUND);
}

/* Notices heard elsewhere: raised to the highest step, closed by step 0, never scheduled. */
static void test_deadline_heard(void **state)
{
	struct fx *f = *state;
	struct lia_deadline_row r = deadline("tokyo", 2, "beijing", LIA_DEADLINE_ACK, T0);
	json_t *list = NULL, *of = NULL;
	int64_t next = 0;

	r.step = 2;
	assert_int_equal(lia_store_deadline_heard(f->s, &r, T0 + 5000, f->err), 0);
	r.step = 1; /* an older notice heard late does not lower the step */
	assert_int_equal(lia_store_deadline_heard(f->s, &r, T0 + 6000, f->err), 0);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), LIA_ENOTFOUND);
	assert_int_equal(lia_store_overdue_of(f->s, "tokyo", 2, T0 + 7000, &of, f->err), 0);
	assert_int_equal(json_array_size(of), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(of, 0), "steps")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(of, 0), "late_s")), 7);
	json_decref(of);
	r.step = 0;
	assert_int_equal(lia_store_deadline_heard(f->s, &r, T0 + 8000, f->err), 0);
	assert_int_equal(lia_store_overdue_json(f->s, T0 + 9000, &list, f->err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* At the late receiver, its own pending row is marked overdue by a notice, and stays scheduled. */
	r = deadline("tokyo", 3, "beijing", LIA_DEADLINE_ACK, T0 + 1000);
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	r.step = 1;
	assert_int_equal(lia_store_deadline_heard(f->s, &r, T0 + 2000, f->err), 0);
	assert_int_equal(lia_store_deadline_next(f->s, &next, f->err), 0);
	assert_int_equal(next, T0 + 1000);
}

/* A version-4 database gains the deadlines table. */
static void test_migrate_v4(void **state)
{
	struct fx *f = *state;
	struct lia_deadline_row r = deadline("tokyo", 1, "beijing", LIA_DEADLINE_ACK, T0);
	sqlite3 *db;

	lia_store_close(f->s);
	f->s = NULL;
	db = raw_open(f->path);
	raw_exec(db, "DROP TABLE incident_steps; DROP TABLE incidents; DROP TABLE deadlines;"
	    " PRAGMA user_version = 4;");
	sqlite3_close(db);
	assert_int_equal(lia_store_open(f->path, &f->s, f->err), 0);
	assert_int_equal(lia_store_deadline_add(f->s, &r, f->err), 0);
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 7);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM deadlines"), 1);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_heard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_get_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dequeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_reentrant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliveries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_root_naive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_proofs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_witnessed_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linktest_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_check_leaf_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_check_tree_rewritten, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
