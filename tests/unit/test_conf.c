/* test_conf.c - the line tokenizer, whole-file reads and atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "err.h"
#include "fixture.h"

/* What the callback saw: every line as "LINE:word|word|...". */
struct seen {
	char lines[64][LIA_CONF_MAXLINE + 64];
	int n;
	int stop_at;               /* line number at which the callback fails, 0 for never */
};

static int record(void *ctx, const struct lia_conf_line *l, char *err)
{
	struct seen *s = ctx;
	char *out = s->lines[s->n];
	size_t used;

	if (s->stop_at == l->line) {
		lia_err_set(err, "%s:%d: stopped", l->file, l->line);
		return -1;
	}
	used = (size_t)snprintf(out, sizeof(s->lines[0]), "%d:", l->line);
	for (int i = 0; i < l->argc; i++)
		used += (size_t)snprintf(out + used, sizeof(s->lines[0]) - used, "%s%s",
		    i ? "|" : "", l->argv[i]);
	assert_true(s->n < 63);
	s->n++;
	return 0;
}

/* out = dir + suffix; the test fails when it does not fit. */
static void join(char *out, size_t size, const char *dir, const char *suffix)
{
	int n = snprintf(out, size, "%s%s", dir, suffix);

	assert_true(n > 0 && (size_t)n < size);
}

static struct seen *seen_new(void)
{
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

/* Parses text (a C string) and expects rc; err is returned for inspection. */
static int parse(struct seen *s, const char *text, size_t len, char *err)
{
	err[0] = '\0';
	return lia_conf_parse_text("test.conf", text, len, record, s, err);
}

static void expect_error(const char *text, size_t len, const char *where, const char *what)
{
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	if (parse(s, text, len, err) != -1)
		fail_msg("accepted \"%s\"", text);
	if (strstr(err, where) == NULL || strstr(err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", err, where, what);
	free(s);
}

static void test_words_and_blanks(void **state)
{
	const char *text = "node   tokyo\n\tapi\t127.0.0.1:7401  \r\n\n   \nlast line here";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(s, text, strlen(text), err), 0);
	assert_int_equal(s->n, 3);
	assert_string_equal(s->lines[0], "1:node|tokyo");
	assert_string_equal(s->lines[1], "2:api|127.0.0.1:7401");
	assert_string_equal(s->lines[2], "5:last|line|here");
	free(s);
}

static void test_comments(void **state)
{
	const char *text = "# a comment\n  # indented comment\nparty japan # trailing\nnode a#b\n\"#x\" y\n#";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(s, text, strlen(text), err), 0);
	assert_int_equal(s->n, 3);
	assert_string_equal(s->lines[0], "3:party|japan");
	assert_string_equal(s->lines[1], "4:node|a");
	assert_string_equal(s->lines[2], "5:#x|y");
	free(s);
}

static void test_quotes(void **state)
{
	const char *text =
	    "ca \"dir with blanks/ca.crt\"\n"
	    "say \"she said \\\"hi\\\"\" \"back\\\\slash\"\n"
	    "empty \"\" end\n"
	    "q \"a#b\"# comment\n"
	    "tab \"a\tb\"\t\"c\"\n";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(s, text, strlen(text), err), 0);
	assert_int_equal(s->n, 5);
	assert_string_equal(s->lines[0], "1:ca|dir with blanks/ca.crt");
	assert_string_equal(s->lines[1], "2:say|she said \"hi\"|back\\slash");
	assert_string_equal(s->lines[2], "3:empty||end");
	assert_string_equal(s->lines[3], "4:q|a#b");
	assert_string_equal(s->lines[4], "5:tab|a\tb|c");
	free(s);
}

static void test_backslash_outside_quotes_is_plain(void **state)
{
	const char *text = "path a\\b\n";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(s, text, strlen(text), err), 0);
	assert_string_equal(s->lines[0], "1:path|a\\b");
	free(s);
}

static void test_quote_errors(void **state)
{
	(void)state;
	expect_error("a\nb \"open\n", 10, "test.conf:2:", "unterminated quote");
	expect_error("x \"open \\\"", 10, "test.conf:1:", "unterminated quote");
	expect_error("x \"bad \\n escape\"", 17, "test.conf:1:", "unknown escape");
	expect_error("x \"end\\", 7, "test.conf:1:", "unknown escape");
	expect_error("x \"ab\"cd", 8, "test.conf:1:", "after a closing quote");
	expect_error("\n\nx ab\"cd\"", 10, "test.conf:3:", "quote inside a word");
}

static void test_forbidden_bytes(void **state)
{
	(void)state;
	expect_error("ok\nnode to\0kyo\n", 15, "test.conf:2:", "NUL byte");
	expect_error("node \"to\0kyo\"\n", 14, "test.conf:1:", "NUL byte");
	expect_error("a\n\nnode \x01\n", 10, "test.conf:3:", "control byte 0x01");
	expect_error("node \x7f\n", 7, "test.conf:1:", "control byte 0x7f");
	expect_error("# comment \x1b[31m\n", 16, "test.conf:1:", "control byte 0x1b");
}

static void test_word_limit(void **state)
{
	char text[256] = "";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	for (int i = 0; i < LIA_CONF_MAXWORDS; i++)
		strcat(text, "w ");
	assert_int_equal(parse(s, text, strlen(text), err), 0);
	assert_int_equal(s->n, 1);
	strcat(text, "w");
	expect_error(text, strlen(text), "test.conf:1:", "too many words");
	free(s);
}

static void test_line_limit(void **state)
{
	char *text = malloc(LIA_CONF_MAXLINE + 8);
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_non_null(text);
	memset(text, 'a', LIA_CONF_MAXLINE - 1);
	text[LIA_CONF_MAXLINE - 1] = '\n';
	assert_int_equal(parse(s, text, LIA_CONF_MAXLINE, err), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(strlen(s->lines[0]), 2 + LIA_CONF_MAXLINE - 1);
	memset(text, 'a', LIA_CONF_MAXLINE);
	text[LIA_CONF_MAXLINE] = '\n';
	expect_error(text, LIA_CONF_MAXLINE + 1, "test.conf:1:", "line too long");
	free(text);
	free(s);
}

/* A line of only one-byte words is the worst case for the word buffer. */
static void test_dense_words_fit(void **state)
{
	char text[2 * LIA_CONF_MAXWORDS + 1];
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	for (int i = 0; i < LIA_CONF_MAXWORDS; i++) {
		text[2 * i] = '"';
		text[2 * i + 1] = '"';
	}
	expect_error(text, sizeof(text) - 1, "test.conf:1:", "after a closing quote");
	for (int i = 0; i < LIA_CONF_MAXWORDS; i++)
		text[2 * i] = 'x', text[2 * i + 1] = ' ';
	assert_int_equal(parse(s, text, sizeof(text) - 1, err), 0);
	assert_int_equal(s->n, 1);
	free(s);
}

static void test_empty_and_callback_stop(void **state)
{
	const char *text = "a\nb\nc\n";
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];

	(void)state;
	assert_int_equal(parse(s, "", 0, err), 0);
	assert_int_equal(parse(s, "\n\n# x\n", 6, err), 0);
	assert_int_equal(s->n, 0);
	s->stop_at = 2;
	assert_int_equal(parse(s, text, strlen(text), err), -1);
	assert_string_equal(err, "test.conf:2: stopped");
	assert_int_equal(s->n, 1);
	free(s);
}

static void test_text_too_large(void **state)
{
	struct seen *s = seen_new();
	char err[LIA_ERR_LEN];
	char *big = calloc(1, LIA_CONF_MAXFILE + 1);

	(void)state;
	assert_non_null(big);
	memset(big, '\n', LIA_CONF_MAXFILE + 1);
	assert_int_equal(parse(s, big, LIA_CONF_MAXFILE, err), 0);
	assert_int_equal(parse(s, big, LIA_CONF_MAXFILE + 1, err), -1);
	assert_non_null(strstr(err, "test.conf: file larger"));
	free(big);
	free(s);
}

static void test_parse_file(void **state)
{
	char dir[4096], path[4096], err[LIA_ERR_LEN];
	struct seen *s = seen_new();

	(void)state;
	fixture_tmpdir("conf", dir);
	fixture_write(dir, "a.conf", "x 1\ny \"2 3\"\n", 12, path);
	assert_int_equal(lia_conf_parse_file(path, record, s, err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->lines[1], "2:y|2 3");
	fixture_write(dir, "b.conf", "x 1\ny \"2\n", 9, path);
	assert_int_equal(lia_conf_parse_file(path, record, s, err), -1);
	assert_non_null(strstr(err, "/b.conf:2: unterminated quote"));
	join(path, sizeof(path), dir, "/missing.conf");
	assert_int_equal(lia_conf_parse_file(path, record, s, err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	fixture_rmrf(dir);
	free(s);
}

static void test_read_file(void **state)
{
	char dir[4096], path[4096], err[LIA_ERR_LEN], *buf = NULL;
	size_t len = 99;

	(void)state;
	fixture_tmpdir("read", dir);
	fixture_write(dir, "f", "ab\0cd", 5, path);
	assert_int_equal(lia_read_file(path, 5, &buf, &len, err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "ab\0cd", 6);
	free(buf);
	buf = NULL;
	assert_int_equal(lia_read_file(path, 4, &buf, &len, err), -1);
	assert_null(buf);
	assert_non_null(strstr(err, "larger than 4 bytes"));
	fixture_write(dir, "empty", "", 0, path);
	assert_int_equal(lia_read_file(path, 10, &buf, &len, err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(lia_read_file(dir, 10, &buf, &len, err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	fixture_rmrf(dir);
}

static void test_read_file_large(void **state)
{
	char dir[4096], path[4096], err[LIA_ERR_LEN], *buf = NULL;
	size_t n = 300000, len = 0;
	char *data = malloc(n);

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	fixture_tmpdir("readlarge", dir);
	fixture_write(dir, "f", data, n, path);
	assert_int_equal(lia_read_file(path, n, &buf, &len, err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	assert_int_equal(buf[n], '\0');
	free(buf);
	free(data);
	fixture_rmrf(dir);
}

static void test_write_atomic(void **state)
{
	char dir[4096], path[4096], tmp[4200], err[LIA_ERR_LEN], *buf = NULL;
	struct stat st;
	size_t len;
	mode_t old = umask(022);

	(void)state;
	fixture_tmpdir("write", dir);
	join(path, sizeof(path), dir, "/token");
	join(tmp, sizeof(tmp), path, ".new");
	assert_int_equal(lia_write_file_atomic(path, "first", 5, 0600, err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lia_write_file_atomic(path, "second!", 7, 0644, err), 0);
	assert_int_equal(lia_read_file(path, 100, &buf, &len, err), 0);
	assert_string_equal(buf, "second!");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(access(tmp, F_OK), -1);
	/*
	 * A stale .new (a crash, or someone else's file) is never reused: refused
	 * with a sentence telling to remove it, and nothing is touched (issue 10).
	 */
	free(buf);
	buf = NULL;
	fixture_write(dir, "token.new", "stale", 5, tmp);
	assert_int_equal(chmod(tmp, 0666), 0);
	assert_int_equal(lia_write_file_atomic(path, "third", 5, 0600, err), -1);
	assert_non_null(strstr(err, "token.new already exists"));
	assert_non_null(strstr(err, "remove it"));
	assert_int_equal(lia_read_file(tmp, 100, &buf, &len, err), 0);
	assert_string_equal(buf, "stale");
	free(buf);
	buf = NULL;
	assert_int_equal(lia_read_file(path, 100, &buf, &len, err), 0);
	assert_string_equal(buf, "second!");
	/* A .new that is a symbolic link is not followed either. */
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(symlink(path, tmp), 0);
	assert_int_equal(lia_write_file_atomic(path, "third", 5, 0600, err), -1);
	free(buf);
	buf = NULL;
	assert_int_equal(lia_read_file(path, 100, &buf, &len, err), 0);
	assert_string_equal(buf, "second!");
	/* Once it is removed, the write goes through with the mode asked for. */
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(lia_write_file_atomic(path, "third", 5, 0600, err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);
	join(path, sizeof(path), dir, "/no/such/dir/file");
	assert_int_equal(lia_write_file_atomic(path, "x", 1, 0600, err), -1);
	assert_non_null(strstr(err, "/no/such/dir/file.new"));
	free(buf);
	fixture_rmrf(dir);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_blanks),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_backslash_outside_quotes_is_plain),
		cmocka_unit_test(test_quote_errors),
		cmocka_unit_test(test_forbidden_bytes),
		cmocka_unit_test(test_word_limit),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_dense_words_fit),
		cmocka_unit_test(test_empty_and_callback_stop),
		cmocka_unit_test(test_text_too_large),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_file_large),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
