/*
 * bench.c - figures common to both benchmarks: clocks, percentiles, the
 * printed result block and peak RSS from /proc/PID/status.
 */
#include <errno.h>
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

void bench_print(FILE *out, struct bench_result *r)
{
	size_t n = r->messages;

	qsort(r->latency_ms, n, sizeof r->latency_ms[0], cmp_double);
	qsort(r->oneway_ms, n, sizeof r->oneway_ms[0], cmp_double);
	fprintf(out, "system %s\n", r->system);
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
	for (int i = 0; i < r->n_pids; i++)
		print_vmhwm(out, &r->pids[i]);
}
