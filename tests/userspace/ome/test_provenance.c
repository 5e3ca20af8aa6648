// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Provenance pairs and provenance.txt. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ogate/provenance.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void pairs_keep_insertion_order_and_replace_in_place(void **state)
{
	struct ogate_provenance *p = NULL;
	const struct ogate_ome_pair *kv;

	assert_int_equal(0, ogate_provenance_new(&p));
	assert_int_equal(ogate_provenance_set(p, "b.key", "%d", 1), 0);
	assert_int_equal(ogate_provenance_set(p, "a.key", "%s", "x"), 0);
	assert_int_equal(ogate_provenance_set(p, "b.key", "%d", 2), 0);
	assert_int_equal(ogate_provenance_count(p), 2);
	kv = ogate_provenance_pairs(p);
	assert_string_equal(kv[0].key, "b.key");
	assert_string_equal(kv[0].value, "2");
	assert_string_equal(kv[1].key, "a.key");
	assert_string_equal(ogate_provenance_get(p, "a.key"), "x");
	assert_null(ogate_provenance_get(p, "missing"));
	ogate_provenance_free(p);
}

static void bad_keys_are_refused(void **state)
{
	struct ogate_provenance *p = NULL;
	char longkey[200];

	assert_int_equal(0, ogate_provenance_new(&p));
	assert_int_equal(ogate_provenance_set(p, "", "x"), -EINVAL);
	assert_int_equal(ogate_provenance_set(p, "has space", "x"), -EINVAL);
	assert_int_equal(ogate_provenance_set(p, "has=equals", "x"), -EINVAL);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(ogate_provenance_set(p, longkey, "x"), -EINVAL);
	assert_int_equal(ogate_provenance_count(p), 0);
	ogate_provenance_free(p);
}

static void values_stay_on_one_line_in_the_file(void **state)
{
	struct ogate_provenance *p = NULL;
	char *text;

	assert_int_equal(0, ogate_provenance_new(&p));
	assert_int_equal(ogate_provenance_set(p, "path", "%s",
					      "a\\b\nc\rd\x01"
					      "e=f"),
			 0);
	text = ogate_provenance_text(p);
	assert_non_null(strstr(text, "\npath=a\\\\b\\nc\\rd\\x01e=f\n"));
	free(text);
	ogate_provenance_free(p);
}

static void build_identity_is_recorded(void **state)
{
	struct ogate_provenance *p = NULL;

	assert_int_equal(0, ogate_provenance_new(&p));
	assert_int_equal(ogate_provenance_set_build(p), 0);
	assert_string_equal(ogate_provenance_get(p, "ogate.version"), ogate_version());
	assert_true(strlen(ogate_build_id()) > 0);
	assert_string_equal(ogate_provenance_get(p, "ogate.build"), ogate_build_id());
	ogate_provenance_free(p);
}

static void file_is_written_whole_in_the_run_directory(void **state)
{
	struct ogate_provenance *p = NULL, *d = NULL;
	char dir[] = "/tmp/ogate-prov-XXXXXX", path[128], err[256];
	char *text;
	DIR *dh;
	struct dirent *de;
	int files = 0;

	assert_int_equal(0, ogate_provenance_new(&p));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ogate_provenance_set(p, "camera.model", "imx296"), 0);
	assert_int_equal(ogate_provenance_set(p, "config.stage.driver", "asi"), 0);
	assert_int_equal(0, ogate_provenance_dup(&d, p));
	assert_non_null(d);
	assert_int_equal(ogate_provenance_write(d, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/provenance.txt", dir);
	text = slurp(path);
	assert_string_equal(text, "# ogate provenance (key=value; \\n \\\\ \\xNN escapes in values)\n"
				  "camera.model=imx296\nconfig.stage.driver=asi\n");
	free(text);
	/* no temporary file is left behind */
	dh = opendir(dir);
	while ((de = readdir(dh)))
		if (de->d_name[0] != '.')
			files++;
	closedir(dh);
	assert_int_equal(files, 1);
	unlink(path);
	rmdir(dir);
	assert_int_equal(ogate_provenance_write(d, "/nonexistent-dir", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent-dir/provenance.txt"));
	ogate_provenance_free(d);
	ogate_provenance_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pairs_keep_insertion_order_and_replace_in_place),
		cmocka_unit_test(bad_keys_are_refused),
		cmocka_unit_test(values_stay_on_one_line_in_the_file),
		cmocka_unit_test(build_identity_is_recorded),
		cmocka_unit_test(file_is_written_whole_in_the_run_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
