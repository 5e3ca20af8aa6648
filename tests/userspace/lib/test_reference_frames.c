// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogate_sync_get_reference_frame: the current reference's frames, exactly as
 * they came in (pixels, sequence, time), with the phase that
 * ogate_sync_set_target_phase maps back to them; new frames and a new id after
 * a refresh. On a synthetic stream (a blob circling with a 0.41 s period at
 * 80 fps) whose every frame can be made again from its sequence number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ogate/analysis.h"
#include "ogate/sync.h"

#define W 64
#define H 48
#define FPS_NS 12500000LL /* 80 fps, exactly */
#define T0_NS 7000000000LL

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

/* frame seq of the stream: a blob circling once every 0.41 s, plus fixed texture */
static struct ogate_frame *make_frame(uint64_t seq)
{
	struct ogate_frame *f = new_frame(OGATE_PIX_U8, W, H);
	double t = (double)seq * FPS_NS * 1e-9, a = 2 * M_PI * t / 0.41;
	double cx = W / 2.0 + 14 * cos(a), cy = H / 2.0 + 12 * sin(a);
	struct ogate_frame_meta m = { .timestamp_ns = T0_NS + (int64_t)seq * FPS_NS,
				      .sequence = seq,
				      .exposure_ns = 2000000 };

	assert_non_null(f);
	for (int y = 0; y < H; y++) {
		uint8_t *row = (uint8_t *)ogate_frame_pixels(f) + (size_t)y * ogate_frame_stride(f);

		for (int x = 0; x < W; x++) {
			double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);

			row[x] = (uint8_t)lrint(40 + 12 * ((x * 7 + y * 13) % 5) +
						150 * exp(-d2 / 72.0));
		}
	}
	ogate_frame_set_meta(f, &m);
	return f;
}

static void feed(struct ogate_sync *s, uint64_t from, uint64_t to)
{
	for (uint64_t k = from; k < to; k++) {
		struct ogate_frame *f = make_frame(k);
		struct ogate_sync_result r;

		assert_int_equal(ogate_sync_process(s, f, &r), 0);
		ogate_frame_free(f);
	}
}

static int same_pixels(const struct ogate_frame *a, const struct ogate_frame *b)
{
	for (int y = 0; y < H; y++)
		if (memcmp((const uint8_t *)ogate_frame_pixels(a) + (size_t)y * ogate_frame_stride(a),
			   (const uint8_t *)ogate_frame_pixels(b) + (size_t)y * ogate_frame_stride(b),
			   W))
			return 0;
	return 1;
}

/* every frame of the current reference is the stream's frame first_seq + i, phase 2 pi i / P */
static void check_frames(struct ogate_sync *s, const struct ogate_reference_info *info)
{
	int n = info->length - 2 * OGATE_NE;
	struct ogate_frame *dst = new_frame(OGATE_PIX_U8, W, H);

	assert_int_equal(n, (int)floor(info->period_frames) + 1);
	for (int i = 0; i < n; i++) {
		struct ogate_frame *want = make_frame(info->first_seq + (uint64_t)i);
		double phase = -1;

		assert_int_equal(ogate_sync_get_reference_frame(s, i, dst, &phase), 0);
		assert_int_equal(ogate_frame_get_meta(dst)->sequence, info->first_seq + (uint64_t)i);
		assert_int_equal(ogate_frame_get_meta(dst)->timestamp_ns,
				 T0_NS + (int64_t)(info->first_seq + (uint64_t)i) * FPS_NS);
		assert_int_equal(ogate_frame_get_meta(dst)->exposure_ns, 2000000);
		assert_true(same_pixels(dst, want));
		/* evenly spaced frames: frame i sits i frames into the period */
		assert_true(fabs(phase - 2 * M_PI * i / info->period_frames) < 1e-9);
		ogate_frame_free(want);
	}
	ogate_frame_free(dst);
}

static void reference_frames_are_the_stored_frames_with_their_phases(void **state)
{
	struct ogate_settings set;
	struct ogate_reference_info info, after;
	struct ogate_frame *dst = new_frame(OGATE_PIX_U8, W, H),
			   *small = new_frame(OGATE_PIX_U8, W / 2, H),
			   *wide = new_frame(OGATE_PIX_U16, W, H);
	struct ogate_sync *s;
	double phase;
	int n;

	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	assert_int_equal(0, ogate_sync_new(&s, &set));
	assert_non_null(s);
	assert_int_equal(ogate_sync_get_reference_frame(s, 0, dst, &phase), -ENOENT);
	feed(s, 0, 240);
	assert_int_equal(ogate_sync_get_reference(s, &info), 0);
	assert_true(fabs(info.period_frames - 32.8) < 0.3);
	check_frames(s, &info);

	n = info.length - 2 * OGATE_NE;
	assert_int_equal(ogate_sync_get_reference_frame(s, n, dst, &phase), -ERANGE);
	assert_int_equal(ogate_sync_get_reference_frame(s, -1, dst, &phase), -ERANGE);
	assert_int_equal(ogate_sync_get_reference_frame(s, 0, small, &phase), -EINVAL);
	assert_int_equal(ogate_sync_get_reference_frame(s, 0, wide, &phase), -EINVAL);
	assert_int_equal(ogate_sync_get_reference_frame(s, n - 1, NULL, NULL), 0);

	/* the phase of frame k, as a target, is frame k of the reference */
	for (int k = 0; k < n; k += 5) {
		assert_int_equal(ogate_sync_get_reference_frame(s, k, NULL, &phase), 0);
		assert_int_equal(ogate_sync_set_target_phase(s, phase), 0);
		assert_int_equal(ogate_sync_get_reference(s, &after), 0);
		assert_true(fabs(after.target_u - k) < 1e-9);
		assert_true(fabs(after.target_phase - phase) < 1e-9);
		assert_int_equal(after.id, info.id); /* a target is not a new reference */
	}

	/* a refresh: a new id, and the frames are the new reference's */
	assert_int_equal(ogate_sync_refresh(s), 0);
	for (uint64_t k = 240; k < 1200; k += 40) {
		feed(s, k, k + 40);
		assert_int_equal(ogate_sync_get_reference(s, &after), 0);
		if (after.id != info.id)
			break;
	}
	assert_int_equal(after.id, info.id + 1);
	assert_true(after.first_seq > info.first_seq + 100);
	check_frames(s, &after);

	ogate_frame_free(dst);
	ogate_frame_free(small);
	ogate_frame_free(wide);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_frames_are_the_stored_frames_with_their_phases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
