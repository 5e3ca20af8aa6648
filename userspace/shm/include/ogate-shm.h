/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The shared-memory frame stream: a ring of frames in /dev/shm/<name> that
 * ogated writes and any program may read (ogate-shmcat, the web page, a
 * Python/numpy viewer; layout in docs/web.md).
 *
 * Layout (all little-endian as the host, fixed offsets):
 *   header  (4096 bytes): magic "OGSHMv1\0", slot count, slot size, data
 *           offset, the write count `head` (frames ever written), the
 *           writer's pid
 *   slot[i] (slot_size bytes each, i = n % slots for frame n):
 *           a seqlock word `seq` (2n+1 while frame n is written, 2n+2 when
 *           done), the metadata, then the pixels (row-major, no padding).
 *
 * Threads: one writer (in ogated its io thread, on camera frames the frame
 * thread lends it with their metadata) which never waits for readers; any number of readers, each object used by one thread. A reader
 * that falls more than a ring behind, or whose slot was rewritten while it
 * copied, is told so (lost frames counted) and skips to what is there.
 */
#ifndef OGATE_SHM_H
#define OGATE_SHM_H

#include <stddef.h>
#include <stdint.h>

#define OGATE_SHM_MAGIC "OGSHMv1"
#define OGATE_SHM_HEADER_SIZE 4096u
#define OGATE_SHM_META_SIZE 128u /* seq + metadata, before the pixels */

enum ogate_shm_state {
	OGATE_SHM_STATE_DETERMINE = 0, /* learning a reference */
	OGATE_SHM_STATE_LOCKED = 1,    /* phase-locked */
};

#define OGATE_SHM_TRIGGER 1u /* flags: a trigger was decided on this frame */

/* One frame's metadata, as stored after the slot's seqlock word. */
struct ogate_shm_meta {
	uint64_t sequence;    /* camera frame counter */
	int64_t timestamp_ns; /* CLOCK_MONOTONIC, start of exposure */
	int64_t exposure_ns;  /* 0 if unknown */
	double phase;	      /* rad in [0, 2 pi), -1 when not locked */
	uint32_t state;	      /* enum ogate_shm_state */
	uint32_t flags;	      /* OGATE_SHM_TRIGGER */
	int64_t trigger_ns;   /* the decided trigger's time, when flagged */
	uint32_t width, height;
	uint32_t bytes_per_pixel; /* 1 or 2 (native-endian uint16) */
	uint32_t ref_id;	  /* the reference the phase is against, 0 = none */
	double target_phase;	  /* rad, -1 when not locked */
};

/* ---- writer ---- */
struct ogate_shm_writer;

/*
 * Create (or replace) /dev/shm/<name> with `slots` slots of at most
 * max_frame_bytes pixels each; name NULL or "" makes a private in-memory ring
 * (no file) that only ogate_shm_reader_attach() readers see. mode: file mode.
 * A ring left by a writer that is gone is replaced; one whose writer still
 * runs is not (-EBUSY). 0, or -errno (not logged: the library has no log);
 * *out is set only on success.
 */
int ogate_shm_writer_new(struct ogate_shm_writer **out, const char *name, unsigned int slots,
			 size_t max_frame_bytes, unsigned int mode);
/*
 * Publish one frame: pixels with `stride` bytes per row are copied in. Never
 * blocks and makes no system call. -E2BIG (counted, nothing written) when the
 * frame is larger than a slot.
 */
int ogate_shm_write(struct ogate_shm_writer *w, const struct ogate_shm_meta *m, const void *pixels,
		    size_t stride);
/* Frames written, frames refused as too big: from any thread. */
uint64_t ogate_shm_writer_count(const struct ogate_shm_writer *w);
uint64_t ogate_shm_writer_too_big(const struct ogate_shm_writer *w);
const char *ogate_shm_writer_name(const struct ogate_shm_writer *w); /* "" if private */
void ogate_shm_writer_free(struct ogate_shm_writer *w);		     /* unlinks the file */

/* ---- reader ---- */
struct ogate_shm_reader;

/*
 * Open /dev/shm/<name> read-only. 0, or -ENOENT, -EPROTO (not a ring),
 * -errno; *out is set only on success.
 */
int ogate_shm_reader_open(struct ogate_shm_reader **out, const char *name);
/* A reader of a writer in the same process (also of a private ring): 0 or -ENOMEM. */
int ogate_shm_reader_attach(struct ogate_shm_reader **out, const struct ogate_shm_writer *w);
void ogate_shm_reader_close(struct ogate_shm_reader *r);

/* Start at the newest frame (the next read returns it), not at the oldest. */
void ogate_shm_reader_seek_latest(struct ogate_shm_reader *r);
/*
 * The next frame in order: metadata into *m and, when buf is not NULL, the
 * pixels (width * height * bytes_per_pixel bytes; -ENOBUFS if buflen is
 * smaller). 0; -EAGAIN when no new frame has been written; *lost (may be
 * NULL) is set to the number of frames skipped because the writer overran
 * this reader since the last call.
 */
int ogate_shm_reader_next(struct ogate_shm_reader *r, struct ogate_shm_meta *m, void *buf,
			  size_t buflen, uint64_t *lost);
/*
 * The newest complete frame, its metadata and (buf not NULL) its pixels,
 * without moving the reader's position: a reader that drains metadata only
 * (buf NULL) copies pixels just when it needs an image. 0; -EAGAIN when no
 * frame is complete yet or the writer rewrote the slot while it was copied
 * (call again); -ENOBUFS if buflen is too small.
 */
int ogate_shm_reader_latest(struct ogate_shm_reader *r, struct ogate_shm_meta *m, void *buf,
			    size_t buflen);
uint64_t ogate_shm_reader_lost(const struct ogate_shm_reader *r); /* in total */
unsigned int ogate_shm_reader_slots(const struct ogate_shm_reader *r);
size_t ogate_shm_reader_max_frame_bytes(const struct ogate_shm_reader *r);

#endif
