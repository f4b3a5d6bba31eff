// SPDX-License-Identifier: GPL-2.0
/*
 * pf-scale: will-it-scale page_fault style loop, no churn. Each of T
 * threads maps a region, writes one byte per page, unmaps it, and repeats:
 * the uncontended fault path (plus each thread's own mmap/munmap).
 *
 *   pf-scale [-t threads] [-s seconds] [-m MiB per iteration]
 *            [-p private|shared]
 *
 * private: MAP_PRIVATE anonymous memory (what SPF handles);
 * shared: MAP_SHARED anonymous memory (shmem: SPF aborts, so this measures
 * what an attempt costs when it cannot help).
 * Prints: threads, mapping, seconds, faults, faults_per_sec.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "bench.h"

static size_t len, page;
static int map_flags = MAP_PRIVATE;

static void *worker(void *arg)
{
	struct counter *c = arg;
	size_t i;

	while (!stopped()) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       map_flags | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("pf-scale: mmap");
			exit(1);
		}
		for (i = 0; i < len; i += page) {
			p[i] = 1;
			c->n++;
			if (stopped())
				break;
		}
		munmap(p, len);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, secs = 2, mib = 32, opt;
	const char *mapping = "private";
	unsigned long total;
	double dt;

	while ((opt = getopt(argc, argv, "t:s:m:p:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		case 'm': mib = atoi(optarg); break;
		case 'p': mapping = optarg; break;
		default:
			fprintf(stderr, "usage: pf-scale [-t threads] [-s seconds] [-m MiB] [-p private|shared]\n");
			return 2;
		}
	}
	if (!strcmp(mapping, "shared")) {
		map_flags = MAP_SHARED;
	} else if (strcmp(mapping, "private")) {
		fprintf(stderr, "pf-scale: unknown mapping '%s'\n", mapping);
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	len = (size_t)mib << 20;
	dt = run_threads(threads, worker, counters(threads), secs, &total);
	printf("threads=%d mapping=%s seconds=%.3f faults=%lu faults_per_sec=%.0f\n",
	       threads, mapping, dt, total, total / dt);
	return 0;
}
