// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Configuration checks of the libcamera source: every out-of-range field is
 * -EINVAL with a message naming the field and the value; zeros mean defaults.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lc_common.h"

static void expect_einval(const struct ogate_lc_config *c, const char *needle)
{
	assert_int_equal(ogate_lc_config_check(c), -EINVAL);
	if (!strstr(ogate_lc_last_error(), needle))
		fail_msg("message \"%s\" does not name \"%s\"", ogate_lc_last_error(), needle);
}

static void zero_config_means_camera_defaults(void **state)
{
	struct ogate_lc_config c = { 0 };

	assert_int_equal(ogate_lc_config_check(&c), 0);
}

static void full_valid_config_passes(void **state)
{
	struct ogate_lc_config c = {
		.width = 640,
		.height = 480,
		.format = OGATE_LC_FMT_YUV420,
		.frame_duration_us = 12500,
		.exposure_us = 10000,
		.analogue_gain = 2.5f,
		.roi = { 100, 50, 1280, 960 },
		.buffer_count = 6,
		.flags = OGATE_LC_HFLIP | OGATE_LC_ALLOW_ADJUST,
	};

	assert_int_equal(ogate_lc_config_check(&c), 0);
}

static void bad_size_is_einval_naming_the_size(void **state)
{
	struct ogate_lc_config c = { .width = 640 };

	expect_einval(&c, "640x0");
	c.height = 8;
	expect_einval(&c, "640x8");
	c.height = 480;
	c.width = 20000;
	expect_einval(&c, "20000x480");
	c.width = 16;
	c.height = 16384;
	assert_int_equal(ogate_lc_config_check(&c), 0);
}

static void bad_exposure_is_einval_naming_the_value(void **state)
{
	struct ogate_lc_config c = { .exposure_us = -5 };

	expect_einval(&c, "exposure_us=-5");
	c.exposure_us = 10000001;
	expect_einval(&c, "exposure_us=10000001");
	c.exposure_us = 20000;
	c.frame_duration_us = 10000; /* 100 fps cannot expose 20 ms */
	expect_einval(&c, "exposure_us=20000");
	c.exposure_us = 10000;
	assert_int_equal(ogate_lc_config_check(&c), 0);
}

static void bad_gain_is_einval_naming_the_value(void **state)
{
	struct ogate_lc_config c = { .analogue_gain = 0.5f };

	expect_einval(&c, "analogue_gain=0.5");
	c.analogue_gain = 65.0f;
	expect_einval(&c, "analogue_gain=65");
	c.analogue_gain = NAN;
	expect_einval(&c, "analogue_gain=nan");
	c.analogue_gain = -INFINITY;
	expect_einval(&c, "analogue_gain=-inf");
	c.analogue_gain = 1.0f;
	assert_int_equal(ogate_lc_config_check(&c), 0);
}

static void bad_frame_duration_roi_buffers_format_flags_are_einval(void **state)
{
	struct ogate_lc_config c = { .frame_duration_us = 50 };

	expect_einval(&c, "frame_duration_us=50");
	c.frame_duration_us = 0;
	c.roi = (struct ogate_lc_rect){ 0, 0, 100, 0 };
	expect_einval(&c, "roi=0,0 100x0");
	c.roi = (struct ogate_lc_rect){ -1, 0, 100, 100 };
	expect_einval(&c, "roi=-1,0");
	c.roi = (struct ogate_lc_rect){ 0 };
	c.buffer_count = 1;
	expect_einval(&c, "buffer_count=1");
	c.buffer_count = 17;
	expect_einval(&c, "buffer_count=17");
	c.buffer_count = 0;
	c.format = OGATE_LC_FMT_COUNT;
	expect_einval(&c, "format=");
	c.format = OGATE_LC_FMT_ANY;
	c.flags = 0x80;
	expect_einval(&c, "flags=0x80");
	c.flags = 0;
	assert_int_equal(ogate_lc_config_check(&c), 0);
	assert_int_equal(ogate_lc_config_check(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_config_means_camera_defaults),
		cmocka_unit_test(full_valid_config_passes),
		cmocka_unit_test(bad_size_is_einval_naming_the_size),
		cmocka_unit_test(bad_exposure_is_einval_naming_the_value),
		cmocka_unit_test(bad_gain_is_einval_naming_the_value),
		cmocka_unit_test(bad_frame_duration_roi_buffers_format_flags_are_einval),
	};

	return cmocka_run_group_tests_name("camera_config", tests, NULL, NULL);
}
