// SPDX-License-Identifier: GPL-2.0
/*
 * pf-churn: T threads fault fresh anonymous pages in their own regions
 * (touch every page, MADV_DONTNEED, repeat) while one thread changes an
 * unrelated part of the address space in a loop. Both sides contend on
 * mmap_lock without SPF; run each alone to get its ceiling.
 *
 *   pf-churn [-t faulters] [-s seconds] [-m MiB per faulter]
 *            [-c mmap|mprotect|mremap] [-o faulters|churner|both]
 *            [-p anon|file-shared|file-private] [-d dir] [-a]
 *            [-z dontneed|pageout]
 *
 * -p file-shared: each faulter's region is a MAP_SHARED mapping of its own
 * file in dir (default /dev/shm: tmpfs), whose pages stay in the page
 * cache across MADV_DONTNEED: the faults are shared write faults on page
 * cache pages (the first round fills the file's holes). file-private: a
 * MAP_PRIVATE mapping of the same, whose faults copy the file's pages.
 *
 * -z pageout: the faulters push their pages to swap (MADV_PAGEOUT) instead
 * of dropping them, so that the faults of every round after the first are
 * swap-ins (the guest needs swap: zram).
 *
 * -a pins the churner to CPU 0 and faulter i to CPU i + 1 (modulo the
 * CPUs), so that the scheduler cannot put both sides on one CPU.
 *
 * Prints one line of key=value pairs: faulters, churn, only, seconds,
 * faults, faults_per_sec, churn_ops, churn_ops_per_sec, touch_secs,
 * touch_faults_per_sec. Faults are counted per page touched after
 * MADV_DONTNEED (each one is a fault), per thread. touch_secs is the time
 * a faulter spent touching its pages, averaged over the faulters, and
 * touch_faults_per_sec the faults over it: with -z pageout most of a
 * round goes to MADV_PAGEOUT compressing the pages, and a run of a few
 * rounds ends in it, so faults_per_sec moves by whole rounds and hardly
 * with the cost of the swap-in faults themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>

#include "bench.h"

#define CHURN_PAGES	16
#define RESERVE		(64UL << 20)

static size_t region_len, page;
static unsigned long churn_ops;
static const char *churn = "mmap", *mapping = "anon", *dir = "/dev/shm";
static struct counter *faulter_counters;
static int pin, zap = MADV_DONTNEED;

static void die(const char *what)
{
	fprintf(stderr, "pf-churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* -a: run the calling thread on this CPU only. */
static void pin_to(long cpu)
{
	cpu_set_t set;

	if (!pin)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* A faulter's region, as -p asks. */
static char *map_region(void)
{
	int fd, shared = !strcmp(mapping, "file-shared");
	char *p;

	if (!strcmp(mapping, "anon"))
		return mmap(NULL, region_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	if (fd < 0)
		die(dir);
	if (ftruncate(fd, region_len))
		die("ftruncate");
	p = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
		 shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
	close(fd);
	return p;
}

static void *faulter(void *arg)
{
	struct counter *c = arg;
	char *p;
	size_t i;

	pin_to(1 + (c - faulter_counters));
	p = map_region();
	if (p == MAP_FAILED)
		die("mmap");
	while (!stopped()) {
		double t0 = now();

		for (i = 0; i < region_len; i += page) {
			p[i] = 1;
			c->n++;
			if (stopped())
				break;
		}
		c->aux += (unsigned long)((now() - t0) * 1e9);	/* ns */
		madvise(p, region_len, zap);
	}
	munmap(p, region_len);
	return NULL;
}

/*
 * The churner works inside a PROT_NONE reservation of its own, far from the
 * faulters' regions, so that it never merges with or splits their VMAs.
 */
static void *churner(void *arg)
{
	size_t len = CHURN_PAGES * page;
	char *res = mmap(NULL, RESERVE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a = res + RESERVE / 4, *b = res + RESERVE / 2, *q;
	int rw = 0;

	pin_to(0);

	if (res == MAP_FAILED)
		die("mmap reservation");
	if (strcmp(churn, "mmap")) {
		/* mprotect and mremap work on one mapping made once. */
		q = mmap(a, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q == MAP_FAILED)
			die("mmap");
		q[0] = 1;
	}
	while (!stopped()) {
		if (!strcmp(churn, "mmap")) {
			q = mmap(a, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (q == MAP_FAILED)
				die("mmap");
			/* Back to the reservation: a VMA is created, then removed. */
			if (mmap(a, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
				die("mmap");
		} else if (!strcmp(churn, "mprotect")) {
			rw = !rw;
			if (mprotect(a, len, rw ? PROT_READ : PROT_READ | PROT_WRITE))
				die("mprotect");
		} else {
			q = mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, b);
			if (q == MAP_FAILED)
				die("mremap");
			b = a;
			a = q;
		}
		churn_ops++;
	}
	munmap(res, RESERVE);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, secs = 2, mib = 16, opt;
	const char *only = "both";
	unsigned long total, touch_ns = 0;
	pthread_t ct;
	double dt, touch;
	int i;

	while ((opt = getopt(argc, argv, "t:s:m:c:o:p:d:az:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		case 'm': mib = atoi(optarg); break;
		case 'c': churn = optarg; break;
		case 'o': only = optarg; break;
		case 'p': mapping = optarg; break;
		case 'd': dir = optarg; break;
		case 'a': pin = 1; break;
		case 'z':
			if (!strcmp(optarg, "pageout")) {
				zap = MADV_PAGEOUT;
			} else if (strcmp(optarg, "dontneed")) {
				fprintf(stderr, "pf-churn: unknown -z '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: pf-churn [-t faulters] [-s seconds] [-m MiB] [-c mmap|mprotect|mremap] [-o faulters|churner|both] [-p anon|file-shared|file-private] [-d dir] [-a] [-z dontneed|pageout]\n");
			return 2;
		}
	}
	if (strcmp(mapping, "anon") && strcmp(mapping, "file-shared") &&
	    strcmp(mapping, "file-private")) {
		fprintf(stderr, "pf-churn: unknown mapping '%s'\n", mapping);
		return 2;
	}
	if (strcmp(churn, "mmap") && strcmp(churn, "mprotect") &&
	    strcmp(churn, "mremap")) {
		fprintf(stderr, "pf-churn: unknown churn '%s'\n", churn);
		return 2;
	}
	if (strcmp(only, "faulters") && strcmp(only, "churner") &&
	    strcmp(only, "both")) {
		fprintf(stderr, "pf-churn: unknown -o '%s'\n", only);
		return 2;
	}
	if (!strcmp(only, "churner"))
		threads = 0;
	page = sysconf(_SC_PAGESIZE);
	region_len = (size_t)mib << 20;
	if (strcmp(only, "faulters"))
		pthread_create(&ct, NULL, churner, NULL);
	faulter_counters = counters(threads);
	dt = run_threads(threads, faulter, faulter_counters, secs, &total);
	if (strcmp(only, "faulters"))
		pthread_join(ct, NULL);
	for (i = 0; i < threads; i++)
		touch_ns += faulter_counters[i].aux;
	touch = threads ? touch_ns / 1e9 / threads : 0;
	printf("faulters=%d churn=%s mapping=%s only=%s seconds=%.3f faults=%lu faults_per_sec=%.0f churn_ops=%lu churn_ops_per_sec=%.0f touch_secs=%.3f touch_faults_per_sec=%.0f\n",
	       threads, churn, mapping, only, dt, total, total / dt, churn_ops,
	       churn_ops / dt, touch, touch > 0 ? total / touch : 0);
	return 0;
}
