// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.lag_even's earlier frames blurred once (sync_driftreg.c, blurred_rows): each lag at
 * lock compares frame i - d through the taps of fraction 0, and the frames i - b + 1 .. i - b - 1
 * of one frame are two of the next frame's three; they were blurred anew for every comparison
 * (6 resamples of the compared rows a frame instead of 1 without the key). They are now kept,
 * packed (sync_blur_rows_packed), or read from the period scan's blurred copy of the buffer
 * (rblur, kept on every frame's arrival while the scan registers a drift). Pinned here: the
 * packed rows are the bytes sync_shift_even_rows makes, the scan's copies are too, and the lock
 * (period, trend, velocity, lags) is the same to the bit as with every frame blurred anew
 * (s->lag_direct). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "drift_scene.h"
#include "sync_private.h"

/* a frame of pseudo-random pixels (a fixed LCG: the same every run) */
static void fill(struct ogate_frame *f, uint32_t seed)
{
	int bpp = ogate_pixfmt_bytes(f->fmt);
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++) {
			seed = seed * 1664525u + 1013904223u;
			void *p = (char *)f->pixels + (size_t)y * f->stride + (size_t)x * bpp;
			if (bpp == 1)
				*(uint8_t *)p = (uint8_t)(seed >> 24);
			else
				*(uint16_t *)p = (uint16_t)(seed >> 16);
		}
}

/* Rows y0 + k r packed at d0 + k equal the unshifted even blur's rows y0 + k r, byte for byte,
 * 8 and 16 bits, the first and last rows included (replicated edges); a width of 37 px (no
 * whole vector). */
static void packed_rows_are_the_even_blurs_rows(void **state)
{
	(void)state;
	const enum ogate_pixfmt fmts[2] = { OGATE_PIX_U8, OGATE_PIX_U16 };
	const int cases[4][3] = { { 0, 1, 29 }, { 2, 3, 9 }, { 0, 4, 8 }, { 5, 7, 4 } }; /* y0 r n */
	for (int t = 0; t < 2; t++) {
		struct ogate_frame *src = NULL, *direct = NULL, *packed = NULL;
		assert_int_equal(0, ogate_frame_new(&src, fmts[t], 37, 29));
		assert_int_equal(0, ogate_frame_new(&direct, fmts[t], 37, 29));
		assert_int_equal(0, ogate_frame_new(&packed, fmts[t], 37, 40));
		fill(src, 7u + (uint32_t)t);
		size_t row = (size_t)37 * (size_t)ogate_pixfmt_bytes(fmts[t]);
		for (int c = 0; c < 4; c++) {
			int y0 = cases[c][0], r = cases[c][1], n = cases[c][2], d0 = 3 + c;
			assert_true(y0 + (n - 1) * r <= 28);
			sync_shift_even_rows(NULL, direct, src, 0, 0, y0, r, n);
			sync_blur_rows_packed(packed, d0, src, y0, r, n);
			for (int k = 0; k < n; k++)
				assert_memory_equal(ogate_frame_row(packed, d0 + k),
						    ogate_frame_row(direct, y0 + k * r), row);
		}
		ogate_frame_free(src);
		ogate_frame_free(direct);
		ogate_frame_free(packed);
	}
}

struct lock {
	double P, trend, vel[2], lags[6];
	long made, kept, scan;
	int k, copies; /* the lock's frame; the scan's copies checked before it */
};

/* the scene drifting (vy, vx) px a frame with reference.lag_even up to its first lock; direct:
 * every compared frame blurred anew. Before the lock every buffered frame the scan holds a
 * blurred copy of is checked against the even blur without a shift. */
static struct lock run(const struct drift_scene *sc, int w, double vy, double vx, int direct)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.lag_even = 1;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->lag_direct = direct;
	struct ogate_frame *f = NULL, *blur = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, w, w));
	assert_int_equal(0, ogate_frame_new(&blur, OGATE_PIX_U8, w, w));
	struct lock L = { .P = -1, .k = -1 };
	for (int k = 0; k < 450 && L.k < 0; k++) {
		drift_scene_render(sc, f, k, vy, vx);
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		struct ogate_reference_info info;
		if (r.established && ogate_sync_get_reference(s, &info) == 0) {
			L.k = k;
			L.P = info.period_frames;
			L.trend = s->sq[0].trend;
			memcpy(L.vel, s->sq[0].vel, sizeof(L.vel));
			memcpy(L.lags, s->sq[0].lags, sizeof(L.lags));
			break;
		}
		for (int i = 0; sync_scan_drifting(s) && i < s->count; i++) {
			int slot = (s->head + i) % s->cap;
			if (!s->rvalid[slot])
				continue;
			sync_shift_even_rows(s, blur, s->buf[slot], 0, 0, 0, 1, w);
			for (int y = 0; y < w; y++)
				assert_memory_equal(ogate_frame_row(s->rblur[slot], y),
						    ogate_frame_row(blur, y), (size_t)w);
			L.copies++;
		}
	}
	L.made = s->lag_made;
	L.kept = s->lag_kept;
	L.scan = s->lag_scan;
	fprintf(stderr,
		"drift %+.3f %+.3f direct %d: lock at frame %d, period %.6f, rows blurred %ld, kept "
		"%ld, the scan's %ld (%d copies checked)\n",
		vy, vx, direct, L.k, L.P, L.made, L.kept, L.scan, L.copies);
	ogate_frame_free(f);
	ogate_frame_free(blur);
	ogate_sync_free(s);
	return L;
}

static void same_lock(const struct lock *a, const struct lock *b)
{
	assert_int_equal(a->k, b->k);
	assert_true(a->P == b->P);
	assert_true(a->trend == b->trend);
	assert_memory_equal(a->vel, b->vel, sizeof(a->vel));
	assert_memory_equal(a->lags, b->lags, sizeof(a->lags));
}

/* A drift the lock registers alone (about 0.45 px a beat of 40.3 frames, below the period
 * scan's): the earlier frames are kept in the ways and read again, and the lock is the same as
 * with each blurred anew. */
static void kept_blurs_lock_as_blurring_anew(void **state)
{
	(void)state;
	const struct drift_scene sc = { .period = 40.3, .centre = 32, .r0 = 9, .ra = 6 };
	struct lock a = run(&sc, 64, 0.011, -0.002, 0), b = run(&sc, 64, 0.011, -0.002, 1);
	assert_true(a.P > 0);
	assert_true(a.kept > 0 && a.made < b.made && a.scan == 0);
	assert_true(b.kept == 0 && b.scan == 0);
	assert_int_equal(a.made + a.kept, b.made);
	same_lock(&a, &b);
}

/* A drift the period scan registers first (over a pixel a beat of 40.3 frames): the earlier
 * frames are read from its blurred copies, which are the even blur's bytes, and the lock is the
 * same as with each blurred anew. */
static void the_scans_copies_lock_as_blurring_anew(void **state)
{
	(void)state;
	const struct drift_scene sc = { .period = 40.3, .centre = 48, .r0 = 14, .ra = 9, .dot_orbit = 30 };
	struct lock a = run(&sc, 96, 0.06, 0.045, 0), b = run(&sc, 96, 0.06, 0.045, 1);
	assert_true(a.P > 0 && a.copies > 0);
	assert_true(a.scan > 0 && a.made < b.made);
	assert_int_equal(a.made + a.kept + a.scan, b.made);
	same_lock(&a, &b);
}

/* reference.lag_even is on by default (session 20: its cost at lock now under 2 ms at 512^2) */
static void the_key_is_on_by_default(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(1, set.lag_even);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_key_is_on_by_default),
		cmocka_unit_test(packed_rows_are_the_even_blurs_rows),
		cmocka_unit_test(kept_blurs_lock_as_blurring_anew),
		cmocka_unit_test(the_scans_copies_lock_as_blurring_anew),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
