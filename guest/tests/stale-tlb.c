// SPDX-License-Identifier: GPL-2.0
/*
 * stale-tlb: does a store reach a page after munmap-like zapping freed it?
 *
 * A writer thread runs long straight-line blocks of stores into the pages
 * of a buffer while a zapper thread drops the same pages with
 * MADV_DONTNEED in a loop, which frees them. Once madvise() returns, no
 * store of the writer may land in a freed page: the kernel flushed the
 * translations before it freed them. The oracle is the debug kernel's page
 * poisoning (page_poison=1): a freed page written afterwards is reported as
 * "pagealloc: memory corruption" on the console when it is allocated again,
 * and the harness fails the run on it.
 *
 * It asks the emulator, not the kernel: under QEMU's multi-threaded TCG a
 * vCPU may finish a translated block with a stale software TLB entry if
 * another vCPU's TLB flush does not wait for it (QEMU 7.1-9.0 on ppc64:
 * hcall and tlbie flushes). Long blocks of stores widen that window. Run it
 * with speculative page faults off to test the emulator and the base kernel
 * alone.
 *
 *   stale-tlb SECONDS
 * Prints TAP; the test passes when both threads made progress (the console
 * scan gives the verdict on corruption).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define NPAGES 16

static char *buf;
static long page;
static volatile int stop;
static unsigned long stores, zaps;

/* 8 x 8 x 4 = 256 stores in one straight-line block, 16 bytes apart. */
#define S1(o)	(q[(o) * 2] = tag)
#define S8(o)	S1(o); S1(o + 1); S1(o + 2); S1(o + 3); \
		S1(o + 4); S1(o + 5); S1(o + 6); S1(o + 7)
#define S64(o)	S8(o); S8(o + 8); S8(o + 16); S8(o + 24); \
		S8(o + 32); S8(o + 40); S8(o + 48); S8(o + 56)

static void *writer(void *arg)
{
	uint64_t tag = 0x57a1e71b00000000ULL;
	unsigned long i = 0;

	while (!stop) {
		volatile uint64_t *q = (uint64_t *)(buf + (i++ % NPAGES) * page);

		tag++;
		S64(0); S64(64); S64(128); S64(192);
		stores += 256;
	}
	return NULL;
}

static void *zapper(void *arg)
{
	while (!stop) {
		if (madvise(buf, NPAGES * page, MADV_DONTNEED)) {
			perror("madvise");
			exit(1);
		}
		zaps++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	pthread_t w, z;

	page = sysconf(_SC_PAGESIZE);
	if (secs <= 0 || page < 256 * 16) {
		printf("not ok 1 - usage: stale-tlb SECONDS (page size %ld)\n", page);
		return 1;
	}
	buf = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("1..1\n");
	pthread_create(&w, NULL, writer, NULL);
	pthread_create(&z, NULL, zapper, NULL);
	sleep(secs);
	stop = 1;
	pthread_join(w, NULL);
	pthread_join(z, NULL);
	printf("# %d s: %lu stores, %lu zaps of %d pages\n", secs, stores, zaps, NPAGES);
	printf("%s 1 - writer and zapper both ran (%lu stores, %lu zaps)\n",
	       stores && zaps ? "ok" : "not ok", stores, zaps);
	return !(stores && zaps);
}
