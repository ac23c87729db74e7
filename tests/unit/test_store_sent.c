/* test_store_sent.c - what was sent to a peer, kept across clean stops and unknown after a crash (store_sent.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "err.h"
#include "fixture.h"
#include "store.h"

static void test_clean_and_crash(void **state)
{
	char dir[4096], path[4200], err[LIA_ERR_LEN] = "";
	struct lia_store *s = NULL;
	uint64_t sent = 99;
	int known = -1;

	(void)state;
	fixture_tmpdir("store_sent", dir);
	snprintf(path, sizeof(path), "%s/node.db", dir);
	assert_int_equal(lia_store_open(path, &s, err), 0);
	/* A fresh store: nothing was ever sent, and that is known. */
	assert_int_equal(lia_store_sent_open(s, "beijing", &sent, &known, err), 0);
	assert_int_equal(known, 1);
	assert_int_equal(sent, 0);
	assert_int_equal(lia_store_sent_close(s, "beijing", 42, err), 0);
	/* A clean stop keeps the figure. */
	assert_int_equal(lia_store_sent_open(s, "beijing", &sent, &known, err), 0);
	assert_int_equal(known, 1);
	assert_int_equal(sent, 42);
	/* No close (a crash): the next open knows the figure may be too low. */
	assert_int_equal(lia_store_sent_open(s, "beijing", &sent, &known, err), 0);
	assert_int_equal(known, 0);
	assert_int_equal(sent, 42);
	/* Peers are apart. */
	assert_int_equal(lia_store_sent_open(s, "seoul", &sent, &known, err), 0);
	assert_int_equal(known, 1);
	assert_int_equal(sent, 0);
	/* Across a reopen of the database too. */
	assert_int_equal(lia_store_sent_close(s, "beijing", 50, err), 0);
	lia_store_close(s);
	assert_int_equal(lia_store_open(path, &s, err), 0);
	assert_int_equal(lia_store_sent_open(s, "beijing", &sent, &known, err), 0);
	assert_int_equal(known, 1);
	assert_int_equal(sent, 50);
	lia_store_close(s);
	fixture_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_and_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
