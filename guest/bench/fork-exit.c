// SPDX-License-Identifier: GPL-2.0
/*
 * fork-exit: the cost of creating and tearing down address spaces, as a
 * shell or a build system does it. T threads each loop: fork(), the child
 * writes one word in each of V private anonymous mappings of the parent
 * (copy-on-write faults), checks what the parent had written there and
 * exits; the parent waits for it. fork() copies V VMAs and marks the
 * parent's (speculative page faults), exit frees them (with the series,
 * at once, not after an RCU grace period): this compares kernels (make
 * bench-peers) more than SPF on and off.
 *
 *   fork-exit [-t threads] [-s seconds] [-v mappings]
 *
 * Prints: threads, seconds, forks, forks_per_sec. Exits 1 if a child read
 * wrong data or died.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench.h"

static int nmaps = 64;
static char **maps;
static long page;

static void *worker(void *arg)
{
	struct counter *c = arg;
	int status, i;
	pid_t pid;

	while (!stopped()) {
		pid = fork();
		if (pid < 0) {
			perror("fork-exit: fork");
			exit(1);
		}
		if (pid == 0) {
			for (i = 0; i < nmaps; i++) {
				/* Each mapping's first word holds its index. */
				if (*(long *)maps[i] != i)
					_exit(1);
				*(long *)maps[i] = -1;
			}
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "fork-exit: child %d: status %#x\n",
				pid, status);
			exit(1);
		}
		c->n++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, secs = 2, opt, i;
	unsigned long total;
	struct counter *c;
	double dt;

	while ((opt = getopt(argc, argv, "t:s:v:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		case 'v': nmaps = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fork-exit [-t threads] [-s seconds] [-v mappings]\n");
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	maps = calloc(nmaps, sizeof(*maps));
	if (!maps) {
		perror("fork-exit: calloc");
		return 1;
	}
	/*
	 * Separate VMAs: alternate protections keep neighbours from merging.
	 * Four pages each, the first written so that the child's write is a
	 * copy-on-write fault.
	 */
	for (i = 0; i < nmaps; i++) {
		maps[i] = mmap(NULL, 4 * page,
			       i % 2 ? PROT_READ | PROT_WRITE | PROT_EXEC :
				       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[i] == MAP_FAILED) {
			perror("fork-exit: mmap");
			return 1;
		}
		*(long *)maps[i] = i;
	}
	c = counters(threads);
	dt = run_threads(threads, worker, c, secs, &total);
	for (i = 0; i < nmaps; i++)
		if (*(long *)maps[i] != i) {
			fprintf(stderr, "fork-exit: a child's write reached the parent\n");
			return 1;
		}
	printf("threads=%d seconds=%.3f forks=%lu forks_per_sec=%.0f\n",
	       threads, dt, total, total / dt);
	return 0;
}
