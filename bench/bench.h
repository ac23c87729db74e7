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
 *
 * In the open loop (-r RATE -d SECONDS) message i is due at i / RATE seconds
 * after the start and its latencies count from that intended time, not from
 * when the client got to send it, so a stall of the system under test (or of
 * the client) shows in the figures instead of delaying the later sends
 * (coordinated omission). The block then also has mode open, offered_per_s,
 * late_sends and send_lag_max_ms (how far the client's sends fell behind the
 * schedule), and for each slice of SLICE seconds of intended send time
 * slice_Ts_p50_ms and slice_Ts_p99_ms, T the slice's end in seconds.
 *
 * With -1 (mode serial) each message is sent only once the receipt of the one
 * before it is in: one message at a time on an otherwise idle link. Its
 * window bounds messages not yet receipted; the window of the other mode
 * bounds those not yet accepted by the first hop only.
 */
#ifndef LIA_BENCH_H
#define LIA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BENCH_MAX_PIDS 8
#define BENCH_LATE_MS 1.0      /* a send this far behind its schedule counts as late */
#define BENCH_MAX_SLICES 720   /* slices printed at most (an hour of 5 s slices) */

struct bench_pid {
	char name[32];
	pid_t pid;
};

struct bench_result {
	const char *system;
	size_t messages;        /* receipted, the length of latency_ms */
	double seconds;         /* first send to last receipt */
	double accept_seconds;  /* first send to last first-hop acceptance */
	double *latency_ms;     /* borrowed, by message number; bench_print sorts it in place */
	double *oneway_ms;      /* borrowed, same length and order; sorted in place too */
	double rate;            /* open loop: offered messages per second; 0 for the window */
	double slice_s;         /* open loop: seconds of intended send time per slice */
	long late_sends;        /* open loop: sends more than BENCH_LATE_MS behind schedule */
	double send_lag_max_ms; /* open loop: the latest send behind its schedule */
	int serial;             /* one message at a time (-1): mode serial */
	struct bench_pid pids[BENCH_MAX_PIDS];
	int n_pids;
};

/* Monotonic time in milliseconds with sub-millisecond fraction. */
double bench_mono_ms(void);

/* Parses "NAME=PID" into r->pids; -1 with a message on stderr when malformed or full. */
int bench_add_pid(struct bench_result *r, const char *arg);

/*
 * Prints the result block to out; sorts r->latency_ms and r->oneway_ms, so
 * the slices of the open loop are taken first. -1 (nothing printed) when out
 * of memory for a slice.
 */
int bench_print(FILE *out, struct bench_result *r);

/* The open loop's schedule: ms after the start at which message i is due at rate per second. */
double bench_due_ms(long i, double rate);

/* Notes into r one open-loop send made lag_ms behind its schedule. */
void bench_note_lag(struct bench_result *r, double lag_ms);

/* The options every load program takes, for getopt (append the program's own). */
#define BENCH_OPTS "1n:w:t:r:d:S:P:"

struct bench_opts {
	long n, window, timeout_s;  /* -n, -w, -t */
	double rate, duration_s;    /* -r RATE -d SECONDS: the open loop; 0 for the window */
	int serial;                 /* -1: one message at a time, the next once the last one's receipt is in */
};

/*
 * Handles one of BENCH_OPTS (c, its argument arg) into o and r (-S SLICE_S
 * and -P NAME=PID go to r): 1 when c was one, 0 when it is not, -1 with a
 * message on stderr when arg is malformed or above max_n / max_window.
 */
int bench_opt(int c, const char *arg, struct bench_opts *o, struct bench_result *r, long max_n,
    long max_window);

/*
 * After the options: in the open loop (-r and -d both given) sets o->n to
 * RATE x SECONDS and r->rate; with -1 sets o->window to 1 and r->serial; -1
 * with a message when only one of -r and -d is given, -1 comes with them,
 * or the count exceeds max_n.
 */
int bench_opts_finish(struct bench_opts *o, struct bench_result *r, long max_n);

/* True when host names a loopback address (127.0.0.0/8, ::1, localhost): the only ones the benchmarks use. */
bool bench_loopback(const char *host);

/* Peak resident set (VmHWM) of pid in kB, or -1 when it cannot be read. */
long bench_vmhwm_kb(pid_t pid);

/* Parses a positive decimal no larger than max; -1 when s is not one. */
long bench_parse_count(const char *s, long max);

#endif
