/* test_linkpath.c - path choice for redundant links: rotation, backoff, address matching, probing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "linkpath.h"

static void test_next(void **state)
{
	(void)state;
	assert_int_equal(lia_path_next(0, 1), 0);
	assert_int_equal(lia_path_next(0, 2), 1);
	assert_int_equal(lia_path_next(1, 2), 0);
	assert_int_equal(lia_path_next(2, 3), 0);
	assert_int_equal(lia_path_next(0, 0), 0);
}

static void test_delay(void **state)
{
	(void)state;
	/* One path: every failure waits. */
	assert_int_equal(lia_path_delay_ms(0, 1, 400), 0);
	assert_int_equal(lia_path_delay_ms(1, 1, 400), 400);
	/* Two paths: the second is tried at once, a full round waits. */
	assert_int_equal(lia_path_delay_ms(1, 2, 400), 0);
	assert_int_equal(lia_path_delay_ms(2, 2, 400), 400);
	assert_int_equal(lia_path_delay_ms(3, 2, 400), 0);
	assert_int_equal(lia_path_delay_ms(4, 2, 400), 400);
	assert_int_equal(lia_path_delay_ms(2, 3, 400), 0);
	assert_int_equal(lia_path_delay_ms(3, 3, 400), 400);
	assert_int_equal(lia_path_delay_ms(1, 0, 400), 400);
}

static void test_find(void **state)
{
	struct lia_addr addrs[3] = {
		{ "10.0.1.1", "7400" }, { "2001:db8:0::1", "7401" }, { "tokyo.example", "7400" },
	};
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr other = { .sa_family = AF_UNIX };

	(void)state;
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(7400);
	inet_pton(AF_INET, "10.0.1.1", &s4.sin_addr);
	assert_int_equal(lia_path_find(addrs, 3, (struct sockaddr *)&s4), 0);
	s4.sin_port = htons(7401);
	assert_int_equal(lia_path_find(addrs, 3, (struct sockaddr *)&s4), -1);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(7401);
	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	assert_int_equal(lia_path_find(addrs, 3, (struct sockaddr *)&s6), 1);
	assert_int_equal(lia_path_find(addrs, 1, (struct sockaddr *)&s6), -1);
	assert_int_equal(lia_path_find(addrs, 3, &other), -1);
	assert_int_equal(lia_path_find(addrs, 3, NULL), -1);
}

/* A connection dropped soon after it came up backs off; one that lasted resets the backoff. */
static void test_short_lived(void **state)
{
	(void)state;
	assert_int_equal(lia_path_short_lived(0, 1000), 1);
	assert_int_equal(lia_path_short_lived(1999, 1000), 1);
	assert_int_equal(lia_path_short_lived(2000, 1000), 0);
	assert_int_equal(lia_path_short_lived(1500, 200), 1);  /* the floor is 2 s */
	assert_int_equal(lia_path_short_lived(2500, 200), 0);
	assert_int_equal(lia_path_short_lived(5999, 3000), 1); /* two heartbeats of 3 s */
	assert_int_equal(lia_path_short_lived(6000, 3000), 0);
}

static void test_probe_due(void **state)
{
	(void)state;
	assert_int_equal(lia_path_probe_due(0, 50000, 0, 10000), 0);
	assert_int_equal(lia_path_probe_due(1, 50000, 0, 10000), 1);
	assert_int_equal(lia_path_probe_due(1, 50000, 45000, 10000), 0);
	assert_int_equal(lia_path_probe_due(2, 55000, 45000, 10000), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_probe_due),
		cmocka_unit_test(test_short_lived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
