// SPDX-License-Identifier: GPL-2.0
/*
 * ebizzy-lite: in the spirit of ebizzy, a web-server-like load. T threads
 * each loop: allocate a large buffer (malloc above the mmap threshold, so
 * each one is an mmap and a munmap), fill it with records, search it for a
 * few keys, free it. Faults and mmap/munmap of the threads contend on
 * mmap_lock.
 *
 *   ebizzy-lite [-t threads] [-s seconds] [-c chunk KiB] [-n searches]
 *
 * Prints: threads, seconds, records, records_per_sec (records written and
 * searched through).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct counter {
	_Alignas(64) unsigned long n;
	unsigned long found;
};

static atomic_int stop;
static size_t chunk_records;
static int searches = 4;

static void *worker(void *arg)
{
	struct counter *c = arg;
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	size_t i;
	int s;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t *buf = malloc(chunk_records * sizeof(*buf));

		if (!buf) {
			perror("ebizzy-lite: malloc");
			exit(1);
		}
		for (i = 0; i < chunk_records; i++)
			buf[i] = ((uint64_t)rand_r(&seed) << 31) ^ rand_r(&seed);
		for (s = 0; s < searches; s++) {
			uint64_t key = buf[rand_r(&seed) % chunk_records];

			for (i = 0; i < chunk_records; i++)
				if (buf[i] == key) {
					c->found++;
					break;
				}
		}
		free(buf);
		c->n += chunk_records;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, secs = 2, kib = 1024, opt, i;
	unsigned long total = 0, found = 0;
	struct counter *c;
	struct timespec a, b;
	pthread_t *th;
	double dt;

	while ((opt = getopt(argc, argv, "t:s:c:n:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		case 'c': kib = atoi(optarg); break;
		case 'n': searches = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: ebizzy-lite [-t threads] [-s seconds] [-c chunk KiB] [-n searches]\n");
			return 2;
		}
	}
	/* Every chunk is its own mmap, as with ebizzy's big allocations. */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	chunk_records = ((size_t)kib << 10) / sizeof(uint64_t);
	th = calloc(threads, sizeof(*th));
	c = aligned_alloc(64, threads * sizeof(*c));
	memset(c, 0, threads * sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &c[i]);
	sleep(secs);
	atomic_store(&stop, 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		total += c[i].n;
		found += c[i].found;
	}
	dt = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	if (found < total / chunk_records) {
		fprintf(stderr, "ebizzy-lite: a searched key was not found\n");
		return 1;
	}
	printf("threads=%d seconds=%.3f records=%lu records_per_sec=%.0f\n",
	       threads, dt, total, total / dt);
	return 0;
}
