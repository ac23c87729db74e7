/* test_ratelimit.c - bounded repetition (ratelimit.c) and the per-site limit of log lines (log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "ratelimit.h"

static void test_burst_then_counted(void **state)
{
	struct lia_ratelimit rl;
	uint64_t ended = 99;
	int allowed = 0;

	(void)state;
	lia_ratelimit_init(&rl, 5, 1000);
	for (int i = 0; i < 1000; i++)
		allowed += lia_ratelimit_allow(&rl, 10000 + i / 10, &ended);
	assert_int_equal(allowed, 5);
	assert_int_equal(ended, 0);
	assert_int_equal(rl.suppressed, 995);
	/* The next window reports what the last one refused, once. */
	assert_int_equal(lia_ratelimit_allow(&rl, 11000, &ended), 1);
	assert_int_equal(ended, 995);
	assert_int_equal(lia_ratelimit_allow(&rl, 11001, &ended), 1);
	assert_int_equal(ended, 0);
	assert_int_equal(rl.total_suppressed, 995);
}

static void test_flush(void **state)
{
	struct lia_ratelimit rl;

	(void)state;
	lia_ratelimit_init(&rl, 1, 100);
	assert_int_equal(lia_ratelimit_flush(&rl, 5), 0); /* nothing yet */
	lia_ratelimit_allow(&rl, 5, NULL);
	lia_ratelimit_allow(&rl, 6, NULL);
	lia_ratelimit_allow(&rl, 7, NULL);
	assert_int_equal(lia_ratelimit_flush(&rl, 50), 0);  /* window still runs */
	assert_int_equal(lia_ratelimit_flush(&rl, 105), 2);
	assert_int_equal(lia_ratelimit_flush(&rl, 300), 0); /* reported once */
	assert_int_equal(lia_ratelimit_allow(&rl, 301, NULL), 1);
}

/* A clock that steps back (or a window never started) never wedges the limit shut. */
static void test_clock_back(void **state)
{
	struct lia_ratelimit rl;

	(void)state;
	lia_ratelimit_init(&rl, 1, 1000);
	assert_int_equal(lia_ratelimit_allow(&rl, 5000, NULL), 1);
	assert_int_equal(lia_ratelimit_allow(&rl, 5001, NULL), 0);
	assert_int_equal(lia_ratelimit_allow(&rl, 10, NULL), 1);
}

/* Counts the lines written to standard error while fn runs. */
static int lines_written(void (*fn)(void))
{
	char path[] = "/tmp/lia-ratelimit-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO), lines = 0, c;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	unlink(path);
	return lines;
}

static void flood_one_site(void)
{
	for (int i = 0; i < 100000; i++)
		lia_log_warn("refused datagram %d from a flood", i);
}

static void another_site(void)
{
	lia_log_info("a line from another site");
}

/* 100,000 lines from one call site write at most 20 (the burst); another site is not silenced by it. */
static void test_log_site_limit(void **state)
{
	(void)state;
	assert_int_equal(lines_written(flood_one_site), 20);
	assert_int_equal(lines_written(another_site), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_counted),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_log_site_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
