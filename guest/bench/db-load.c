// SPDX-License-Identifier: GPL-2.0
/*
 * db-load: loading an in-memory database. T loader threads write records
 * into a large anonymous arena and insert their keys into a hash index (both
 * fault fresh memory), while one housekeeping thread does what engines and
 * allocators do meanwhile: map and unmap temporary buffers, flip guard
 * pages with mprotect, and give freed extents back with MADV_DONTNEED. Both
 * sides have a fixed amount of work; the metric is the time until all of
 * it is done.
 *
 *   db-load [-t loaders] [-r records (thousands)] [-k housekeeping ops]
 *           [-a private|shared|memfd]
 *
 * -a: the arena is private anonymous memory (default), shared anonymous
 * memory (MAP_SHARED|MAP_ANONYMOUS), or a MAP_SHARED memfd: a buffer pool
 * in shared memory, whose first touches are shmem faults. The index stays
 * private.
 *
 * Prints: loaders, records, record_bytes, housekeeping_ops, seconds,
 * load_seconds, housekeeping_seconds, records_per_sec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RECORD		128
#define TMP_BUF		(64 << 10)
#define EXTENT		(64 << 10)
#define EXTENTS		64

static char *arena;
static uint64_t *index_slots;
static size_t nrecords, nslots;
static int loaders = 1;
static long hk_ops = 20000;
static double t0, load_done, hk_done;
static const char *arena_kind = "private";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("db-load: mmap");
		exit(1);
	}
	return p;
}

static char *map_arena(size_t len)
{
	void *p;
	int fd;

	if (!strcmp(arena_kind, "private"))
		return map(len, PROT_READ | PROT_WRITE);
	if (!strcmp(arena_kind, "shared"))
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	else {
		fd = syscall(SYS_memfd_create, "db-load", 0);
		if (fd < 0 || ftruncate(fd, len)) {
			perror("db-load: memfd");
			exit(1);
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	}
	if (p == MAP_FAILED) {
		perror("db-load: mmap");
		exit(1);
	}
	return p;
}

static uint64_t hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static void *loader(void *arg)
{
	long id = (long)arg;
	size_t i, first = nrecords * id / loaders, end = nrecords * (id + 1) / loaders;

	for (i = first; i < end; i++) {
		uint64_t key = hash(i + 1), slot = key % nslots;
		char *rec = arena + i * RECORD;

		/* The record: key, then a payload derived from it. */
		memcpy(rec, &key, sizeof(key));
		memset(rec + sizeof(key), (int)(key & 0xff), RECORD - sizeof(key));
		/* Open addressing; slots hold record number + 1. */
		while (!__sync_bool_compare_and_swap(&index_slots[slot], 0, i + 1))
			slot = (slot + 1) % nslots;
	}
	return NULL;
}

static void *housekeeper(void *arg)
{
	char *guards = map(16 * 4096, PROT_READ | PROT_WRITE);
	char *extents = map((size_t)EXTENTS * EXTENT, PROT_READ | PROT_WRITE);
	long i;

	for (i = 0; i < hk_ops; i++) {
		char *tmp;

		switch (i % 3) {
		case 0:	/* a temporary buffer */
			tmp = map(TMP_BUF, PROT_READ | PROT_WRITE);
			tmp[0] = 1;
			munmap(tmp, TMP_BUF);
			break;
		case 1:	/* a guard page, off and on */
			mprotect(guards + (i % 16) * 4096, 4096,
				 (i / 3) & 1 ? PROT_NONE : PROT_READ | PROT_WRITE);
			break;
		default: /* an extent used, then given back */
			tmp = extents + (i % EXTENTS) * (size_t)EXTENT;
			tmp[0] = 1;
			madvise(tmp, EXTENT, MADV_DONTNEED);
		}
	}
	hk_done = now();
	return NULL;
}

int main(int argc, char **argv)
{
	long thousands = 1024, i;
	pthread_t *th, hk;
	size_t k, bad = 0;
	int opt;

	while ((opt = getopt(argc, argv, "t:r:k:a:")) != -1) {
		switch (opt) {
		case 't': loaders = atoi(optarg); break;
		case 'r': thousands = atol(optarg); break;
		case 'k': hk_ops = atol(optarg); break;
		case 'a': arena_kind = optarg; break;
		default:
			fprintf(stderr, "usage: db-load [-t loaders] [-r thousand records] [-k housekeeping ops] [-a private|shared|memfd]\n");
			return 2;
		}
	}
	if (strcmp(arena_kind, "private") && strcmp(arena_kind, "shared") &&
	    strcmp(arena_kind, "memfd")) {
		fprintf(stderr, "db-load: unknown arena '%s'\n", arena_kind);
		return 2;
	}
	nrecords = thousands * 1000;
	nslots = nrecords * 2;
	arena = map_arena(nrecords * RECORD);
	index_slots = map(nslots * sizeof(*index_slots), PROT_READ | PROT_WRITE);
	th = calloc(loaders, sizeof(*th));

	t0 = now();
	pthread_create(&hk, NULL, housekeeper, NULL);
	for (i = 0; i < loaders; i++)
		pthread_create(&th[i], NULL, loader, (void *)i);
	for (i = 0; i < loaders; i++)
		pthread_join(th[i], NULL);
	load_done = now();
	pthread_join(hk, NULL);

	/* The database is what was loaded: every record findable. */
	for (k = 0; k < nrecords; k += 997) {
		uint64_t key = hash(k + 1), slot = key % nslots;

		while (index_slots[slot] && index_slots[slot] != k + 1)
			slot = (slot + 1) % nslots;
		if (!index_slots[slot] ||
		    memcmp(arena + k * RECORD, &key, sizeof(key)))
			bad++;
	}
	if (bad) {
		fprintf(stderr, "db-load: %zu records not found\n", bad);
		return 1;
	}
	printf("loaders=%d arena=%s records=%zu record_bytes=%d housekeeping_ops=%ld seconds=%.3f load_seconds=%.3f housekeeping_seconds=%.3f records_per_sec=%.0f\n",
	       loaders, arena_kind, nrecords, RECORD, hk_ops,
	       (load_done > hk_done ? load_done : hk_done) - t0,
	       load_done - t0, hk_done - t0,
	       nrecords / ((load_done > hk_done ? load_done : hk_done) - t0));
	return 0;
}
