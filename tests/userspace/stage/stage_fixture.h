/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fixture the suites of one simulated controller share: the controller
 * (a fake_ctl model) served on a pseudo-terminal and the driver's options for
 * it. Include after <cmocka.h>, with the controller named first: FX_ASI or
 * FX_SMC100 (the presets below), or for a new one
 *   #define FX_MODEL      struct fake_<name>
 *   #define FX_MODEL_INIT fake_<name>_init
 *   #define FX_HANDLE     fake_<name>_handle
 *   #define FX_DRIVER     "<name>"
 * and optionally FX_POLL_MS (status poll, default 5 ms) and FX_MIN_UM/FX_MAX_UM
 * (soft limits; unset, the driver's own).
 */
#ifndef OGATE_TEST_STAGE_FIXTURE_H
#define OGATE_TEST_STAGE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "fake_ctl.h"
#include "ogate/stage.h"

#if defined(FX_ASI)
#define FX_MODEL struct fake_asi
#define FX_MODEL_INIT fake_asi_init
#define FX_HANDLE fake_asi_handle
#define FX_DRIVER "asi"
#define FX_MIN_UM -5000
#define FX_MAX_UM 5000
#elif defined(FX_SMC100)
#define FX_MODEL struct fake_smc100
#define FX_MODEL_INIT fake_smc100_init
#define FX_HANDLE fake_smc100_handle
#define FX_DRIVER "smc100"
#endif

#ifndef FX_POLL_MS
#define FX_POLL_MS 5
#endif

struct fx {
	struct fake_ctl f;
	FX_MODEL m;
	struct ogate_stage *s;
	struct ogate_stage_opts o;
	int errors_logged;  /* error lines the driver logged since the stage was opened */
	char last_log[600]; /* the last line it logged */
};

static inline void capture_log(void *ctx, int prio, const char *msg)
{
	struct fx *x = ctx;

	if (prio <= 3)
		x->errors_logged++;
	snprintf(x->last_log, sizeof(x->last_log), "%s", msg);
}

/* the simulated controller and the options, no stage opened yet (cmocka setup) */
static inline int setup_fake(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	FX_MODEL_INIT(&x->m);
	assert_int_equal(fake_start(&x->f, FX_HANDLE, "\r\n", &x->m), 0);
	ogate_stage_opts_init(&x->o);
	x->o.driver = FX_DRIVER;
	x->o.port = x->f.slave;
	x->o.reply_timeout_ms = 200;
	x->o.poll_interval_ms = FX_POLL_MS;
#ifdef FX_MIN_UM
	x->o.min_um = FX_MIN_UM;
	x->o.max_um = FX_MAX_UM;
#endif
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
