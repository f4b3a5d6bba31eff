/*
 * spf-diff: a deterministic generator of memory syscalls and accesses whose
 * observable results are written down, so that two runs -- one with
 * speculative page faults off, one with them on, in the same boot -- can be
 * compared line by line. Any difference is a behaviour change of SPF.
 *
 * Each thread works in its own arena (with unmapped gaps between arenas)
 * and follows its own random sequence from the seed, so its transcript does
 * not depend on the interleaving, while the threads still share one mm and
 * race on its lock and page tables. The transcript records, per step:
 *   - syscall return values (addresses relative to the arena) and errno;
 *   - for each access: the signal and si_code, or a hash of the page read;
 *   - what a fork child read;
 *   - now and then, the arena's VMAs from /proc/self/maps (relative
 *     ranges and permissions) and its residency from mincore().
 * Missing pages of userfaultfd-registered ranges are filled with content
 * that depends only on their offset, so they are deterministic too.
 * Each thread also has a memfd of its own (shmem: no readahead, so its
 * page cache is deterministic), mapped shared or private over parts of the
 * arena, truncated, regrown, hole-punched and written with pwrite().
 * brk is exercised only with one thread (it is per process).
 *
 *   spf-diff [-s SEED] [-n STEPS] [-t THREADS] -o FILE
 * Exit status: 0 when the transcript is written, 2 for bad usage or I/O.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* The kernel's page size (64 KiB on ppc64le), set first thing in main(). */
static unsigned long page_size;
#define PAGE page_size
#define ARENA_PAGES 64
#define GAP_PAGES 64
#define MAX_THREADS 8
#define LOG_SIZE (8UL << 20)

struct thread {
	int id;
	int fd;			/* the thread's memfd */
	uint64_t rstate;
	char *arena;
	char *log;
	size_t len;
	unsigned long step;
	char maps[65536];
};

static struct thread threads[MAX_THREADS];
static int nthreads = 1, uffd = -1;
static long steps = 2000;
static uint64_t seed = 1;
static char *brk0;
static char *arenas;
static pthread_barrier_t start;

static uint64_t rnd(struct thread *t)
{
	t->rstate ^= t->rstate >> 12;
	t->rstate ^= t->rstate << 25;
	t->rstate ^= t->rstate >> 27;
	return t->rstate * 0x2545f4914f6cdd1dULL;
}

static unsigned int rndn(struct thread *t, unsigned int n)
{
	return rnd(t) % n;
}

static void out(struct thread *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 512 > LOG_SIZE)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->log + t->len, 512, fmt, ap);
	va_end(ap);
	t->len += n < 511 ? n : 511;
}

/* A syscall's result: relative to the arena when it is an address in it. */
static void result(struct thread *t, long ret)
{
	if (ret == -1)
		out(t, " -> -1 %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else if ((char *)ret >= t->arena && (char *)ret < t->arena + ARENA_PAGES * PAGE)
		out(t, " -> arena+%#lx\n", (char *)ret - t->arena);
	else
		out(t, " -> %ld\n", ret);
}

/* ---- accesses ---- */

static __thread sigjmp_buf jmp;
static __thread volatile int probing, sig_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (!probing)
		_exit(5);
	sig_code = si->si_code;
	siglongjmp(jmp, sig);
}

static uint64_t hash_page(const volatile uint64_t *p)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned long i;

	for (i = 0; i < PAGE / 8; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Read (hash) or write a page; write down what happened. */
static void access_page(struct thread *t, unsigned int pg, int wr, uint64_t val)
{
	volatile uint64_t *p = (volatile uint64_t *)(t->arena + pg * PAGE);
	uint64_t h = 0;
	int sig;

	sig = sigsetjmp(jmp, 1);
	if (!sig) {
		probing = 1;
		if (wr)
			p[rndn(t, PAGE / 8)] = val;
		else
			h = hash_page(p);
		probing = 0;
		if (wr)
			out(t, "%s page %u = %#llx\n", "write", pg, (unsigned long long)val);
		else
			out(t, "read page %u: %016llx\n", pg, (unsigned long long)h);
	} else {
		probing = 0;
		out(t, "%s page %u: signal %d code %d\n", wr ? "write" : "read", pg, sig, sig_code);
	}
}

/* ---- the arena's state: VMAs and residency ---- */

static void snapshot(struct thread *t)
{
	unsigned long lo = (unsigned long)t->arena, hi = lo + ARENA_PAGES * PAGE;
	unsigned char vec[ARENA_PAGES];
	ssize_t n = 0, r;
	char *line, *end;
	int fd, i;

	fd = open("/proc/self/maps", O_RDONLY);
	while (fd >= 0 && (r = read(fd, t->maps + n, sizeof(t->maps) - 1 - n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	t->maps[n] = 0;
	out(t, "vmas:");
	for (line = t->maps; *line; line = end + 1) {
		unsigned long s, e;
		char perms[8];

		end = strchr(line, '\n');
		if (!end)
			break;
		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3 || e <= lo || s >= hi)
			continue;
		out(t, " %lx-%lx %s", (s < lo ? lo : s) - lo, (e > hi ? hi : e) - lo, perms);
	}
	out(t, "\nresident:");
	for (i = 0; i < ARENA_PAGES; i++) {
		if (!mincore(t->arena + i * PAGE, PAGE, &vec[i]))
			out(t, "%c", vec[i] & 1 ? '1' : '0');
		else
			out(t, "%c", errno == ENOMEM ? '-' : '?');
	}
	out(t, "\n");
}

/* ---- the steps ---- */

static void range(struct thread *t, unsigned long *off, unsigned long *len)
{
	unsigned int a = rndn(t, ARENA_PAGES), n = 1 + rndn(t, ARENA_PAGES - a);

	if (n > 16 && rndn(t, 2))
		n = 1 + rndn(t, 16);
	*off = a * PAGE;
	*len = n * PAGE;
	/* Now and then an unaligned start or length: EINVAL or rounding. */
	if (!rndn(t, 32))
		*off += 8;
	if (!rndn(t, 32))
		*len -= 100;
}

static int prot_of(struct thread *t)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_WRITE };

	return prots[rndn(t, 5)];
}

static void fork_read(struct thread *t)
{
	int fds[2], status = 0, pg = rndn(t, ARENA_PAGES);
	char buf[128];
	ssize_t n;
	pid_t pid;

	if (pipe(fds)) {
		out(t, "fork: pipe failed\n");
		return;
	}
	pid = fork();
	if (pid == 0) {
		volatile uint64_t *p = (volatile uint64_t *)(t->arena + pg * PAGE);
		int sig = sigsetjmp(jmp, 1), len;

		if (!sig) {
			uint64_t h;

			probing = 1;
			h = hash_page(p);
			p[0] = 42;	/* COW in the child */
			h ^= p[0];
			len = snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)h);
		} else {
			len = snprintf(buf, sizeof(buf), "signal %d code %d", sig, sig_code);
		}
		if (write(fds[1], buf, len) != len)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	n = pid < 0 ? -1 : read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	buf[n > 0 ? n : 0] = 0;
	out(t, "fork: child read page %d: %s, exit %d\n", pg, buf, WEXITSTATUS(status));
}

/* The thread's memfd: mapped, truncated, punched, written. */
static void file_step(struct thread *t, unsigned long off, unsigned long len)
{
	unsigned int r = rndn(t, 10);
	unsigned long foff = rndn(t, ARENA_PAGES) * PAGE;
	static __thread uint64_t buf[65536 / 8];
	unsigned long i;

	if (r < 5) {
		int prot = prot_of(t), fl = rndn(t, 3) ? MAP_SHARED : MAP_PRIVATE;

		fl |= MAP_FIXED;
		if (!rndn(t, 8))
			fl |= MAP_POPULATE;
		out(t, "mmap-file(+%#lx, %#lx, %d, %#x, %#lx)", off, len, prot, fl, foff);
		result(t, (long)mmap(t->arena + off, len, prot, fl, t->fd, foff));
	} else if (r < 7) {
		unsigned long size = rndn(t, 2 * ARENA_PAGES + 1) * PAGE;

		out(t, "ftruncate(%#lx)", size);
		result(t, ftruncate(t->fd, size));
	} else if (r < 9) {
		out(t, "punch-hole(%#lx, %#lx)", foff, len);
		result(t, fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    foff, len));
	} else {
		uint64_t v = rnd(t);

		for (i = 0; i < PAGE / 8; i++)
			buf[i] = v + i;
		out(t, "pwrite(%#lx)", foff);
		result(t, pwrite(t->fd, buf, PAGE, foff));
	}
}

static void step(struct thread *t)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_FREE, MADV_WILLNEED, MADV_COLD, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_REMOVE,
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, 1000,
	};
	unsigned long off, len, off2, len2;
	unsigned int r = rndn(t, 110);
	char *a = t->arena;
	long ret;

	range(t, &off, &len);
	out(t, "%lu ", t->step++);
	if (r < 40) {
		int wr = rndn(t, 2);

		access_page(t, rndn(t, ARENA_PAGES), wr, rnd(t));
	} else if (r < 46) {
		int prot = prot_of(t), fl = MAP_PRIVATE | MAP_ANONYMOUS;

		fl |= rndn(t, 4) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
		if (!rndn(t, 8))
			fl |= MAP_POPULATE;
		if (!rndn(t, 16))
			fl |= MAP_LOCKED;
		out(t, "mmap(+%#lx, %#lx, %d, %#x)", off, len, prot, fl);
		result(t, (long)mmap(a + off, len, prot, fl, -1, 0));
	} else if (r < 51) {
		out(t, "munmap(+%#lx, %#lx)", off, len);
		result(t, munmap(a + off, len));
	} else if (r < 59) {
		int prot = prot_of(t);

		out(t, "mprotect(+%#lx, %#lx, %d)", off, len, prot);
		result(t, mprotect(a + off, len, prot));
	} else if (r < 65) {
		int fl = rndn(t, 4);	/* 0, MAYMOVE, FIXED (invalid alone), both */

		range(t, &off2, &len2);
		if (!rndn(t, 4))
			fl = MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, len2 = len;
		if (fl & MREMAP_FIXED) {
			out(t, "mremap(+%#lx, %#lx, %#lx, %d, +%#lx)", off, len, len2, fl, off2);
			result(t, (long)mremap(a + off, len, len2, fl, a + off2));
		} else {
			/* Without a fixed target it may only move out of the arena: no. */
			out(t, "mremap(+%#lx, %#lx, %#lx, 0)", off, len, len2);
			result(t, (long)mremap(a + off, len, len2, 0));
		}
	} else if (r < 77) {
		int adv = advice[rndn(t, sizeof(advice) / sizeof(advice[0]))];

		out(t, "madvise(+%#lx, %#lx, %d)", off, len, adv);
		result(t, madvise(a + off, len, adv));
	} else if (r < 81) {
		int what = rndn(t, 3);

		out(t, "%s(+%#lx, %#lx)", what == 0 ? "munlock" : what == 1 ? "mlock" : "mlock2-onfault",
		    off, len);
		if (what == 0)
			ret = munlock(a + off, len);
		else if (what == 1)
			ret = mlock(a + off, len);
		else
			ret = syscall(SYS_mlock2, a + off, len, 1);
		result(t, ret);
	} else if (r < 85) {
		static const int modes[] = { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE };
		int mode = modes[rndn(t, 4)], fl = rndn(t, 2) ? MPOL_MF_MOVE : 0;
		unsigned long mask = 1UL << rndn(t, 2);

		if (mode == MPOL_INTERLEAVE)
			mask = 3;
		if (mode == MPOL_DEFAULT)
			mask = 0;
		out(t, "mbind(+%#lx, %#lx, %d, %#lx, %d)", off, len, mode, mask, fl);
		result(t, syscall(SYS_mbind, a + off, len, mode, mask ? &mask : NULL, mask ? 64 : 0, fl));
	} else if (r < 89 && uffd >= 0) {
		int reg = rndn(t, 2);

		if (reg) {
			struct uffdio_register u = {
				.range = { .start = (unsigned long)a + off, .len = len },
				.mode = UFFDIO_REGISTER_MODE_MISSING,
			};

			out(t, "uffd-register(+%#lx, %#lx)", off, len);
			result(t, ioctl(uffd, UFFDIO_REGISTER, &u));
		} else {
			struct uffdio_range u = { .start = (unsigned long)a + off, .len = len };

			out(t, "uffd-unregister(+%#lx, %#lx)", off, len);
			result(t, ioctl(uffd, UFFDIO_UNREGISTER, &u));
		}
	} else if (r < 92 && nthreads == 1) {
		unsigned long want = (unsigned long)brk0 + rndn(t, 17) * PAGE;

		out(t, "brk(brk0+%#lx)", want - (unsigned long)brk0);
		ret = syscall(SYS_brk, want);
		out(t, " -> brk0+%#lx\n", ret - (long)brk0);
		/* Touch the brk pages too: the fault path for them must agree. */
		if (ret > (long)brk0) {
			volatile char *p = (char *)ret - 1;

			*p = (char)t->step;
		}
	} else if (r < 94) {
		fork_read(t);
	} else if (r < 100) {
		snapshot(t);
	} else {
		file_step(t, off, len);
	}
}

/* Missing pages get content that depends only on where they are. */
static void *uffd_handler(void *arg)
{
	/* Room for the largest page size (64 KiB). */
	static uint64_t src[65536 / 8] __attribute__((aligned(65536)));
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	while (!*(volatile int *)arg) {
		unsigned long addr, i;

		if (poll(&pfd, 1, 50) <= 0 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		addr = msg.arg.pagefault.address & ~(PAGE - 1);
		for (i = 0; i < PAGE / 8; i++)
			src[i] = ((addr - (unsigned long)arenas) % ((ARENA_PAGES + GAP_PAGES) * PAGE)) + i;
		{
			struct uffdio_copy c = { .dst = addr, .src = (unsigned long)src, .len = PAGE };
			struct uffdio_range r = { .start = addr, .len = PAGE };

			if (ioctl(uffd, UFFDIO_COPY, &c))
				ioctl(uffd, UFFDIO_WAKE, &r);
		}
	}
	return NULL;
}

static void *run(void *arg)
{
	struct thread *t = arg;
	long i;

	pthread_barrier_wait(&start);
	for (i = 0; i < steps; i++)
		step(t);
	snapshot(t);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	size_t span = (ARENA_PAGES + GAP_PAGES) * (page_size = sysconf(_SC_PAGESIZE));
	pthread_t th[MAX_THREADS], uth;
	const char *file = NULL;
	int c, i, fd, uffd_stop = 0;

	while ((c = getopt(argc, argv, "s:n:t:o:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': steps = atol(optarg); break;
		case 't': nthreads = atoi(optarg); break;
		case 'o': file = optarg; break;
		default: file = NULL; optind = argc + 1; break;
		}
	}
	if (!file || optind != argc || nthreads < 1 || nthreads > MAX_THREADS || steps < 1) {
		fprintf(stderr, "usage: spf-diff [-s SEED] [-n STEPS] [-t THREADS] -o FILE\n");
		return 2;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* Arenas 2 MiB aligned (THP alike in both runs), gaps unmapped. */
	arenas = mmap(NULL, nthreads * span + (2UL << 20), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arenas == MAP_FAILED) {
		perror("spf-diff: mmap");
		return 2;
	}
	arenas = (char *)(((uintptr_t)arenas + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	for (i = 0; i < nthreads; i++) {
		struct thread *t = &threads[i];

		t->id = i;
		t->rstate = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		t->arena = arenas + i * span;
		munmap(t->arena + ARENA_PAGES * PAGE, GAP_PAGES * PAGE);
		t->fd = syscall(SYS_memfd_create, "spf-diff", 0);
		if (t->fd < 0 || ftruncate(t->fd, ARENA_PAGES * PAGE)) {
			perror("spf-diff: memfd");
			return 2;
		}
		t->log = mmap(NULL, LOG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		if (t->log == MAP_FAILED) {
			perror("spf-diff: mmap");
			return 2;
		}
	}
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd >= 0) {
		struct uffdio_api api = { .api = UFFD_API };

		if (ioctl(uffd, UFFDIO_API, &api)) {
			close(uffd);
			uffd = -1;
		}
	}
	pthread_barrier_init(&start, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, run, &threads[i]);
	if (uffd >= 0)
		pthread_create(&uth, NULL, uffd_handler, &uffd_stop);
	/* After the threads exist: glibc's malloc no longer moves the break. */
	brk0 = (char *)((syscall(SYS_brk, 0) + 2 * PAGE - 1) & ~(PAGE - 1));
	syscall(SYS_brk, brk0);
	pthread_barrier_wait(&start);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	uffd_stop = 1;
	if (uffd >= 0)
		pthread_join(uth, NULL);

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(file);
		return 2;
	}
	for (i = 0; i < nthreads; i++) {
		char head[64];
		int n = snprintf(head, sizeof(head), "== thread %d\n", i);

		if (write(fd, head, n) != n || write(fd, threads[i].log, threads[i].len) != (ssize_t)threads[i].len) {
			perror(file);
			return 2;
		}
	}
	close(fd);
	return 0;
}
