/*
 * spf-stress-file: a randomized race soak for faults on file and shared
 * memory mappings (the file-backed side of spf-stress).
 *
 * Faulting threads read and write pages of an arena whose slots writer
 * threads map, again and again, from a memfd, from files given with -D (an
 * ext4 disk), as MAP_SHARED|MAP_ANONYMOUS, as private anonymous memory or
 * from /dev/zero, shared or private, at random offsets. The writers unmap,
 * mprotect, mremap and madvise (DONTNEED, REMOVE, PAGEOUT, COLD, WILLNEED)
 * those mappings, write a private page's own copy, and change the files
 * under them: pwrite, ftruncate shrink and regrow, fallocate PUNCH_HOLE,
 * POSIX_FADV_DONTNEED.
 *
 * The oracle is a model of each file page (the generation of its content,
 * or a hole) and of each arena page (which file page it maps, shared or
 * private, its protection). A file page's content is tagged in its first
 * and last word with the file, the page index and the generation; a hole
 * reads zero. Each slot and each file has a sequence count that its writer
 * makes odd while it changes them; an access during which neither the slot
 * nor the file it maps changed is checked:
 *   - unmapped or protected against the access: SIGSEGV; a page at or past
 *     the file's end: SIGBUS (truncation drops private copies too); anything
 *     else must succeed;
 *   - a shared page, and a private page that no write can have copied,
 *     holds exactly what the file holds now;
 *   - a private page that a write may have copied holds, word by word, what
 *     the file held at some moment since the page was mapped (or zapped);
 *   - a private page a writer wrote holds exactly that, and the file does
 *     not (read back with pread).
 * Faulters' writes are atomic adds of zero: they take write, COW and
 * page_mkwrite faults but never change content. A faulter marks the page
 * (a counter while the write is in flight, and the time it ended) so that
 * the model knows a private copy may exist.
 *
 *   spf-stress-file [-d SECONDS] [-s SEED] [-f FAULTERS] [-w WRITERS] [-D DIR]...
 * Exit status: 0 if no check failed, 1 otherwise, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stress.h"

#define NSLOTS 32
#define SLOT_PAGES 8
#define FILE_PAGES 64
#define MAX_FILES 4
#define MAX_THREADS 16

/* What an arena page maps. */
enum kind { K_NONE, K_SHARED, K_PRIVATE, K_ANON, K_ZERO, K_SHANON, NKINDS };
static const char *const kind_name[NKINDS] = {
	"unmapped", "file shared", "file private", "anonymous", "/dev/zero", "shared anonymous",
};

/* A page of a file: the clock when its content was written (0: a hole). */
struct fpage {
	uint64_t gen;
	uint64_t hole_last;	/* when it last stopped being a hole */
	uint64_t zap_at;	/* when truncation last dropped private copies of it */
};

struct file {
	pthread_mutex_t lock;
	unsigned long seq;	/* odd while a writer changes the file */
	int fd;
	uint32_t size;		/* in pages */
	char name[64];
	struct fpage pg[FILE_PAGES];
};

/* An arena page, as the model has it. */
struct apage {
	uint8_t kind, prot, file;
	uint32_t idx;		/* the file page it maps */
	uint64_t vma, epoch;	/* which mapping, and the op that last split it */
	uint64_t since, gen0;	/* private: mapped (or zapped) at since, when the file held gen0 */
	uint64_t own, own_at;	/* private: a writer's copy, written at own_at */
};

struct slot {
	pthread_mutex_t lock;
	unsigned long seq;	/* odd while a writer changes the slot */
	struct apage pg[SLOT_PAGES];
};

/* Faulters' writes, per address (they may copy a private page). */
struct cow {
	uint64_t at;		/* the clock after the last write ended */
	uint32_t inflight;	/* writes in progress */
};

static struct slot slots[NSLOTS];
static struct cow cows[NSLOTS][SLOT_PAGES];
static struct file files[MAX_FILES];
static int nfiles, zero_fd = -1;
static char *arena;
static uint64_t clk = 1;
static volatile int stop;

static uint64_t tick(void)
{
	return __atomic_fetch_add(&clk, 1, __ATOMIC_SEQ_CST);
}

/* A page's first word; the last holds its complement; a hole reads zero. */
static uint64_t tag(int f, uint32_t idx, uint64_t gen)
{
	return 0x5e00000000000000ULL | (gen & 0xffffffffffULL) << 16 | (uint64_t)f << 8 | idx;
}

#define OWN_FILE 0xfe	/* the file field of a private page's own copy */

static char *page_addr(int s, int p)
{
	return arena + ((size_t)s * SLOT_PAGES + p) * PAGE;
}

/* ---- statistics ---- */

enum op {
	OP_MAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_OWN,
	OP_PWRITE, OP_TRUNCATE, OP_PUNCH, OP_FADVISE, NOPS
};
static const char *const op_name[NOPS] = {
	"mmap-fixed", "munmap", "mprotect", "mremap", "madvise", "private-write",
	"pwrite", "ftruncate", "punch-hole", "fadvise-dontneed",
};
static const int op_weight[NOPS] = { 10, 2, 6, 4, 8, 4, 8, 4, 4, 2 };

static struct {
	unsigned long ops[NOPS], op_fail[NOPS];
	unsigned long reads, writes, unstable, busy, segv, sigbus, cow_judged;
	unsigned long kinds[NKINDS];
} st;

#define COUNT(field) __atomic_fetch_add(&st.field, 1, __ATOMIC_RELAXED)

/* ---- what an access may see ---- */

/* The file page's state an access is judged against. */
struct fview {
	struct fpage fp;
	uint32_t size;
};

/* Whether word w (the last word when inv) may be file page content g. */
static int word_is(uint64_t w, int inv, uint64_t t)
{
	return w == (inv ? ~t : t);
}

/*
 * One word of a private page that a write may have copied: what the file
 * page held at some moment since m->since: gen0 then, any generation
 * written later, or zero if it was a hole at some point.
 */
static int cow_word_ok(const struct apage *m, const struct fview *v, uint64_t w, int inv)
{
	uint64_t t = inv ? ~w : w, g = t >> 16 & 0xffffffffffULL;

	if (w == 0)
		return m->gen0 == 0 || v->fp.gen == 0 || v->fp.hole_last > m->since;
	if (t != tag(m->file, m->idx, g))
		return 0;
	return g == (m->gen0 & 0xffffffffffULL) || g > m->since;
}

/* Returns 1 if a stable access was wrong, after saying why. */
static int check(int s, int p, const struct apage *m, const struct fview *v, int cow,
		 enum access how, int sig, const uint64_t w[3])
{
	int file = m->kind == K_SHARED || m->kind == K_PRIVATE;
	int allowed = m->kind != K_NONE && (m->prot & (how == RD ? PROT_READ : PROT_WRITE));
	int own = m->kind == K_PRIVATE && m->own && m->own_at > v->fp.zap_at;
	int want = !allowed ? SIGSEGV : file && m->idx >= v->size ? SIGBUS : 0;
	uint64_t t = 0;
	int ok;

	if (sig != want) {
		error("%s of slot %d page %d (%s, file %d page %u of %u, prot %u): signal %d code %d, expected %d",
		      how_name[how], s, p, kind_name[m->kind], m->file, m->idx, v->size, m->prot,
		      sig, probe_code, want);
		return 1;
	}
	if (sig == SIGSEGV) {
		COUNT(segv);
		if (probe_code != (m->kind == K_NONE ? SEGV_MAPERR : SEGV_ACCERR)) {
			error("%s of slot %d page %d (%s, prot %u): SIGSEGV with si_code %d",
			      how_name[how], s, p, kind_name[m->kind], m->prot, probe_code);
			return 1;
		}
		return 0;
	}
	if (sig == SIGBUS) {
		COUNT(sigbus);
		return 0;
	}
	if (own) {
		t = tag(OWN_FILE, m->idx, m->own);
		ok = w[0] == t && w[1] == ~t;
	} else if (!file) {
		ok = w[0] == 0 && w[1] == 0;
	} else if (m->kind == K_PRIVATE && cow) {
		COUNT(cow_judged);
		ok = cow_word_ok(m, v, w[0], 0) && cow_word_ok(m, v, w[1], 1);
	} else if (v->fp.gen) {
		t = tag(m->file, m->idx, v->fp.gen);
		ok = word_is(w[0], 0, t) && word_is(w[1], 1, t);
	} else {
		ok = w[0] == 0 && w[1] == 0;
	}
	if (ok && w[2] == 0)
		return 0;
	error("%s of slot %d page %d (%s, file %d page %u, prot %u%s%s): words %#llx %#llx %#llx, expected %#llx (file generation %llu, mapped at %llu with %llu) -- wrong page mapped",
	      how_name[how], s, p, kind_name[m->kind], m->file, m->idx, m->prot,
	      own ? ", own copy" : "", cow ? ", may be copied" : "",
	      (unsigned long long)w[0], (unsigned long long)w[1], (unsigned long long)w[2],
	      (unsigned long long)t, (unsigned long long)v->fp.gen,
	      (unsigned long long)m->since, (unsigned long long)m->gen0);
	return 1;
}

/* ---- faulters ---- */

/* One access; a write is marked on the page's cow record around it. */
static int access_page(int s, int p, enum access how, uint64_t w[3])
{
	struct cow *c = &cows[s][p];
	uint64_t t, old;
	int sig;

	if (how != WR)
		return probe(page_addr(s, p), how, 0, w);
	__atomic_fetch_add(&c->inflight, 1, __ATOMIC_SEQ_CST);
	sig = probe(page_addr(s, p), how, 0, w);
	t = tick();
	old = __atomic_load_n(&c->at, __ATOMIC_RELAXED);
	while (old < t && !__atomic_compare_exchange_n(&c->at, &old, t, 0, __ATOMIC_SEQ_CST,
						     __ATOMIC_RELAXED))
		;
	__atomic_fetch_sub(&c->inflight, 1, __ATOMIC_SEQ_CST);
	return sig;
}

/*
 * Whether a faulter's write may have left a private copy: one is in flight,
 * or one ended after the page was last mapped or zapped.
 */
static int may_be_copied(int s, int p, const struct apage *m, const struct fview *v)
{
	struct cow *c = &cows[s][p];
	uint64_t reset = m->since > v->fp.zap_at ? m->since : v->fp.zap_at;

	return __atomic_load_n(&c->inflight, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&c->at, __ATOMIC_SEQ_CST) > reset;
}

static void fault_one(void)
{
	int s = rndn(NSLOTS), p = rndn(SLOT_PAGES);
	enum access how = rndn(3) ? RD : WR;
	struct slot *sl = &slots[s];
	struct file *f = NULL;
	unsigned long s1, s2, f1 = 0, f2 = 0;
	struct apage m;
	struct fview v = { { 0 }, 0 };
	uint64_t w[3];
	int sig;

	s1 = seq_read(&sl->seq);
	if (s1 & 1) {
		/* A writer is changing the slot: race it, unchecked. */
		COUNT(busy);
		access_page(s, p, how, w);
		return;
	}
	memcpy(&m, (const void *)&sl->pg[p], sizeof(m));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (m.kind >= NKINDS || m.file >= nfiles || m.idx >= FILE_PAGES) {
		/* A copy torn by a writer that began after s1: race on. */
		COUNT(unstable);
		access_page(s, p, how, w);
		return;
	}
	if (m.kind == K_SHARED || m.kind == K_PRIVATE) {
		f = &files[m.file];
		f1 = seq_read(&f->seq);
		memcpy(&v.fp, (const void *)&f->pg[m.idx], sizeof(v.fp));
		v.size = __atomic_load_n(&f->size, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	}
	sig = access_page(s, p, how, w);
	/* The access (a store, perhaps) must be done before the re-check. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (f)
		f2 = seq_read(&f->seq);
	s2 = seq_read(&sl->seq);
	if (s1 != s2 || f1 != f2 || (f1 & 1)) {
		COUNT(unstable);
		return;
	}
	if (how == RD)
		COUNT(reads);
	else
		COUNT(writes);
	COUNT(kinds[m.kind]);
	check(s, p, &m, &v, m.kind == K_PRIVATE && may_be_copied(s, p, &m, &v), how, sig, w);
}

static void *faulter(void *arg)
{
	rstate = seed * 0x9e3779b97f4a7c15ULL + (uintptr_t)arg + 1;
	pthread_barrier_wait(&start_barrier);
	while (!stop)
		fault_one();
	return NULL;
}

/* ---- writers: slot locks first (in slot order), then a file's ---- */

static void begin(pthread_mutex_t *lock, unsigned long *seq)
{
	pthread_mutex_lock(lock);
	__atomic_fetch_add(seq, 1, __ATOMIC_SEQ_CST);
}

static void end(pthread_mutex_t *lock, unsigned long *seq)
{
	__atomic_fetch_add(seq, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(lock);
}

/* Checks a syscall's result; returns 1 if it was as expected. */
static int result(enum op op, long ret, long expect, const char *what)
{
	__atomic_fetch_add(&st.ops[op], 1, __ATOMIC_RELAXED);
	if (ret == expect)
		return 1;
	__atomic_fetch_add(&st.op_fail[op], 1, __ATOMIC_RELAXED);
	error("%s (%s) returned %ld (%s), expected %ld", op_name[op], what, ret,
	      ret < 0 ? strerror(errno) : "-", expect);
	return 0;
}

/* A random range [a, a+n) of a slot. */
static void pick(int *a, int *n)
{
	*a = rndn(SLOT_PAGES);
	*n = 1 + rndn(SLOT_PAGES - *a);
}

/*
 * Shorten [a, a+n) to the pages that one VMA maps: the same mapping, not
 * split since (each op that splits gives its range a new epoch). 0 if page
 * a is unmapped.
 */
static int vma_run(int s, int a, int *n)
{
	const struct apage *pg = slots[s].pg;
	int k = 1;

	if (pg[a].kind == K_NONE)
		return 0;
	while (k < *n && pg[a + k].kind == pg[a].kind && pg[a + k].vma == pg[a].vma &&
	       pg[a + k].epoch == pg[a].epoch)
		k++;
	*n = k;
	return 1;
}

/* The file's state now, for a private page mapped (or zapped) now. */
static void private_reset(struct apage *m)
{
	struct file *f = &files[m->file];

	pthread_mutex_lock(&f->lock);
	m->since = tick();
	m->gen0 = f->pg[m->idx].gen;
	pthread_mutex_unlock(&f->lock);
	m->own = 0;
	m->own_at = 0;
}

static void op_map(int s)
{
	int a, n, p, fd = -1, flags = MAP_FIXED, prot = random_prot();
	/* Mostly files: 3 shared, 3 private, 1 anonymous, 1 /dev/zero, 2 shared anonymous. */
	static const enum kind kinds[] = { K_SHARED, K_SHARED, K_SHARED, K_PRIVATE, K_PRIVATE,
					   K_PRIVATE, K_ANON, K_ZERO, K_SHANON, K_SHANON };
	enum kind kind = kinds[rndn(sizeof(kinds) / sizeof(kinds[0]))];
	int f = rndn(nfiles);
	uint32_t idx = rndn(FILE_PAGES - SLOT_PAGES + 1);
	uint64_t vma = tick();
	char what[64];
	void *ret;

	pick(&a, &n);
	switch (kind) {
	case K_SHARED: flags |= MAP_SHARED; fd = files[f].fd; break;
	case K_PRIVATE: flags |= MAP_PRIVATE; fd = files[f].fd; break;
	case K_ANON: flags |= MAP_PRIVATE | MAP_ANONYMOUS; break;
	case K_ZERO: flags |= MAP_PRIVATE; fd = zero_fd; break;
	default: flags |= MAP_SHARED | MAP_ANONYMOUS; break;
	}
	begin(&slots[s].lock, &slots[s].seq);
	for (p = a; p < a + n; p++) {
		struct apage *m = &slots[s].pg[p];

		memset(m, 0, sizeof(*m));
		m->kind = kind;
		m->prot = prot;
		m->vma = m->epoch = vma;
		m->file = kind == K_SHARED || kind == K_PRIVATE ? f : 0;
		m->idx = idx + p - a;
		m->since = tick();
		if (kind == K_PRIVATE)
			private_reset(m);
	}
	ret = mmap(page_addr(s, a), n * PAGE, prot, flags, fd,
		   kind == K_SHARED || kind == K_PRIVATE ? (off_t)idx * PAGE : 0);
	snprintf(what, sizeof(what), "%s, %d pages", kind_name[kind], n);
	if (!result(OP_MAP, (long)ret, (long)page_addr(s, a), what))
		for (p = a; p < a + n; p++)	/* unknown: take it out of the checks */
			slots[s].pg[p].kind = K_NONE, munmap(page_addr(s, p), PAGE);
	end(&slots[s].lock, &slots[s].seq);
}

static void op_munmap(int s)
{
	int a, n, p;

	pick(&a, &n);
	begin(&slots[s].lock, &slots[s].seq);
	result(OP_MUNMAP, munmap(page_addr(s, a), n * PAGE), 0, "");
	for (p = a; p < a + n; p++)
		memset(&slots[s].pg[p], 0, sizeof(slots[s].pg[p]));
	end(&slots[s].lock, &slots[s].seq);
}

static void op_mprotect(int s)
{
	int a, n, p, prot = random_prot();
	uint64_t epoch = tick();

	pick(&a, &n);
	begin(&slots[s].lock, &slots[s].seq);
	if (vma_run(s, a, &n) &&
	    result(OP_MPROTECT, mprotect(page_addr(s, a), n * PAGE, prot), 0, kind_name[slots[s].pg[a].kind]))
		for (p = a; p < a + n; p++) {
			slots[s].pg[p].prot = prot;
			slots[s].pg[p].epoch = epoch;
		}
	end(&slots[s].lock, &slots[s].seq);
}

/* Move [a, a+n) of slot s to the same place in slot t, over what was there. */
static void op_mremap(int s)
{
	int t = rndn(NSLOTS), a, n, p, lo, hi;
	uint64_t epoch = tick();
	void *ret;

	if (t == s)
		return;
	lo = s < t ? s : t;
	hi = s < t ? t : s;
	pick(&a, &n);
	begin(&slots[lo].lock, &slots[lo].seq);
	begin(&slots[hi].lock, &slots[hi].seq);
	if (vma_run(s, a, &n)) {
		ret = mremap(page_addr(s, a), n * PAGE, n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			     page_addr(t, a));
		if (result(OP_MREMAP, (long)ret, (long)page_addr(t, a), kind_name[slots[s].pg[a].kind])) {
			for (p = a; p < a + n; p++) {
				struct cow *from = &cows[s][p], *to = &cows[t][p];
				uint64_t at = __atomic_load_n(&from->at, __ATOMIC_SEQ_CST);

				/* A write still in flight may have copied the moved page. */
				if (__atomic_load_n(&from->inflight, __ATOMIC_SEQ_CST))
					at = tick();
				if (__atomic_load_n(&to->at, __ATOMIC_SEQ_CST) < at)
					__atomic_store_n(&to->at, at, __ATOMIC_SEQ_CST);
				slots[t].pg[p] = slots[s].pg[p];
				slots[t].pg[p].epoch = epoch;
				memset(&slots[s].pg[p], 0, sizeof(slots[s].pg[p]));
			}
		}
	}
	end(&slots[hi].lock, &slots[hi].seq);
	end(&slots[lo].lock, &slots[lo].seq);
}

static void op_madvise(int s)
{
	static const int advice[] = { MADV_DONTNEED, MADV_REMOVE, MADV_PAGEOUT, MADV_COLD,
				      MADV_WILLNEED };
	static const char *const advice_name[] = { "DONTNEED", "REMOVE", "PAGEOUT", "COLD",
						   "WILLNEED" };
	int i = rndn(5), a, n, p;
	struct file *f = NULL;
	struct apage *m;
	long expect = 0;
	char what[64];

	pick(&a, &n);
	begin(&slots[s].lock, &slots[s].seq);
	if (!vma_run(s, a, &n))
		goto out;
	m = &slots[s].pg[a];
	if (advice[i] == MADV_REMOVE) {
		/*
		 * Holes are punched through a shared mapping that may be
		 * made writable (VM_MAYWRITE: whatever its protection now).
		 */
		if (m->kind == K_ANON)
			expect = -EINVAL;
		else if (m->kind == K_PRIVATE || m->kind == K_ZERO)
			expect = -EACCES;
		else if (m->kind == K_SHARED)
			f = &files[m->file];
	}
	if (advice[i] == MADV_DONTNEED && m->kind == K_PRIVATE)
		for (p = a; p < a + n; p++)
			private_reset(&slots[s].pg[p]);
	if (f)
		begin(&f->lock, &f->seq);
	snprintf(what, sizeof(what), "MADV_%s of %s", advice_name[i], kind_name[m->kind]);
	if (result(OP_MADVISE, madvise(page_addr(s, a), n * PAGE, advice[i]) ? -errno : 0,
		   expect, what) && f)
		for (p = a; p < a + n; p++)
			if (slots[s].pg[p].idx < f->size)
				f->pg[slots[s].pg[p].idx].gen = 0;
	if (f)
		end(&f->lock, &f->seq);
out:
	end(&slots[s].lock, &slots[s].seq);
}

/* A writer writes a private page's own copy; the file must not change. */
static void op_own(int s)
{
	int p = rndn(SLOT_PAGES), sig;
	struct apage *m = &slots[s].pg[p];
	uint64_t w[3], id, t, back[2];
	struct file *f;

	begin(&slots[s].lock, &slots[s].seq);
	if (m->kind != K_PRIVATE || m->prot != (PROT_READ | PROT_WRITE))
		goto out;
	f = &files[m->file];
	pthread_mutex_lock(&f->lock);
	if (m->idx < f->size) {
		id = tick();
		t = tag(OWN_FILE, m->idx, id);
		sig = probe(page_addr(s, p), FILL, t, w);
		result(OP_OWN, sig, 0, "signal");
		if (!sig) {
			m->own = id;
			m->own_at = tick();
		}
		if (pread(f->fd, &back[0], 8, (off_t)m->idx * PAGE) != 8 ||
		    pread(f->fd, &back[1], 8, (off_t)(m->idx + 1) * PAGE - 8) != 8 ||
		    back[0] != (f->pg[m->idx].gen ? tag(m->file, m->idx, f->pg[m->idx].gen) : 0)) {
			error("%s page %u after a private write: pread gives %#llx %#llx, generation %llu -- the private copy reached the file",
			      f->name, m->idx, (unsigned long long)back[0], (unsigned long long)back[1],
			      (unsigned long long)f->pg[m->idx].gen);
		}
	}
	pthread_mutex_unlock(&f->lock);
out:
	end(&slots[s].lock, &slots[s].seq);
}

/*
 * Write buffers, one per thread, mapped before the threads start: a mapping
 * made later could land in an unmapped part of the arena.
 */
static uint64_t *bufs;
static __thread uint64_t *buf;

/* Write generation gen into [i, i+n) of file f, which the caller holds. */
static int file_write(struct file *f, int fi, uint32_t i, uint32_t n, uint64_t gen)
{
	size_t len = (size_t)n * PAGE;
	uint32_t k;

	memset(buf, 0, len);
	for (k = 0; k < n; k++) {
		buf[k * WORDS] = tag(fi, i + k, gen);
		buf[(k + 1) * WORDS - 1] = ~tag(fi, i + k, gen);
	}
	if (pwrite(f->fd, buf, len, (off_t)i * PAGE) != (ssize_t)len)
		return -1;
	for (k = i; k < i + n; k++) {
		if (!f->pg[k].gen)
			f->pg[k].hole_last = gen;
		f->pg[k].gen = gen;
	}
	return 0;
}

static void op_file(enum op op)
{
	int fi = rndn(nfiles);
	struct file *f = &files[fi];
	uint32_t i, n, k, size;
	char what[96];

	begin(&f->lock, &f->seq);
	size = f->size;
	i = rndn(FILE_PAGES);
	n = 1 + rndn(SLOT_PAGES);
	switch (op) {
	case OP_PWRITE:
		/* Within the file: a write past the end would grow it. */
		if (i >= size)
			break;
		if (i + n > size)
			n = size - i;
		snprintf(what, sizeof(what), "%s pages %u-%u", f->name, i, i + n - 1);
		result(op, file_write(f, fi, i, n, tick()), 0, what);
		break;
	case OP_TRUNCATE:
		/* Mostly back to a full file, so that most pages stay mapped. */
		k = rndn(3) ? FILE_PAGES : rndn(FILE_PAGES + 1);
		snprintf(what, sizeof(what), "%s from %u to %u pages", f->name, size, k);
		if (!result(op, ftruncate(f->fd, (off_t)k * PAGE), 0, what))
			break;
		f->size = k;
		for (i = k; i < FILE_PAGES; i++)
			f->pg[i].gen = 0;
		if (k < size)
			for (i = k; i < FILE_PAGES; i++)
				f->pg[i].zap_at = tick();
		break;
	case OP_PUNCH:
		snprintf(what, sizeof(what), "%s pages %u-%u", f->name, i, i + n - 1);
		if (!result(op, fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					  (off_t)i * PAGE, (off_t)n * PAGE), 0, what))
			break;
		for (k = i; k < i + n && k < FILE_PAGES; k++)
			f->pg[k].gen = 0;
		break;
	default:
		break;
	}
	end(&f->lock, &f->seq);
}

static int total_weight;

static void writer_op(void)
{
	int r = rndn(total_weight), s = rndn(NSLOTS);
	enum op op = 0;

	while (r >= op_weight[op])
		r -= op_weight[op++];
	switch (op) {
	case OP_MAP: op_map(s); break;
	case OP_MUNMAP: op_munmap(s); break;
	case OP_MPROTECT: op_mprotect(s); break;
	case OP_MREMAP: op_mremap(s); break;
	case OP_MADVISE: op_madvise(s); break;
	case OP_OWN: op_own(s); break;
	case OP_FADVISE:
		/* Clean page cache goes: the next faults read the disk. */
		result(op, posix_fadvise(files[rndn(nfiles)].fd, 0, 0, POSIX_FADV_DONTNEED), 0, "");
		break;
	default: op_file(op); break;
	}
}

static void *writer(void *arg)
{
	rstate = seed * 0xbf58476d1ce4e5b9ULL + (uintptr_t)arg + 101;
	buf = bufs + (1 + (uintptr_t)arg) * SLOT_PAGES * WORDS;
	pthread_barrier_wait(&start_barrier);
	while (!stop)
		writer_op();
	return NULL;
}

/* ---- setup, final sweep, report ---- */

static void add_file(int fd, const char *name)
{
	struct file *f = &files[nfiles];

	if (fd < 0 || ftruncate(fd, (off_t)FILE_PAGES * PAGE)) {
		say("spf-stress-file: %s: %s\n", name, strerror(errno));
		exit(2);
	}
	pthread_mutex_init(&f->lock, NULL);
	f->fd = fd;
	f->size = FILE_PAGES;
	snprintf(f->name, sizeof(f->name), "%s", name);
	for (uint32_t i = 0; i < FILE_PAGES; i += SLOT_PAGES)
		if (file_write(f, nfiles, i, SLOT_PAGES, tick())) {
			say("spf-stress-file: writing %s: %s\n", name, strerror(errno));
			exit(2);
		}
	nfiles++;
}

static void setup(char **dirs, int ndirs)
{
	size_t len = (size_t)NSLOTS * SLOT_PAGES * PAGE;
	char path[256];
	int i, fd;

	/* Every slot starts as anonymous memory, one VMA. */
	arena = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bufs = mmap(NULL, (MAX_THREADS + 1) * SLOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zero_fd = open("/dev/zero", O_RDWR);
	if (arena == MAP_FAILED || bufs == MAP_FAILED || zero_fd < 0) {
		say("spf-stress-file: setup: %s\n", strerror(errno));
		exit(2);
	}
	buf = bufs;
	for (i = 0; i < NSLOTS; i++) {
		pthread_mutex_init(&slots[i].lock, NULL);
		for (int p = 0; p < SLOT_PAGES; p++) {
			slots[i].pg[p].kind = K_ANON;
			slots[i].pg[p].prot = PROT_READ | PROT_WRITE;
			slots[i].pg[p].vma = slots[i].pg[p].epoch = 1;
		}
	}
	add_file(memfd_create("spf-stress-file", 0), "memfd");
	for (i = 0; i < ndirs; i++) {
		snprintf(path, sizeof(path), "%s/spf-stress-file.%d", dirs[i], getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		add_file(fd, path);
		unlink(path);	/* open and mapped until we exit */
	}
}

static int sweep(void)
{
	int s, p, bad = 0;

	for (s = 0; s < NSLOTS; s++) {
		for (p = 0; p < SLOT_PAGES; p++) {
			struct apage *m = &slots[s].pg[p];
			struct fview v = { { 0 }, 0 };
			uint64_t w[3];
			int sig = probe(page_addr(s, p), RD, 0, w);

			if (m->kind == K_SHARED || m->kind == K_PRIVATE) {
				v.fp = files[m->file].pg[m->idx];
				v.size = files[m->file].size;
			}
			bad += check(s, p, m, &v, m->kind == K_PRIVATE && may_be_copied(s, p, m, &v),
				     RD, sig, w);
		}
	}
	return bad;
}

static void usage(void)
{
	say("usage: spf-stress-file [-d SECONDS] [-s SEED] [-f FAULTERS] [-w WRITERS] [-D DIR]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int nf = 3, nw = 2, secs = 60, c, i, bad, ndirs = 0;
	char *dirs[MAX_FILES - 1];
	pthread_t th[MAX_THREADS];
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	long t0, next_report;
	struct timespec nap = { 0, 200 * 1000 * 1000 };

	seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	page_size = sysconf(_SC_PAGESIZE);
	while ((c = getopt(argc, argv, "d:s:f:w:D:")) != -1) {
		switch (c) {
		case 'd': secs = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'f': nf = atoi(optarg); break;
		case 'w': nw = atoi(optarg); break;
		case 'D':
			if (ndirs == MAX_FILES - 1)
				usage();
			dirs[ndirs++] = optarg;
			break;
		default: usage();
		}
	}
	if (secs < 1 || nf < 1 || nw < 1 || nf + nw > MAX_THREADS || optind != argc)
		usage();
	rstate = seed | 1;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setup(dirs, ndirs);
	say("# spf-stress-file: seed %llu, %d s, %d faulters, %d writers, files:",
	    (unsigned long long)seed, secs, nf, nw);
	for (i = 0; i < nfiles; i++)
		say(" %s", files[i].name);
	say("; replay: spf-stress-file -s %llu -d %d -f %d -w %d", (unsigned long long)seed,
	    secs, nf, nw);
	for (i = 0; i < ndirs; i++)
		say(" -D %s", dirs[i]);
	say("\n");

	for (i = 0; i < NOPS; i++)
		total_weight += op_weight[i];
	start_threads(th, nf, faulter, nw, writer);
	count_faults_from_now();
	t0 = now();
	next_report = t0 + 60;
	pthread_barrier_wait(&start_barrier);
	while (now() - t0 < secs && errors == 0) {
		nanosleep(&nap, NULL);
		if (now() >= next_report) {
			say("# %4ld s: %lu checked accesses, %lu speculative faults, %lu errors\n",
			    now() - t0, st.reads + st.writes, successes(), errors);
			next_report += 60;
		}
	}
	stop = 1;
	for (i = 0; i < nf + nw; i++)
		pthread_join(th[i], NULL);
	bad = sweep();

	report_ops(now() - t0, op_name, st.ops, st.op_fail, NOPS);
	say("# accesses checked: %lu reads, %lu writes (%lu SIGSEGV, %lu SIGBUS as expected; %lu private pages judged as maybe copied); %lu raced a writer, %lu found it busy\n",
	    st.reads, st.writes, st.segv, st.sigbus, st.cow_judged, st.unstable, st.busy);
	say("# checked accesses by mapping:");
	for (i = 1; i < NKINDS; i++)
		say(" %s %lu%s", kind_name[i], st.kinds[i], i + 1 < NKINDS ? "," : "\n");
	report_faults();
	say("; final sweep: %d wrong of %d pages\n", bad, NSLOTS * SLOT_PAGES);
	return report_errors();
}
