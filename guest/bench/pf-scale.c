// SPDX-License-Identifier: GPL-2.0
/*
 * pf-scale: will-it-scale page_fault style loop, no churn. Each of T
 * threads maps a region, writes one byte per page, unmaps it, and repeats:
 * the uncontended fault path (plus each thread's own mmap/munmap).
 *
 *   pf-scale [-t threads] [-s seconds] [-m MiB per iteration]
 *            [-p private|shared|file-private|file-shared] [-d dir] [-1]
 *
 * private: MAP_PRIVATE anonymous memory (will-it-scale page_fault1, what
 * SPF handles);
 * shared: MAP_SHARED anonymous memory (shmem);
 * file-private: MAP_PRIVATE mapping of a tmpfs file, so every write is a
 * copy-on-write of a file page (will-it-scale page_fault2);
 * file-shared: MAP_SHARED mapping of a tmpfs file, shared write faults
 * (will-it-scale page_fault3).
 * SPF handles private, file-private (the copy of a file page on write,
 * once the VMA has its anon_vma), and shared and file-shared on tmpfs
 * (shared writes to shmem pages; the first round brings in the file's
 * holes). On a filesystem with ->page_mkwrite (-d /mnt/ext4) it leaves
 * shared writes to the classic path (file_write): those runs measure what
 * an attempt costs when it cannot help. As in will-it-scale, each thread has a
 * file of its own, made in dir (default /dev/shm, a tmpfs in the guest),
 * sized once and unlinked at once; the page cache keeps its pages from one
 * iteration to the next.
 * -1 (one page table): the threads share one 2 MiB-aligned range, each
 * mapping its own 2 MiB / T of it (MAP_FIXED, protections alternating so
 * that neighbours do not merge), so that every fault of every thread takes
 * the same PTE lock: how often a speculative fault finds it busy
 * (spf_abort_ptl_busy) when T threads fault one 2 MiB.
 * Prints: threads, mapping, seconds, faults, faults_per_sec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "bench.h"

static size_t len, page;
static int map_flags = MAP_PRIVATE | MAP_ANONYMOUS, use_file;
static const char *dir = "/dev/shm";
static char *one_table;		/* -1: the shared 2 MiB range */
static struct counter *ctrs;

/* A file of len bytes in dir, already unlinked. */
static int make_file(void)
{
	char *path;
	int fd;

	if (asprintf(&path, "%s/pf-scale.XXXXXX", dir) < 0) {
		perror("pf-scale: asprintf");
		exit(1);
	}
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "pf-scale: mkstemp %s: %s\n", path, strerror(errno));
		exit(1);
	}
	unlink(path);
	if (ftruncate(fd, len)) {
		perror("pf-scale: ftruncate");
		exit(1);
	}
	free(path);
	return fd;
}

static void *worker(void *arg)
{
	struct counter *c = arg;
	int fd = use_file ? make_file() : -1;
	int id = c - ctrs, flags = map_flags, prot = PROT_READ | PROT_WRITE;
	char *at = NULL;
	size_t i;

	if (one_table) {
		at = one_table + id * len;
		flags |= MAP_FIXED;
		if (id % 2)
			prot |= PROT_EXEC;
	}
	while (!stopped()) {
		char *p = mmap(at, len, prot, flags, fd, 0);

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
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, secs = 2, mib = 32, opt;
	const char *mapping = "private";
	unsigned long total;
	size_t pmd_size = 2UL << 20;
	int one = 0;
	double dt;

	while ((opt = getopt(argc, argv, "t:s:m:p:d:1")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		case 'm': mib = atoi(optarg); break;
		case 'p': mapping = optarg; break;
		case 'd': dir = optarg; break;
		case '1': one = 1; break;
		default:
			fprintf(stderr, "usage: pf-scale [-t threads] [-s seconds] [-m MiB] [-p private|shared|file-private|file-shared] [-d dir] [-1]\n");
			return 2;
		}
	}
	if (!strcmp(mapping, "shared")) {
		map_flags = MAP_SHARED | MAP_ANONYMOUS;
	} else if (!strcmp(mapping, "file-private")) {
		map_flags = MAP_PRIVATE;
		use_file = 1;
	} else if (!strcmp(mapping, "file-shared")) {
		map_flags = MAP_SHARED;
		use_file = 1;
	} else if (strcmp(mapping, "private")) {
		fprintf(stderr, "pf-scale: unknown mapping '%s'\n", mapping);
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	len = (size_t)mib << 20;
	if (one) {
		/* 2 MiB aligned, inside a reservation of twice that. */
		char *r = mmap(NULL, 2 * pmd_size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (r == MAP_FAILED || threads < 1 ||
		    pmd_size / threads < page) {
			fprintf(stderr, "pf-scale: -1: cannot split 2 MiB in %d\n",
				threads);
			return 2;
		}
		one_table = (char *)(((unsigned long)r + pmd_size - 1) &
				     ~(pmd_size - 1));
		len = pmd_size / threads / page * page;
	}
	ctrs = counters(threads);
	dt = run_threads(threads, worker, ctrs, secs, &total);
	printf("threads=%d mapping=%s%s seconds=%.3f faults=%lu faults_per_sec=%.0f\n",
	       threads, mapping, one ? " one_table=1" : "", dt, total,
	       total / dt);
	return 0;
}
