/*
 * bench.h - what the hotline and MQTT benchmarks share: a monotonic and a
 * wall clock in fractional milliseconds, the result block both print (so
 * run.sh can set them side by side), and a process's peak resident size.
 *
 * The result block is one "key value" line per figure:
 *   system, messages, seconds (first send to last receipt), msgs_per_s,
 *   accept_per_s (first hop's acceptance: HTTP 201 or MQTT PUBCOMP),
 *   p50_ms p90_ms p99_ms max_ms (send to receipt back at the sender),
 *   oneway_p50_ms oneway_p99_ms (send to arrival at the receiver), then
 *   vmhwm_kb_NAME for each process named with -P NAME=PID.
 */
#ifndef LIA_BENCH_H
#define LIA_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BENCH_MAX_PIDS 8

struct bench_pid {
	char name[32];
	pid_t pid;
};

struct bench_result {
	const char *system;
	size_t messages;        /* receipted, the length of latency_ms */
	double seconds;         /* first send to last receipt */
	double accept_seconds;  /* first send to last first-hop acceptance */
	double *latency_ms;     /* borrowed; bench_print sorts it in place */
	double *oneway_ms;      /* borrowed, same length; sorted in place too */
	struct bench_pid pids[BENCH_MAX_PIDS];
	int n_pids;
};

/* Monotonic time in milliseconds with sub-millisecond fraction. */
double bench_mono_ms(void);

/* Parses "NAME=PID" into r->pids; -1 with a message on stderr when malformed or full. */
int bench_add_pid(struct bench_result *r, const char *arg);

/* Prints the result block to out; sorts r->latency_ms and r->oneway_ms. */
void bench_print(FILE *out, struct bench_result *r);

/* Peak resident set (VmHWM) of pid in kB, or -1 when it cannot be read. */
long bench_vmhwm_kb(pid_t pid);

/* Parses a positive decimal no larger than max; -1 when s is not one. */
long bench_parse_count(const char *s, long max);

#endif
