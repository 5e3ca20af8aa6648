// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The stack reader (userspace/common/stackio.c) trusts nothing in a file: sizes that wrap, frames
 * their strips cannot hold, cut-short files and shapes with extra axes are refused or read as said,
 * with the reason; and the CSV column reader behind --timestamps and --truth. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stackio.h"
#include "../../fuzz/crafted.h"

static char dir[64];
static unsigned char buf[1 << 16];

static const char *tmp(const char *name)
{
	static char p[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ogate-stackio-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* load path, expecting failure with -errno `code` and `want` in the message */
static void refused(const char *path, int code, const char *want)
{
	struct ogate_stack s;
	char err[512] = "";
	int rc = ogate_stack_load(path, &s, err, sizeof(err));
	if (rc == 0)
		ogate_stack_free(&s);
	if (rc != code || !strstr(err, want))
		fail_msg("%s: rc %d, message '%s', expected %d and one containing '%s'", path, rc,
			 err, code, want);
}

static void test_crafted_tiff_whose_frame_size_wraps_is_refused(void **state)
{
	/* 8 directories of 2^30 x 2^30 16-bit PackBits: n * h * w * 2 wraps size_t to 0 */
	size_t n = crafted_tiff(buf, sizeof(buf), 8, 1u << 30, 1u << 30, 16, 32773, 1024);
	assert_true(n > 0 && n < 2048);
	assert_int_equal(crafted_write(tmp("wrap.tif"), buf, n), 0);
	refused(tmp("wrap.tif"), -EFBIG, "memory bound");
}

static void test_tiff_frame_larger_than_its_strips_can_decode_is_refused(void **state)
{
	/* 2048 x 2048 16-bit (8 MiB) from 64 bytes of PackBits (at most 4 KiB) */
	size_t n = crafted_tiff(buf, sizeof(buf), 2, 2048, 2048, 16, 32773, 64);
	assert_int_equal(crafted_write(tmp("big.tif"), buf, n), 0);
	refused(tmp("big.tif"), -EINVAL, "cannot come from 64 bytes");
}

static void test_crafted_tiff_that_fits_loads(void **state)
{
	/* 3 frames of 64 x 32 8-bit PackBits zeros from one 64-byte strip (32 runs of 64) */
	size_t n = crafted_tiff(buf, sizeof(buf), 3, 64, 32, 8, 32773, 64);
	assert_int_equal(crafted_write(tmp("ok.tif"), buf, n), 0);
	struct ogate_stack s;
	char err[256] = "";
	assert_int_equal(ogate_stack_load(tmp("ok.tif"), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.h, 32);
	assert_int_equal(s.w, 64);
	assert_int_equal(((unsigned char *)s.data)[3 * 64 * 32 - 1], 0);
	ogate_stack_free(&s);
}

static void make_stack(struct ogate_stack *s, int n, int h, int w, int bytes)
{
	memset(s, 0, sizeof(*s));
	s->n = n, s->h = h, s->w = w, s->bytes = bytes;
	s->data = malloc((size_t)n * h * w * bytes);
	assert_non_null(s->data);
	for (size_t i = 0; i < (size_t)n * h * w * bytes; i++)
		((unsigned char *)s->data)[i] = (unsigned char)(i * 7 + i / 251);
}

static void test_tiff_round_trip_8_and_16_bit_plain_and_deflate(void **state)
{
	for (int bytes = 1; bytes <= 2; bytes++)
		for (int deflate = 0; deflate <= 1; deflate++) {
			struct ogate_stack a, b;
			char err[256] = "";
			make_stack(&a, 4, 13, 17, bytes);
			assert_int_equal(ogate_stack_save_tiff(tmp("rt.tif"), &a, deflate, err,
							       sizeof(err)),
					 0);
			assert_int_equal(ogate_stack_load(tmp("rt.tif"), &b, err, sizeof(err)), 0);
			assert_int_equal(b.n, 4);
			assert_int_equal(b.bytes, bytes);
			assert_memory_equal(a.data, b.data, (size_t)4 * 13 * 17 * bytes);
			assert_string_equal(b.note, "");
			ogate_stack_free(&a);
			ogate_stack_free(&b);
		}
}

static void truncate_copy(const char *from, const char *to, long keep)
{
	FILE *f = fopen(from, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true((long)n > keep);
	assert_int_equal(crafted_write(to, buf, (size_t)keep), 0);
}

static void test_tiff_cut_short_says_truncated(void **state)
{
	struct ogate_stack a;
	char err[256];
	make_stack(&a, 6, 20, 20, 1);
	assert_int_equal(ogate_stack_save_tiff(tmp("full.tif"), &a, 0, err, sizeof(err)), 0);
	ogate_stack_free(&a);
	struct stat sb;
	assert_int_equal(stat(tmp("full.tif"), &sb), 0);
	/* the last directory loses its link to the next one: libtiff alone reads 6 good frames */
	truncate_copy(tmp("full.tif"), tmp("cut4.tif"), sb.st_size - 4);
	refused(tmp("cut4.tif"), -EINVAL, "truncated");
	/* cut in the middle: the link after some frame points past the end */
	truncate_copy(tmp("full.tif"), tmp("half.tif"), sb.st_size / 2);
	refused(tmp("half.tif"), -EINVAL, "truncated");
}

static void test_open_errors_keep_the_reason(void **state)
{
	refused(tmp("missing.tif"), -ENOENT, "No such file or directory");
	refused(tmp("missing.npy"), -ENOENT, "No such file or directory");
	assert_int_equal(mkdir(tmp("d.tif"), 0700), 0);
	refused(tmp("d.tif"), -EISDIR, "Is a directory");
	assert_int_equal(crafted_write(tmp("text.tif"), (const unsigned char *)"hello, world\n", 13),
			 0);
	refused(tmp("text.tif"), -EINVAL, "not a readable TIFF file: ");
	if (geteuid() == 0)
		return; /* root reads anything: the permission case needs a user */
	assert_int_equal(crafted_write(tmp("locked.tif"), buf, 16), 0);
	assert_int_equal(chmod(tmp("locked.tif"), 0), 0);
	refused(tmp("locked.tif"), -EACCES, "Permission denied");
}

static void test_npy_shape_whose_size_wraps_is_refused(void **state)
{
	/* 2^30 * 2^30 * 16 bytes wraps to 0: it loaded "successfully" */
	size_t n = crafted_npy(
		buf, sizeof(buf),
		"{'descr': '|u1', 'fortran_order': False, 'shape': (1073741824, 1073741824, 16), }",
		0);
	assert_int_equal(crafted_write(tmp("wrap.npy"), buf, n), 0);
	refused(tmp("wrap.npy"), -EFBIG, "memory bound");
	n = crafted_npy(buf, sizeof(buf),
			"{'descr': '<u2', 'fortran_order': False, 'shape': (99999999999999999999, 2, 2), }",
			0);
	assert_int_equal(crafted_write(tmp("huge.npy"), buf, n), 0);
	refused(tmp("huge.npy"), -EINVAL, "no readable 'shape'");
}

static void test_npy_size_one_axes_are_dropped_and_said(void **state)
{
	static const char *const shapes[] = { "(10, 1, 3, 4)", "(10, 3, 4, 1)", "(1, 10, 3, 4)" };
	for (int k = 0; k < 3; k++) {
		char dict[160], name[32];
		snprintf(dict, sizeof(dict),
			 "{'descr': '|u1', 'fortran_order': False, 'shape': %s, }", shapes[k]);
		snprintf(name, sizeof(name), "4d%d.npy", k);
		size_t n = crafted_npy(buf, sizeof(buf), dict, 120);
		assert_int_equal(crafted_write(tmp(name), buf, n), 0);
		struct ogate_stack s;
		char err[256] = "";
		assert_int_equal(ogate_stack_load(tmp(name), &s, err, sizeof(err)), 0);
		assert_int_equal(s.n, 10);
		assert_int_equal(s.h, 3);
		assert_int_equal(s.w, 4);
		assert_non_null(strstr(s.note, shapes[k]));
		assert_non_null(strstr(s.note, "10 frames of 3 x 4"));
		ogate_stack_free(&s);
	}
}

static void test_npy_shape_with_more_than_three_real_axes_is_refused(void **state)
{
	size_t n = crafted_npy(buf, sizeof(buf),
			       "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 5), }",
			       120);
	assert_int_equal(crafted_write(tmp("4d.npy"), buf, n), 0);
	refused(tmp("4d.npy"), -EINVAL, "shape (2, 3, 4, 5) has 4 axes");
	n = crafted_npy(buf, sizeof(buf),
			"{'descr': '|u1', 'fortran_order': False, 'shape': (3, 4), }", 12);
	assert_int_equal(crafted_write(tmp("2d.npy"), buf, n), 0);
	refused(tmp("2d.npy"), -EINVAL, "shape (3, 4) has 2 axes");
}

static void test_npy_header_longer_than_the_file_is_refused(void **state)
{
	/* version 2: a 4-byte header length of ~4 GiB in a 64-byte file */
	memset(buf, ' ', 64);
	memcpy(buf, "\x93NUMPY\x02\x00\x00\xff\xff\xff", 12);
	assert_int_equal(crafted_write(tmp("hl.npy"), buf, 64), 0);
	refused(tmp("hl.npy"), -EINVAL, "truncated header");
}

static void test_npy_data_must_match_the_shape(void **state)
{
	const char *d = "{'descr': '|u1', 'fortran_order': False, 'shape': (10, 3, 4), }";
	size_t n = crafted_npy(buf, sizeof(buf), d, 12 * 2 + 5);
	assert_int_equal(crafted_write(tmp("short.npy"), buf, n), 0);
	refused(tmp("short.npy"), -EINVAL, "truncated at frame 2 of 10");
	n = crafted_npy(buf, sizeof(buf), d, 12 * 10 + 3);
	assert_int_equal(crafted_write(tmp("long.npy"), buf, n), 0);
	refused(tmp("long.npy"), -EINVAL, "3 bytes after the last frame");
}

static void test_npy_unsupported_dtype_is_named(void **state)
{
	size_t n = crafted_npy(buf, sizeof(buf),
			       "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", 16);
	assert_int_equal(crafted_write(tmp("f4.npy"), buf, n), 0);
	refused(tmp("f4.npy"), -EINVAL, "dtype '<f4' is not supported");
}

static void test_memory_bound_comes_from_the_environment(void **state)
{
	/* 3 frames of 512 x 512 16-bit: 1.5 MiB */
	size_t n = crafted_npy(buf, sizeof(buf),
			       "{'descr': '<u2', 'fortran_order': False, 'shape': (3, 512, 512), }",
			       0);
	FILE *f = fopen(tmp("mb.npy"), "wb");
	assert_non_null(f);
	fwrite(buf, 1, n, f);
	for (int i = 0; i < 3 * 512 * 512 * 2; i++)
		fputc(1, f);
	fclose(f);
	setenv("OGATE_STACK_MAX_MB", "1", 1);
	refused(tmp("mb.npy"), -EFBIG, "memory bound of 1 MiB");
	struct ogate_stack s;
	char err[256];
	setenv("OGATE_STACK_MAX_MB", "2", 1);
	assert_int_equal(ogate_stack_load(tmp("mb.npy"), &s, err, sizeof(err)), 0);
	ogate_stack_free(&s);
	unsetenv("OGATE_STACK_MAX_MB");
	assert_int_equal(ogate_stack_max_bytes(), (size_t)OGATE_STACK_MAX_MB_DEFAULT << 20);
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(crafted_write(path, (const unsigned char *)text, strlen(text)), 0);
}

static void test_csv_columns_by_header_name(void **state)
{
	static const char *const names[] = { "t_s", "psi_rad" };
	double *c[2];
	int n = -1;
	char err[256] = "";
	write_text(tmp("truth.csv"), "# made by hand\nframe,psi_rad,t_s\n0,0.5,0.0\n\n1,0.75,0.0125\n");
	assert_int_equal(ogate_stack_read_csv(tmp("truth.csv"), 2, names, c, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_true(c[0][1] == 0.0125 && c[1][0] == 0.5 && c[1][1] == 0.75);
	free(c[0]);
	free(c[1]);
	write_text(tmp("nohdr.csv"), "0,0.5,0.0\n1,0.75,0.0125\n");
	assert_int_equal(ogate_stack_read_csv(tmp("nohdr.csv"), 1, names, c, &n, err, sizeof(err)), 0);
	assert_true(n == 2 && c[0][1] == 0.0125); /* one column, no header: the last */
	free(c[0]);
	assert_int_equal(ogate_stack_read_csv(tmp("nohdr.csv"), 2, names, c, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no header line"));
}

static void test_csv_errors_name_line_and_column(void **state)
{
	static const char *const names[] = { "t_s", "psi_rad" };
	double *c[2];
	int n;
	char err[256] = "";
	write_text(tmp("bad.csv"), "t_s,psi_rad\n0,1\n0.1,x\n");
	assert_int_equal(ogate_stack_read_csv(tmp("bad.csv"), 2, names, c, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 3 (row 1): psi_rad is not a number"));
	write_text(tmp("nan.csv"), "t_s\n0\ninf\n");
	assert_int_equal(ogate_stack_read_csv(tmp("nan.csv"), 1, names, c, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 3"));
	write_text(tmp("col.csv"), "frame,t_s\n0,1\n");
	assert_int_equal(ogate_stack_read_csv(tmp("col.csv"), 2, names, c, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no column 'psi_rad'"));
	char *lng = malloc(6000);
	memset(lng, '1', 5998);
	lng[5998] = '\n', lng[5999] = 0;
	write_text(tmp("long.csv"), lng);
	free(lng);
	assert_int_equal(ogate_stack_read_csv(tmp("long.csv"), 1, names, c, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 1: longer than"));
	assert_int_equal(ogate_stack_read_csv(tmp("none.csv"), 1, names, c, &n, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	write_text(tmp("empty.csv"), "t_s\n");
	assert_int_equal(ogate_stack_read_csv(tmp("empty.csv"), 1, names, c, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(c[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted_tiff_whose_frame_size_wraps_is_refused),
		cmocka_unit_test(test_tiff_frame_larger_than_its_strips_can_decode_is_refused),
		cmocka_unit_test(test_crafted_tiff_that_fits_loads),
		cmocka_unit_test(test_tiff_round_trip_8_and_16_bit_plain_and_deflate),
		cmocka_unit_test(test_tiff_cut_short_says_truncated),
		cmocka_unit_test(test_open_errors_keep_the_reason),
		cmocka_unit_test(test_npy_shape_whose_size_wraps_is_refused),
		cmocka_unit_test(test_npy_size_one_axes_are_dropped_and_said),
		cmocka_unit_test(test_npy_shape_with_more_than_three_real_axes_is_refused),
		cmocka_unit_test(test_npy_header_longer_than_the_file_is_refused),
		cmocka_unit_test(test_npy_data_must_match_the_shape),
		cmocka_unit_test(test_npy_unsupported_dtype_is_named),
		cmocka_unit_test(test_memory_bound_comes_from_the_environment),
		cmocka_unit_test(test_csv_columns_by_header_name),
		cmocka_unit_test(test_csv_errors_name_line_and_column),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
