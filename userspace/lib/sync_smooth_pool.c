// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth: the smoothed copy's frames, allocated ahead while the period is determined (the copies' pool). */
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"

/*
 * The copies' pool: the smoothed copy's frames are allocated ahead, while the period is still
 * being determined, SMOOTH_POOL_PER_FRAME a frame up to the determination buffer's frames (the
 * reference, taken from them, has at most as many), so that their fresh pages (the kernel's
 * zeroing and mapping, 9-20 ms at 512^2 for 133 frames of 256 KiB) are paid on frames that do
 * not hold the job's share (docs/accuracy-log.md, pool512). The copy (sync_smooth.c's
 * write_frame) takes them with sync_smooth_pool_get; after the job the spares are freed
 * (sync_smooth_pool_trim); while the job runs, the frames it holds (sync.c) take their copies
 * from those spares first (sync_smooth_pool_take), so that the job's frames, the slowest after
 * the lock, do not pay fresh pages for them either (docs/accuracy-log.md, speed512). The job's
 * own arrays of a frame's size, the full look's means and the copy's replacement and mask, are
 * allocated and touched ahead too, one a determining frame, and handed to the job at its start
 * (sync_smooth_start): their first touch was ~20 faults on each look frame and 133 on the mask's
 * at 512^2 (docs/accuracy-log.md, pages512). Frames under SMOOTH_POOL_MIN_BYTES are left to the
 * copy (their pages are few). Memory: the copies' frames, as many as the buffer's, a beat
 * earlier, and the look's arrays (6 frames' bytes at 8 bits, 4 at 16), the buffer and the pool
 * together within reference.max_buffer_mb (the look's arrays first). Used by the analysis thread
 * only, as the rest of struct ogate_sync.
 */
#define SMOOTH_POOL_PER_FRAME 2
#define SMOOTH_POOL_MIN_BYTES ((size_t)128 << 10)

/* s->sm's frames from keep on freed (the pool's spares; all of them where the reference is
 * matched as recorded: s->ref is then the recorded frames, sync_reference.c) */
void sync_smooth_pool_trim(struct ogate_sync *s, int keep)
{
	for (int j = keep; s->sm && j < s->ref_cap; j++) {
		ogate_frame_free(s->sm[j]);
		s->sm[j] = NULL;
	}
	if (s->sm_trim > keep)
		s->sm_trim = 0; /* nothing left beyond keep */
}

/*
 * The spares freed after the lock, SMOOTH_TRIM_BYTES a frame (two 512^2 frames, ~0.05-0.08 ms),
 * on the plain locked frames after the reference's first (sync.c): freeing a populated mapping
 * costs the kernel's unmapping of its pages, and at 512^2 the ~47 spares of a fast heart's
 * pool, freed at once on the frame that establishes its reference (auto's first look keeps it
 * as recorded), were 1.1-1.8 ms of that frame's 2.2-3.5 (docs/accuracy-log.md, estab512);
 * after a smoothing job, the spares beyond L on its last frame. Nothing reads them (s->ref is
 * the recorded frames or s->sm's first L), so no result changes; a job that starts meanwhile
 * (a refreshed reference's) reuses them for its copy (sync_smooth_pool_get) and trims after
 * itself.
 */
#define SMOOTH_TRIM_BYTES ((size_t)1 << 19)

void sync_smooth_pool_trim_later(struct ogate_sync *s, int keep)
{
	s->sm_trim = s->sm ? keep + 1 : 0;
}

void sync_smooth_pool_trim_step(struct ogate_sync *s)
{
	if (!s->sm_trim)
		return;
	size_t bytes = (size_t)s->w * s->h * ogate_pixfmt_bytes(s->fmt), freed = 0;
	int j = s->sm_trim - 1;
	for (; s->sm && j < s->ref_cap && (!freed || freed + bytes <= SMOOTH_TRIM_BYTES); j++) {
		if (!s->sm[j])
			continue;
		ogate_frame_free(s->sm[j]);
		s->sm[j] = NULL;
		freed += bytes;
	}
	s->sm_trim = s->sm && j < s->ref_cap ? j + 1 : 0;
}

int sync_smooth_pool_get(struct ogate_sync *s, int j)
{
	struct ogate_frame *d = s->sm[j];
	if (d && (d->fmt != s->fmt || d->width != s->w || d->height != s->h)) {
		ogate_frame_free(d);
		s->sm[j] = d = NULL;
	}
	if (d)
		return 0;
	int ret = ogate_frame_new(&s->sm[j], s->fmt, s->w, s->h);
	return ret ? ret : 1;
}

struct ogate_frame *sync_smooth_pool_take(struct ogate_sync *s, int keep)
{
	for (int j = s->smooth_job && s->sm ? s->ref_cap - 1 : -1; j >= keep && j >= 0; j--) {
		struct ogate_frame *d = s->sm[j];
		if (d && d->fmt == s->fmt && d->width == s->w && d->height == s->h) {
			s->sm[j] = NULL;
			return d;
		}
	}
	return NULL;
}

size_t sync_smooth_look_bytes(const struct ogate_sync *s, int which)
{
	size_t np = (size_t)s->w * s->h;
	return which ? 2 * np * (s->fmt == OGATE_PIX_U8 ? 1 : 2) : sizeof(int32_t) * np;
}

void sync_smooth_pool_drop_look(struct ogate_sync *s)
{
	free(s->look_mean);
	free(s->look_vm);
	s->look_mean = s->look_vm = NULL;
}

/* n bytes, their pages touched (the contents are the job's to write); NULL on failure. Not
 * zeroes: a compiler may make malloc and memset 0 a calloc, which leaves fresh pages untouched */
static void *touched(size_t n)
{
	void *p = malloc(n);
	if (p)
		memset(p, 0xff, n);
	return p;
}

void sync_smooth_pool_fill(struct ogate_sync *s)
{
	if (!s->set.ref_smooth || !s->configured || s->smooth_pool < 0 ||
	    (!s->smooth_pool && (size_t)s->w * s->h * ogate_pixfmt_bytes(s->fmt) < SMOOTH_POOL_MIN_BYTES))
		return;
	if (!s->sm && !(s->sm = calloc((size_t)s->ref_cap, sizeof(*s->sm))))
		return; /* the copy allocates, and reports, as without the pool */
	int want = s->count + SMOOTH_POOL_PER_FRAME < s->ref_cap ? s->count + SMOOTH_POOL_PER_FRAME
								 : s->ref_cap;
	/* the buffer's frames (with the one being determined) and the pool's together within
	 * reference.max_buffer_mb: the bound a user sets holds while determining (the copy
	 * allocates what the pool could not) */
	double bytes = (double)s->w * s->h * (double)ogate_pixfmt_bytes(s->fmt);
	double room = s->set.max_buffer_mb * 1048576.0 / bytes - (s->count + 1);
	double look = (double)(sync_smooth_look_bytes(s, 0) + sync_smooth_look_bytes(s, 1)) / bytes;
	int look_room = room >= look;
	if (!look_room)
		sync_smooth_pool_drop_look(s);
	else
		room -= look;
	if (want > room) {
		want = room > 0 ? (int)room : 0;
		sync_smooth_pool_trim(s, want);
	}
	int made = 0;
	for (int j = 0; j < want && made < SMOOTH_POOL_PER_FRAME; j++) {
		int r = sync_smooth_pool_get(s, j);
		if (r < 0)
			return;
		made += r;
	}
	/* one of the look's arrays on a frame that made fewer copies than it may */
	if (made == SMOOTH_POOL_PER_FRAME || !look_room)
		return;
	if (!s->look_mean)
		s->look_mean = touched(sync_smooth_look_bytes(s, 0));
	else if (!s->look_vm)
		s->look_vm = touched(sync_smooth_look_bytes(s, 1));
}
