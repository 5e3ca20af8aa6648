// SPDX-License-Identifier: GPL-2.0 OR MIT
/* On the period scan's registered path (sync_scanreg.c) the plain SAD row (sync_sadrow.c) is
 * read only by the reference's change profile and steps (between the reference's frames, all
 * before the frame that takes it) and, once the scan stops registering, by the lags at lock:
 * so it is computed once the frame is decided, and not at all on the frame that takes the
 * reference (sync_determine). Every phase, trigger and reference is that of the rows computed
 * on arrival (sadrow_full, as before). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

#define NF 700
#define SZ 192

struct run {
	int state[NF], has[NF], trig[NF], est[NF];
	double phase[NF], unw[NF];
	int64_t trig_ns[NF];
	long skipped, est_skipped; /* plain SADs left out, and on the first establishing frame */
	int nest, est_count, scan;
	struct ogate_reference_info info;
};

/* the fast heart (0.4 s at 80 fps) drifting 1.6 px a beat, which the scan registers, at SZ^2
 * with noise 4; refresh.after_triggers as given (0: none) */
static void heart_run(int full, int refresh, struct run *out)
{
	memset(out, 0, sizeof(*out));
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.refresh_after_triggers = refresh;
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->sadrow_full = full;
	const struct heartrun_spec spec = heartrun_fast_drifting(SZ, NF);
	struct heartrun *hr = heartrun_new(&spec);
	for (int i = 0; i < NF; i++) {
		struct ogate_sync_result r;
		long k0 = sy->sadrow_skipped;
		int c0 = sy->count, first = !sy->have_ref;
		heartrun_step(hr, sy, i, &r);
		if (first && r.established) {
			out->est_skipped = sy->sadrow_skipped - k0;
			out->est_count = c0;
			out->scan = sync_scan_on(sy);
		}
		out->state[i] = r.state;
		out->has[i] = r.has_phase;
		out->phase[i] = r.phase;
		out->unw[i] = r.unwrapped;
		out->trig[i] = r.triggered;
		out->trig_ns[i] = r.triggered ? r.trigger.time_ns : 0;
		out->est[i] = r.established;
		out->nest += r.established;
	}
	out->skipped = sy->sadrow_skipped;
	assert_int_equal(0, ogate_sync_get_reference(sy, &out->info));
	heartrun_free(hr);
	ogate_sync_free(sy);
}

static void same_results(int refresh)
{
	static struct run whole, later;
	heart_run(1, refresh, &whole);
	heart_run(0, refresh, &later);
	int nt = 0, np = 0;
	for (int i = 0; i < NF; i++) {
		assert_int_equal(whole.state[i], later.state[i]);
		assert_int_equal(whole.has[i], later.has[i]);
		assert_int_equal(whole.est[i], later.est[i]);
		assert_int_equal(whole.trig[i], later.trig[i]);
		assert_true(whole.trig_ns[i] == later.trig_ns[i]);
		assert_true(whole.phase[i] == later.phase[i]);
		assert_true(whole.unw[i] == later.unw[i]);
		nt += whole.trig[i];
		np += whole.has[i];
	}
	assert_memory_equal(&whole.info, &later.info, sizeof(whole.info));
	print_message("refresh %d: %d references, %d phased frames, %d triggers; plain SADs left "
		      "out %ld, %ld of them on the establishing frame (buffer %d)\n",
		      refresh, later.nest, np, nt, later.skipped, later.est_skipped, later.est_count);
	assert_true(later.scan); /* the scan registered the drift at the lock */
	assert_true(nt >= 5);
	assert_int_equal(whole.skipped, 0);
	assert_true(later.skipped >= later.est_skipped); /* and on a refresh's */
	/* the frame that takes the reference computes no plain SAD: one for every earlier frame (the
	 * buffer before it, less one it evicts) */
	assert_true(later.est_skipped >= later.est_count - 1 && later.est_skipped <= later.est_count);
	assert_true(later.est_count > later.info.length);
	if (refresh)
		assert_true(later.nest >= 2);
}

static void a_scan_registered_lock_computes_only_the_plain_sads_it_reads(void **state)
{
	(void)state;
	same_results(0);
}

static void a_scan_registered_refresh_computes_only_the_plain_sads_it_reads(void **state)
{
	(void)state;
	same_results(5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_scan_registered_lock_computes_only_the_plain_sads_it_reads),
		cmocka_unit_test(a_scan_registered_refresh_computes_only_the_plain_sads_it_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
