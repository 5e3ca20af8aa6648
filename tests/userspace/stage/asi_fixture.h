/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture the ASI suites share (test_stage_asi.c, test_stage_asi_sequence.c):
 * a simulated MS-2000/Tiger (fake_asi) served on a pseudo-terminal and the
 * ASI driver's options for it. Include after <cmocka.h>. A suite that wants
 * another status poll interval defines ASI_FX_POLL_MS before including this.
 */
#ifndef OGATE_TEST_ASI_FIXTURE_H
#define OGATE_TEST_ASI_FIXTURE_H

#include <stdlib.h>

#include "fake_ctl.h"
#include "ogate/stage.h"

#ifndef ASI_FX_POLL_MS
#define ASI_FX_POLL_MS 5
#endif

struct fx {
	struct fake_ctl f;
	struct fake_asi m;
	struct ogate_stage *s;
	struct ogate_stage_opts o;
	int errors_logged;	/* error lines the driver logged since the stage was opened */
};

static inline void capture_log(void *ctx, int prio, const char *msg)
{
	struct fx *x = ctx;

	if (prio <= 3)
		x->errors_logged++;
}

/* the simulated controller and the options, no stage opened yet (cmocka setup) */
static inline int setup_fake(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	fake_asi_init(&x->m);
	assert_int_equal(fake_start(&x->f, fake_asi_handle, "\r\n", &x->m), 0);
	ogate_stage_opts_init(&x->o);
	x->o.driver = "asi";
	x->o.port = x->f.slave;
	x->o.reply_timeout_ms = 200;
	x->o.poll_interval_ms = ASI_FX_POLL_MS;
	x->o.min_um = -5000;
	x->o.max_um = 5000;
	x->o.log = capture_log;
	x->o.log_ctx = x;
	*state = x;
	return 0;
}

/* open the stage with x->o; what the open sent and logged is forgotten */
static inline void open_stage(struct fx *x)
{
	char err[256];

	if (ogate_stage_open(&x->s, &x->o, err, sizeof(err)))
		fail_msg("open: %s", err);
	fake_clear_rx(&x->f);
	x->errors_logged = 0;
}

static inline int setup(void **state)
{
	setup_fake(state);
	open_stage(*state);
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *x = *state;

	ogate_stage_close(x->s);
	fake_stop(&x->f);
	free(x);
	return 0;
}

#endif
