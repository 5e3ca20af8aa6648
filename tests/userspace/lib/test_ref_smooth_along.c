// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth_along_fpb (sync_smooth_along.c): on a smoothed reference the pixels the heart
 * moves are averaged along the beat over 2r + 1 frames (r the largest with r (r + 1) / 3 <=
 * P / (2F)), the sequence continued one period on past its ends, the still pixels keep their
 * mean, and the matched phase's frozen noise falls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

#define SZ 96

struct run {
	double rms;    /* per-frame phase error about its mean (frames) */
	long moving;   /* moving pixels x reference frames checked */
	long off;      /* of those within the reference, where the copy is not the box's mean
			* rounded (half up) */
	long far;      /* of all, more than tol from the mean (an interpolated end's weight) */
	long recorded; /* moving pixels x frames that differ from the recorded frame */
	int along;     /* the reference's info: the frames its moving pixels average */
};

static int bits = 8; /* the frames' depth in slow_heart (16: the same frames x 256) */

/* recorded frame i of q at pixel p, the sequence continued a period P on past its ends and
 * interpolated between the two frames there */
static double at(const struct seq *q, int L, double P, int i, int p)
{
	if (i >= 0 && i < L)
		return noisy_frame_px(q->f[i], p % SZ, p / SZ);
	double x = i < 0 ? i + P : i - P;
	int a = (int)floor(x);
	double t = x - a;
	return (1 - t) * noisy_frame_px(q->f[a], p % SZ, p / SZ) +
	       t * noisy_frame_px(q->f[a + 1], p % SZ, p / SZ);
}

/* the slow cartoon heart of test_ref_smooth.c (1.3 s at 60 fps: 78 frames a beat, 96^2, noise
 * 4) with reference.smooth = 1 and reference.smooth_along_fpb = F (NULL: the default); hw the
 * box's half width the reference's copy is checked against */
static struct run slow_heart(const char *F, int hw)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", "1"));
	if (F)
		assert_int_equal(0, ogate_settings_set(&set, "reference.smooth_along_fpb", F));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct heartrun_spec spec = heartrun_slow_smooth(bits);
	struct heartrun *hr = heartrun_new(&spec);
	struct run out = { .rms = heartrun_phase_sd(hr, sy, 1500, 600, 500) };
	assert_int_equal(sy->info.smoothed, 1);
	out.along = sy->info.along_frames;
	const struct seq *q = &sy->sq[sy->g_cur % sy->nseq];
	int L = q->L;
	double P = q->info.period_frames;
	assert_true(L > 4 * hw + 2);
	/* every pixel the copy does not hold at one value over the beat against the box */
	for (int p = 0; p < SZ * SZ; p++) {
		int v0 = noisy_frame_px(sy->ref[0], p % SZ, p / SZ), same = 1;
		for (int j = 1; j < L && same; j++)
			same = noisy_frame_px(sy->ref[j], p % SZ, p / SZ) == v0;
		int rec_same = 1;
		for (int j = 1; j < L && rec_same; j++)
			rec_same = noisy_frame_px(q->f[j], p % SZ, p / SZ) ==
				   noisy_frame_px(q->f[0], p % SZ, p / SZ);
		if (same && !rec_same)
			continue; /* replaced by its mean (a pixel constant as recorded reads alike) */
		for (int j = 0; j < L; j++) {
			double e = 0;
			for (int i = j - hw; i <= j + hw; i++)
				e += at(q, L, P, i, p) / (2 * hw + 1);
			int got = noisy_frame_px(sy->ref[j], p % SZ, p / SZ);
			out.moving++;
			/* within the reference exact; past its ends the interpolated frame's weight
			 * is in 1/256, up to 1/512 of a pixel step off */
			out.off += j >= hw && j < L - hw && got != (int)floor(e + 0.5);
			out.far += fabs(got - e) > (bits == 16 ? 64 : 1);
			out.recorded += got != noisy_frame_px(q->f[j], p % SZ, p / SZ);
		}
	}
	heartrun_free(hr);
	ogate_sync_free(sy);
	return out;
}

/* 78 frames a beat at F = 15: r = 2 (2 <= 78 / 30 < 4), the mean of frames j - 2 ... j + 2, the
 * first two and last two frames reaching a period past the reference's ends. Every moving pixel
 * of every reference frame is that mean rounded, half up: exactly within the reference, within
 * a grey level (a quarter of one at 16 bits) at the ends, whose interpolated frames' weights are
 * in 1/256. The same at 16 bits. */
static void the_moving_pixels_take_the_box_mean_wrapped_a_period_on(void **state)
{
	for (bits = 8; bits <= 16; bits += 8) {
		struct run r = slow_heart("15", 2);
		print_message("%d bits: %ld moving pixel-frames, %ld not the rounded box mean, %ld "
			      "beyond it, %ld as recorded\n",
			      bits, r.moving, r.off, r.far, r.moving - r.recorded);
		assert_true(r.moving > 1000L * 78);
		assert_int_equal(r.far, 0);
		assert_int_equal(r.off, 0);
		assert_true(r.recorded > r.moving / 2);
		assert_int_equal(r.along, 5);
	}
	bits = 8;
}

/* 78 frames a beat at F = 100 gives r = 0 (2/3 > 78 / 200), the moving pixels matched as
 * recorded, as with the box off (F = 0); at the default 45, r = 1 (2/3 <= 78 / 90 < 2). The
 * reference's info says so: along_frames 1, 1, 3. */
static void the_boxs_half_width_follows_the_frames_a_beat(void **state)
{
	struct run a = slow_heart("100", 0), b = slow_heart("0", 0), c = slow_heart(NULL, 1);
	assert_int_equal(a.along, 1);
	assert_int_equal(b.along, 1);
	assert_int_equal(c.along, 3);
	assert_int_equal(a.off, 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(c.far, 0);
	assert_true(c.off * 1000 <= c.moving);
	assert_true(a.rms == b.rms);
}

/* The matched phase's noise: per-frame error about its mean 0.144 frame with the still pixels
 * smoothed alone, 0.066 with the default box, the mean of three frames along the beat: the moving
 * pixels' frozen noise was more than half of it. */
static void the_box_cuts_the_slow_hearts_per_frame_error(void **state)
{
	struct run off = slow_heart("0", 0), on = slow_heart(NULL, 1);
	print_message("per-frame error %.3f frame with the box, %.3f without\n", on.rms, off.rms);
	assert_true(on.rms < 0.7 * off.rms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_moving_pixels_take_the_box_mean_wrapped_a_period_on),
		cmocka_unit_test(the_boxs_half_width_follows_the_frames_a_beat),
		cmocka_unit_test(the_box_cuts_the_slow_hearts_per_frame_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
