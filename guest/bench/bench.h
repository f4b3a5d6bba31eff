/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark programs share: per-thread counters on their own cache
 * lines, the stop flag, and running N threads for a given time.
 */
#ifndef SPF_BENCH_H
#define SPF_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct counter {
	_Alignas(64) unsigned long n;
	unsigned long aux;
};

static atomic_int stop;

static inline int stopped(void)
{
	return atomic_load_explicit(&stop, memory_order_relaxed);
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Zeroed counters for n threads (at least one). */
static inline struct counter *counters(int n)
{
	struct counter *c = aligned_alloc(64, (n ? n : 1) * sizeof(*c));

	if (!c) {
		perror("aligned_alloc");
		exit(1);
	}
	memset(c, 0, (n ? n : 1) * sizeof(*c));
	return c;
}

/*
 * Run fn(&c[i]) in n threads (n may be 0: other threads started by the
 * caller then run alone) for secs seconds, then set the stop flag and join
 * them. Return the elapsed time, and the sum of the n counters in *total.
 */
static inline double run_threads(int n, void *(*fn)(void *), struct counter *c,
				 int secs, unsigned long *total)
{
	pthread_t *th = calloc(n ? n : 1, sizeof(*th));
	double t0 = now(), dt;
	int i;

	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, fn, &c[i]);
	sleep(secs);
	atomic_store(&stop, 1);
	dt = now() - t0;
	*total = 0;
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		*total += c[i].n;
	}
	free(th);
	return dt;
}

#endif
