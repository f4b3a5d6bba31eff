// SPDX-License-Identifier: GPL-2.0
/*
 * pf-microbench: T threads each fault in a private anonymous region page by
 * page, drop it with MADV_DONTNEED and repeat, for D seconds.
 *
 *   pf-microbench [-t threads] [-s seconds] [-m MiB per thread]
 *
 * Prints one line of key=value pairs: threads, seconds, faults, faults_per_sec.
 * The fault count is the process's minor-fault delta (getrusage), so it counts
 * what the kernel handled, not what the loop thinks it touched.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

static atomic_int stop;
static size_t region_len, page;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *faulter(void *arg)
{
	char *p = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	(void)arg;
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	madvise(p, region_len, MADV_NOHUGEPAGE);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (i = 0; i < region_len; i += page)
			p[i] = 1;
		madvise(p, region_len, MADV_DONTNEED);
	}
	munmap(p, region_len);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, seconds = 2, mib = 16, opt, i;
	struct rusage r0, r1;
	pthread_t *tids;
	double t0, t1;
	long faults;

	while ((opt = getopt(argc, argv, "t:s:m:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': seconds = atoi(optarg); break;
		case 'm': mib = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-t threads] [-s seconds] [-m MiB per thread]\n", argv[0]);
			return 2;
		}
	}
	if (threads < 1 || seconds < 1 || mib < 1) {
		fprintf(stderr, "threads, seconds and MiB must be positive\n");
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	region_len = (size_t)mib << 20;
	tids = calloc(threads, sizeof(*tids));

	getrusage(RUSAGE_SELF, &r0);
	t0 = now();
	for (i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, faulter, NULL);
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	t1 = now();
	getrusage(RUSAGE_SELF, &r1);

	faults = r1.ru_minflt - r0.ru_minflt;
	printf("threads=%d seconds=%.3f faults=%ld faults_per_sec=%.0f\n",
	       threads, t1 - t0, faults, faults / (t1 - t0));
	return faults > 0 ? 0 : 1;
}
