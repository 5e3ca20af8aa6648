/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Trigger programs: the pulses fired for one predicted time T, all queued
 * as absolute times in one batch.
 *   laser   [T, T + laser_width)
 *   camera  from T + camera_laser_delay, either
 *           "expose": held as long as the laser (the pulse width is the
 *                     exposure, as on externally triggered global-shutter
 *                     sensors such as the IMX296), or
 *           "edge":   a short camera_width pulse (the camera's own
 *                     exposure setting applies)
 */
/* Threads: pure functions on caller-owned data; any thread. */
#ifndef OGATE_PROGRAM_H
#define OGATE_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

enum ogate_program_mode { OGATE_PROGRAM_EXPOSE = 0, OGATE_PROGRAM_EDGE };

struct ogate_program {
	int laser_line;	 /* 0..31 */
	int camera_line; /* -1: none */
	enum ogate_program_mode mode;
	uint32_t laser_width_ns;
	int32_t camera_delay_ns;  /* may be negative: camera first */
	uint32_t camera_width_ns; /* edge mode */
	uint32_t late_ns;
};

#define OGATE_PROGRAM_MAX_PULSES 2

/* -EINVAL with msg filled when the program is inconsistent. */
int ogate_program_check(const struct ogate_program *p, char *msg, size_t msglen);
/* Fill out[] for trigger time t; returns the number of pulses. */
size_t ogate_program_build(const struct ogate_program *p, int64_t t, uint64_t cookie,
			   struct ogate_pulse_req out[OGATE_PROGRAM_MAX_PULSES]);
/* When the last pulse of the program has ended (exposure done), for t. */
int64_t ogate_program_end(const struct ogate_program *p, int64_t t);

#endif
