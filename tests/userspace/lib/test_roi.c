// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The phase match's region (sync_roi.c): tiles that change over the reference beat beyond the
 * noise, their box with a tile of margin and a floor on its size, and on a cartoon heart that the
 * box holds the whole moving heart, leaves out the static background and makes each match less
 * noisy than matching over the whole frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "heart.c"
#include "roi.h"
#include "sync_private.h"
#include "noisy_frame.h"

/* 4 x 4 tiles of 100 differences each at the noise floor 1.0, one at 1.5 and one at 1.2. The
 * floor is the 10th percentile (1.0); a tile is kept above 1 + 6 * 0.7555 / sqrt(100) = 1.4533,
 * so 1.5 is and 1.2 is not. With 400 differences the bound is 1.2267 (1.2 still out), with 1600
 * it is 1.1133 and 1.2 is kept too. */
static void a_tile_is_kept_when_it_changes_more_than_its_noise_explains(void **state)
{
	double a[16], n[16];
	int box[4];
	for (int k = 0; k < 16; k++) {
		a[k] = 1.0;
		n[k] = 100;
	}
	a[1 * 4 + 1] = 1.5; /* x 1, y 1 */
	a[1 * 4 + 2] = 1.2; /* x 2, y 1 */
	assert_int_equal(ogate_roi_tiles(a, n, 4, 4, box), 1);
	assert_int_equal(box[0], 1);
	assert_int_equal(box[1], 1);
	assert_int_equal(box[2], 2);
	assert_int_equal(box[3], 2);
	for (int k = 0; k < 16; k++)
		n[k] = 400;
	assert_int_equal(ogate_roi_tiles(a, n, 4, 4, box), 1);
	assert_int_equal(box[2], 2);
	for (int k = 0; k < 16; k++)
		n[k] = 1600;
	assert_int_equal(ogate_roi_tiles(a, n, 4, 4, box), 2);
	assert_int_equal(box[0], 1);
	assert_int_equal(box[1], 1);
	assert_int_equal(box[2], 3);
	assert_int_equal(box[3], 2);
}

/* the floor is the 10th percentile, not the minimum: one tile below the rest (a dark corner)
 * does not make every other static tile look as if it changed */
static void the_noise_floor_is_a_low_quantile_of_the_tiles(void **state)
{
	double a[16], n[16];
	int box[4];
	for (int k = 0; k < 16; k++) {
		a[k] = 1.0 + 0.001 * k;
		n[k] = 100;
	}
	a[0] = 0.5;
	assert_int_equal(ogate_roi_tiles(a, n, 4, 4, box), 0);
	/* nothing kept: every tile */
	assert_int_equal(box[0], 0);
	assert_int_equal(box[1], 0);
	assert_int_equal(box[2], 4);
	assert_int_equal(box[3], 4);
}

/* tiles 5..8 of 16 across 64 px (4 px each): one tile of margin, [16, 40); tiles 7..7: [24, 36)
 * is below a quarter of the axis (16 px) and is widened about its centre to [22, 38); at the
 * border it is clamped; the last tile takes the remainder of a 70 px axis */
static void the_region_has_a_tile_of_margin_and_at_least_a_quarter_of_the_frame(void **state)
{
	int x0, x1;
	ogate_roi_span(5, 9, 16, 64, &x0, &x1);
	assert_int_equal(x0, 16);
	assert_int_equal(x1, 40);
	ogate_roi_span(7, 8, 16, 64, &x0, &x1);
	assert_int_equal(x0, 22);
	assert_int_equal(x1, 38);
	ogate_roi_span(0, 1, 16, 64, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 16);
	ogate_roi_span(15, 16, 16, 64, &x0, &x1);
	assert_int_equal(x0, 48);
	assert_int_equal(x1, 64);
	ogate_roi_span(10, 15, 16, 70, &x0, &x1);
	assert_int_equal(x0, 36);
	assert_int_equal(x1, 70);
	ogate_roi_span(0, 16, 16, 64, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 64);
}

#define SZ 96
#define FPS 60.0
#define NOISE 4.0

struct run {
	double rms; /* per-frame phase error after the reference's own offset (frames) */
	int roi[4];
	int dx, dy; /* the drift at the last frame */
};

/* m, reached 1 px per frame: the first k frames' share of it */
static int toward(int m, int k)
{
	return abs(m) < k ? m : m < 0 ? -k : k;
}

/* a slow cartoon heart (1.3 s at 60 fps, 96^2, pixel noise 4, as in the slow rows of
 * bench/eval/matrix.txt), matched with the region on or off; the same frames both times. From
 * frame 700 the content moves to (my, mx) px, 1 px per frame; bits 8 or 16. */
static struct run slow_heart_moved(int roi, int my, int mx, int bits)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.roi = roi;
	set.ref_smooth = 0; /* the region against the noise frozen in the recorded reference */
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	struct ogate_heart_law law = { 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, SZ, SZ));
	static float img[SZ * SZ], sh[SZ * SZ];
	struct ogate_sync_result r = { 0 };
	enum { N = 1500 };
	static double err[N];
	int n = 0;
	double P = 1.3 * FPS;
	for (int i = 0; i < N; i++) {
		double t = i / FPS, psi = ogate_heart_law_psi(&law, t);
		ogate_heart_blob_render(&heart, fmod(psi, 2 * M_PI), img);
		int k = i < 700 ? 0 : i - 700;
		ogate_heart_rigid_shift(img, sh, SZ, SZ, toward(my, k), toward(mx, k));
		noisy_frame_fill(f, sh, SZ, SZ, NOISE, &rng, 1000000000LL + llround(t * 1e9),
				 (uint64_t)i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		if (r.has_phase && i > 600 && (i < 700 || i > 720))
			err[n++] = ogate_wrap_pi(r.phase - psi) * P / (2 * M_PI);
	}
	assert_true(n > 500);
	double mean = 0, ss = 0;
	for (int k = 0; k < n; k++)
		mean += err[k] / n;
	for (int k = 0; k < n; k++)
		ss += (err[k] - mean) * (err[k] - mean);
	struct run out = { sqrt(ss / n), { 0 }, r.dx, r.dy };
	for (int k = 0; k < 4; k++)
		out.roi[k] = sy->roi[k];
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
	return out;
}

static struct run slow_heart(int roi)
{
	return slow_heart_moved(roi, 0, 0, 8);
}

/* The region holds every pixel that the noise-free heart changes by more than the noise over a
 * beat, is smaller than the frame, and matching in it is less noisy than over the whole frame. */
static void matching_in_the_moving_region_cuts_the_random_error_of_a_slow_heart(void **state)
{
	struct run off = slow_heart(0), on = slow_heart(1);
	print_message("region [%d, %d) x [%d, %d) of %d^2: per-frame error %.3f frame, %.3f with the "
		      "whole frame\n",
		      on.roi[0], on.roi[2], on.roi[1], on.roi[3], SZ, on.rms, off.rms);
	assert_int_equal(off.roi[0], 0);
	assert_int_equal(off.roi[1], 0);
	assert_int_equal(off.roi[2], SZ);
	assert_int_equal(off.roi[3], SZ);
	double area = (double)(on.roi[2] - on.roi[0]) * (on.roi[3] - on.roi[1]) / (SZ * SZ);
	assert_true(area < 0.7);
	/* every pixel the heart moves by more than the noise lies inside */
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	static float img[SZ * SZ], lo[SZ * SZ], hi[SZ * SZ];
	for (int k = 0; k < 64; k++) {
		ogate_heart_blob_render(&heart, 2 * M_PI * k / 64, img);
		for (int p = 0; p < SZ * SZ; p++) {
			lo[p] = k == 0 || img[p] < lo[p] ? img[p] : lo[p];
			hi[p] = k == 0 || img[p] > hi[p] ? img[p] : hi[p];
		}
	}
	int outside = 0;
	for (int y = 0; y < SZ; y++)
		for (int x = 0; x < SZ; x++)
			if (hi[y * SZ + x] - lo[y * SZ + x] > NOISE &&
			    (x < on.roi[0] || x >= on.roi[2] || y < on.roi[1] || y >= on.roi[3]))
				outside++;
	assert_int_equal(outside, 0);
	ogate_heart_blob_free(&heart);
	assert_true(on.rms < 0.9 * off.rms);
}

/* The region is in reference coordinates: after the heart and its background move by whole
 * pixels the drift tracker (on the whole frame) follows, and the match stays less noisy than over
 * the whole frame under the same move (the move itself costs both: the frame's border rows are
 * replicated); 16-bit frames give the same region and the same precision. */
static void the_region_follows_drift_and_16_bit_frames(void **state)
{
	struct run whole = slow_heart_moved(0, 5, -4, 8), moved = slow_heart_moved(1, 5, -4, 8),
		   still = slow_heart_moved(1, 0, 0, 8), deep = slow_heart_moved(1, 0, 0, 16);
	print_message("after a (5, -4) px move: per-frame error %.3f frame (drift %d, %d), %.3f with "
		      "the whole frame; %.3f unmoved, %.3f at 16 bits\n",
		      moved.rms, moved.dx, moved.dy, whole.rms, still.rms, deep.rms);
	assert_int_equal(moved.dx, -5);
	assert_int_equal(moved.dy, 4);
	assert_true(moved.rms < whole.rms);
	for (int k = 0; k < 4; k++)
		assert_int_equal(deep.roi[k], still.roi[k]);
	assert_true(fabs(deep.rms - still.rms) < 0.1 * still.rms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_tile_is_kept_when_it_changes_more_than_its_noise_explains),
		cmocka_unit_test(the_noise_floor_is_a_low_quantile_of_the_tiles),
		cmocka_unit_test(the_region_has_a_tile_of_margin_and_at_least_a_quarter_of_the_frame),
		cmocka_unit_test(matching_in_the_moving_region_cuts_the_random_error_of_a_slow_heart),
		cmocka_unit_test(the_region_follows_drift_and_16_bit_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
