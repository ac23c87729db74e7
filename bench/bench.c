/*
 * bench.c - what the load programs share: clocks, the options of the window
 * and of the open loop, percentiles, the printed result block (with the open
 * loop's slices) and peak RSS from /proc/PID/status.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

long bench_parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	return v;
}

/* Parses a positive finite decimal no larger than max; -1 when s is not one. */
static double parse_positive(const char *s, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > max)
		return -1;
	return v;
}

int bench_opt(int c, const char *arg, struct bench_opts *o, struct bench_result *r, long max_n,
    long max_window)
{
	const char *what = NULL;

	switch (c) {
	case '1': o->serial = 1; return 1;
	case 'n': if ((o->n = bench_parse_count(arg, max_n)) < 0) what = "a message count"; break;
	case 'w': if ((o->window = bench_parse_count(arg, max_window)) < 0) what = "a window"; break;
	case 't': if ((o->timeout_s = bench_parse_count(arg, 86400)) < 0) what = "seconds"; break;
	case 'r': if ((o->rate = parse_positive(arg, 1e6)) < 0) what = "messages per second"; break;
	case 'd': if ((o->duration_s = parse_positive(arg, 86400)) < 0) what = "seconds"; break;
	case 'S': if ((r->slice_s = parse_positive(arg, 3600)) < 0) what = "seconds"; break;
	case 'P': return bench_add_pid(r, arg) == 0 ? 1 : -1;
	default: return 0;
	}
	if (what == NULL)
		return 1;
	fprintf(stderr, "-%c wants %s (at most %ld for -n, %ld for -w): %s\n", c, what, max_n,
	    max_window, arg);
	return -1;
}

int bench_opts_finish(struct bench_opts *o, struct bench_result *r, long max_n)
{
	double n;

	if ((o->rate > 0) != (o->duration_s > 0)) {
		fprintf(stderr, "the open loop wants both -r RATE and -d SECONDS\n");
		return -1;
	}
	if (o->serial && o->rate > 0) {
		fprintf(stderr, "-1 (one at a time) and the open loop (-r, -d) exclude each other\n");
		return -1;
	}
	if (o->serial) {
		o->window = 1;
		r->serial = 1;
	}
	if (o->rate == 0)
		return 0;
	n = floor(o->rate * o->duration_s);
	if (n < 1 || n > (double)max_n) {
		fprintf(stderr, "-r %g -d %g makes %.0f messages; 1 to %ld are possible\n", o->rate,
		    o->duration_s, n, max_n);
		return -1;
	}
	o->n = (long)n;
	r->rate = o->rate;
	if (r->slice_s <= 0)
		r->slice_s = 5;
	return 0;
}

bool bench_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    (strncmp(host, "127.", 4) == 0 && strspn(host + 4, "0123456789.") == strlen(host + 4));
}

double bench_due_ms(long i, double rate)
{
	return (double)i * 1e3 / rate;
}

void bench_note_lag(struct bench_result *r, double lag_ms)
{
	if (lag_ms > BENCH_LATE_MS)
		r->late_sends++;
	if (lag_ms > r->send_lag_max_ms)
		r->send_lag_max_ms = lag_ms;
}

int bench_add_pid(struct bench_result *r, const char *arg)
{
	const char *eq = strchr(arg, '=');
	long pid;
	size_t len;

	if (eq == NULL || r->n_pids == BENCH_MAX_PIDS) {
		fprintf(stderr, "-P wants NAME=PID (at most %d): %s\n", BENCH_MAX_PIDS, arg);
		return -1;
	}
	len = (size_t)(eq - arg);
	pid = bench_parse_count(eq + 1, 4194304);
	if (len == 0 || len >= sizeof r->pids[0].name || pid < 0) {
		fprintf(stderr, "-P wants NAME=PID with a short name and a pid: %s\n", arg);
		return -1;
	}
	memcpy(r->pids[r->n_pids].name, arg, len);
	r->pids[r->n_pids].name[len] = '\0';
	r->pids[r->n_pids].pid = (pid_t)pid;
	r->n_pids++;
	return 0;
}

long bench_vmhwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0..100] of sorted[0..n), n > 0. */
static double percentile(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static double per_second(size_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0.0;
}

/* A process that is gone or unreadable gets no line, only a note on stderr. */
static void print_vmhwm(FILE *out, const struct bench_pid *p)
{
	long kb = bench_vmhwm_kb(p->pid);

	if (kb < 0)
		fprintf(stderr, "cannot read VmHWM of %s (pid %ld)\n", p->name, (long)p->pid);
	else
		fprintf(out, "vmhwm_kb_%s %ld\n", p->name, kb);
}

/*
 * The open loop's slices: p50 and p99 of the latencies of the messages due in
 * each SLICE seconds, in order, so one sees whether latency grows with the
 * length of the run. latency_ms is still in message order here.
 */
static int print_slices(FILE *out, const struct bench_result *r)
{
	size_t n = r->messages, i = 0, k = 0;
	double *tmp = malloc((n > 0 ? n : 1) * sizeof *tmp);

	if (tmp == NULL)
		return -1;
	for (long slice = 0; i < n && slice < BENCH_MAX_SLICES; slice++, k = 0) {
		double end_ms = (double)(slice + 1) * r->slice_s * 1e3;

		while (i < n && bench_due_ms((long)i, r->rate) < end_ms)
			tmp[k++] = r->latency_ms[i++];
		if (k == 0)
			continue;
		qsort(tmp, k, sizeof tmp[0], cmp_double);
		fprintf(out, "slice_%gs_p50_ms %.2f\n", (double)(slice + 1) * r->slice_s,
		    percentile(tmp, k, 50));
		fprintf(out, "slice_%gs_p99_ms %.2f\n", (double)(slice + 1) * r->slice_s,
		    percentile(tmp, k, 99));
	}
	free(tmp);
	return 0;
}

int bench_print(FILE *out, struct bench_result *r)
{
	size_t n = r->messages;
	FILE *slices = NULL;
	char *slice_text = NULL;
	size_t slice_len = 0;

	/* The slices first, while the latencies are in message order; printed after the totals. */
	if (r->rate > 0) {
		slices = open_memstream(&slice_text, &slice_len);
		if (slices == NULL || print_slices(slices, r) != 0) {
			if (slices != NULL)
				fclose(slices);
			free(slice_text);
			fprintf(stderr, "out of memory for the slices of %zu messages\n", n);
			return -1;
		}
		fclose(slices);
	}
	qsort(r->latency_ms, n, sizeof r->latency_ms[0], cmp_double);
	qsort(r->oneway_ms, n, sizeof r->oneway_ms[0], cmp_double);
	fprintf(out, "system %s\n", r->system);
	fprintf(out, "mode %s\n", r->rate > 0 ? "open" : r->serial ? "serial" : "window");
	fprintf(out, "messages %zu\n", n);
	fprintf(out, "seconds %.3f\n", r->seconds);
	fprintf(out, "msgs_per_s %.1f\n", per_second(n, r->seconds));
	fprintf(out, "accept_per_s %.1f\n", per_second(n, r->accept_seconds));
	if (n > 0) {
		fprintf(out, "p50_ms %.2f\n", percentile(r->latency_ms, n, 50));
		fprintf(out, "p90_ms %.2f\n", percentile(r->latency_ms, n, 90));
		fprintf(out, "p99_ms %.2f\n", percentile(r->latency_ms, n, 99));
		fprintf(out, "max_ms %.2f\n", r->latency_ms[n - 1]);
		fprintf(out, "oneway_p50_ms %.2f\n", percentile(r->oneway_ms, n, 50));
		fprintf(out, "oneway_p99_ms %.2f\n", percentile(r->oneway_ms, n, 99));
	}
	if (r->rate > 0) {
		fprintf(out, "offered_per_s %.1f\n", r->rate);
		fprintf(out, "late_sends %ld\n", r->late_sends);
		fprintf(out, "send_lag_max_ms %.2f\n", r->send_lag_max_ms);
		fputs(slice_text, out);
	}
	free(slice_text);
	for (int i = 0; i < r->n_pids; i++)
		print_vmhwm(out, &r->pids[i]);
	return 0;
}
