// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The OME-TIFF writer, checked by readers nobody here wrote: every file is
 * opened with python3-tifffile (tests/userspace/ome/check_ome.py: shape, axes,
 * sizes, physical sizes, plane positions, annotations, pixel values) and its
 * OME-XML is checked for well-formedness with xmllint. No OME schema is
 * packaged in Debian 12, so the XML is not validated against ome.xsd here.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ogate/ome.h"

#define CHECK "tests/userspace/ome/check_ome.py"

static char dir[64];

static int group_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ogate-ome-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[128];

	if (getenv("OGATE_KEEP_TEST_FILES")) { /* to look at the files by hand */
		fprintf(stderr, "# files kept in %s\n", dir);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run a shell command; its exit status (77: a tool is missing -> skip). */
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Debian's python3 (python3-tifffile); OGATE_PYTHON overrides. */
static const char *python(void)
{
	const char *py = getenv("OGATE_PYTHON");

	if (py && *py)
		return py;
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static void check(const char *file, const char *checks)
{
	char xml[256];
	int rc;

	snprintf(xml, sizeof(xml), "%s.xml", file);
	rc = run("%s " CHECK " '%s' %s --dump-xml '%s'", python(), file, checks, xml);
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
	rc = run("command -v xmllint >/dev/null || exit 77; xmllint --noout '%s'", xml);
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
}

static uint16_t pix16(uint32_t plane, uint32_t y, uint32_t x)
{
	return (uint16_t)(plane * 1000 + y * 7 + x);
}

static void fill16(uint16_t *buf, uint32_t w, uint32_t h, uint32_t plane)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			buf[y * w + x] = pix16(plane, y, x);
}

static const struct ogate_ome_pair prov[] = {
	{ "ogate.version", "0.1.0" },
	{ "config.stage.driver", "asi" },
	{ "camera.model", "imx296 <mono> & \"global\"" },
};

static void opts_48x64(struct ogate_ome_opts *o)
{
	ogate_ome_opts_init(o);
	o->width = 48;
	o->height = 64;
	o->bits = 16;
	o->pixel_size_x_um = 0.65;
	o->pixel_size_y_um = 0.65;
	o->step_z_um = 2.5;
	o->acquisition_wall_ns = 1796000000000000000LL;
	o->provenance = prov;
	o->n_provenance = 3;
	o->creator = "ogate 0.1.0";
}

static void zstack_opens_in_tifffile_as_z_stack_with_plane_metadata(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	uint16_t buf[48 * 64];
	char path[128], err[256];

	opts_48x64(&o);
	o.objective_magnification = 20;
	snprintf(path, sizeof(path), "%s/stack.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	for (uint32_t z = 0; z < 5; z++) {
		struct ogate_ome_plane p;

		ogate_ome_plane_init(&p);
		p.z = z;
		p.position_z_um = 100.0 + 2.5 * z;
		p.delta_t_s = 0.42 * z;
		p.exposure_s = 0.0015;
		assert_int_equal(ogate_ome_plane_kv(&p, "target_phase_rad", "%.6f", 1.5), 0);
		assert_int_equal(ogate_ome_plane_kv(&p, "trigger_mono_ns", "%u", 1000000u + z), 0);
		assert_int_equal(ogate_ome_plane_kv(&p, "reference_id", "%u", 7u), 0);
		fill16(buf, 48, 64, z);
		assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
	}
	assert_int_equal(ogate_ome_planes(w), 5);
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--shape 5,64,48 --axes ZYX --dtype uint16 --bigtiff no "
		    "--size Z=5,T=1,C=1,X=48,Y=64 --phys X=0.65,Y=0.65,Z=2.5 "
		    "--positions-z 100,102.5,105,107.5,110 "
		    "--plane-kv 0:0:target_phase_rad=1.500000 --plane-kv 3:0:trigger_mono_ns=1000003 "
		    "--plane-kv 4:0:reference_id=7 --prov ogate.version=0.1.0 "
		    "--prov 'camera.model=imx296 <mono> & \"global\"' "
		    "--pixel 0,0,0=0 --pixel 3,10,5=3075 --pixel 4,63,47=4488");
}

/*
 * Planes above 8 KiB: libtiff chops a single large strip when page 0 is
 * reopened to add the OME-XML, which made page 0 differ from the others
 * (tifffile: "incompatible keyframe"). Both the packed and the padded path.
 */
static void planes_above_8_kib_stay_alike_after_the_xml_is_added(void **state)
{
	static uint8_t buf[128 * 96];
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	char path[128], err[256];

	for (int i = 0; i < 128 * 96; i++)
		buf[i] = (uint8_t)(i % 251);
	for (int padded = 0; padded < 2; padded++) {
		opts_48x64(&o);
		o.width = 96;
		o.height = 96;
		o.bits = 8;
		snprintf(path, sizeof(path), "%s/big-planes-%d.ome.tif", dir, padded);
		assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
		for (uint32_t z = 0; z < 3; z++) {
			struct ogate_ome_plane p;

			ogate_ome_plane_init(&p);
			p.z = z;
			assert_int_equal(ogate_ome_write_plane_strided(w, &p, buf, padded ? 128 : 96),
					 0);
		}
		assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
		/* pixel (95, 95): packed 95*96+95 = 9215 % 251; padded 95*128+95 = 12255 % 251 */
		check(path, padded ? "--shape 3,96,96 --pixel 2,95,95=207 --pixel 0,1,0=128"
				   : "--shape 3,96,96 --pixel 2,95,95=179 --pixel 0,1,0=96");
	}
}

static void timelapse_has_t_and_z_axes(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	uint16_t buf[48 * 64];
	char path[128], err[256];
	uint32_t n = 0;

	opts_48x64(&o);
	o.planes_hint = 12;
	snprintf(path, sizeof(path), "%s/timelapse.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	for (uint32_t t = 0; t < 3; t++) {
		for (uint32_t z = 0; z < 4; z++) {
			struct ogate_ome_plane p;

			ogate_ome_plane_init(&p);
			p.z = z;
			p.t = t;
			p.position_z_um = 10.0 + z;
			p.delta_t_s = 600.0 * t + z;
			fill16(buf, 48, 64, n++);
			assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
		}
	}
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--shape 3,4,64,48 --axes TZYX --size Z=4,T=3,C=1 "
		    "--positions-z 10,11,12,13,10,11,12,13,10,11,12,13 "
		    "--pixel 5,1,1=5008 --pixel 11,0,0=11000");
}

static void planes_written_out_of_order_are_placed_by_z(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	uint16_t buf[48 * 64];
	char path[128], err[256];
	const uint32_t order[] = { 2, 0, 1 };

	opts_48x64(&o);
	snprintf(path, sizeof(path), "%s/scrambled.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		struct ogate_ome_plane p;

		ogate_ome_plane_init(&p);
		p.z = order[i];
		p.position_z_um = 5.0 * order[i];
		fill16(buf, 48, 64, order[i]); /* plane pattern follows z, not arrival */
		assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
	}
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--shape 3,64,48 --axes ZYX --positions-z 0,5,10 "
		    "--pixel 0,2,2=16 --pixel 1,2,2=1016 --pixel 2,2,2=2016");
}

static void bigtiff_when_asked_still_opens_as_ome(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	uint16_t buf[48 * 64];
	char path[128], err[256];

	opts_48x64(&o);
	o.bigtiff = 1;
	snprintf(path, sizeof(path), "%s/big.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	for (uint32_t z = 0; z < 2; z++) {
		struct ogate_ome_plane p;

		ogate_ome_plane_init(&p);
		p.z = z;
		fill16(buf, 48, 64, z);
		assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
	}
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--bigtiff yes --shape 2,64,48 --axes ZYX --pixel 1,1,1=1008");
}

static void bigtiff_is_chosen_when_the_expected_size_passes_3_gib(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	uint8_t buf[48 * 64] = { 0 };
	struct ogate_ome_plane p;
	char path[128], err[256];

	opts_48x64(&o);
	o.bits = 8;
	o.planes_hint = 2000000; /* 6.1 GB of 48x64 planes expected */
	snprintf(path, sizeof(path), "%s/auto-big.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	ogate_ome_plane_init(&p);
	assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--bigtiff yes --dtype uint8 --shape 64,48 --axes YX");
}

static void awkward_text_survives_escaping(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	struct ogate_ome_plane p;
	uint8_t buf[48 * 64] = { 0 };
	char path[128], err[256];
	const struct ogate_ome_pair odd[] = {
		{ "note", "a<b & c>d \"q\" 'a' 25\xC2\xB5m tab\there" },
	};

	opts_48x64(&o);
	o.bits = 8;
	o.provenance = odd;
	o.n_provenance = 1;
	o.description = "]]> <!-- not a comment --> &amp;";
	snprintf(path, sizeof(path), "%s/odd.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	ogate_ome_plane_init(&p);
	assert_int_equal(ogate_ome_plane_kv(&p, "state", "%s", "sync <locked>"), 0);
	assert_int_equal(ogate_ome_write_plane(w, &p, buf), 0);
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--prov 'note=a<b & c>d \"q\" '\\''a'\\'' 25\xC2\xB5m tab\there' "
		    "--plane-kv '0:0:state=sync <locked>'");
}

static void padded_rows_are_written_without_the_padding(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	struct ogate_ome_plane p;
	uint8_t buf[64 * 64]; /* 48 pixels per row, rows 64 bytes apart */
	char path[128], err[256];

	opts_48x64(&o);
	o.bits = 8;
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++)
			buf[y * 64 + x] = x < 48 ? (uint8_t)(y + x) : 0xEE;
	snprintf(path, sizeof(path), "%s/strided.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	ogate_ome_plane_init(&p);
	assert_int_equal(ogate_ome_write_plane_strided(w, &p, buf, 40), -EINVAL);
	assert_int_equal(ogate_ome_write_plane_strided(w, &p, buf, 64), 0);
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), 0);
	check(path, "--shape 64,48 --pixel 0,0,47=47 --pixel 0,63,47=110 --pixel 0,5,0=5");
}

static void close_without_planes_is_an_error(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	char path[128], err[256];

	opts_48x64(&o);
	snprintf(path, sizeof(path), "%s/empty.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), 0);
	assert_int_equal(ogate_ome_close(w, err, sizeof(err)), -ENODATA);
	assert_non_null(strstr(err, "no plane written"));
}

static void bad_geometry_is_refused(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	char path[128], err[256];

	opts_48x64(&o);
	o.bits = 12;
	snprintf(path, sizeof(path), "%s/bad.ome.tif", dir);
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), -EINVAL);
	assert_null(w);
	opts_48x64(&o);
	o.width = 0;
	assert_int_equal(ogate_ome_open(&w, path, &o, err, sizeof(err)), -EINVAL);
}

static void unwritable_path_names_the_file(void **state)
{
	struct ogate_ome_writer *w;
	struct ogate_ome_opts o;
	char err[256];

	opts_48x64(&o);
	assert_int_equal(ogate_ome_open(&w, "/nonexistent-dir/x.ome.tif", &o, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "/nonexistent-dir/x.ome.tif"));
}

static void plane_kv_rejects_overflow(void **state)
{
	struct ogate_ome_plane p;
	char longv[OGATE_OME_VAL_LEN + 8];

	ogate_ome_plane_init(&p);
	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(ogate_ome_plane_kv(&p, "k", "%s", longv), -EINVAL);
	assert_int_equal(ogate_ome_plane_kv(&p, "", "%d", 1), -EINVAL);
	for (int i = 0; i < OGATE_OME_KV_MAX; i++)
		assert_int_equal(ogate_ome_plane_kv(&p, "k", "%d", i), 0);
	assert_int_equal(ogate_ome_plane_kv(&p, "k", "%d", 99), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zstack_opens_in_tifffile_as_z_stack_with_plane_metadata),
		cmocka_unit_test(planes_above_8_kib_stay_alike_after_the_xml_is_added),
		cmocka_unit_test(timelapse_has_t_and_z_axes),
		cmocka_unit_test(planes_written_out_of_order_are_placed_by_z),
		cmocka_unit_test(bigtiff_when_asked_still_opens_as_ome),
		cmocka_unit_test(bigtiff_is_chosen_when_the_expected_size_passes_3_gib),
		cmocka_unit_test(awkward_text_survives_escaping),
		cmocka_unit_test(padded_rows_are_written_without_the_padding),
		cmocka_unit_test(close_without_planes_is_an_error),
		cmocka_unit_test(bad_geometry_is_refused),
		cmocka_unit_test(unwritable_path_names_the_file),
		cmocka_unit_test(plane_kv_rejects_overflow),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
