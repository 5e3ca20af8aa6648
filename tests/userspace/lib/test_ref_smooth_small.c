// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth = auto on small frames (reference.smooth_small_px, sync_smooth.c): a first
 * reference of that many pixels or fewer is smoothed without auto's tests (the change against the
 * noise, the repeat), where a fast heart's change stands far above the noise and the tests used
 * to match it as recorded; a refresh's reference keeps the tests (its job would hold frames that
 * the old reference gates). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

/* the defaults but reference.smooth_small_px = px (< 0: its default) */
static struct ogate_sync *sync_small(long px)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	if (px >= 0)
		set.smooth_small_px = (int)px;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	return s;
}

/* the fast heart (64^2, 0.4 s at 80 fps, noise 4, no drift): its per-frame phase sd and reference */
static double fast_heart(long px, struct ogate_reference_info *info)
{
	struct heartrun_spec spec = heartrun_fast_drifting(64, 1200);
	spec.vy = spec.vx = 0;
	struct heartrun *hr = heartrun_new(&spec);
	struct ogate_sync *sy = sync_small(px);
	double sd = heartrun_phase_sd(hr, sy, 1200, 300, 500);
	assert_int_equal(0, ogate_sync_get_reference(sy, info));
	ogate_sync_free(sy);
	heartrun_free(hr);
	return sd;
}

/* Its change_m is 32, six times the bound auto's test matched as recorded above (5.3): then
 * 0.048 frame per-frame sd; smoothed by default, 0.039 (the reference's frozen noise in its still
 * pixels, the same every beat, no longer in every SAD) */
static void a_small_fast_heart_is_smoothed_and_matched_closer(void **state)
{
	(void)state;
	struct ogate_reference_info small, tested;
	double sd_small = fast_heart(-1, &small), sd_tested = fast_heart(0, &tested);
	print_message("64^2 fast heart: smoothed %d, change_m %.1f, sd %.4f frame; with the tests: "
		      "smoothed %d, change_m %.1f, sd %.4f\n",
		      small.smoothed, small.change_m, sd_small, tested.smoothed, tested.change_m,
		      sd_tested);
	assert_int_equal(small.smoothed, 1);
	assert_true(isnan(small.repeat_z)); /* the repeat test not run */
	assert_true(small.change_m > 5.3);  /* read by the full look all the same */
	assert_int_equal(tested.smoothed, 0);
	assert_true(tested.change_m > 5.3);
	assert_true(sd_small < 0.043);
	assert_true(sd_tested > 0.045);
}

/* one pixel over the bound: auto's tests decide, as on every frame before */
static void frames_above_the_bound_keep_the_tests(void **state)
{
	(void)state;
	struct ogate_reference_info at, over;
	fast_heart(64 * 64, &at);
	fast_heart(64 * 64 - 1, &over);
	assert_int_equal(at.smoothed, 1);
	assert_int_equal(over.smoothed, 0);
	assert_true(over.change_m > 5.3 && isnan(over.repeat_z));
}

/* A refresh asked for at frame 600: the first reference is smoothed, the refresh's is decided by
 * auto's tests (matched as recorded) and no locked frame after the first reference's job goes
 * unphased: the old reference gates every frame until the switch */
static void a_refresh_keeps_the_tests_and_holds_no_frame(void **state)
{
	(void)state;
	struct heartrun_spec spec = heartrun_fast_drifting(64, 1200);
	spec.vy = spec.vx = 0;
	struct heartrun *hr = heartrun_new(&spec);
	struct ogate_sync *sy = sync_small(-1);
	struct ogate_reference_info info;
	int first_smoothed = -1, unphased_after = 0, refs = 0;
	for (int i = 0; i < 1200; i++) {
		struct ogate_sync_result r;
		heartrun_step(hr, sy, i, &r);
		refs += r.established;
		if (i == 300) {
			assert_int_equal(0, ogate_sync_get_reference(sy, &info));
			first_smoothed = info.smoothed;
		}
		if (i == 600)
			assert_int_equal(0, ogate_sync_refresh(sy));
		if (i > 300 && r.state == OGATE_SYNC_LOCKED && !r.has_phase)
			unphased_after++;
	}
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	print_message("first reference smoothed %d; reference %u smoothed %d, change_m %.1f; %d "
		      "locked frames unphased after frame 300\n",
		      first_smoothed, info.id, info.smoothed, info.change_m, unphased_after);
	assert_int_equal(first_smoothed, 1);
	assert_true(refs >= 2 && info.id >= 2);
	assert_int_equal(info.smoothed, 0);
	assert_int_equal(unphased_after, 0);
	ogate_sync_free(sy);
	heartrun_free(hr);
}

static void the_key_and_its_range(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(set.smooth_small_px, 32768);
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth_small_px", "0"));
	assert_int_equal(set.smooth_small_px, 0);
	assert_int_not_equal(0, ogate_settings_set(&set, "reference.smooth_small_px", "-1"));
	assert_int_equal(set.smooth_small_px, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_small_fast_heart_is_smoothed_and_matched_closer),
		cmocka_unit_test(frames_above_the_bound_keep_the_tests),
		cmocka_unit_test(a_refresh_keeps_the_tests_and_holds_no_frame),
		cmocka_unit_test(the_key_and_its_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
