// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The shared-memory frame ring (ogate-shm.h). A classic seqlock per slot:
 * the writer marks the slot odd, stores, marks it even; a reader copies and
 * checks the word did not move. Every shared word is accessed atomically
 * (relaxed, ordered by the seqlock's fences), so the protocol is data-race
 * free in the C11 sense and ThreadSanitizer can check it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ogate-shm.h"

struct shm_header {
	char magic[8];
	uint32_t version, header_size, slots, meta_size;
	uint64_t slot_size, max_frame_bytes;
	_Atomic uint64_t head; /* frames written */
	uint32_t writer_pid;   /* a live writer's ring is not taken over */
};

#define META_WORDS ((sizeof(struct ogate_shm_meta) + 7) / 8)

_Static_assert(sizeof(struct shm_header) <= OGATE_SHM_HEADER_SIZE, "header fits");
_Static_assert(8 + META_WORDS * 8 <= OGATE_SHM_META_SIZE, "metadata fits");

/*
 * ThreadSanitizer does not model stand-alone fences; under it the fences
 * become read-modify-writes of the slot word, which order the same way.
 */
#ifdef __SANITIZE_THREAD__
#define WRITER_FENCE(seq) atomic_fetch_add_explicit((seq), 0, memory_order_acq_rel)
#define READER_RECHECK(seq) \
	atomic_fetch_add_explicit((_Atomic uint64_t *)(seq), 0, memory_order_acq_rel)
#else
#define WRITER_FENCE(seq) atomic_thread_fence(memory_order_release)
#define READER_RECHECK(seq) \
	(atomic_thread_fence(memory_order_acquire), atomic_load_explicit((seq), memory_order_relaxed))
#endif

struct ring {
	void *base;
	size_t size;
	struct shm_header *h;
	unsigned int slots;
	size_t slot_size, max_bytes;
};

struct ogate_shm_writer {
	struct ring ring;
	char name[256];
	uint64_t n;		  /* next frame number; the writer's own copy of head */
	_Atomic uint64_t too_big; /* written by the writer, read by anyone */
	uint8_t *staging;	  /* strided frames are packed here first */
};

struct ogate_shm_reader {
	struct ring ring;
	bool owns_mapping;
	uint64_t n; /* next frame number to read */
	uint64_t lost;
};

static inline _Atomic uint64_t *slot_seq(const struct ring *r, uint64_t n)
{
	return (_Atomic uint64_t *)((uint8_t *)r->base + OGATE_SHM_HEADER_SIZE +
				    (size_t)(n % r->slots) * r->slot_size);
}

static inline _Atomic uint64_t *slot_words(const struct ring *r, uint64_t n, size_t off)
{
	return (_Atomic uint64_t *)((uint8_t *)slot_seq(r, n) + off);
}

/*
 * Word-wise relaxed stores: bytes need not be a multiple of 8 (the tail is
 * padded). Pixels take memcpy in normal builds (the seqlock throws away a
 * copy that raced, and memcpy is 3x faster than word-wise atomics); under
 * ThreadSanitizer they take the word-wise path, so the protocol is checked.
 */
#ifdef __SANITIZE_THREAD__
#define store_pixels(dst, src, bytes) store_words((dst), (src), (bytes))
#define load_pixels(dst, src, bytes) load_words((dst), (src), (bytes))
#else
#define store_pixels(dst, src, bytes) memcpy((void *)(dst), (src), (bytes))
#define load_pixels(dst, src, bytes) memcpy((dst), (const void *)(src), (bytes))
#endif

static void store_words(_Atomic uint64_t *dst, const uint8_t *src, size_t bytes)
{
	size_t i, words = bytes / 8;
	uint64_t v;

	for (i = 0; i < words; i++) {
		memcpy(&v, src + i * 8, 8);
		atomic_store_explicit(&dst[i], v, memory_order_relaxed);
	}
	if (bytes % 8) {
		v = 0;
		memcpy(&v, src + words * 8, bytes % 8);
		atomic_store_explicit(&dst[words], v, memory_order_relaxed);
	}
}

static void load_words(uint8_t *dst, const _Atomic uint64_t *src, size_t bytes)
{
	size_t i, words = bytes / 8;
	uint64_t v;

	for (i = 0; i < words; i++) {
		v = atomic_load_explicit(&src[i], memory_order_relaxed);
		memcpy(dst + i * 8, &v, 8);
	}
	if (bytes % 8) {
		v = atomic_load_explicit(&src[words], memory_order_relaxed);
		memcpy(dst + words * 8, &v, bytes % 8);
	}
}

static size_t ring_size(unsigned int slots, size_t max_bytes, size_t *slot_size)
{
	*slot_size = OGATE_SHM_META_SIZE + ((max_bytes + 63) & ~(size_t)63);
	return OGATE_SHM_HEADER_SIZE + (size_t)slots * *slot_size;
}

/* Is /dev/shm/<path> a ring whose writer still runs? */
static bool ring_in_use(const char *path)
{
	struct shm_header h;
	bool busy = false;
	int fd = shm_open(path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return false;
	if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    !memcmp(h.magic, OGATE_SHM_MAGIC, 8) && h.writer_pid && (pid_t)h.writer_pid != getpid())
		busy = kill((pid_t)h.writer_pid, 0) == 0 || errno == EPERM;
	close(fd);
	return busy;
}

int ogate_shm_writer_new(struct ogate_shm_writer **out, const char *name, unsigned int slots,
			 size_t max_frame_bytes, unsigned int mode)
{
	struct ogate_shm_writer *w;
	size_t slot_size, size;
	int fd = -1, err;

	if (slots < 2 || slots > 4096 || !max_frame_bytes || max_frame_bytes > (256u << 20) ||
	    (name && (strlen(name) >= sizeof(w->name) - 1 || strchr(name, '/'))))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	size = ring_size(slots, max_frame_bytes, &slot_size);
	w->staging = malloc(max_frame_bytes);
	if (!w->staging)
		goto fail_errno;
	if (name && name[0]) {
		snprintf(w->name, sizeof(w->name), "/%s", name);
		if (ring_in_use(w->name)) {
			w->name[0] = '\0'; /* not ours: leave it */
			free(w->staging);
			free(w);
			return -EBUSY;
		}
		shm_unlink(w->name); /* a stale ring of an earlier run */
		fd = shm_open(w->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd < 0)
			goto fail_errno;
		fchmod(fd, mode); /* not narrowed by the umask */
		if (ftruncate(fd, (off_t)size))
			goto fail_errno;
		w->ring.base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		w->ring.base =
			mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	}
	if (w->ring.base == MAP_FAILED) {
		w->ring.base = NULL;
		goto fail_errno;
	}
	if (fd >= 0)
		close(fd);
	fd = -1;
	w->ring.size = size;
	w->ring.h = w->ring.base;
	w->ring.slots = slots;
	w->ring.slot_size = slot_size;
	w->ring.max_bytes = max_frame_bytes;
	/* the file is zero-filled: every slot's seq is 0, "never written" */
	w->ring.h->version = 1;
	w->ring.h->header_size = OGATE_SHM_HEADER_SIZE;
	w->ring.h->slots = slots;
	w->ring.h->meta_size = OGATE_SHM_META_SIZE;
	w->ring.h->slot_size = slot_size;
	w->ring.h->max_frame_bytes = max_frame_bytes;
	w->ring.h->writer_pid = (uint32_t)getpid();
	atomic_store_explicit(&w->ring.h->head, 0, memory_order_relaxed);
	/* the magic last: a reader that sees it sees a complete header */
	atomic_thread_fence(memory_order_release);
	memcpy(w->ring.h->magic, OGATE_SHM_MAGIC, 8);
	*out = w;
	return 0;
fail_errno:
	err = -errno;
	if (fd >= 0)
		close(fd);
	if (w->name[0])
		shm_unlink(w->name);
	free(w->staging);
	free(w);
	return err;
}

int ogate_shm_write(struct ogate_shm_writer *w, const struct ogate_shm_meta *m, const void *pixels,
		    size_t stride)
{
	size_t row = (size_t)m->width * m->bytes_per_pixel, bytes = row * m->height;
	const uint8_t *src = pixels;
	uint64_t meta[META_WORDS] = { 0 };
	_Atomic uint64_t *seq;

	if (bytes > w->ring.max_bytes || (m->bytes_per_pixel != 1 && m->bytes_per_pixel != 2)) {
		atomic_fetch_add_explicit(&w->too_big, 1, memory_order_relaxed);
		return -E2BIG;
	}
	if (stride != row) {
		for (uint32_t y = 0; y < m->height; y++)
			memcpy(w->staging + y * row, src + y * stride, row);
		src = w->staging;
	}
	memcpy(meta, m, sizeof(*m));
	seq = slot_seq(&w->ring, w->n);
	atomic_store_explicit(seq, 2 * w->n + 1, memory_order_relaxed);
	WRITER_FENCE(seq);
	store_words(slot_words(&w->ring, w->n, 8), (const uint8_t *)meta, sizeof(meta));
	store_pixels(slot_words(&w->ring, w->n, OGATE_SHM_META_SIZE), src, bytes);
	atomic_store_explicit(seq, 2 * w->n + 2, memory_order_release);
	w->n++;
	atomic_store_explicit(&w->ring.h->head, w->n, memory_order_release);
	return 0;
}

/* any thread: the published head, not the writer's private count */
uint64_t ogate_shm_writer_count(const struct ogate_shm_writer *w)
{
	return atomic_load_explicit(&w->ring.h->head, memory_order_relaxed);
}

uint64_t ogate_shm_writer_too_big(const struct ogate_shm_writer *w)
{
	return atomic_load_explicit(&w->too_big, memory_order_relaxed);
}
const char *ogate_shm_writer_name(const struct ogate_shm_writer *w)
{
	return w->name[0] ? w->name + 1 : "";
}

void ogate_shm_writer_free(struct ogate_shm_writer *w)
{
	if (!w)
		return;
	if (w->name[0])
		shm_unlink(w->name);
	munmap(w->ring.base, w->ring.size);
	free(w->staging);
	free(w);
}

/* ---- reader ---- */

static int check_header(struct ring *r, size_t file_size)
{
	const struct shm_header *h = r->base;
	size_t slot_size;

	if (file_size < OGATE_SHM_HEADER_SIZE || memcmp(h->magic, OGATE_SHM_MAGIC, 8) ||
	    h->version != 1 || h->header_size != OGATE_SHM_HEADER_SIZE ||
	    h->meta_size != OGATE_SHM_META_SIZE || h->slots < 2 || h->slots > 4096 ||
	    ring_size(h->slots, h->max_frame_bytes, &slot_size) != file_size ||
	    slot_size != h->slot_size)
		return -EPROTO;
	r->h = r->base;
	r->slots = h->slots;
	r->slot_size = h->slot_size;
	r->max_bytes = h->max_frame_bytes;
	return 0;
}

static struct ogate_shm_reader *reader_new(void)
{
	return calloc(1, sizeof(struct ogate_shm_reader));
}

int ogate_shm_reader_open(struct ogate_shm_reader **out, const char *name)
{
	struct ogate_shm_reader *r;
	char path[256];
	struct stat st;
	int fd, err;

	if (!name || !name[0] || strchr(name, '/') || strlen(name) > 200)
		return -EINVAL;
	snprintf(path, sizeof(path), "/%s", name);
	fd = shm_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = reader_new();
	if (!r || fstat(fd, &st)) {
		err = r ? -errno : -ENOMEM;
		goto fail;
	}
	r->ring.size = (size_t)st.st_size;
	if (r->ring.size < OGATE_SHM_HEADER_SIZE) {
		err = -EPROTO;
		goto fail;
	}
	r->ring.base = mmap(NULL, r->ring.size, PROT_READ, MAP_SHARED, fd, 0);
	if (r->ring.base == MAP_FAILED) {
		r->ring.base = NULL;
		err = -errno;
		goto fail;
	}
	r->owns_mapping = true;
	err = check_header(&r->ring, r->ring.size);
	if (err)
		goto fail;
	close(fd);
	r->n = atomic_load_explicit(&r->ring.h->head, memory_order_acquire);
	r->n = r->n > r->ring.slots - 1 ? r->n - (r->ring.slots - 1) : 0;
	*out = r;
	return 0;
fail:
	close(fd);
	ogate_shm_reader_close(r);
	return err;
}

int ogate_shm_reader_attach(struct ogate_shm_reader **out, const struct ogate_shm_writer *w)
{
	struct ogate_shm_reader *r = reader_new();

	if (!r)
		return -ENOMEM;
	r->ring = w->ring;
	r->n = atomic_load_explicit(&r->ring.h->head, memory_order_acquire);
	r->n = r->n > r->ring.slots - 1 ? r->n - (r->ring.slots - 1) : 0;
	*out = r;
	return 0;
}

void ogate_shm_reader_close(struct ogate_shm_reader *r)
{
	if (!r)
		return;
	if (r->owns_mapping && r->ring.base)
		munmap(r->ring.base, r->ring.size);
	free(r);
}

void ogate_shm_reader_seek_latest(struct ogate_shm_reader *r)
{
	uint64_t head = atomic_load_explicit(&r->ring.h->head, memory_order_acquire);

	r->n = head ? head - 1 : 0;
}

int ogate_shm_reader_next(struct ogate_shm_reader *r, struct ogate_shm_meta *m, void *buf,
			  size_t buflen, uint64_t *lost)
{
	uint64_t meta[META_WORDS], skipped = 0;

	for (;;) {
		const _Atomic uint64_t *seq = slot_seq(&r->ring, r->n);
		uint64_t head = atomic_load_explicit(&r->ring.h->head, memory_order_acquire);
		uint64_t s1, s2, want = 2 * r->n + 2;
		size_t bytes;

		if (head > r->n + r->ring.slots - 1) { /* lapped: its slot is gone or going */
			skipped += head - (r->n + r->ring.slots - 1);
			r->n = head - (r->ring.slots - 1);
			continue;
		}
		s1 = atomic_load_explicit(seq, memory_order_acquire);
		if (s1 < want) {
			if (lost)
				*lost = skipped;
			r->lost += skipped;
			return -EAGAIN; /* not written yet */
		}
		if (s1 > want) { /* rewritten since head was read */
			skipped++;
			r->n++;
			continue;
		}
		load_words((uint8_t *)meta, (const _Atomic uint64_t *)((const uint8_t *)seq + 8),
			   sizeof(meta));
		memcpy(m, meta, sizeof(*m));
		bytes = (size_t)m->width * m->height * m->bytes_per_pixel;
		if (bytes > r->ring.max_bytes)
			bytes = 0; /* torn metadata: the recheck below fails */
		if (buf && bytes <= buflen)
			load_pixels(buf,
				    (const _Atomic uint64_t *)((const uint8_t *)seq +
							       OGATE_SHM_META_SIZE),
				    bytes);
		s2 = READER_RECHECK(seq);
		if (s2 != s1) {
			skipped++;
			r->n++;
			continue;
		}
		r->n++;
		if (lost)
			*lost = skipped;
		r->lost += skipped;
		if (buf && bytes > buflen)
			return -ENOBUFS;
		return 0;
	}
}

int ogate_shm_reader_latest(struct ogate_shm_reader *r, struct ogate_shm_meta *m, void *buf,
			    size_t buflen)
{
	uint64_t head = atomic_load_explicit(&r->ring.h->head, memory_order_acquire);
	uint64_t meta[META_WORDS], n = head - 1, s1, s2;
	const _Atomic uint64_t *seq;
	size_t bytes;

	if (!head)
		return -EAGAIN;
	seq = slot_seq(&r->ring, n);
	s1 = atomic_load_explicit(seq, memory_order_acquire);
	if (s1 != 2 * n + 2) /* being rewritten already */
		return -EAGAIN;
	load_words((uint8_t *)meta, (const _Atomic uint64_t *)((const uint8_t *)seq + 8), sizeof(meta));
	memcpy(m, meta, sizeof(*m));
	bytes = (size_t)m->width * m->height * m->bytes_per_pixel;
	if (bytes > r->ring.max_bytes)
		bytes = 0; /* torn metadata: the recheck below fails */
	if (buf && bytes <= buflen)
		load_pixels(buf,
			    (const _Atomic uint64_t *)((const uint8_t *)seq + OGATE_SHM_META_SIZE),
			    bytes);
	s2 = READER_RECHECK(seq);
	if (s2 != s1)
		return -EAGAIN;
	if (buf && bytes > buflen)
		return -ENOBUFS;
	return 0;
}

uint64_t ogate_shm_reader_lost(const struct ogate_shm_reader *r)
{
	return r->lost;
}
unsigned int ogate_shm_reader_slots(const struct ogate_shm_reader *r)
{
	return r->ring.slots;
}
size_t ogate_shm_reader_max_frame_bytes(const struct ogate_shm_reader *r)
{
	return r->ring.max_bytes;
}
