// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke tests of the guest's memory management, run before and after the SPF
 * series: each checks an observable result (data read back, signal received,
 * counter moved), never only that a call returned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#define NPAGES 256

static size_t page;

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void __attribute__((constructor)) init_page(void)
{
	page = sysconf(_SC_PAGESIZE);
}

/* Fresh anonymous memory reads as zero, then holds what was written. */
TEST(anon_zero_fill_then_write)
{
	size_t len = NPAGES * page;
	uint64_t *p = map_anon(len, PROT_READ | PROT_WRITE);
	size_t i, words = len / sizeof(*p);

	ASSERT_NE(NULL, p);
	for (i = 0; i < words; i++)
		ASSERT_EQ(0, p[i]);
	for (i = 0; i < words; i++)
		p[i] = i * 0x9e3779b97f4a7c15ull;
	for (i = 0; i < words; i++)
		ASSERT_EQ(i * 0x9e3779b97f4a7c15ull, p[i]);
	munmap(p, len);
}

/* Touching N fresh pages costs at least N minor faults (the counter moves). */
TEST(anon_fault_counts_minflt)
{
	size_t len = NPAGES * page, i;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);
	long before;

	ASSERT_NE(NULL, p);
	madvise(p, len, MADV_NOHUGEPAGE);
	before = minor_faults();
	for (i = 0; i < len; i += page)
		p[i] = 1;
	ASSERT_GE(minor_faults() - before, NPAGES);
	munmap(p, len);
}

/* A read fault maps the shared zero page; a later write gets a private copy. */
TEST(zero_page_read_then_write)
{
	size_t len = NPAGES * page, i;
	volatile char *p = map_anon(len, PROT_READ | PROT_WRITE);
	long sum = 0;

	ASSERT_NE(NULL, p);
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += page)
		sum += p[i];
	ASSERT_EQ(0, sum);
	for (i = 0; i < len; i += page)
		p[i] = (char)(i / page) | 1;
	for (i = 0; i < len; i += page)
		ASSERT_EQ((char)(i / page) | 1, p[i]);
	munmap((void *)p, len);
}

/* After fork, parent and child never see each other's writes (COW). */
TEST(cow_after_fork)
{
	size_t len = NPAGES * page, i;
	unsigned char *p = map_anon(len, PROT_READ | PROT_WRITE);
	int status, to_parent[2], to_child[2];
	pid_t pid;
	char c;

	ASSERT_NE(NULL, p);
	memset(p, 0xA1, len);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (i = 0; i < len; i++)
			if (p[i] != 0xA1)
				_exit(1);
		memset(p, 0xC2, len);
		/* Let the parent write, then check we kept our own data. */
		if (write(to_parent[1], "x", 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < len; i++)
			if (p[i] != 0xC2)
				_exit(3);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	/* The child has written all of its copy: ours is untouched. */
	for (i = 0; i < len; i++)
		ASSERT_EQ(0xA1, p[i]);
	memset(p, 0xB3, len / 2);
	ASSERT_EQ(1, write(to_child[1], "y", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < len; i++)
		ASSERT_EQ(i < len / 2 ? 0xB3 : 0xA1, p[i]);
	munmap(p, len);
}

/* Touching memory after munmap raises SIGSEGV. */
TEST_SIGNAL(munmap_then_touch_segv, SIGSEGV)
{
	volatile char *p = map_anon(page, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(0, munmap((void *)p, page));
	p[0] = 2;
}

/* Writing to memory made read-only raises SIGSEGV; the data stays readable. */
TEST_SIGNAL(mprotect_read_then_write_segv, SIGSEGV)
{
	volatile char *p = map_anon(page, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, p);
	p[0] = 42;
	ASSERT_EQ(0, mprotect((void *)p, page, PROT_READ));
	ASSERT_EQ(42, p[0]);
	p[0] = 43;
}

/* Reading memory made PROT_NONE raises SIGSEGV. */
TEST_SIGNAL(mprotect_none_then_read_segv, SIGSEGV)
{
	volatile char *p = map_anon(page, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, p);
	p[0] = 1;
	ASSERT_EQ(0, mprotect((void *)p, page, PROT_NONE));
	(void)p[0];
}

/* MADV_DONTNEED drops private anonymous pages: they read back as zero. */
TEST(madv_dontneed_zeroes)
{
	size_t len = NPAGES * page, i;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, p);
	memset(p, 0x5a, len);
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED));
	for (i = 0; i < len; i++)
		ASSERT_EQ(0, p[i]);
	munmap(p, len);
}

/* mremap that must move keeps the data and unmaps the old range. */
TEST(mremap_move_keeps_data)
{
	size_t len = 16 * page, i;
	char *p = map_anon(len, PROT_READ | PROT_WRITE), *q, *blocker;

	ASSERT_NE(NULL, p);
	for (i = 0; i < len; i++)
		p[i] = (char)(i * 7);
	/* Put a mapping right after p so that growing in place is impossible. */
	blocker = mmap(p + len, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	if (blocker != MAP_FAILED)
		ASSERT_NE(p, q);
	for (i = 0; i < len; i++)
		ASSERT_EQ((char)(i * 7), q[i]);
	for (i = len; i < 2 * len; i++)
		ASSERT_EQ(0, q[i]);
	munmap(q, 2 * len);
	if (blocker != MAP_FAILED)
		munmap(blocker, page);
}

static int recurse(int depth)
{
	volatile char buf[4096];

	buf[0] = (char)depth;
	buf[sizeof(buf) - 1] = (char)depth;
	if (depth == 0)
		return buf[0];
	return recurse(depth - 1) + buf[sizeof(buf) - 1];
}

/* The main stack grows on demand (expand_downwards) well past its first page. */
TEST(stack_grows_down)
{
	/* 2 MiB of stack, far below the 8 MiB default limit. */
	int depth = 512, expect = 0, i;

	for (i = 0; i <= depth; i++)
		expect += (char)i;
	ASSERT_EQ(expect, recurse(depth));
}

/* The guest has two NUMA nodes, and a page bound to each lands there. */
TEST(numa_two_nodes_bind)
{
	size_t len = 2 * page;
	char *p = map_anon(len, PROT_READ | PROT_WRITE);
	int node;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, access("/sys/devices/system/node/node0", F_OK));
	ASSERT_EQ(0, access("/sys/devices/system/node/node1", F_OK));
	for (node = 0; node < 2; node++) {
		unsigned long mask = 1UL << node;
		void *pg = p + node * page;
		int status = -1;

		ASSERT_EQ(0, syscall(SYS_mbind, pg, page, 2 /* MPOL_BIND */, &mask, 8 * sizeof(mask), 0));
		*(volatile char *)pg = 1;
		ASSERT_EQ(0, syscall(SYS_move_pages, 0, 1, &pg, NULL, &status, 0));
		ASSERT_EQ(node, status);
	}
	munmap(p, len);
}

TEST_HARNESS_MAIN
