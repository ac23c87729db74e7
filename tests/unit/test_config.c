/* test_config.c - liaisond.conf parsing and HOST:PORT splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "err.h"
#include "fixture.h"

static int parse(const char *text, struct lia_config *cfg, char *err)
{
	err[0] = '\0';
	return lia_config_parse("liaisond.conf", text, strlen(text), "/nodes/tokyo", cfg, err);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN];

	if (parse(text, &cfg, err) != -1)
		fail_msg("accepted:\n%s", text);
	if (strstr(err, where) == NULL || strstr(err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", err, where, what);
}

static void test_good_full(void **state)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse("# tokyo station\n"
	    "node tokyo\n"
	    "charter ../charter.conf\n"
	    "listen 0.0.0.0:7400\n"
	    "# a comment\n"
	    "heartbeat 2.5\n"
	    "signals /usr/share/liaison/signals.json\n", &cfg, err), 0);
	assert_string_equal(cfg.signals_path, "/usr/share/liaison/signals.json");
	assert_string_equal(cfg.dir, "/nodes/tokyo");
	assert_string_equal(cfg.node, "tokyo");
	assert_string_equal(cfg.charter_path, "/nodes/tokyo/../charter.conf");
	assert_string_equal(cfg.listen_host, "0.0.0.0");
	assert_string_equal(cfg.listen_port, "7400");
	assert_int_equal(cfg.heartbeat_ms, 2500);
}

static void test_good_defaults(void **state)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse("# a comment\nnode beijing\n", &cfg, err), 0);
	assert_string_equal(cfg.node, "beijing");
	assert_string_equal(cfg.charter_path, "/nodes/tokyo/charter");
	assert_string_equal(cfg.signals_path, "/nodes/tokyo/signals.json");
	assert_string_equal(cfg.listen_host, "");
	assert_string_equal(cfg.listen_port, "");
	assert_int_equal(cfg.heartbeat_ms, 1000);
	assert_int_equal(cfg.linktest_s, 3600);
	assert_int_equal(cfg.outbox_max, LIA_OUTBOX_MAX_DEFAULT);
}

static void test_outbox_max(void **state)
{
	static const char *const bad[] = {"0", "-1", "01", "1x", "", "10000001", "1e3"};
	struct lia_config cfg;
	char err[LIA_ERR_LEN], text[64];

	(void)state;
	assert_int_equal(parse("node a\noutbox-max 5\n", &cfg, err), 0);
	assert_int_equal(cfg.outbox_max, 5);
	assert_int_equal(parse("node a\noutbox-max 10000000\n", &cfg, err), 0);
	assert_int_equal(cfg.outbox_max, 10000000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "node a\noutbox-max %s\n", bad[i]);
		if (parse(text, &cfg, err) != -1)
			fail_msg("accepted outbox-max \"%s\"", bad[i]);
	}
	assert_int_equal(parse("node a\noutbox-max 0\n", &cfg, err), -1);
	assert_non_null(strstr(err, ":2: outbox-max \"0\" must be a whole number"));
}

static void test_linktest_period(void **state)
{
	static const struct { const char *text; int seconds; } good[] = {
		{ "1", 1 }, { "30", 30 }, { "10s", 10 }, { "5m", 300 }, { "1h", 3600 },
		{ "24h", 86400 }, { "off", 0 },
	};
	static const char *const bad[] = {
		"", "0", "0s", "s", "1x", "1 s", "-1", "25h", "86401", "1hh", "1.5", "OFF", "1234567",
	};
	struct lia_config cfg;
	char err[LIA_ERR_LEN];
	int v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (lia_config_parse_period(good[i].text, &v) != 0)
			fail_msg("refused period \"%s\"", good[i].text);
		assert_int_equal(v, good[i].seconds);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lia_config_parse_period(bad[i], &v) != -1)
			fail_msg("accepted period \"%s\"", bad[i]);
	assert_int_equal(parse("node a\n# a comment\nlinktest 2s\n", &cfg, err), 0);
	assert_int_equal(cfg.linktest_s, 2);
	assert_int_equal(parse("node a\n# a comment\nlinktest 0\n", &cfg, err), -1);
	assert_non_null(strstr(err, ":3: linktest \"0\" must be a period"));
	assert_int_equal(parse("node a\n# a comment\nlinktest 1s\nlinktest 2s\n", &cfg, err), -1);
	assert_non_null(strstr(err, "given again"));
	/* The answer's timeout: 10 s by default, 1 s to 1 h, never off. */
	assert_int_equal(parse("node a\nlinktest 2s\n", &cfg, err), 0);
	assert_int_equal(cfg.linktest_timeout_s, 10);
	assert_int_equal(parse("node a\nlinktest-timeout 2s\n", &cfg, err), 0);
	assert_int_equal(cfg.linktest_timeout_s, 2);
	assert_int_equal(parse("node a\nlinktest-timeout off\n", &cfg, err), -1);
	assert_non_null(strstr(err, ":2: linktest-timeout \"off\" must be a period from 1s to 1h"));
	assert_int_equal(parse("node a\nlinktest-timeout 2h\n", &cfg, err), -1);
}

static void test_absolute_charter_and_v6(void **state)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse("node a\ncharter /etc/liaison/charter\n# a comment\n"
	    "listen [2001:db8::1]:7400\nheartbeat 0.05\n", &cfg, err), 0);
	assert_string_equal(cfg.charter_path, "/etc/liaison/charter");
	assert_string_equal(cfg.listen_host, "2001:db8::1");
	assert_int_equal(cfg.heartbeat_ms, 50);
	assert_int_equal(parse("node a\n# a comment\nheartbeat 3600\n", &cfg, err), 0);
	assert_int_equal(cfg.heartbeat_ms, 3600000);
}

/* The API left TCP for NODEDIR/api.sock: an old "api" line is refused with the reason, never ignored. */
static void test_api_line_refused(void **state)
{
	(void)state;
	expect_error("node a\napi 127.0.0.1:7401\n", "liaisond.conf:2:", "\"api\" is no longer used");
	expect_error("node a\napi 0.0.0.0:7401\n", "liaisond.conf:2:", "NODEDIR/api.sock");
	expect_error("api [::1]:7401\nnode a\n", "liaisond.conf:1:", "remove this line");
}

static void test_bad_lines(void **state)
{
	(void)state;
	expect_error("node a\n# a comment\nport 7\n", "liaisond.conf:3:", "unknown keyword \"port\"");
	expect_error("node a\nnode b\n# a comment\n", "liaisond.conf:2:", "given again (first on line 1)");
	expect_error("node\n# a comment\n", "liaisond.conf:1:", "exactly one value");
	expect_error("node a b\n", "liaisond.conf:1:", "exactly one value");
	expect_error("node Tokyo\n# a comment\n", "liaisond.conf:1:", "node name \"Tokyo\"");
	expect_error("node a\n# a comment\nheartbeat 0\n", "liaisond.conf:3:", "heartbeat \"0\"");
	expect_error("node a\n# a comment\nheartbeat 0.01\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\nheartbeat 3600.001\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\nheartbeat 1.\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\nheartbeat -1\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\nheartbeat 1.2345\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\nheartbeat 99999999999\n", "liaisond.conf:3:", "heartbeat");
	expect_error("node a\n# a comment\ncharter \"\"\n", "liaisond.conf:3:", "charter path");
	expect_error("node a\n# a comment\nlisten 0.0.0.0\n", "liaisond.conf:3:", "listen address \"0.0.0.0\" has no port");
	expect_error("node a\nlisten 127.0.0.1:0\n", "liaisond.conf:2:", "1 to 65535");
	expect_error("node a\nlisten \"127.0.0.1:7401\n", "liaisond.conf:2:", "unterminated quote");
}

static void test_required(void **state)
{
	(void)state;
	expect_error("heartbeat 1\n", "liaisond.conf:", "no \"node\" line");
	expect_error("", "liaisond.conf:", "no \"node\" line");
}

static void test_radio_lines(void **state)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse("node kaiyo\n# a comment\nradio listen 10.0.0.1:7000\n"
	    "radio peer haixun 10.0.0.2:7000\nradio peer haijing [::1]:7001\nradio rate 2400\n",
	    &cfg, err), 0);
	assert_string_equal(cfg.radio_host, "10.0.0.1");
	assert_string_equal(cfg.radio_port, "7000");
	assert_int_equal(cfg.radio_rate, 2400);
	assert_int_equal(cfg.n_radio_peers, 2);
	assert_string_equal(lia_config_radio_peer(&cfg, "haijing")->host, "::1");
	assert_null(lia_config_radio_peer(&cfg, "beijing"));
	assert_int_equal(parse("node kaiyo\n# a comment\n", &cfg, err), 0);
	assert_int_equal(cfg.radio_rate, LIA_RADIO_RATE_DEFAULT);
	assert_string_equal(cfg.radio_host, "");
	expect_error("node a\n# a comment\nradio peer b 1.2.3.4:5\n", "liaisond.conf",
	    "need a \"radio listen\"");
	expect_error("node a\n# a comment\nradio listen 1.2.3.4:5\nradio listen 1.2.3.4:6\n",
	    "liaisond.conf:4", "given again");
	expect_error("node a\n# a comment\nradio listen 1.2.3.4:5\nradio peer b 1.2.3.4:5\n"
	    "radio peer b 1.2.3.4:6\n", "liaisond.conf:5", "given twice");
	expect_error("node a\n# a comment\nradio rate 10\n", "liaisond.conf:3", "300");
	expect_error("node a\n# a comment\nradio rate 1e6\n", "liaisond.conf:3", "bit/s");
	expect_error("node a\n# a comment\nradio peer B! 1.2.3.4:5\n", ":3", "not a node name");
	expect_error("node a\n# a comment\nradio peer b 1.2.3.4:0\n", ":3", "radio peer b");
	expect_error("node a\n# a comment\nradio peer b\n", ":3", "HOST:PORT");
	expect_error("node a\n# a comment\nradio volume 11\n", ":3", "radio takes");
	expect_error("node a\n# a comment\nradio\n", ":3", "radio takes");
}

static void test_split_address(void **state)
{
	static const struct { const char *addr, *host, *port; } good[] = {
		{ "tokyo.example:7400", "tokyo.example", "7400" },
		{ "192.0.2.1:1", "192.0.2.1", "1" },
		{ "h:65535", "h", "65535" },
		{ "h:007", "h", "7" },
		{ "[::1]:7400", "::1", "7400" },
		{ "[2001:db8::5]:443", "2001:db8::5", "443" },
		{ "my-host:80", "my-host", "80" },
	};
	static const char *const bad[] = {
		"", ":", "host", "host:", ":80", "host:0", "host:65536", "host:123456", "host:-1",
		"host:+80", "host:8x", "host: 80", "::1:80", "[::1]80", "[::1]", "[]:80",
		"[nothex]:80", "[::1:80", "ho st:80", "ho_st:80", "-host:80", ".host:80",
		"host:80:90", "[1.2.3.4]:80",
	};
	char host[LIA_HOST_MAX + 1], port[8], err[LIA_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (lia_split_address(good[i].addr, host, sizeof(host), port, err) != 0)
			fail_msg("refused \"%s\": %s", good[i].addr, err);
		assert_string_equal(host, good[i].host);
		assert_string_equal(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lia_split_address(bad[i], host, sizeof(host), port, err) != -1)
			fail_msg("accepted address \"%s\"", bad[i]);
		assert_non_null(strstr(err, "address"));
	}
}

static void test_split_address_host_length(void **state)
{
	char addr[LIA_HOST_MAX + 16], host[LIA_HOST_MAX + 1], small[8], port[8], err[LIA_ERR_LEN];

	(void)state;
	memset(addr, 'a', LIA_HOST_MAX);
	strcpy(addr + LIA_HOST_MAX, ":1");
	assert_int_equal(lia_split_address(addr, host, sizeof(host), port, err), 0);
	assert_int_equal(strlen(host), LIA_HOST_MAX);
	memset(addr, 'a', LIA_HOST_MAX + 1);
	strcpy(addr + LIA_HOST_MAX + 1, ":1");
	assert_int_equal(lia_split_address(addr, host, sizeof(host), port, err), -1);
	assert_int_equal(lia_split_address("abcdefgh:1", small, sizeof(small), port, err), -1);
	assert_int_equal(lia_split_address("abcdefg:1", small, sizeof(small), port, err), 0);
	assert_string_equal(small, "abcdefg");
}

static void test_load(void **state)
{
	char dir[4096], path[4096], err[LIA_ERR_LEN];
	struct lia_config cfg;
	const char *text = "node tokyo\n# a comment\n";

	(void)state;
	fixture_tmpdir("config", dir);
	assert_int_equal(lia_config_load(dir, &cfg, err), -1);
	assert_non_null(strstr(err, "liaisond.conf"));
	fixture_write(dir, "liaisond.conf", text, strlen(text), path);
	assert_int_equal(lia_config_load(dir, &cfg, err), 0);
	assert_string_equal(cfg.node, "tokyo");
	assert_string_equal(cfg.dir, dir);
	fixture_write(dir, "liaisond.conf", "node tokyo\nlisten 1.2.3.4:0\n", 28, path);
	assert_int_equal(lia_config_load(dir, &cfg, err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "liaisond.conf:2: listen address \"1.2.3.4:0\": port must be"));
	fixture_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_good_defaults),
		cmocka_unit_test(test_linktest_period),
		cmocka_unit_test(test_absolute_charter_and_v6),
		cmocka_unit_test(test_api_line_refused),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_radio_lines),
		cmocka_unit_test(test_split_address),
		cmocka_unit_test(test_split_address_host_length),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_outbox_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
