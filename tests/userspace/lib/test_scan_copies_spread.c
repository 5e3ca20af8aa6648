// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The registered scan row's quarter-pixel copies of the newest frame (sync_scanreg.c,
 * s->rfrac): up to 16 frames, made when first used, in the first registered row. At 512^2 that
 * determining frame took 3.3-4.7 ms of CPU (1106 minor page faults: 4 MB of copies mapped and
 * populated, frame.c) against ~1.5 ms for the registered rows after it (analysis_bench --drift
 * 512 5, frame 161). They are now made while the buffered frames are blurred, up to a 512^2
 * frame's worth of pixels a frame. The stream is analysis_bench's drifting heart (--drift 512 5:
 * the cartoon beating every 0.4 s at 80 fps, drifting 1.2 px a beat, pixel noise of sd 4) at
 * 256^2, which locks only once the scan registers the drift (its rows use 14 of the 16 copies). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frame_private.h"
#include "heart.c"
#include "drift_scene.h"
#include "ogate/settings.h"
#include "ogate/sync.h"
#include "sync_private.h"

/* sync_scanreg.c's frames: pixels made within the current ogate_sync_process call */
static long made_px;

static int counted_frame_new(struct ogate_frame **out, enum ogate_pixfmt fmt, int width, int height)
{
	made_px += (long)width * height;
	return ogate_frame_new(out, fmt, width, height);
}

#define ogate_frame_new counted_frame_new
#include "sync_scanreg.c"
#undef ogate_frame_new

#define W 256
#define FPS 80.0
#define FRAMES 400

/* analysis_bench's sync_drift frames (bench_size, drift_times 5), rendered one at a time */
struct stream {
	struct ogate_heart_blob h;
	struct ogate_heart_rng rng;
	struct ogate_heart_law law;
	float img[W * W], sh[W * W];
};

static void render(struct stream *st, struct ogate_frame *f, int k)
{
	ogate_heart_blob_render(&st->h, fmod(ogate_heart_law_psi(&st->law, k / FPS), 2 * M_PI),
				st->img);
	ogate_heart_rigid_shift(st->img, st->sh, W, W, 5 * 0.006 * k, 5 * -0.0045 * k);
	for (int y = 0; y < W; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			double v = rint(st->sh[y * W + x] + 4 * ogate_heart_rng_normal(&st->rng));
			row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	f->meta.timestamp_ns = 1000000000LL + llround(k / FPS * 1e9);
	f->meta.sequence = (uint64_t)k;
}

/*
 * No determining frame makes more of sync_scanreg.c's frames than its blurred copies' budget
 * (the new frame and four 256^2 frames of the buffer) and one 512^2 frame's worth of the row's
 * copies: 9 frames of 256^2 at most (before: 16 in the first registered row, its 14 copies, the
 * new frame's blurred copy and the buffer's new slot). The drift is registered, all 16 copies are
 * made before the scan registers (two unused here: 128 KB), and the heart locks at its period.
 */
static void scan_copies_are_made_while_catching_up(void **state)
{
	(void)state;
	struct ogate_frame *f;
	struct ogate_sync *s = drift_scene_sync_new(W, &f);
	static struct stream st = { .law = { 0.4, 0, 0, 7, 0.7, FRAMES / FPS } };
	assert_int_equal(0, ogate_heart_blob_init(&st.h, W, W, 1));
	ogate_heart_rng_seed(&st.rng, 2);
	long most = 0;
	int most_at = -1, lock = -1, registered = -1;
	double period = -1;
	for (int k = 0; k < FRAMES && lock < 0; k++) {
		render(&st, f, k);
		made_px = 0;
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		if (made_px > most) {
			most = made_px;
			most_at = k;
		}
		if (registered < 0 && sync_scan_on(s))
			registered = k;
		struct ogate_reference_info info;
		if (r.established && ogate_sync_get_reference(s, &info) == 0) {
			lock = k;
			period = info.period_frames;
		}
	}
	int copies = 0;
	for (int q = 0; q < 16; q++)
		copies += s->rfrac[q] != NULL;
	fprintf(stderr,
		"registered from frame %d, lock at %d (%.3f frames); most frame pixels made in one "
		"frame %ld (%.1f frames of %d^2, frame %d); %d copies\n",
		registered, lock, period, most, (double)most / (W * W), W, most_at, copies);
	assert_true(most <= 2 * 262144 + (long)W * W);
	assert_true(registered > 0);
	assert_true(lock > registered);
	assert_true(fabs(period - 0.4 * FPS) < 0.5);
	assert_int_equal(16, copies);
	ogate_heart_blob_free(&st.h);
	ogate_frame_free(f);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_copies_are_made_while_catching_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
