/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the race soaks (spf-stress, spf-stress-file) share: output that needs
 * no stdio, error reports, sequence counts, per-thread random numbers, one
 * probed access to a page (its SIGSEGV or SIGBUS caught), a write that keeps
 * the content, and counters of /proc/vmstat.
 */
#ifndef SPF_STRESS_H
#define SPF_STRESS_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The kernel's page size (64 KiB on ppc64le), set by main(). */
static unsigned long page_size;
#define PAGE page_size
#define WORDS (PAGE / 8)

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	/* Under fault injection a pipe write may fail to allocate: retry. */
	for (int tries = 0; tries < 100; tries++)
		if (write(1, buf, n) >= 0 || errno != ENOMEM)
			break;
}

/* ---- errors: the first MAX_REPORTS are printed, with the run's seed ---- */

static uint64_t seed;
static unsigned long errors;

#define MAX_REPORTS 20
static void error(const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	if (__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("ERROR: %s (seed %llu)\n", buf, (unsigned long long)seed);
}

/* A sequence count that a writer makes odd while it changes what it guards. */
static unsigned long seq_read(unsigned long *seq)
{
	return __atomic_load_n(seq, __ATOMIC_ACQUIRE);
}

/* ---- random numbers: xorshift64*, one state per thread ---- */

static __thread uint64_t rstate;

static uint64_t rnd(void)
{
	rstate ^= rstate >> 12;
	rstate ^= rstate << 25;
	rstate ^= rstate >> 27;
	return rstate * 0x2545f4914f6cdd1dULL;
}

static unsigned int rndn(unsigned int n)
{
	return rnd() % n;
}

/* Mostly read-write, sometimes read-only or none. */
static int random_prot(void)
{
	unsigned int r = rndn(20);

	return r < 14 ? PROT_READ | PROT_WRITE : r < 17 ? PROT_READ : PROT_NONE;
}

/* ---- probing memory: sigsetjmp around one access ---- */

static __thread sigjmp_buf probe_jmp;
static __thread volatile int probing;
static __thread volatile int probe_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (!probing) {
		static const char msg[] = "stress: fault outside a probe\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(4);
		_exit(4);
	}
	probe_code = si->si_code;
	siglongjmp(probe_jmp, sig);
}

/*
 * A write that does not change the content: an atomic add of zero. It needs
 * write access, so it takes write and COW faults, and it cannot corrupt a
 * page that a racing writer has just replaced.
 */
static inline uint64_t write_same(volatile uint64_t *p)
{
#if defined(__x86_64__)
	uint64_t v = 0;

	asm volatile("lock xaddq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
#else
	return __atomic_fetch_add(p, 0, __ATOMIC_SEQ_CST);
#endif
}

enum access { RD, WR, FILL };

/*
 * Returns 0 or the signal; w[0], w[1], w[2]: the page's first, last and
 * third word. FILL writes fill and ~fill into the first and last word.
 */
static int probe(char *addr, enum access how, uint64_t fill, uint64_t w[3])
{
	volatile uint64_t *p = (volatile uint64_t *)addr;
	int sig;

	w[0] = w[1] = w[2] = 0;
	sig = sigsetjmp(probe_jmp, 1);
	if (sig) {
		probing = 0;
		return sig;
	}
	probing = 1;
	switch (how) {
	case RD:
		w[0] = p[0];
		w[1] = p[WORDS - 1];
		w[2] = p[2];
		break;
	case WR:
		w[0] = write_same(&p[0]);
		w[1] = p[WORDS - 1];
		w[2] = p[2];
		break;
	case FILL:
		p[0] = fill;
		p[WORDS - 1] = ~fill;
		w[0] = p[0];
		w[1] = p[WORDS - 1];
		w[2] = p[2];
		break;
	}
	probing = 0;
	return 0;
}

static const char *const how_name[] = { "read", "write", "fill" };

/* ---- counters and clock ---- */

static char vmstat_buf[32768];

/* One /proc/vmstat counter, read without stdio (see spf-stress's setup_brk()). */
static unsigned long vmstat(const char *name)
{
	size_t len = strlen(name);
	ssize_t n = 0;
	char *p;
	int fd = open("/proc/vmstat", O_RDONLY);

	if (fd >= 0) {
		n = read(fd, vmstat_buf, sizeof(vmstat_buf) - 1);
		close(fd);
	}
	vmstat_buf[n > 0 ? n : 0] = 0;
	for (p = vmstat_buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoul(p + len + 1, NULL, 10);
	return 0;
}

/* The faults of the run and its speculative attempts and successes so far. */
static unsigned long faults0, attempts0, successes0;

static void count_faults_from_now(void)
{
	faults0 = vmstat("pgfault");
	attempts0 = vmstat("spf_attempt");
	successes0 = vmstat("spf_success");
}

static unsigned long successes(void)
{
	return vmstat("spf_success") - successes0;
}

static void report_faults(void)
{
	say("# faults: %lu, speculative attempts %lu, successes %lu",
	    vmstat("pgfault") - faults0, vmstat("spf_attempt") - attempts0, successes());
}

static long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- threads and the report ---- */

static pthread_barrier_t start_barrier;

/* nf faulters and nw writers, each given its index; main makes the barrier's last. */
static void start_threads(pthread_t *th, int nf, void *(*faulter)(void *), int nw,
			  void *(*writer)(void *))
{
	int i;

	pthread_barrier_init(&start_barrier, NULL, nf + nw + 1);
	for (i = 0; i < nf; i++)
		pthread_create(&th[i], NULL, faulter, (void *)(uintptr_t)i);
	for (i = 0; i < nw; i++)
		pthread_create(&th[nf + i], NULL, writer, (void *)(uintptr_t)i);
}

/* "# T s; ops: N name done/failed ..." */
static void report_ops(long secs, const char *const *name, const unsigned long *done,
		       const unsigned long *failed, int n)
{
	unsigned long ops = 0;
	int i;

	for (i = 0; i < n; i++)
		ops += done[i];
	say("# %ld s; ops: %lu", secs, ops);
	for (i = 0; i < n; i++)
		say(" %s %lu/%lu", name[i], done[i], failed[i]);
	say(" (done/failed)\n");
}

/* The last line, and the exit status: 0 if no check failed. */
static int report_errors(void)
{
	say("# wrong pages/accesses: %lu%s\n", errors,
	    errors > MAX_REPORTS ? " (only the first reported)" : "");
	return errors ? 1 : 0;
}

#endif
