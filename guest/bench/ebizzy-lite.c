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
#include <stdint.h>

#include "bench.h"

static size_t chunk_records;
static int searches = 4;

static void *worker(void *arg)
{
	struct counter *c = arg;
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	size_t i;
	int s;

	while (!stopped()) {
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
					c->aux++;	/* keys found */
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
	unsigned long total, found = 0;
	struct counter *c;
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
	c = counters(threads);
	dt = run_threads(threads, worker, c, secs, &total);
	for (i = 0; i < threads; i++)
		found += c[i].aux;
	if (found < total / chunk_records) {
		fprintf(stderr, "ebizzy-lite: a searched key was not found\n");
		return 1;
	}
	printf("threads=%d seconds=%.3f records=%lu records_per_sec=%.0f\n",
	       threads, dt, total, total / dt);
	return 0;
}
