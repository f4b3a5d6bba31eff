/*
 * spf-stress: a randomized race soak for speculative page faults.
 *
 * Faulting threads read and write pages of an arena while writer threads
 * change the arena's mappings with every kind of VMA writer the kernel has:
 * mmap (fresh, MAP_FIXED, MAP_FIXED_NOREPLACE), munmap, mprotect, mremap
 * (move, shrink, grow, MREMAP_DONTUNMAP), madvise of each kind, mlock,
 * mbind, MADV_COLLAPSE, brk, fork/exit and userfaultfd registration.
 *
 * The oracle is a model of what every page must hold. Pages carry a tag of
 * their content identity (a "content id" handed out when a mapping is made
 * or rewritten) and of their offset in that content; mremap moves the tag
 * with the page. The model lives next to a per-slot sequence count that a
 * writer makes odd while it changes the slot, so a faulter knows whether
 * its access raced with a writer:
 *   - a stable access to a page that is unmapped or protected against it
 *     must raise SIGSEGV; any other stable access must succeed;
 *   - a page may only hold zero or its own tag (or, after MADV_FREE, its
 *     former tag); a page written under the model must hold its tag;
 *   - SIGBUS is never right.
 * A wrong mapping, made while racing, stays wrong afterwards: the stable
 * accesses that follow see it. Faulters never change page content (their
 * writes are atomic adds of zero), so a write that races cannot corrupt
 * the model; content is written by writers, under the slot's lock.
 *
 * Fork children check their copy of the address space against the model as
 * it was at fork (COW, MADV_DONTFORK, MADV_WIPEONFORK) while the parent goes
 * on writing. When the time is up, every page is checked once more.
 *
 * With -i (fault injection), workers set /proc/thread-self/make-it-fail so
 * that failslab and fail_page_alloc (configured by the caller) fail their
 * allocations. A syscall then may fail with ENOMEM or EAGAIN and leave its
 * range half-changed: the writer remaps the slots it holds from scratch,
 * with injection off, and goes on. Faults must still end in success or in
 * the expected SIGSEGV, never SIGBUS.
 *
 * The seed fixes every thread's sequence of choices (not the interleaving);
 * rerun with -s SEED to replay a failure's sequence.
 *
 *   spf-stress [-d SECONDS] [-s SEED] [-f FAULTERS] [-w WRITERS] [-i]
 * Exit status: 0 if no check failed, 1 otherwise, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include "stress.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

/* The PMD huge page size (the page size is in stress.h). */
static unsigned long huge_size;
static int group_slots;			/* arena slots in one huge page */
#define NSLOTS 64			/* arena slots; 2 groups of 2 MiB with 4 KiB pages */
#define SLOT_PAGES 16
#define GROUP_SLOTS group_slots
#define BRK_SLOT NSLOTS			/* the pages above the program break */
#define ALL_SLOTS (NSLOTS + 1)
#define MAX_THREADS 16

/* Page flags of the model. */
enum {
	F_MAPPED = 1,
	F_LOCKED = 2,	/* mlock()ed: madvise LRU ops refuse the range */
	F_DONTFORK = 4,	/* absent in a fork child */
	F_WIPE = 8,	/* zero in a fork child */
	F_UFFD = 16,	/* registered with userfaultfd (missing mode) */
	F_UMAY = 32,	/* may hold the uffd handler's content, of page ucoff */
};

/*
 * What a page may hold. Content is written by writers only, under the
 * slot's lock, and then recorded exactly (written == cid). Otherwise the
 * page holds zero, or what MADV_FREE left (alt), or what the userfaultfd
 * handler put there. A page zapped while registered holds nothing until the
 * handler fills it: it must read the handler's content, never zero.
 */
struct pmodel {
	uint64_t cid;		/* content id */
	uint64_t alt;		/* after MADV_FREE: it may still hold tag(alt, alt_coff) */
	uint64_t written;	/* == cid: it holds tag(cid, coff), nothing else */
	uint32_t coff, alt_coff, ucoff;
	uint32_t flags, prot;
};

/* The content id of what the userfaultfd handler puts in a missing page. */
#define UFFD_CID ((1ULL << 40) - 1)
/* Fork children write this into word 2; the parent must never see it. */
#define CHILD_MARK 0xc41d0000c41d0000ULL

struct slot {
	pthread_mutex_t lock;
	unsigned long seq;	/* odd while a writer changes the slot */
	struct pmodel pg[SLOT_PAGES];
};

static struct slot *slots;
static char *arena, *brk_base;
static int brk_pages;		/* pages mapped above brk_base */
static uint64_t next_cid = 1;
static volatile int stop;
static int inject, nnodes = 1, quiet;
static int uffd = -1;

static char *slot_addr(int s)
{
	return s == BRK_SLOT ? brk_base : arena + (size_t)s * SLOT_PAGES * PAGE;
}

static char *page_addr(int s, int p)
{
	return slot_addr(s) + (size_t)p * PAGE;
}

static uint64_t tag(uint64_t cid, uint32_t coff)
{
	return 0x5f00000000000000ULL | cid << 16 | coff;
}

static uint64_t new_cid(void)
{
	return __atomic_fetch_add(&next_cid, 1, __ATOMIC_RELAXED);
}

/* ---- statistics ---- */

enum op {
	OP_MAP, OP_MAP_NOREPLACE, OP_MUNMAP, OP_MPROTECT, OP_MREMAP_MOVE,
	OP_MREMAP_DONTUNMAP, OP_MREMAP_SHRINK, OP_MREMAP_GROW, OP_MADVISE,
	OP_MLOCK, OP_MUNLOCK, OP_MBIND, OP_COLLAPSE, OP_BRK, OP_FORK,
	OP_UFFD_REGISTER, OP_UFFD_UNREGISTER, OP_REWRITE, NOPS
};
static const char *const op_name[NOPS] = {
	"mmap-fixed", "mmap-noreplace", "munmap", "mprotect", "mremap-move",
	"mremap-dontunmap", "mremap-shrink", "mremap-grow", "madvise",
	"mlock", "munlock", "mbind", "madv-collapse", "brk", "fork-exit",
	"uffd-register", "uffd-unregister", "rewrite",
};
static const int op_weight[NOPS] = {
	10, 4, 8, 10, 6, 2, 3, 3, 14, 3, 3, 4, 1, 4, 1, 2, 2, 8,
};

/* The op's argument that matters (advice, protection, ...), for error reports. */
static __thread long op_arg;

static struct {
	unsigned long ops[NOPS], op_fail[NOPS], resync, injected_seen, source_kept;
	unsigned long reads, writes, unstable, busy, segv_expected, uffd_faults;
	unsigned long forks, child_checks, bare_signals;
} st;

#define COUNT(field) __atomic_fetch_add(&st.field, 1, __ATOMIC_RELAXED)

/* ---- checking one access against the model ---- */

static int access_allowed(const struct pmodel *m, enum access how, int child)
{
	if (!(m->flags & F_MAPPED) || (child && (m->flags & F_DONTFORK)))
		return 0;
	if (how == RD)
		return m->prot & PROT_READ;
	return m->prot & PROT_WRITE;
}

static int word_ok(uint64_t w, uint64_t a, uint64_t u, int inv)
{
	if (inv) {
		a = a ? ~a : 0;
		u = u ? ~u : 0;
	}
	return w == 0 || (a && w == a) || (u && w == u);
}

static int content_ok(const struct pmodel *m, const uint64_t w[3], int child)
{
	uint64_t t = tag(m->cid, m->coff);
	uint64_t a = m->alt ? tag(m->alt, m->alt_coff) : 0;
	uint64_t u = m->flags & F_UMAY ? tag(UFFD_CID, m->ucoff) : 0;

	/* A fork child's own write may be there; the parent never sees it. */
	if (w[2] != 0 && !(child && w[2] == CHILD_MARK))
		return 0;
	if (child && (m->flags & F_WIPE))
		return w[0] == 0 && w[1] == 0;
	/* The child's VMAs are not registered: a missing page reads zero. */
	if (child && m->cid == UFFD_CID && m->written == UFFD_CID && w[0] == 0 && w[1] == 0)
		return 1;
	if (m->written == m->cid)
		return w[0] == t && w[1] == ~t;
	return word_ok(w[0], a, u, 0) && word_ok(w[1], a, u, 1);
}

/* Check an access made while the slot was stable; returns 1 if it was wrong. */
static int check(int s, int p, const struct pmodel *m, enum access how, int sig,
		 const uint64_t w[3], int child)
{
	const char *who = child ? "fork child" : "parent";
	int present;

	if (access_allowed(m, how, child)) {
		if (sig) {
			error("%s: %s of slot %d page %d (prot %u flags %#x) raised signal %d code %d",
			      who, how_name[how], s, p, m->prot, m->flags, sig, probe_code);
			return 1;
		}
		if (!content_ok(m, w, child)) {
			error("%s: %s of slot %d page %d: words %#llx %#llx %#llx, expected content %llu+%u%s (alt %llu, flags %#x) -- wrong page mapped",
			      who, how_name[how], s, p, (unsigned long long)w[0],
			      (unsigned long long)w[1], (unsigned long long)w[2],
			      (unsigned long long)m->cid, m->coff,
			      m->written == m->cid ? " written" : " or zero",
			      (unsigned long long)m->alt, m->flags);
			return 1;
		}
		return 0;
	}
	if (sig != SIGSEGV) {
		error("%s: %s of slot %d page %d (mapped %d prot %u flags %#x) %s, expected SIGSEGV",
		      who, how_name[how], s, p, !!(m->flags & F_MAPPED), m->prot, m->flags,
		      sig ? "raised another signal" : "succeeded");
		return 1;
	}
	/*
	 * Nothing mapped: SEGV_MAPERR; mapped but protected: SEGV_ACCERR.
	 * Under fault injection the siginfo's allocation may fail: the signal
	 * then comes with si_code SI_USER and nothing else (collect_signal()).
	 */
	if (inject && probe_code == SI_USER) {
		COUNT(bare_signals);
		return 0;
	}
	present = (m->flags & F_MAPPED) && !(child && (m->flags & F_DONTFORK));
	if (probe_code != (present ? SEGV_ACCERR : SEGV_MAPERR)) {
		error("%s: %s of slot %d page %d (mapped %d prot %u flags %#x): SIGSEGV with si_code %d",
		      who, how_name[how], s, p, !!(m->flags & F_MAPPED), m->prot, m->flags,
		      probe_code);
		return 1;
	}
	return 0;
}

/* ---- faulters ---- */

/* One access to a random page; checked when no writer touched its slot. */
static void fault_one(void)
{
	int s = rndn(ALL_SLOTS), p = rndn(SLOT_PAGES);
	enum access how = rndn(3) ? RD : WR;
	struct slot *sl = &slots[s];
	struct pmodel m;
	unsigned long s1, s2;
	uint64_t w[3];
	int sig;

	s1 = seq_read(&sl->seq);
	if (s1 & 1) {
		/*
		 * A writer is changing the slot: touch it anyway, unchecked.
		 * That is where the races are; a wrong mapping made now stays
		 * wrong and is seen by the checked accesses that follow.
		 */
		COUNT(busy);
		probe(page_addr(s, p), how, 0, w);
		return;
	}
	memcpy(&m, (const void *)&sl->pg[p], sizeof(m));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	sig = probe(page_addr(s, p), how, 0, w);
	/* The access (a store, perhaps) must be done before the re-check. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s2 = seq_read(&sl->seq);
	if (s1 != s2) {
		COUNT(unstable);
		return;
	}
	if (how == RD)
		COUNT(reads);
	else
		COUNT(writes);
	if (sig == SIGSEGV)
		COUNT(segv_expected);
	check(s, p, &m, how, sig, w, 0);
}

static void random_policy(void)
{
	static const int modes[] = { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND,
				     MPOL_INTERLEAVE, MPOL_LOCAL };
	int mode = modes[rndn(5)];
	unsigned long mask = 1UL << rndn(nnodes);

	if (mode == MPOL_INTERLEAVE)
		mask = (1UL << nnodes) - 1;
	if (mode == MPOL_DEFAULT || mode == MPOL_LOCAL)
		syscall(SYS_set_mempolicy, mode, NULL, 0);
	else
		syscall(SYS_set_mempolicy, mode, &mask, 64);
}

/*
 * A fork child checks its copy of the address space against the model as
 * it was at fork, on slots no writer was changing then. Its writes put a
 * mark in word 2 (a COW the kernel got wrong shows it to the parent); it
 * looks again a little later, after the parent has gone on rewriting pages
 * (a COW got wrong the other way shows the parent's writes to the child).
 */
#define CHILD_PROBES (4 * SLOT_PAGES)

static int child_check(void)
{
	int bad = 0, i, pass, sp[CHILD_PROBES][2];
	struct timespec pause = { 0, 2 * 1000 * 1000 };

	for (i = 0; i < CHILD_PROBES; i++) {
		sp[i][0] = rndn(ALL_SLOTS);
		sp[i][1] = rndn(SLOT_PAGES);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < CHILD_PROBES; i++) {
			int s = sp[i][0], p = sp[i][1];
			enum access how = rndn(2) ? RD : WR;
			struct pmodel *m = &slots[s].pg[p];
			uint64_t w[3];
			int sig;

			if (slots[s].seq & 1)
				continue;
			sig = probe(page_addr(s, p), how, 0, w);
			bad += check(s, p, m, how, sig, w, 1);
			if (!sig && how == WR)
				((volatile uint64_t *)page_addr(s, p))[2] = CHILD_MARK;
		}
		nanosleep(&pause, NULL);
	}
	return bad;
}

static void set_make_it_fail(int on);

static void fork_check(void)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		if (!inject)
			error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		/*
		 * The child checks the state it inherited; it runs without
		 * injection, and without the alternate stack (not inherited).
		 */
		stack_t ss = { .ss_flags = SS_DISABLE };

		sigaltstack(&ss, NULL);
		set_make_it_fail(0);
		_exit(child_check() ? 1 : 0);
	}
	COUNT(forks);
	if (waitpid(pid, &status, 0) != pid)
		error("waitpid: %s", strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		error("fork child: %s %d (its errors are above)",
		      WIFEXITED(status) ? "exit status" : "killed by signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	else
		COUNT(child_checks);
}

static void set_make_it_fail(int on)
{
	int fd = -1, tries;

	if (!inject)
		return;
	/* While it is on, open() itself may fail to allocate: retry. */
	for (tries = 0; tries < 1000 && fd < 0; tries++)
		fd = open("/proc/thread-self/make-it-fail", O_WRONLY);
	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1) {
		say("spf-stress: /proc/thread-self/make-it-fail: %s\n", strerror(errno));
		_exit(2);
	}
	close(fd);
}

/*
 * Signals are delivered on an alternate stack that is populated, never
 * copied to fork children and so never COW-shared: writing the signal frame
 * then needs no page allocation, which fault injection could fail (the
 * kernel then kills the task with SIGSEGV, as it must).
 */
#define ALTSTACK_SIZE (64 * 1024)
static char *altstacks;

static void use_altstack(int i)
{
	stack_t ss = { .ss_sp = altstacks + (size_t)i * ALTSTACK_SIZE, .ss_size = ALTSTACK_SIZE };

	if (sigaltstack(&ss, NULL)) {
		say("spf-stress: sigaltstack: %s\n", strerror(errno));
		_exit(2);
	}
}

static void *faulter(void *arg)
{
	rstate = seed * 0x9e3779b97f4a7c15ULL + (uintptr_t)arg + 1;
	use_altstack((uintptr_t)arg);
	pthread_barrier_wait(&start_barrier);
	set_make_it_fail(1);
	while (!stop) {
		unsigned int r = rndn(4096);

		if (r == 0)
			fork_check();
		else if (r < 4)
			random_policy();
		else
			fault_one();
	}
	set_make_it_fail(0);
	return NULL;
}

/* ---- writers: each op holds the locks of the slots it changes ---- */

static void slot_begin(int s)
{
	pthread_mutex_lock(&slots[s].lock);
	__atomic_fetch_add(&slots[s].seq, 1, __ATOMIC_SEQ_CST);
}

static void slot_end(int s)
{
	__atomic_fetch_add(&slots[s].seq, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&slots[s].lock);
}

static void set_fresh(struct pmodel *m, uint64_t cid, uint32_t coff, int prot, uint32_t flags)
{
	m->cid = cid;
	m->coff = coff;
	m->alt = 0;
	m->alt_coff = 0;
	m->written = 0;
	m->prot = prot;
	m->flags = F_MAPPED | flags;
}

/* The page's index in the arena: what the userfaultfd handler tags it with. */
static uint32_t arena_index(int s, int p)
{
	return s * SLOT_PAGES + p;
}

/*
 * Content zapped, mapping kept (MADV_DONTNEED, MREMAP_DONTUNMAP's source):
 * zero, or if registered with userfaultfd, what the handler will put there.
 */
static void set_zapped(struct pmodel *m, int s, int p)
{
	m->alt = 0;
	m->flags &= ~F_UMAY;
	if (m->flags & F_UFFD) {
		m->cid = UFFD_CID;
		m->coff = arena_index(s, p);
		m->written = UFFD_CID;
	} else {
		m->cid = new_cid();
		m->coff = 0;
		m->written = 0;
	}
}

/*
 * The page is no longer registered (UFFDIO_UNREGISTER, or mremap moved it):
 * if it was missing it now reads zero, else what the handler put there.
 */
static void uffd_dropped(struct pmodel *m)
{
	if (m->cid == UFFD_CID) {
		m->flags |= F_UMAY;
		m->ucoff = m->coff;
		m->cid = new_cid();
		m->coff = 0;
		m->written = 0;
	}
	m->flags &= ~F_UFFD;
}

static void set_unmapped(struct pmodel *m)
{
	memset(m, 0, sizeof(*m));
}

/* Write content into the RW pages of [a, a+n) of a slot the caller holds. */
static void fill(int s, int a, int n, int all)
{
	uint64_t cid = new_cid();
	int p;

	for (p = a; p < a + n; p++) {
		struct pmodel *m = &slots[s].pg[p];
		uint64_t w[3];
		int sig;

		if (!access_allowed(m, FILL, 0) || (!all && rndn(2)))
			continue;
		sig = probe(page_addr(s, p), FILL, tag(cid, p), w);
		if (sig) {
			check(s, p, m, FILL, sig, w, 0);
			continue;
		}
		m->cid = cid;
		m->coff = p;
		m->written = cid;
		m->alt = 0;
		m->flags &= ~F_UMAY;
	}
}

/* A random range [a, a+n) of a slot. */
static void pick(int *a, int *n)
{
	*a = rndn(SLOT_PAGES);
	*n = 1 + rndn(SLOT_PAGES - *a);
}

/* Shorten [a, a+n) to its mapped start; 0 if page a is unmapped. */
static int mapped_run(int s, int a, int *n)
{
	int k = 0;

	while (k < *n && (slots[s].pg[a + k].flags & F_MAPPED))
		k++;
	*n = k;
	return k > 0;
}

/*
 * After a syscall failed half-way (fault injection): map the slot afresh
 * with injection off, so the model is true again.
 */
static void resync(int s)
{
	int p;

	COUNT(resync);
	set_make_it_fail(0);
	if (s == BRK_SLOT) {
		if (syscall(SYS_brk, brk_base) != (long)brk_base)
			error("resync: brk back to its base failed");
		/* brk leaves alone what mmap/mprotect made of its pages: clear them. */
		if (munmap(brk_base, SLOT_PAGES * PAGE))
			error("resync: munmap of the brk pages: %s", strerror(errno));
		brk_pages = 0;
		for (p = 0; p < SLOT_PAGES; p++)
			set_unmapped(&slots[s].pg[p]);
	} else {
		uint64_t cid = new_cid();

		if (mmap(slot_addr(s), SLOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			error("resync: mmap of slot %d: %s", s, strerror(errno));
		for (p = 0; p < SLOT_PAGES; p++)
			set_fresh(&slots[s].pg[p], cid, p, PROT_READ | PROT_WRITE, 0);
	}
	set_make_it_fail(1);
}

/*
 * The result of an op. Unexpected failures are errors, except that under
 * fault injection ENOMEM/EAGAIN/EINTR may come from an injected failure:
 * then the slots are remapped. Returns 1 if the caller should update the
 * model as for a success.
 */
static int result(enum op op, long ret, long expect, const int *held, int nheld)
{
	int e = errno, i;

	if (ret == expect)
		return 1;
	COUNT(op_fail[op]);
	if (inject && ret < 0 && (e == ENOMEM || e == EAGAIN || e == EINTR)) {
		COUNT(injected_seen);
	} else {
		error("%s(%ld) on slot %d: returned %ld (%s), expected %ld", op_name[op], op_arg,
		      held[0], ret, ret < 0 ? strerror(e) : "-", expect);
	}
	for (i = 0; i < nheld; i++)
		resync(held[i]);
	return 0;
}

static void op_map(int s, int noreplace)
{
	int a, n, p, prot = random_prot(), any = 0;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	uint32_t pflags = 0;
	uint64_t cid = new_cid();
	char *want = page_addr(s, 0);
	void *ret;

	pick(&a, &n);
	want = page_addr(s, a);
	for (p = a; p < a + n; p++)
		any |= slots[s].pg[p].flags & F_MAPPED;
	if (noreplace)
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	if (!rndn(8))
		flags |= MAP_POPULATE;
	if (!rndn(16)) {
		flags |= MAP_LOCKED;
		pflags |= F_LOCKED;
	}
	ret = mmap(want, n * PAGE, prot, flags, -1, 0);
	if (noreplace && any) {
		/* Something is mapped there: it must refuse, and change nothing. */
		if (ret == MAP_FAILED && errno == EEXIST)
			return;
		if (ret != MAP_FAILED)
			errno = 0;
		result(OP_MAP_NOREPLACE, ret == MAP_FAILED ? -1 : (long)ret, -EEXIST, &s, 1);
		return;
	}
	if (!result(noreplace ? OP_MAP_NOREPLACE : OP_MAP,
		    ret == MAP_FAILED ? -1 : (long)ret, (long)want, &s, 1))
		return;
	for (p = a; p < a + n; p++)
		set_fresh(&slots[s].pg[p], cid, p - a, prot, pflags);
	fill(s, a, n, 0);
}

static void op_munmap(int s)
{
	int a, n, p;

	pick(&a, &n);
	if (!result(OP_MUNMAP, munmap(page_addr(s, a), n * PAGE), 0, &s, 1))
		return;
	for (p = a; p < a + n; p++)
		set_unmapped(&slots[s].pg[p]);
}

static void op_mprotect(int s)
{
	int a, n, p, prot = random_prot();

	op_arg = prot;
	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	if (!result(OP_MPROTECT, mprotect(page_addr(s, a), n * PAGE, prot), 0, &s, 1))
		return;
	for (p = a; p < a + n; p++)
		slots[s].pg[p].prot = prot;
	if (prot & PROT_WRITE)
		fill(s, a, n, 0);
}

/* Hold two slots, in index order (no deadlock between writers). */
static void begin2(int s, int t)
{
	slot_begin(s < t ? s : t);
	slot_begin(s < t ? t : s);
}

static void end2(int s, int t)
{
	slot_end(s < t ? t : s);
	slot_end(s < t ? s : t);
}

/*
 * Move [a, a+n) of slot s to slot t, or with MREMAP_DONTUNMAP leave the
 * source mapped and empty. The source must be one VMA: when the model
 * cannot tell (an mprotect may have split it), EFAULT is accepted as "no
 * change".
 */
static void op_mremap_move(int s, int dontunmap)
{
	int a, n, d, p, held[2];
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED | (dontunmap ? MREMAP_DONTUNMAP : 0);
	int t = rndn(NSLOTS);
	void *ret;

	if (t == s)
		return;
	pick(&a, &n);
	d = rndn(SLOT_PAGES - n + 1);
	held[0] = s;
	held[1] = t;
	begin2(s, t);
	if (!mapped_run(s, a, &n))
		goto out;
	ret = mremap(page_addr(s, a), n * PAGE, n * PAGE, flags, page_addr(t, d));
	if (ret == MAP_FAILED && errno == EFAULT) {
		/* 6.1 unmaps the target before it looks at the source. */
		COUNT(op_fail[dontunmap ? OP_MREMAP_DONTUNMAP : OP_MREMAP_MOVE]);
		for (p = 0; p < n; p++)
			set_unmapped(&slots[t].pg[d + p]);
		goto out;
	}
	if (!result(dontunmap ? OP_MREMAP_DONTUNMAP : OP_MREMAP_MOVE,
		    ret == MAP_FAILED ? -1 : (long)ret, (long)page_addr(t, d), held, 2))
		goto out;
	/*
	 * When mremap cannot unmap the source after the move (an allocation
	 * failed splitting it), it still returns success and leaves the source
	 * mapped, empty: see move_vma(). Finish the job, so the model holds.
	 */
	if (inject && !dontunmap) {
		set_make_it_fail(0);
		if (msync(page_addr(s, a), n * PAGE, 0) == 0) {
			COUNT(source_kept);
			munmap(page_addr(s, a), n * PAGE);
		}
		set_make_it_fail(1);
	}
	for (p = 0; p < n; p++) {
		struct pmodel *src = &slots[s].pg[a + p];

		/* The moved VMA loses its userfaultfd registration. */
		slots[t].pg[d + p] = *src;
		uffd_dropped(&slots[t].pg[d + p]);
		if (dontunmap) {
			set_zapped(src, s, a + p);
			src->flags &= ~F_LOCKED;
		} else {
			set_unmapped(src);
		}
	}
out:
	end2(s, t);
}

static void op_mremap_resize(int s, int grow)
{
	int a, n, m, p;
	void *ret;

	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	if (grow) {
		/* Into the unmapped pages that follow, within the slot. */
		m = n;
		while (a + m < SLOT_PAGES && !(slots[s].pg[a + m].flags & F_MAPPED))
			m++;
		if (m == n)
			return;
		m = n + 1 + rndn(m - n);
	} else {
		if (n < 2)
			return;
		m = 1 + rndn(n - 1);
	}
	ret = mremap(page_addr(s, a), n * PAGE, m * PAGE, 0);
	/* Growing, the source must be one VMA (EFAULT: the model cannot tell). */
	if (grow && ret == MAP_FAILED && errno == EFAULT) {
		COUNT(op_fail[OP_MREMAP_GROW]);
		return;
	}
	if (!result(grow ? OP_MREMAP_GROW : OP_MREMAP_SHRINK,
		    ret == MAP_FAILED ? -1 : (long)ret, (long)page_addr(s, a), &s, 1))
		return;
	if (grow) {
		const struct pmodel *last = &slots[s].pg[a + n - 1];
		uint64_t cid = new_cid();

		/* The VMA grows: its protection and flags, new empty pages. */
		for (p = a + n; p < a + m; p++) {
			set_fresh(&slots[s].pg[p], cid, p, last->prot,
				  last->flags & (F_LOCKED | F_DONTFORK | F_WIPE | F_UFFD));
			set_zapped(&slots[s].pg[p], s, p);
		}
	} else {
		for (p = a + m; p < a + n; p++)
			set_unmapped(&slots[s].pg[p]);
	}
}

static void op_madvise(int s)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_FREE, MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT,
		MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTFORK, MADV_DOFORK,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_MERGEABLE, MADV_UNMERGEABLE,
	};
	int adv = advice[rndn(sizeof(advice) / sizeof(advice[0]))];
	int a, n, p, expect = 0, stop_at;

	op_arg = adv;
	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	/* LRU ops refuse an mlock()ed VMA (EINVAL) and stop there. */
	stop_at = a + n;
	if (adv == MADV_DONTNEED || adv == MADV_FREE || adv == MADV_COLD || adv == MADV_PAGEOUT) {
		for (p = a; p < a + n; p++) {
			if (slots[s].pg[p].flags & F_LOCKED) {
				stop_at = p;
				expect = -1;
				break;
			}
		}
	}
	if (adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE) {
		int need = adv == MADV_POPULATE_READ ? PROT_READ : PROT_WRITE;

		for (p = a; p < a + n; p++)
			if (!(slots[s].pg[p].prot & need))
				expect = -1;
	}
	errno = 0;
	p = madvise(page_addr(s, a), n * PAGE, adv);
	if (expect < 0 && p < 0 && errno == EINVAL)
		p = expect;
	if (!result(OP_MADVISE, p, expect, &s, 1))
		return;
	for (p = a; p < stop_at; p++) {
		struct pmodel *m = &slots[s].pg[p];

		switch (adv) {
		case MADV_DONTNEED:
			set_zapped(m, s, p);
			break;
		case MADV_FREE:
			/*
			 * The page may be reclaimed or keep its content: what it
			 * surely held becomes the alternative (an unwritten page
			 * keeps its former alternative). Reclaimed and registered,
			 * it gets the handler's content.
			 */
			if (m->written == m->cid) {
				m->alt = m->cid;
				m->alt_coff = m->coff;
			}
			m->cid = new_cid();
			m->coff = 0;
			m->written = 0;
			if (m->flags & F_UFFD) {
				m->flags |= F_UMAY;
				m->ucoff = arena_index(s, p);
			}
			break;
		case MADV_DONTFORK:
			m->flags |= F_DONTFORK;
			break;
		case MADV_DOFORK:
			m->flags &= ~F_DONTFORK;
			break;
		case MADV_WIPEONFORK:
			m->flags |= F_WIPE;
			break;
		case MADV_KEEPONFORK:
			m->flags &= ~F_WIPE;
			break;
		}
	}
}

static void op_mlock(int s, int lock)
{
	int a, n, p, expect = 0;
	long ret;

	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	if (!lock) {
		ret = munlock(page_addr(s, a), n * PAGE);
	} else if (rndn(2)) {
		/*
		 * mlock() locks the range, then populates it: a PROT_NONE page
		 * cannot be faulted in, and that is ENOMEM, though it is locked.
		 */
		ret = mlock(page_addr(s, a), n * PAGE);
		for (p = a; p < a + n; p++)
			if (slots[s].pg[p].prot == PROT_NONE)
				expect = -1;
		if (expect && ret < 0 && errno == ENOMEM)
			ret = expect;
	} else {
		ret = syscall(SYS_mlock2, page_addr(s, a), n * PAGE, MLOCK_ONFAULT);
	}
	if (!result(lock ? OP_MLOCK : OP_MUNLOCK, ret, expect, &s, 1))
		return;
	for (p = a; p < a + n; p++) {
		if (lock)
			slots[s].pg[p].flags |= F_LOCKED;
		else
			slots[s].pg[p].flags &= ~F_LOCKED;
	}
}

static void op_mbind(int s)
{
	static const int modes[] = { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE };
	int mode = modes[rndn(4)], a, n, move = rndn(2);
	unsigned long mask = 1UL << rndn(nnodes);
	long ret;

	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	if (mode == MPOL_INTERLEAVE)
		mask = (1UL << nnodes) - 1;
	ret = syscall(SYS_mbind, page_addr(s, a), n * PAGE, mode,
		      mode == MPOL_DEFAULT ? NULL : &mask, mode == MPOL_DEFAULT ? 0 : 64,
		      move ? MPOL_MF_MOVE : 0);
	/* Moving, a huge page under migration (a PMD migration entry) is EIO. */
	if (move && ret < 0 && errno == EIO)
		ret = 0;
	result(OP_MBIND, ret, 0, &s, 1);
}

/*
 * MADV_COLLAPSE of a whole 2 MiB group: the synchronous twin of khugepaged
 * (which runs too, on the MADV_HUGEPAGE ranges). It keeps the content; it
 * fails for many good reasons (holes, protections, locked pages), so only
 * errors it never returns are errors.
 */
static void op_collapse(void)
{
	int g = rndn(NSLOTS / GROUP_SLOTS), i, e;
	long ret;

	for (i = 0; i < GROUP_SLOTS; i++)
		slot_begin(g * GROUP_SLOTS + i);
	/*
	 * Half the time, map the group afresh first (one VMA, RW), so that the
	 * collapse succeeds and the faulters meet a huge page being split by
	 * the ops that follow.
	 */
	if (rndn(2)) {
		char *start = slot_addr(g * GROUP_SLOTS);
		uint64_t cid = new_cid();
		int s, p;

		if (mmap(start, GROUP_SLOTS * SLOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != start) {
			int held = g * GROUP_SLOTS;

			result(OP_COLLAPSE, -1, 0, &held, 1);
			for (i = 1; i < GROUP_SLOTS; i++)
				resync(held + i);
			goto out;
		}
		for (i = 0; i < GROUP_SLOTS; i++) {
			s = g * GROUP_SLOTS + i;
			for (p = 0; p < SLOT_PAGES; p++)
				set_fresh(&slots[s].pg[p], cid, i * SLOT_PAGES + p,
					  PROT_READ | PROT_WRITE, 0);
			fill(s, 0, SLOT_PAGES, 0);
		}
		if (rndn(2))
			madvise(start, GROUP_SLOTS * SLOT_PAGES * PAGE, MADV_HUGEPAGE);
	}
	ret = madvise(slot_addr(g * GROUP_SLOTS), GROUP_SLOTS * SLOT_PAGES * PAGE, MADV_COLLAPSE);
	e = errno;
	if (ret < 0) {
		COUNT(op_fail[OP_COLLAPSE]);
		if (e != EINVAL && e != EAGAIN && e != ENOMEM && e != EBUSY)
			error("madvise(MADV_COLLAPSE): %s", strerror(e));
	}
out:
	for (i = GROUP_SLOTS - 1; i >= 0; i--)
		slot_end(g * GROUP_SLOTS + i);
}

static void op_brk(void)
{
	int n = rndn(SLOT_PAGES + 1), p;
	char *want = brk_base + (size_t)n * PAGE;
	long ret;
	int s = BRK_SLOT;

	ret = syscall(SYS_brk, want);
	/* brk reports a failure by returning the old break, not -1. */
	if (inject && ret != (long)want) {
		ret = -1;
		errno = ENOMEM;
	}
	if (!result(OP_BRK, ret, (long)want, &s, 1))
		return;
	if (n > brk_pages) {
		uint64_t cid = new_cid();

		for (p = brk_pages; p < n; p++)
			set_fresh(&slots[s].pg[p], cid, p, PROT_READ | PROT_WRITE, 0);
		fill(s, brk_pages, n - brk_pages, 0);
	} else {
		for (p = n; p < brk_pages; p++)
			set_unmapped(&slots[s].pg[p]);
	}
	brk_pages = n;
}

/* Room for the largest page size (64 KiB). */
static uint64_t uffd_page[65536 / 8] __attribute__((aligned(65536)));

static void *uffd_handler(void *arg)
{
	struct uffd_msg msg;
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };

	while (!__atomic_load_n((int *)arg, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		COUNT(uffd_faults);
		{
			unsigned long addr = msg.arg.pagefault.address & ~(PAGE - 1);
			uint64_t t = tag(UFFD_CID, (addr - (unsigned long)arena) / PAGE);
			struct uffdio_copy c = { .dst = addr, .src = (unsigned long)uffd_page, .len = PAGE };
			struct uffdio_range r = { .start = addr, .len = PAGE };

			/*
			 * The handler's content names the page: a fault that
			 * got zero or another page instead shows up.
			 */
			uffd_page[0] = t;
			uffd_page[WORDS - 1] = ~t;
			if (ioctl(uffd, UFFDIO_COPY, &c))
				ioctl(uffd, UFFDIO_WAKE, &r);
		}
	}
	return NULL;
}

static void op_uffd(int s, int reg)
{
	int a, n, p;
	long ret;

	if (uffd < 0)
		return;
	pick(&a, &n);
	if (!mapped_run(s, a, &n))
		return;
	/*
	 * A page that may hold the handler's content from another place (it
	 * was moved since) could then hold two different ones: the model keeps
	 * one. Register up to it.
	 */
	for (p = a; reg && p < a + n; p++) {
		const struct pmodel *m = &slots[s].pg[p];

		if ((m->flags & F_UMAY) && m->ucoff != arena_index(s, p))
			n = p - a;
	}
	if (!n)
		return;
	if (reg) {
		struct uffdio_register r = {
			.range = { .start = (unsigned long)page_addr(s, a), .len = n * PAGE },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};

		ret = ioctl(uffd, UFFDIO_REGISTER, &r);
	} else {
		struct uffdio_range r = { .start = (unsigned long)page_addr(s, a), .len = n * PAGE };

		ret = ioctl(uffd, UFFDIO_UNREGISTER, &r);
	}
	if (!result(reg ? OP_UFFD_REGISTER : OP_UFFD_UNREGISTER, ret, 0, &s, 1))
		return;
	for (p = a; p < a + n; p++) {
		struct pmodel *m = &slots[s].pg[p];

		if (!reg) {
			uffd_dropped(m);
			continue;
		}
		/* Missing now, it will get the handler's content. */
		m->flags |= F_UFFD;
		if (m->written != m->cid) {
			m->flags |= F_UMAY;
			m->ucoff = arena_index(s, p);
		}
	}
}

static int total_weight;

static enum op pick_op(void)
{
	int r, i;

	r = rndn(total_weight);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return i;
}

static void writer_op(void)
{
	enum op op = pick_op();
	int s = rndn(NSLOTS);

	op_arg = 0;
	/* Ops that also work on the brk pages pick them now and then. */
	if (!rndn(16) && (op == OP_MPROTECT || op == OP_MADVISE || op == OP_MLOCK ||
			  op == OP_MUNLOCK || op == OP_MBIND || op == OP_REWRITE))
		s = BRK_SLOT;
	COUNT(ops[op]);
	switch (op) {
	case OP_MREMAP_MOVE:
	case OP_MREMAP_DONTUNMAP:
		op_mremap_move(s, op == OP_MREMAP_DONTUNMAP);
		return;
	case OP_COLLAPSE:
		op_collapse();
		return;
	case OP_FORK:
		fork_check();
		return;
	case OP_BRK:
		s = BRK_SLOT;
		break;
	default:
		break;
	}
	slot_begin(s);
	switch (op) {
	case OP_MAP: op_map(s, 0); break;
	case OP_MAP_NOREPLACE: op_map(s, 1); break;
	case OP_MUNMAP: op_munmap(s); break;
	case OP_MPROTECT: op_mprotect(s); break;
	case OP_MREMAP_SHRINK: op_mremap_resize(s, 0); break;
	case OP_MREMAP_GROW: op_mremap_resize(s, 1); break;
	case OP_MADVISE: op_madvise(s); break;
	case OP_MLOCK: op_mlock(s, 1); break;
	case OP_MUNLOCK: op_mlock(s, 0); break;
	case OP_MBIND: op_mbind(s); break;
	case OP_BRK: op_brk(); break;
	case OP_UFFD_REGISTER: op_uffd(s, 1); break;
	case OP_UFFD_UNREGISTER: op_uffd(s, 0); break;
	case OP_REWRITE: fill(s, 0, SLOT_PAGES, 1); break;
	default: break;
	}
	slot_end(s);
}

static void *writer(void *arg)
{
	rstate = seed * 0xbf58476d1ce4e5b9ULL + (uintptr_t)arg + 101;
	use_altstack(MAX_THREADS + (uintptr_t)arg);
	pthread_barrier_wait(&start_barrier);
	set_make_it_fail(1);
	while (!stop)
		writer_op();
	set_make_it_fail(0);
	return NULL;
}

/* ---- setup, final sweep, report ---- */

static void setup(void)
{
	size_t len = (size_t)NSLOTS * SLOT_PAGES * PAGE, pad = huge_size;
	char *raw;
	int s, p;

	slots = mmap(NULL, sizeof(*slots) * ALL_SLOTS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	/* The arena is huge page aligned, so that THP and MADV_COLLAPSE apply. */
	raw = mmap(NULL, len + pad, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED || raw == MAP_FAILED) {
		perror("spf-stress: mmap");
		exit(2);
	}
	arena = (char *)(((uintptr_t)raw + pad - 1) & ~(pad - 1));
	if (arena > raw)
		munmap(raw, arena - raw);
	munmap(arena + len, raw + pad - arena);
	for (s = 0; s < ALL_SLOTS; s++) {
		uint64_t cid = new_cid();

		pthread_mutex_init(&slots[s].lock, NULL);
		for (p = 0; p < SLOT_PAGES; p++) {
			if (s == BRK_SLOT)
				set_unmapped(&slots[s].pg[p]);
			else
				set_fresh(&slots[s].pg[p], cid, p, PROT_READ | PROT_WRITE, 0);
		}
		if (s != BRK_SLOT)
			fill(s, 0, SLOT_PAGES, 0);
	}
	if (access("/sys/devices/system/node/node1", F_OK) == 0)
		nnodes = 2;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd >= 0) {
		struct uffdio_api api = { .api = UFFD_API };

		if (ioctl(uffd, UFFDIO_API, &api)) {
			close(uffd);
			uffd = -1;
		}
	}
	if (uffd < 0)
		say("# no userfaultfd (%s): its ops are skipped\n", strerror(errno));
}

/*
 * The brk pages start above the current break, on a page boundary. Called
 * once every thread exists: nothing may call malloc() after this (glibc's
 * heap grows with brk, and would meet ours), hence no stdio either.
 */
static void setup_brk(void)
{
	long cur = syscall(SYS_brk, 0);

	brk_base = (char *)((cur + 2 * PAGE - 1) & ~(PAGE - 1));
	if (syscall(SYS_brk, brk_base) != (long)brk_base) {
		say("spf-stress: brk(%p) failed\n", brk_base);
		exit(2);
	}
}

static int sweep(void)
{
	int s, p, bad = 0;

	for (s = 0; s < ALL_SLOTS; s++) {
		for (p = 0; p < SLOT_PAGES; p++) {
			struct pmodel *m = &slots[s].pg[p];
			uint64_t w[3];
			int sig = probe(page_addr(s, p), RD, 0, w);

			bad += check(s, p, m, RD, sig, w, 0);
		}
	}
	return bad;
}

/*
 * Move every present page to the other node, and say how many would not
 * go. Migration walks each page's reverse map (its anon_vma and offset):
 * a page that a speculative fault added with the wrong ones is not found
 * there, and stays (or trips DEBUG_VM). The sweep that follows checks
 * that the content moved with the pages.
 */
static void migrate_all(void)
{
	static void *pages[ALL_SLOTS * SLOT_PAGES];
	static int nodes[ALL_SLOTS * SLOT_PAGES], status[ALL_SLOTS * SLOT_PAGES];
	int i, n = 0, moved = 0, stuck = 0, tries;

	if (nnodes < 2)
		return;
	for (i = 0; i < ALL_SLOTS * SLOT_PAGES; i++)
		pages[i] = page_addr(i / SLOT_PAGES, i % SLOT_PAGES);
	if (syscall(SYS_move_pages, 0, ALL_SLOTS * SLOT_PAGES, pages, NULL, status, 0)) {
		say("# move_pages (query): %s\n", strerror(errno));
		return;
	}
	for (i = 0; i < ALL_SLOTS * SLOT_PAGES; i++) {
		if (status[i] < 0)
			continue;
		pages[n] = pages[i];
		nodes[n++] = !status[i];
	}
	for (tries = 0; tries < 3 && n; tries++) {
		int left = 0;

		if (syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE) < 0 &&
		    errno != ENOENT) {
			say("# move_pages: %s\n", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			if (status[i] == nodes[i]) {
				moved++;
			} else if (status[i] == -EBUSY || status[i] == -EAGAIN || status[i] == -ENOMEM) {
				pages[left] = pages[i];
				nodes[left++] = nodes[i];
			}
		}
		n = left;
	}
	stuck = n;
	say("# migrated %d present pages to the other node; %d would not move after 3 tries\n",
	    moved, stuck);
}

static void usage(void)
{
	say("usage: spf-stress [-d SECONDS] [-s SEED] [-f FAULTERS] [-w WRITERS] [-i] [-q]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int nf = 3, nw = 2, secs = 60, c, i, bad, uffd_stop = 0;
	pthread_t th[MAX_THREADS], uth;
	unsigned long ops = 0;
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK };
	long t0, next_report;
	struct timespec tick = { 0, 200 * 1000 * 1000 };

	seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	page_size = sysconf(_SC_PAGESIZE);
	huge_size = 2UL << 20;
	{
		FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");

		if (f) {
			if (fscanf(f, "%lu", &huge_size) != 1)
				huge_size = 2UL << 20;
			fclose(f);
		}
	}
	group_slots = huge_size / page_size / SLOT_PAGES;
	if (group_slots < 1)
		group_slots = 1;
	if (group_slots > NSLOTS)
		group_slots = NSLOTS;
	while ((c = getopt(argc, argv, "d:s:f:w:iq")) != -1) {
		switch (c) {
		case 'd': secs = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'f': nf = atoi(optarg); break;
		case 'w': nw = atoi(optarg); break;
		case 'i': inject = 1; break;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	if (secs < 1 || nf < 1 || nw < 1 || nf + nw > MAX_THREADS || optind != argc)
		usage();
	say("# spf-stress: seed %llu, %d s, %d faulters, %d writers%s; replay: spf-stress -s %llu -d %d -f %d -w %d%s\n",
	    (unsigned long long)seed, secs, nf, nw, inject ? ", fault injection" : "",
	    (unsigned long long)seed, secs, nf, nw, inject ? " -i" : "");
	rstate = seed | 1;
	altstacks = mmap(NULL, 2 * MAX_THREADS * ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (altstacks == MAP_FAILED || madvise(altstacks, 2 * MAX_THREADS * ALTSTACK_SIZE, MADV_DONTFORK)) {
		say("spf-stress: alternate stacks: %s\n", strerror(errno));
		return 2;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setup();

	for (i = 0; i < NOPS; i++)
		total_weight += op_weight[i];
	start_threads(th, nf, faulter, nw, writer);
	if (uffd >= 0)
		pthread_create(&uth, NULL, uffd_handler, &uffd_stop);
	setup_brk();
	count_faults_from_now();
	t0 = now();
	next_report = t0 + 60;
	pthread_barrier_wait(&start_barrier);
	while (now() - t0 < secs && errors == 0) {
		nanosleep(&tick, NULL);
		if (!quiet && now() >= next_report) {
			for (ops = 0, i = 0; i < NOPS; i++)
				ops += st.ops[i];
			say("# %4ld s: %lu ops, %lu checked accesses, %lu speculative faults, %lu errors\n",
			    now() - t0, ops, st.reads + st.writes, successes(),
			    errors);
			next_report += 60;
		}
	}
	stop = 1;
	for (i = 0; i < nf + nw; i++)
		pthread_join(th[i], NULL);
	bad = sweep();
	migrate_all();
	bad += sweep();

	report_ops(now() - t0, op_name, st.ops, st.op_fail, NOPS);
	say("# accesses checked: %lu reads, %lu writes (%lu SIGSEGV as expected); %lu raced a writer, %lu found it busy\n",
	    st.reads, st.writes, st.segv_expected, st.unstable, st.busy);
	say("# forks %lu (children clean %lu), uffd missing faults %lu, resyncs %lu, injected failures seen by syscalls %lu, mremap sources left mapped %lu, signals without siginfo %lu\n",
	    st.forks, st.child_checks, st.uffd_faults, st.resync, st.injected_seen, st.source_kept,
	    st.bare_signals);
	report_faults();
	say("; final sweeps (before and after migration): %d wrong of %d pages\n",
	    bad, ALL_SLOTS * SLOT_PAGES);
	__atomic_store_n(&uffd_stop, 1, __ATOMIC_RELEASE);
	if (uffd >= 0)
		pthread_join(uth, NULL);
	return report_errors();
}
