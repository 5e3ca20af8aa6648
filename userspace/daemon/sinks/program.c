// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdio.h>

#include "program.h"

int ogate_program_check(const struct ogate_program *p, char *msg, size_t msglen)
{
	if (p->laser_line < 0 || p->laser_line >= OGATE_SINK_MAX_LINES) {
		snprintf(msg, msglen, "laser line %d outside 0..%d", p->laser_line,
			 OGATE_SINK_MAX_LINES - 1);
		return -EINVAL;
	}
	if (p->camera_line >= OGATE_SINK_MAX_LINES || p->camera_line < -1) {
		snprintf(msg, msglen, "camera line %d outside -1..%d", p->camera_line,
			 OGATE_SINK_MAX_LINES - 1);
		return -EINVAL;
	}
	if (p->camera_line == p->laser_line) {
		snprintf(msg, msglen, "laser and camera both on line %d", p->laser_line);
		return -EINVAL;
	}
	if (!p->laser_width_ns ||
	    (p->mode == OGATE_PROGRAM_EDGE && p->camera_line >= 0 && !p->camera_width_ns)) {
		snprintf(msg, msglen, "pulse widths must be positive");
		return -EINVAL;
	}
	return 0;
}

size_t ogate_program_build(const struct ogate_program *p, int64_t t, uint64_t cookie,
			   struct ogate_pulse_req out[OGATE_PROGRAM_MAX_PULSES])
{
	size_t n = 0;

	out[n++] = (struct ogate_pulse_req){
		.time_ns = t,
		.line_mask = 1U << p->laser_line,
		.width_ns = p->laser_width_ns,
		.late_ns = p->late_ns,
		.cookie = cookie,
	};
	if (p->camera_line >= 0) {
		out[n++] = (struct ogate_pulse_req){
			.time_ns = t + p->camera_delay_ns,
			.line_mask = 1U << p->camera_line,
			.width_ns = p->mode == OGATE_PROGRAM_EXPOSE ? p->laser_width_ns
								    : p->camera_width_ns,
			.late_ns = p->late_ns,
			.cookie = cookie,
		};
	}
	return n;
}

int64_t ogate_program_end(const struct ogate_program *p, int64_t t)
{
	struct ogate_pulse_req r[OGATE_PROGRAM_MAX_PULSES];
	size_t i, n = ogate_program_build(p, t, 0, r);
	int64_t end = t;

	for (i = 0; i < n; i++)
		if (r[i].time_ns + (int64_t)r[i].width_ns > end)
			end = r[i].time_ns + r[i].width_ns;
	return end;
}
