// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Drift estimation pinned by the reference's vectors on real frames of syn128_T042 (frame 51,
 * rolled by +2 rows and -1 column, against its best-matching reference frame, stream frame 18).
 * The frames come from the reference generator's stream, which is not part of the project: they
 * are read from the shared data set beside the tree (OGATE_SHARED, default ../shared, as in CI)
 * and the tests are reported skipped without it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
/* the pipeline's internals, compiled into this test (found through -Iuserspace/lib) */
#include "sync.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "ref_vectors.h"

#define NPY "/data/syn128_T042_first100.npy" /* uint8 100 x 128 x 128, C order */

static struct ogate_frame *ref18, *rolled51, *f51;
static int have_data;

/* Frames i of a .npy v1 uint8 stack (header length at bytes 8-9). */
static int read_npy_frame(FILE *f, int i, uint8_t *out)
{
	uint8_t head[10];
	if (fseek(f, 0, SEEK_SET) || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6))
		return -1;
	long off = 10 + (head[8] | head[9] << 8) + (long)i * 128 * 128;
	return fseek(f, off, SEEK_SET) || fread(out, 1, 128 * 128, f) != 128 * 128 ? -1 : 0;
}

static int load(void **state)
{
	static uint8_t buf[2][128 * 128], roll[128 * 128];
	const char *dir = getenv("OGATE_SHARED") ? getenv("OGATE_SHARED") : "../shared";
	char path[512];
	snprintf(path, sizeof(path), "%s%s", dir, NPY);
	FILE *f = fopen(path, "rb");
	if (!f || read_npy_frame(f, 18, buf[0]) || read_npy_frame(f, 51, buf[1])) {
		fprintf(stderr, "# %s not readable: tests that need it are skipped\n", path);
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	have_data = 1;
	for (int y = 0; y < 128; y++) /* np.roll(frame, (+2, -1), axis=(0, 1)) */
		for (int x = 0; x < 128; x++)
			roll[y * 128 + x] = buf[1][((y - 2 + 128) % 128) * 128 + (x + 1) % 128];
	ref18 = ogate_frame_wrap(OGATE_PIX_U8, 128, 128, 128, buf[0]);
	rolled51 = ogate_frame_wrap(OGATE_PIX_U8, 128, 128, 128, roll);
	f51 = ogate_frame_wrap(OGATE_PIX_U8, 128, 128, 128, buf[1]);
	return 0;
}

#define NEED_DATA() \
	do { \
		if (!have_data) \
			skip(); \
	} while (0)

static int unload(void **state)
{
	ogate_frame_free(ref18);
	ogate_frame_free(rolled51);
	ogate_frame_free(f51);
	return 0;
}

static struct ogate_sync *sync_with_ref(void)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = OGATE_PIX_U8;
	s->w = s->h = 128;
	s->L = 1;
	s->ref = (struct ogate_frame **)&ref18;
	return s;
}

static void bootstrap_search_matches_reference(void **state)
{
	NEED_DATA();
	struct ogate_sync *s = sync_with_ref();
	sync_drift_bootstrap(s, rolled51, 6);
	assert_int_equal(s->dx, -3);
	assert_int_equal(s->dy, 0);
	s->ref = NULL;
	ogate_sync_free(s);
}

/* one +-1 px update step from (dx, dy) against the best-matching reference frame */
static void step(struct ogate_sync *s, int *dx, int *dy)
{
	static const int order[3] = { 0, -1, 1 };
	int cand[9][2];
	double v[9];
	for (int a = 0; a < 3; a++)
		for (int c = 0; c < 3; c++) {
			cand[a * 3 + c][0] = *dx + order[a];
			cand[a * 3 + c][1] = *dy + order[c];
		}
	assert_int_equal(drift_scores(s, ref18, rolled51, cand, 9, v), 0);
	int bk = 0;
	for (int k = 1; k < 9; k++)
		if (v[k] < v[bk])
			bk = k;
	*dx = cand[bk][0];
	*dy = cand[bk][1];
}

static void one_pixel_updates_match_reference(void **state)
{
	NEED_DATA();
	struct ogate_sync *s = sync_with_ref();
	int dx = 0, dy = 0;
	step(s, &dx, &dy);
	assert_int_equal(dx, -1);
	assert_int_equal(dy, 1);
	dx = 1;
	dy = 0;
	step(s, &dx, &dy);
	assert_int_equal(dx, 0);
	assert_int_equal(dy, 1);
	/* and it converges to the true drift (-2, +1) */
	dx = dy = 0;
	for (int i = 0; i < 4; i++)
		step(s, &dx, &dy);
	assert_int_equal(dx, -2);
	assert_int_equal(dy, 1);
	s->ref = NULL;
	ogate_sync_free(s);
}

static void sad_on_real_frames_matches_reference_for_every_backend(void **state)
{
	NEED_DATA();
	/* frame 51 against reference frame 6 (stream frame 18) */
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (size_t k = 0; k < nb; k++) {
		uint64_t v;
		assert_int_equal(ogate_sad_frames(be[k], f51, ref18, &v), 0);
		assert_int_equal(v, (uint64_t)ipf_vectors[0].sads[6]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sad_on_real_frames_matches_reference_for_every_backend),
		cmocka_unit_test(bootstrap_search_matches_reference),
		cmocka_unit_test(one_pixel_updates_match_reference),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
