/*
 * record_bench.c - the joint record's cost in the store: appends per second,
 * proof generation and verification times, and database bytes per entry.
 *
 * Creates a fresh database in a temporary directory and stores COUNT
 * synthetic entries (default 1,000,000) through lia_store_add_entry in
 * transactions of 1,000, as a link's batch commit would: alternately an own
 * message and one from a peer, each with 200 pseudo-random COSE bytes (the
 * store does not parse them) and a 96-byte text. Every EVERY entries
 * (default 1,000,000) it stops appending for a checkpoint line: the append
 * rate over the last EVERY, the proof times at that size over up to 1,000
 * samples, and this process's resident set now and at its peak, so one sees
 * whether the rates stay flat and the memory bounded as the record grows.
 * Then, over PROOFS samples (default 10,000) at the final size: inclusion
 * proofs of random leaves and consistency proofs from random older sizes,
 * generated from the store and verified with merkle.c, each averaged in
 * microseconds. Last, the log check over everything, and the database
 * file's size (after close, so the WAL is folded in) divided by COUNT.
 *
 * Memory does not grow with COUNT: entries are made one at a time, the
 * proof samples are fixed in number, SQLite keeps its default page cache
 * and the log check walks the leaves with a stack of 64 hashes. The disk
 * does: about 564 bytes per entry (10,000,000 entries need some 6 GB free
 * in TMPDIR).
 *
 * Prints one "key value" line per figure, and one "at SIZE key value ..."
 * line per checkpoint. Synthetic and deterministic (a fixed xorshift seed);
 * the directory is removed unless KEEP=1.
 *
 * Usage: record_bench [COUNT [PROOFS [EVERY]]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "entry.h"
#include "err.h"
#include "merkle.h"
#include "store.h"

#define DEFAULT_COUNT 1000000L
#define DEFAULT_PROOFS 10000L
#define DEFAULT_EVERY 1000000L
#define CHECKPOINT_PROOFS 1000L
#define BATCH 1000
#define COSE_LEN 200
#define TEXT_LEN 96

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Entry i: even ones are own messages (bench/seq), odd ones arrive from peer. */
static void make_entry(long i, struct lia_entry *e, enum lia_dir *dir, uint8_t cose[COSE_LEN],
    char *text)
{
	memset(e, 0, sizeof(*e));
	e->type = LIA_ENTRY_MESSAGE;
	*dir = i % 2 == 0 ? LIA_DIR_OUT : LIA_DIR_IN;
	snprintf(e->origin, sizeof(e->origin), "%s", *dir == LIA_DIR_OUT ? "bench" : "peer");
	e->seq = (uint64_t)i / 2 + 1;
	e->time_ms = 1700000000000LL + i;
	snprintf(e->to, sizeof(e->to), "%s", *dir == LIA_DIR_OUT ? "peer" : "bench");
	e->precedence = LIA_FLASH;
	snprintf(e->lang, sizeof(e->lang), "en");
	e->text = text;
	for (size_t j = 0; j < COSE_LEN; j += 8) {
		uint64_t r = next_rand();
		memcpy(cose + j, &r, COSE_LEN - j < 8 ? COSE_LEN - j : 8);
	}
	cose[0] = 0xd2; /* COSE_Sign1 tag, for looks */
}

/* Appends entries [from, to) in transactions of BATCH; *seconds is the time it took. */
static int append_range(struct lia_store *s, long from, long to, double *seconds, char *err)
{
	struct lia_entry e;
	enum lia_dir dir;
	uint8_t cose[COSE_LEN];
	char text[TEXT_LEN + 1];
	double t0 = bench_mono_ms();
	int rc = 0;

	memset(text, 'x', TEXT_LEN);
	text[TEXT_LEN] = '\0';
	for (long i = from; rc == 0 && i < to; i += BATCH) {
		rc = lia_store_begin(s, err);
		for (long j = i; rc == 0 && j < i + BATCH && j < to; j++) {
			make_entry(j, &e, &dir, cose, text);
			rc = lia_store_add_entry(s, &e, dir, cose, COSE_LEN, e.time_ms, err);
		}
		if (rc == 0)
			rc = lia_store_commit(s, err);
		else
			lia_store_rollback(s);
	}
	*seconds = (bench_mono_ms() - t0) / 1000;
	return rc;
}

/* Leaf hash of log entry idx, read back from the store. */
static int leaf_of(struct lia_store *s, uint64_t idx, uint8_t leaf[32], char *err)
{
	uint8_t *cose = NULL;
	size_t len = 0;
	int rc = lia_store_log_entry(s, idx, &cose, &len, err);

	if (rc == 0)
		rc = lia_merkle_leaf_hash(cose, len, leaf, err);
	free(cose);
	return rc;
}

struct sample {
	uint64_t a;      /* leaf index, or old size */
	uint8_t h[32];   /* its leaf hash, or the old root */
};

/* Proof times at one size, averaged in microseconds. */
struct proof_times {
	double root_us, incl_gen_us, incl_verify_us, cons_gen_us, cons_verify_us;
	size_t incl_hashes;
};

static int bench_inclusion(struct lia_store *s, uint64_t n, long k,
    const uint8_t root[32], struct lia_merkle_proof *p, struct sample *sm,
    struct proof_times *pt, char *err)
{
	double t0, gen, ver;
	int rc = 0;

	for (long i = 0; rc == 0 && i < k; i++) {
		sm[i].a = next_rand() % n;
		rc = leaf_of(s, sm[i].a, sm[i].h, err);
	}
	t0 = bench_mono_ms();
	for (long i = 0; rc == 0 && i < k; i++)
		rc = lia_store_inclusion_proof(s, sm[i].a, n, &p[i], err);
	gen = bench_mono_ms() - t0;
	t0 = bench_mono_ms();
	for (long i = 0; rc == 0 && i < k; i++)
		rc = lia_merkle_verify_inclusion(sm[i].h, sm[i].a, n, &p[i], root, err);
	ver = bench_mono_ms() - t0;
	pt->incl_gen_us = gen * 1000 / (double)k;
	pt->incl_verify_us = ver * 1000 / (double)k;
	pt->incl_hashes = p[0].len;
	return rc;
}

static int bench_consistency(struct lia_store *s, uint64_t n, long k,
    const uint8_t root[32], struct lia_merkle_proof *p, struct sample *sm,
    struct proof_times *pt, char *err)
{
	double t0, gen, ver;
	int rc = 0;

	for (long i = 0; rc == 0 && i < k; i++) {
		sm[i].a = 1 + next_rand() % n;
		rc = lia_store_log_root(s, sm[i].a, sm[i].h, err);
	}
	t0 = bench_mono_ms();
	for (long i = 0; rc == 0 && i < k; i++)
		rc = lia_store_consistency_proof(s, sm[i].a, n, &p[i], err);
	gen = bench_mono_ms() - t0;
	t0 = bench_mono_ms();
	for (long i = 0; rc == 0 && i < k; i++)
		rc = lia_merkle_verify_consistency(sm[i].a, n, sm[i].h, root, &p[i], err);
	ver = bench_mono_ms() - t0;
	pt->cons_gen_us = gen * 1000 / (double)k;
	pt->cons_verify_us = ver * 1000 / (double)k;
	return rc;
}

/* k samples of each proof at size n into pt. */
static int bench_proofs(struct lia_store *s, uint64_t n, long k, struct proof_times *pt,
    char *err)
{
	struct lia_merkle_proof *p = calloc((size_t)k, sizeof(*p));
	struct sample *sm = calloc((size_t)k, sizeof(*sm));
	uint8_t root[32];
	double t0;
	int rc = -1;

	if (p == NULL || sm == NULL) {
		lia_err_set(err, "out of memory for %ld proofs", k);
		goto out;
	}
	t0 = bench_mono_ms();
	if ((rc = lia_store_log_root(s, n, root, err)) != 0)
		goto out;
	pt->root_us = (bench_mono_ms() - t0) * 1000;
	if ((rc = bench_inclusion(s, n, k, root, p, sm, pt, err)) != 0)
		goto out;
	rc = bench_consistency(s, n, k, root, p, sm, pt, err);
out:
	free(p);
	free(sm);
	return rc;
}

/* This process's resident set now (VmRSS) in kB, or -1. */
static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/*
 * Appends COUNT entries, with a checkpoint line every EVERY: the rate over
 * that stretch, proof times at its size, memory. *seconds and *tail_per_s
 * (the rate over the last 10%) cover the appends only.
 */
static int append_all(struct lia_store *s, long count, long every, long k, double *seconds,
    double *tail_per_s, char *err)
{
	long tail_from = count - count / 10, done = 0, stretch_from = 0;
	double tail_s = 0, stretch_s = 0, sec;
	struct proof_times pt;
	int rc = 0;

	*seconds = 0;
	while (rc == 0 && done < count) {
		long to = (done / every + 1) * every;

		if (to > count)
			to = count;
		if (done < tail_from && to > tail_from)
			to = tail_from; /* the last 10% timed on their own, whatever EVERY is */
		if ((rc = append_range(s, done, to, &sec, err)) != 0)
			break;
		*seconds += sec;
		stretch_s += sec;
		if (done >= tail_from)
			tail_s += sec;
		done = to;
		if (done % every != 0 && done != count)
			continue;
		if ((rc = bench_proofs(s, (uint64_t)done, k, &pt, err)) != 0)
			break;
		printf("at %ld appends_per_s %.0f root_us %.1f inclusion_gen_us %.1f "
		    "inclusion_verify_us %.1f consistency_gen_us %.1f consistency_verify_us %.1f "
		    "rss_kb %ld vmhwm_kb %ld\n", done,
		    (double)(done - stretch_from) / (stretch_s > 0 ? stretch_s : 1e-9), pt.root_us,
		    pt.incl_gen_us, pt.incl_verify_us, pt.cons_gen_us, pt.cons_verify_us, rss_kb(),
		    bench_vmhwm_kb(getpid()));
		fflush(stdout);
		stretch_from = done;
		stretch_s = 0;
	}
	*tail_per_s = tail_s > 0 ? (double)(count - tail_from) / tail_s : 0;
	return rc;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void remove_dir(const char *dir, const char *db)
{
	char p[4200];
	const char *ext[] = {"", "-wal", "-shm"};

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", db, ext[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char dir[4096], db[4200], err[LIA_ERR_LEN] = "";
	const char *tmp = getenv("TMPDIR"), *keep = getenv("KEEP");
	long count = argc > 1 ? bench_parse_count(argv[1], 1L << 40) : DEFAULT_COUNT;
	long k = argc > 2 ? bench_parse_count(argv[2], 1000000) : DEFAULT_PROOFS;
	long every = argc > 3 ? bench_parse_count(argv[3], 1L << 40) : DEFAULT_EVERY;
	struct proof_times pt;
	struct lia_store *s = NULL;
	double seconds = 0, tail = 0, t0;
	uint64_t size = 0, bad = 0;
	int rc = 1;

	if (count < 1 || k < 1 || every < 1 || argc > 4) {
		fprintf(stderr, "usage: record_bench [COUNT [PROOFS [EVERY]]]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/lia-record-bench-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	snprintf(db, sizeof(db), "%s/liaison.db", dir);
	if (lia_store_open(db, &s, err) != 0 || append_all(s, count, every, k < CHECKPOINT_PROOFS ? k : CHECKPOINT_PROOFS, &seconds,
	    &tail, err) != 0 ||
	    lia_store_log_size(s, &size, err) != 0)
		goto out;
	printf("entries %ld\nbatch %d\ncose_bytes %d\n", count, BATCH, COSE_LEN);
	printf("append_seconds %.2f\nappends_per_s %.0f\nappends_per_s_last_10pct %.0f\n",
	    seconds, (double)count / seconds, tail);
	if (size != (uint64_t)count) {
		lia_err_set(err, "the log has %" PRIu64 " entries, not %ld", size, count);
		goto out;
	}
	printf("proof_samples %ld\n", k);
	if (bench_proofs(s, size, k, &pt, err) != 0)
		goto out;
	printf("root_us %.2f\ninclusion_gen_us %.2f\ninclusion_verify_us %.2f\n"
	    "inclusion_hashes %zu\nconsistency_gen_us %.2f\nconsistency_verify_us %.2f\n",
	    pt.root_us, pt.incl_gen_us, pt.incl_verify_us, pt.incl_hashes, pt.cons_gen_us,
	    pt.cons_verify_us);
	t0 = bench_mono_ms();
	if (lia_store_log_check(s, &bad, err) != 0)
		goto out;
	printf("check_seconds %.2f\n", (bench_mono_ms() - t0) / 1000);
	lia_store_close(s);
	s = NULL;
	printf("db_bytes %ld\nbytes_per_entry %.1f\n", file_size(db),
	    (double)file_size(db) / (double)count);
	printf("vmhwm_kb %ld\n", bench_vmhwm_kb(getpid()));
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "record_bench: %s\n", err);
	lia_store_close(s);
	if (keep == NULL || strcmp(keep, "1") != 0)
		remove_dir(dir, db);
	else
		fprintf(stderr, "record_bench: kept %s\n", dir);
	return rc;
}
