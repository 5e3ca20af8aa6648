// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of every reply parser of the SMC100 and ASI drivers, and of the
 * shared strict number parser and reply escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "smc100.c"
#include "asi.c"

static void strict_double_accepts_plain_decimals(void **state)
{
	double v;

	assert_int_equal(stage_parse_double("1.25", &v), 0);
	assert_true(v == 1.25);
	assert_int_equal(stage_parse_double("-0.5", &v), 0);
	assert_true(v == -0.5);
	assert_int_equal(stage_parse_double("+3", &v), 0);
	assert_true(v == 3.0);
	assert_int_equal(stage_parse_double("1e-3", &v), 0);
	assert_true(v == 1e-3);
	assert_int_equal(stage_parse_double("12345", &v), 0);
	assert_true(v == 12345.0);
}

static void strict_double_rejects_anything_else(void **state)
{
	static const char *const bad[] = {
		"",    " 1",   "1 ",	"1.2x", "x1",  "0x10", "inf",
		"nan", "-inf", "1e999", "--1",	"1,5", "\t1",
	};
	double v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(stage_parse_double(bad[i], &v), -EPROTO);
		assert_true(v == 42);
	}
}

static void escape_shows_control_bytes_as_hex(void **state)
{
	char out[64];

	stage_escape(out, sizeof(out), "1T\x01\xff\"\\", 6);
	assert_string_equal(out, "1T\\x01\\xff\\\"\\\\");
	stage_escape(out, 6, "abcdefgh", 8);
	assert_string_equal(out, "abcde");
	stage_escape(out, 6, "\x01\x02", 2);
	assert_string_equal(out, "\\x01");
}

static void smc_reply_needs_exact_address_and_echo(void **state)
{
	const char *rest = NULL;

	assert_int_equal(smc_parse_reply("1TP1.5", 1, "TP", &rest), 0);
	assert_string_equal(rest, "1.5");
	assert_int_equal(smc_parse_reply("12TS000033", 12, "TS", &rest), 0);
	assert_string_equal(rest, "000033");
	assert_int_equal(smc_parse_reply("2TP1.5", 1, "TP", &rest), -EPROTO);
	assert_int_equal(smc_parse_reply("12TP1.5", 1, "TP", &rest), -EPROTO);
	assert_int_equal(smc_parse_reply("1TS000033", 1, "TP", &rest), -EPROTO);
	assert_int_equal(smc_parse_reply("TP1.5", 1, "TP", &rest), -EPROTO);
	assert_int_equal(smc_parse_reply("", 1, "TP", &rest), -EPROTO);
}

static void smc_ts_splits_error_flags_and_state(void **state)
{
	unsigned flags = 0, st = 0;

	assert_int_equal(smc_parse_ts("000033", &flags, &st), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(st, 0x33);
	assert_int_equal(smc_parse_ts("02200F", &flags, &st), 0);
	assert_int_equal(flags, 0x0220);
	assert_int_equal(st, 0x0F);
	assert_int_equal(smc_parse_ts("00001e", &flags, &st), 0);
	assert_int_equal(st, 0x1E);
}

static void smc_ts_rejects_wrong_length_and_non_hex(void **state)
{
	unsigned flags, st;

	assert_int_equal(smc_parse_ts("00033", &flags, &st), -EPROTO);
	assert_int_equal(smc_parse_ts("0000330", &flags, &st), -EPROTO);
	assert_int_equal(smc_parse_ts("00G033", &flags, &st), -EPROTO);
	assert_int_equal(smc_parse_ts(" 00033", &flags, &st), -EPROTO);
	assert_int_equal(smc_parse_ts("", &flags, &st), -EPROTO);
}

static void smc_every_state_code_has_a_class(void **state)
{
	const char *name;

	for (unsigned c = 0x0A; c <= 0x11; c++)
		assert_int_equal(smc_state_class(c, &name), SMC_NOTREF);
	assert_int_equal(smc_state_class(0x14, &name), SMC_CONFIG);
	assert_int_equal(smc_state_class(0x1E, &name), SMC_HOMING);
	assert_int_equal(smc_state_class(0x1F, &name), SMC_HOMING);
	assert_int_equal(smc_state_class(0x28, &name), SMC_MOVING);
	assert_string_equal(name, "MOVING");
	for (unsigned c = 0x32; c <= 0x35; c++)
		assert_int_equal(smc_state_class(c, &name), SMC_READY);
	for (unsigned c = 0x3C; c <= 0x3E; c++)
		assert_int_equal(smc_state_class(c, &name), SMC_DISABLE);
	assert_int_equal(smc_state_class(0x46, &name), SMC_JOGGING);
	assert_int_equal(smc_state_class(0x47, &name), SMC_JOGGING);
	/* everything else is unknown */
	for (unsigned c = 0; c < 0x100; c++) {
		bool known = (c >= 0x0A && c <= 0x11) || c == 0x14 || c == 0x1E || c == 0x1F ||
			     c == 0x28 || (c >= 0x32 && c <= 0x35) || (c >= 0x3C && c <= 0x3E) ||
			     c == 0x46 || c == 0x47;

		assert_int_equal(smc_state_class(c, NULL) != SMC_UNKNOWN, known);
	}
}

static void smc_error_flags_are_named(void **state)
{
	char buf[200];

	smc_flags_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	smc_flags_text(0x0020, buf, sizeof(buf));
	assert_string_equal(buf, "following error");
	smc_flags_text(0x0003, buf, sizeof(buf));
	assert_string_equal(buf, "negative end of run, positive end of run");
	smc_flags_text(0x8200, buf, sizeof(buf));
	assert_string_equal(buf, "80 W output power exceeded, bit 15");
	smc_flags_text(0xffff, buf, 20); /* truncation stays terminated */
	assert_true(strlen(buf) < 20);
}

static void smc_te_codes_decode_and_unknown_is_null(void **state)
{
	assert_string_equal(smc_te_text('@'), "no error");
	assert_string_equal(smc_te_text('C'), "parameter missing or out of range");
	assert_string_equal(smc_te_text('H'), "command not allowed in NOT REFERENCED state");
	for (char c = 'A'; c <= 'N'; c++)
		assert_non_null(smc_te_text(c));
	assert_null(smc_te_text('O'));
	assert_null(smc_te_text('Z'));
	assert_null(smc_te_text('a'));
	assert_null(smc_te_text('0'));
}

static void asi_ack_and_errors(void **state)
{
	int code = -1;

	assert_int_equal(asi_parse_ack(":A", &code), 0);
	assert_int_equal(asi_parse_ack(":A  ", &code), 0);
	assert_int_equal(asi_parse_ack(":N-4", &code), -EIO);
	assert_int_equal(code, 4);
	assert_int_equal(asi_parse_ack(":N-21", &code), -EIO);
	assert_int_equal(code, 21);
	assert_int_equal(asi_parse_ack(":A x", &code), -EPROTO);
	assert_int_equal(asi_parse_ack(":N-", &code), -EPROTO);
	assert_int_equal(asi_parse_ack(":N-4a", &code), -EPROTO);
	assert_int_equal(asi_parse_ack(":N4", &code), -EPROTO);
	assert_int_equal(asi_parse_ack("A", &code), -EPROTO);
	assert_int_equal(asi_parse_ack("", &code), -EPROTO);
	assert_int_equal(asi_parse_ack(":N-99999", &code), -EPROTO);
}

static void asi_error_codes_are_named(void **state)
{
	assert_string_equal(asi_error_text(1), "unknown command");
	assert_string_equal(asi_error_text(2), "unrecognized axis parameter");
	assert_string_equal(asi_error_text(4), "parameter out of range");
	assert_string_equal(asi_error_text(21), "serial command halted by the HALT command");
	assert_string_equal(asi_error_text(13), "unknown error code");
}

static void asi_where_reads_tenths_of_microns(void **state)
{
	double t = 0;
	int code = 0;

	assert_int_equal(asi_parse_where(":A 1234", &t, &code), 0);
	assert_true(t == 1234.0);
	assert_int_equal(asi_parse_where(":A -56.5 ", &t, &code), 0);
	assert_true(t == -56.5);
	assert_int_equal(asi_parse_where(":A   7", &t, &code), 0);
	assert_true(t == 7.0);
	assert_int_equal(asi_parse_where(":N-2", &t, &code), -EIO);
	assert_int_equal(code, 2);
	assert_int_equal(asi_parse_where(":A", &t, &code), -EPROTO);
	assert_int_equal(asi_parse_where(":A ", &t, &code), -EPROTO);
	assert_int_equal(asi_parse_where(":A 12 34", &t, &code), -EPROTO);
	assert_int_equal(asi_parse_where(":A 12x", &t, &code), -EPROTO);
	assert_int_equal(asi_parse_where("1234", &t, &code), -EPROTO);
	assert_int_equal(asi_parse_where(":A 1e999", &t, &code), -EPROTO);
}

static void asi_busy_is_one_letter(void **state)
{
	int code = 0;

	assert_int_equal(asi_parse_busy("B", &code), 1);
	assert_int_equal(asi_parse_busy("N", &code), 0);
	assert_int_equal(asi_parse_busy(":N-1", &code), -EIO);
	assert_int_equal(code, 1);
	assert_int_equal(asi_parse_busy("b", &code), -EPROTO);
	assert_int_equal(asi_parse_busy("BN", &code), -EPROTO);
	assert_int_equal(asi_parse_busy(":A", &code), -EPROTO);
	assert_int_equal(asi_parse_busy("", &code), -EPROTO);
}

static void asi_query_reads_letter_equals_integer(void **state)
{
	long v = -1;
	int code = 0;

	assert_int_equal(asi_parse_query(":A X=12", 'X', &v, &code), 0);
	assert_int_equal(v, 12);
	assert_int_equal(asi_parse_query(":A X=0 ", 'X', &v, &code), 0);
	assert_int_equal(v, 0);
	assert_int_equal(asi_parse_query(":AX=3", 'X', &v, &code), 0);
	assert_int_equal(v, 3);
	assert_int_equal(asi_parse_query(":N-1", 'X', &v, &code), -EIO);
	assert_int_equal(code, 1);
	assert_int_equal(asi_parse_query(":A Y=3", 'X', &v, &code), -EPROTO);
	assert_int_equal(asi_parse_query(":A X=", 'X', &v, &code), -EPROTO);
	assert_int_equal(asi_parse_query(":A X=-1", 'X', &v, &code), -EPROTO);
	assert_int_equal(asi_parse_query(":A X=3x", 'X', &v, &code), -EPROTO);
	assert_int_equal(asi_parse_query(":A", 'X', &v, &code), -EPROTO);
	assert_int_equal(asi_parse_query("X=3", 'X', &v, &code), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strict_double_accepts_plain_decimals),
		cmocka_unit_test(strict_double_rejects_anything_else),
		cmocka_unit_test(escape_shows_control_bytes_as_hex),
		cmocka_unit_test(smc_reply_needs_exact_address_and_echo),
		cmocka_unit_test(smc_ts_splits_error_flags_and_state),
		cmocka_unit_test(smc_ts_rejects_wrong_length_and_non_hex),
		cmocka_unit_test(smc_every_state_code_has_a_class),
		cmocka_unit_test(smc_error_flags_are_named),
		cmocka_unit_test(smc_te_codes_decode_and_unknown_is_null),
		cmocka_unit_test(asi_ack_and_errors),
		cmocka_unit_test(asi_error_codes_are_named),
		cmocka_unit_test(asi_where_reads_tenths_of_microns),
		cmocka_unit_test(asi_busy_is_one_letter),
		cmocka_unit_test(asi_query_reads_letter_equals_integer),
	};

	return cmocka_run_group_tests_name("stage_parsers", tests, NULL, NULL);
}
