// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The shared-memory frame ring (userspace/shm): one thread, every rule of the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ogate-shm.h"

#define W 16
#define H 8

static void fill(uint8_t *px, size_t n, uint8_t v)
{
	memset(px, v, n);
}

static struct ogate_shm_meta meta_of(uint64_t seq)
{
	return (struct ogate_shm_meta){ .sequence = seq,
					.timestamp_ns = (int64_t)seq * 1000,
					.phase = 0.5,
					.state = OGATE_SHM_STATE_LOCKED,
					.width = W,
					.height = H,
					.bytes_per_pixel = 1,
					.exposure_ns = 777 };
}

/* A ring that must be made: the test stops here if it is not. */
static struct ogate_shm_writer *writer(const char *name, unsigned int slots, size_t max,
				       unsigned int mode)
{
	struct ogate_shm_writer *w = NULL;

	assert_int_equal(0, ogate_shm_writer_new(&w, name, slots, max, mode));
	return w;
}

static struct ogate_shm_reader *attach(const struct ogate_shm_writer *w)
{
	struct ogate_shm_reader *r = NULL;

	assert_int_equal(0, ogate_shm_reader_attach(&r, w));
	return r;
}

static void test_frames_come_back_in_order_with_their_metadata(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 4, W * H, 0600);
	struct ogate_shm_reader *r;
	struct ogate_shm_meta m = meta_of(5), got;
	uint8_t px[W * H], buf[W * H];
	uint64_t lost = 99;

	assert_non_null(w);
	r = attach(w);
	assert_int_equal(ogate_shm_reader_next(r, &got, buf, sizeof(buf), &lost), -EAGAIN);
	for (int i = 0; i < 3; i++) {
		m = meta_of(5 + i);
		fill(px, sizeof(px), (uint8_t)(40 + i));
		assert_int_equal(ogate_shm_write(w, &m, px, W), 0);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ogate_shm_reader_next(r, &got, buf, sizeof(buf), &lost), 0);
		assert_int_equal(lost, 0);
		assert_int_equal(got.sequence, 5 + i);
		assert_int_equal(got.timestamp_ns, (5 + i) * 1000);
		assert_int_equal(got.exposure_ns, 777);
		assert_int_equal(got.state, OGATE_SHM_STATE_LOCKED);
		assert_true(got.phase == 0.5);
		assert_int_equal(buf[0], 40 + i);
		assert_int_equal(buf[W * H - 1], 40 + i);
	}
	assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), -EAGAIN);
	assert_int_equal(ogate_shm_writer_count(w), 3);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

static void test_a_lapped_reader_is_told_how_many_it_lost(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 4, W * H, 0600);
	struct ogate_shm_reader *r = attach(w);
	struct ogate_shm_meta m, got;
	uint8_t px[W * H] = { 0 };
	uint64_t lost = 0, total = 0, last = 0;
	int n = 0;

	for (int i = 0; i < 10; i++) {
		m = meta_of((uint64_t)i);
		assert_int_equal(ogate_shm_write(w, &m, px, W), 0);
	}
	while (ogate_shm_reader_next(r, &got, NULL, 0, &lost) == 0) {
		total += lost;
		last = got.sequence;
		n++;
	}
	/* 10 written into 4 slots: the newest 3 are kept (one slot of margin) */
	assert_int_equal(last, 9);
	assert_int_equal(n, 3);
	assert_int_equal(total, 7);
	assert_int_equal(ogate_shm_reader_lost(r), 7);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

static void test_seek_latest_skips_to_the_newest_frame(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 8, W * H, 0600);
	struct ogate_shm_reader *r = attach(w);
	struct ogate_shm_meta m, got;
	uint8_t px[W * H] = { 0 };

	for (int i = 0; i < 5; i++) {
		m = meta_of((uint64_t)i);
		ogate_shm_write(w, &m, px, W);
	}
	ogate_shm_reader_seek_latest(r);
	assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), 0);
	assert_int_equal(got.sequence, 4);
	assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), -EAGAIN);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

static void test_latest_reads_the_newest_frame_without_moving_the_reader(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 8, W * H, 0600);
	struct ogate_shm_reader *r = attach(w);
	struct ogate_shm_meta m, got;
	uint8_t px[W * H], buf[W * H];

	assert_int_equal(ogate_shm_reader_latest(r, &got, buf, sizeof(buf)), -EAGAIN);
	for (int i = 0; i < 5; i++) {
		m = meta_of((uint64_t)i);
		fill(px, sizeof(px), (uint8_t)(60 + i));
		ogate_shm_write(w, &m, px, W);
	}
	assert_int_equal(ogate_shm_reader_latest(r, &got, buf, sizeof(buf)), 0);
	assert_int_equal(got.sequence, 4);
	assert_int_equal(buf[0], 64);
	assert_int_equal(buf[W * H - 1], 64);
	assert_int_equal(ogate_shm_reader_latest(r, &got, buf, W * H - 1), -ENOBUFS);
	assert_int_equal(ogate_shm_reader_latest(r, &got, NULL, 0), 0);
	assert_int_equal(got.sequence, 4);
	/* the reader's position is where it was: every frame still comes in order */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), 0);
		assert_int_equal(got.sequence, i);
	}
	assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), -EAGAIN);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

/* sizes that are no multiple of a line (the streaming stores' tail) come back exactly */
static void test_odd_sized_frames_come_back_byte_for_byte(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 4, 200, 0600);
	struct ogate_shm_reader *r = attach(w);
	uint8_t px[200], buf[200];
	struct ogate_shm_meta got;

	for (uint32_t side = 1; side <= 14; side++) {
		struct ogate_shm_meta m = { .sequence = side,
					    .width = side,
					    .height = side,
					    .bytes_per_pixel = 1 };

		for (uint32_t i = 0; i < side * side; i++)
			px[i] = (uint8_t)(i * 7 + side);
		memset(buf, 0, sizeof(buf));
		assert_int_equal(ogate_shm_write(w, &m, px, side), 0);
		assert_int_equal(ogate_shm_reader_next(r, &got, buf, sizeof(buf), NULL), 0);
		assert_int_equal(got.sequence, side);
		assert_memory_equal(buf, px, side * side);
	}
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

static void test_oversized_frames_are_refused_and_counted(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 4, W * H - 1, 0600);
	struct ogate_shm_meta m = meta_of(1);
	uint8_t px[W * H] = { 0 };

	assert_int_equal(ogate_shm_write(w, &m, px, W), -E2BIG);
	assert_int_equal(ogate_shm_writer_too_big(w), 1);
	assert_int_equal(ogate_shm_writer_count(w), 0);
	ogate_shm_writer_free(w);
}

static void test_strided_16bit_frames_are_packed(void **state)
{
	struct ogate_shm_writer *w = writer(NULL, 4, 3 * 2 * 2, 0600);
	struct ogate_shm_reader *r = attach(w);
	struct ogate_shm_meta m = { .width = 3, .height = 2, .bytes_per_pixel = 2 }, got;
	uint16_t src[2][8] = { { 1, 2, 3, 0xdead }, { 4, 5, 6, 0xbeef } }, out[6];
	uint8_t small[4];

	assert_int_equal(ogate_shm_write(w, &m, src, sizeof(src[0])), 0);
	assert_int_equal(ogate_shm_write(w, &m, src, sizeof(src[0])), 0);
	assert_int_equal(ogate_shm_reader_next(r, &got, out, sizeof(out), NULL), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(out[i], i + 1);
	/* a buffer too small: the metadata, -ENOBUFS, and the frame is consumed */
	assert_int_equal(ogate_shm_reader_next(r, &got, small, sizeof(small), NULL), -ENOBUFS);
	assert_int_equal(got.width, 3);
	assert_int_equal(ogate_shm_reader_next(r, &got, NULL, 0, NULL), -EAGAIN);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
}

static void test_a_named_ring_is_readable_by_name_and_removed_on_free(void **state)
{
	char name[64];
	struct ogate_shm_writer *w;
	struct ogate_shm_reader *r;
	struct ogate_shm_meta m = meta_of(42), got;
	uint8_t px[W * H], buf[W * H];

	snprintf(name, sizeof(name), "ogate-test-%d", (int)getpid());
	w = writer(name, 4, W * H, 0644);
	assert_string_equal(ogate_shm_writer_name(w), name);
	assert_int_equal(0, ogate_shm_reader_open(&r, name));
	assert_int_equal(ogate_shm_reader_slots(r), 4);
	assert_int_equal(ogate_shm_reader_max_frame_bytes(r), W * H);
	fill(px, sizeof(px), 9);
	ogate_shm_write(w, &m, px, W);
	assert_int_equal(ogate_shm_reader_next(r, &got, buf, sizeof(buf), NULL), 0);
	assert_int_equal(got.sequence, 42);
	assert_int_equal(buf[3], 9);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
	r = NULL;
	assert_int_equal(-ENOENT, ogate_shm_reader_open(&r, name));
	assert_null(r); /* *out is set only on success */
}

static void test_a_live_writers_ring_is_not_taken_over_but_a_dead_ones_is(void **state)
{
	char name[64], path[80];
	int fd;
	struct ogate_shm_writer *w, *w2 = NULL;
	uint8_t hdr[64];
	uint32_t pid = 1; /* init: always alive */

	snprintf(name, sizeof(name), "ogate-test-live-%d", (int)getpid());
	snprintf(path, sizeof(path), "/%s", name);
	w = writer(name, 4, 64, 0600);
	/* a ring of another live process (pid 1) */
	fd = shm_open(path, O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	assert_int_equal(pwrite(fd, &pid, 4, 48), 4);
	assert_int_equal(-EBUSY, ogate_shm_writer_new(&w2, name, 4, 64, 0600));
	/* a writer that is gone (no such pid) */
	pid = 0x7ffffff0;
	assert_int_equal(pwrite(fd, &pid, 4, 48), 4);
	close(fd);
	assert_int_equal(0, ogate_shm_writer_new(&w2, name, 4, 64, 0600));
	ogate_shm_writer_free(w2);
	ogate_shm_writer_free(w); /* its file was replaced and is gone: harmless */
	assert_int_equal(shm_unlink(path), -1);
}

static void test_a_file_that_is_not_a_ring_is_refused(void **state)
{
	char name[64], path[80];
	struct ogate_shm_reader *r = NULL;
	int fd;

	snprintf(name, sizeof(name), "ogate-test-junk-%d", (int)getpid());
	snprintf(path, sizeof(path), "/%s", name);
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	close(fd);
	assert_int_equal(-EPROTO, ogate_shm_reader_open(&r, name));
	shm_unlink(path);
	assert_int_equal(-EINVAL, ogate_shm_reader_open(&r, "a/b"));
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_come_back_in_order_with_their_metadata),
		cmocka_unit_test(test_a_lapped_reader_is_told_how_many_it_lost),
		cmocka_unit_test(test_seek_latest_skips_to_the_newest_frame),
		cmocka_unit_test(test_latest_reads_the_newest_frame_without_moving_the_reader),
		cmocka_unit_test(test_odd_sized_frames_come_back_byte_for_byte),
		cmocka_unit_test(test_oversized_frames_are_refused_and_counted),
		cmocka_unit_test(test_strided_16bit_frames_are_packed),
		cmocka_unit_test(test_a_named_ring_is_readable_by_name_and_removed_on_free),
		cmocka_unit_test(test_a_live_writers_ring_is_not_taken_over_but_a_dead_ones_is),
		cmocka_unit_test(test_a_file_that_is_not_a_ring_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
