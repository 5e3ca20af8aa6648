// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The XML writer: escaping, structure, failure modes; output checked by xmllint. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ogate/xmlw.h"

static void escape_is(const char *in, int attr, const char *want)
{
	char out[256];

	ogate_xml_escape(out, sizeof(out), in, attr);
	assert_string_equal(out, want);
}

static void markup_characters_become_entities(void **state)
{
	escape_is("a<b>&\"'", 0, "a&lt;b&gt;&amp;&quot;&apos;");
	escape_is("]]>", 0, "]]&gt;");
}

static void non_ascii_becomes_character_references(void **state)
{
	escape_is("25\xC2\xB5m", 1, "25&#xB5;m");      /* µ, 2 bytes */
	escape_is("\xE2\x82\xAC", 0, "&#x20AC;");      /* €, 3 bytes */
	escape_is("\xF0\x9F\x90\x9F", 0, "&#x1F41F;"); /* fish, 4 bytes */
}

static void invalid_utf8_and_forbidden_controls_become_replacement(void **state)
{
	escape_is("a\xFF"
		  "b",
		  0, "a&#xFFFD;b");				  /* bad lead byte */
	escape_is("\xC3", 0, "&#xFFFD;");			  /* truncated */
	escape_is("\xC0\xAF", 0, "&#xFFFD;&#xFFFD;");		  /* overlong */
	escape_is("\xED\xA0\x80", 0, "&#xFFFD;&#xFFFD;&#xFFFD;"); /* surrogate */
	escape_is("x\x01y\x1Fz", 0, "x&#xFFFD;y&#xFFFD;z");
	escape_is("\xEF\xBF\xBE", 0, "&#xFFFD;"); /* U+FFFE */
}

static void whitespace_is_kept_in_text_and_referenced_in_attributes(void **state)
{
	escape_is("a\tb\nc\rd", 0, "a\tb\nc\rd");
	escape_is("a\tb\nc\rd", 1, "a&#x9;b&#xA;c&#xD;d");
}

static void escape_truncates_at_whole_references(void **state)
{
	char out[8];
	size_t need = ogate_xml_escape(out, sizeof(out), "ab&cd", 0);

	assert_int_equal(need, 9); /* "ab&amp;cd" */
	assert_string_equal(out, "ab&amp;");
	need = ogate_xml_escape(out, 5, "ab&cd", 0);
	assert_string_equal(out, "ab"); /* "&amp;" did not fit whole */
}

static int xmllint_ok(const char *xml)
{
	char path[] = "/tmp/ogate-xmlw-XXXXXX";
	char cmd[128];
	int fd = mkstemp(path), st;
	size_t len = strlen(xml);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "command -v xmllint >/dev/null || exit 77; xmllint --noout %s",
		 path);
	st = system(cmd);
	unlink(path);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (st == 77)
		skip();
	return st == 0;
}

static void document_is_well_formed_and_round_trips_text(void **state)
{
	struct ogate_xmlw w;
	char *xml;
	size_t len = 0;

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_declaration(&w);
	ogate_xmlw_start(&w, "Root");
	ogate_xmlw_attr(&w, "note", "\"quoted\" <tag> & 'apos'\nnext line");
	ogate_xmlw_attr_double(&w, "Skipped", 0.0 / 0.0);
	ogate_xmlw_attr_double(&w, "Size", 2.5);
	ogate_xmlw_attr_int(&w, "N", -42);
	ogate_xmlw_start(&w, "Empty");
	ogate_xmlw_end(&w);
	ogate_xmlw_element(&w, "Text", "]]> <!-- x --> \x01 25\xC2\xB5m");
	ogate_xmlw_end(&w);
	xml = ogate_xmlw_take(&w, &len);
	assert_non_null(xml);
	assert_int_equal(len, strlen(xml));
	assert_null(strstr(xml, "Skipped"));
	assert_non_null(strstr(xml, " Size=\"2.5\" N=\"-42\""));
	assert_non_null(strstr(xml, "<Empty/>"));
	assert_non_null(strstr(xml, "<Text>]]&gt; &lt;!-- x --&gt; &#xFFFD; 25&#xB5;m</Text>"));
	for (const char *p = xml; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_true(xmllint_ok(xml));
	free(xml);
}

static void bad_names_fail_the_writer(void **state)
{
	struct ogate_xmlw w;

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_start(&w, "1bad");
	assert_int_equal(ogate_xmlw_error(&w), -EINVAL);
	assert_null(ogate_xmlw_take(&w, NULL));

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_start(&w, "ok");
	ogate_xmlw_attr(&w, "a b", "v");
	ogate_xmlw_end(&w);
	assert_int_equal(ogate_xmlw_error(&w), -EINVAL);
	assert_null(ogate_xmlw_take(&w, NULL));
}

static void unbalanced_documents_are_refused(void **state)
{
	struct ogate_xmlw w;

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_start(&w, "open");
	assert_null(ogate_xmlw_take(&w, NULL)); /* still open */

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_end(&w); /* nothing to end */
	assert_int_equal(ogate_xmlw_error(&w), -EINVAL);
	ogate_xmlw_free(&w);

	ogate_xmlw_init(&w, 0);
	ogate_xmlw_start(&w, "a");
	ogate_xmlw_end(&w);
	ogate_xmlw_attr(&w, "late", "x"); /* attribute after the tag closed */
	assert_int_equal(ogate_xmlw_error(&w), -EINVAL);
	ogate_xmlw_free(&w);
}

static void fragments_nest_with_their_indentation(void **state)
{
	struct ogate_xmlw frag, doc;
	char *xml;

	ogate_xmlw_init(&frag, 1);
	ogate_xmlw_element(&frag, "Item", "x");
	ogate_xmlw_init(&doc, 0);
	ogate_xmlw_start(&doc, "List");
	ogate_xmlw_raw(&doc, frag.buf, frag.len);
	ogate_xmlw_end(&doc);
	xml = ogate_xmlw_take(&doc, NULL);
	assert_string_equal(xml, "<List>\n  <Item>x</Item>\n</List>\n");
	free(xml);
	ogate_xmlw_free(&frag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(markup_characters_become_entities),
		cmocka_unit_test(non_ascii_becomes_character_references),
		cmocka_unit_test(invalid_utf8_and_forbidden_controls_become_replacement),
		cmocka_unit_test(whitespace_is_kept_in_text_and_referenced_in_attributes),
		cmocka_unit_test(escape_truncates_at_whole_references),
		cmocka_unit_test(document_is_well_formed_and_round_trips_text),
		cmocka_unit_test(bad_names_fail_the_writer),
		cmocka_unit_test(unbalanced_documents_are_refused),
		cmocka_unit_test(fragments_nest_with_their_indentation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
