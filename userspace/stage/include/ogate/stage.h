/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogate stage control: one motorised z axis behind a small vtable.
 *
 * Drivers: "smc100" (Newport SMC100CC/PP), "asi" (ASI MS-2000 / Tiger),
 * "sim" (simulated stage for dry runs).
 *
 * Units: every position and distance in this API is in micrometres (double).
 * The SMC100 driver converts to millimetres, the ASI driver to tenths of µm
 * (override with opts.units_per_um for controllers set up in other units).
 *
 * Errors: functions return 0 (or a positive count) on success and -errno on
 * failure. ogate_stage_last_error() then names the command sent and the reply
 * received. The mapping (see docs/stage.md):
 *   -ETIMEDOUT  no complete reply within the reply timeout, or still moving at
 *               the wait deadline
 *   -EPROTO     garbled reply (wrong prefix, bad number, non-printable bytes,
 *               over-long line, unknown state code)
 *   -EIO        the controller reported an error (SMC100 TE code, TS state
 *               DISABLE / NOT REFERENCED after a move, ASI :N-x)
 *   -ERANGE     target outside the soft limits: refused, nothing was sent
 *   -EPIPE      the port vanished or hung up during a command
 *   -ENODEV     the port could not be found or opened
 *   -EINVAL     bad options or arguments (unknown driver, NaN position, ...)
 *   -ENOMEM     out of memory
 * After any error except -ERANGE, -EINVAL, -EPIPE and -ENODEV the library sends
 * the driver's stop command (best effort) so the stage is left stopped.
 */
#ifndef OGATE_STAGE_H
#define OGATE_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ogate_stage;

/* Log sink: prio is a syslog priority (3 = err, 4 = warning, 6 = info, 7 = debug). */
typedef void (*ogate_stage_log_fn)(void *ctx, int prio, const char *msg);

struct ogate_stage_opts {
	const char *driver;	/* "smc100", "asi" or "sim" (required) */
	const char *port;	/* serial device path (smc100, asi) */
	const char *transport;	/* "auto" (default), "libserialport" or "termios" */
	int address;		/* SMC100 controller address 1..31 (default 1) */
	int baud;		/* 0: driver default (SMC100 57600, ASI 9600) */
	char axis;		/* ASI axis letter (default 'Z') */
	double units_per_um;	/* controller units per µm; 0: driver default
	                            (SMC100 0.001 = mm, ASI 10 = tenths of µm) */
	int reply_timeout_ms;	/* per command reply (default 500) */
	int move_timeout_ms;	/* default deadline of wait_still (default 60000) */
	int poll_interval_ms;	/* busy polling period in wait_still (default 20) */
	double min_um, max_um;	/* soft limits from configuration (default ±INFINITY);
	                            intersected with the controller's (SMC100 SL?/SR?) */
	double sim_speed_um_s;	/* sim: speed in µm/s (default 1000) */
	double sim_start_um;	/* sim: position at open (default 0) */
	ogate_stage_log_fn log; /* NULL: stderr with <N> priority prefixes */
	void *log_ctx;
	/* hardware sequencing (ASI ring buffer, see ogate_stage_seq_load) */
	int seq_capacity;  /* ring buffer entries (default 50; 250 on large-buffer builds) */
	int seq_axis_byte; /* ASI "RM Y=" axis mask; 0: from the axis letter
	                            (MS-2000 order: X 1, Y 2, Z 4, F 8) */
	int card_address;  /* ASI Tiger: card address prefixed to the card-addressed
	                            commands RM and TTL; 0: none (MS-2000) */
};

/* Fill opts with the defaults above (driver and port NULL). */
void ogate_stage_opts_init(struct ogate_stage_opts *opts);

/* Open a stage. On failure *out is NULL; if errbuf is not NULL it receives
 * the reason (the same text that was logged). */
int ogate_stage_open(struct ogate_stage **out, const struct ogate_stage_opts *opts, char *errbuf,
		     size_t errlen);
void ogate_stage_close(struct ogate_stage *s);

/* Start homing / a move; they return once the controller accepted the command.
 * Use ogate_stage_wait_still() to wait for the end of the motion. */
int ogate_stage_home(struct ogate_stage *s);
int ogate_stage_move_abs(struct ogate_stage *s, double um);
int ogate_stage_move_rel(struct ogate_stage *s, double um);

int ogate_stage_position(struct ogate_stage *s, double *um);
/* 1 if moving or homing, 0 if still, -errno on failure. */
int ogate_stage_is_moving(struct ogate_stage *s);
/* Poll until still. timeout_ms <= 0 uses opts.move_timeout_ms. The deadline is
 * computed once, on CLOCK_MONOTONIC. On -ETIMEDOUT the stage is stopped. */
int ogate_stage_wait_still(struct ogate_stage *s, int timeout_ms);
int ogate_stage_stop(struct ogate_stage *s);

/*
 * Hardware sequencing: positions stored in the controller, one move per TTL
 * pulse on its trigger input, no serial traffic while the sequence runs.
 * Only the "asi" driver sequences (ring buffer + TTL IN0_mode 1); others
 * return -EOPNOTSUPP.
 *
 * ogate_stage_seq_load() disarms the input, clears the buffer and loads the
 * n positions (µm, each checked against the soft limits first: -ERANGE and
 * nothing sent if one is outside; -ENOSPC if n exceeds seq_capacity), then
 * reads back the number of stored positions where the firmware can tell
 * (ASI "RM X?", MS-2000 9.2g+ / Tiger 2.89+). ogate_stage_seq_arm() points
 * the buffer at entry 0 and enables the TTL input: pulse k (k = 0, 1, ...)
 * moves to position k mod n. ogate_stage_seq_disarm() disables the input.
 */
int ogate_stage_seq_capacity(const struct ogate_stage *s); /* 0: cannot sequence */
int ogate_stage_seq_load(struct ogate_stage *s, const double *um, size_t n);
int ogate_stage_seq_arm(struct ogate_stage *s);
int ogate_stage_seq_disarm(struct ogate_stage *s);
/* Whether the last load's count was confirmed by the controller (1) or the
 * firmware could not report it (0). */
int ogate_stage_seq_verified(const struct ogate_stage *s);

/* Effective soft limits in µm (±INFINITY when unbounded). */
void ogate_stage_limits(const struct ogate_stage *s, double *min_um, double *max_um);
const char *ogate_stage_driver(const struct ogate_stage *s);
/* Controller identity (SMC100 ID?), "" when the driver has none. */
const char *ogate_stage_identity(const struct ogate_stage *s);
/* Text of the last error ("" if none yet). */
const char *ogate_stage_last_error(const struct ogate_stage *s);

#ifdef __cplusplus
}
#endif
#endif
