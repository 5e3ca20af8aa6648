/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only heart for vimc (see vimc-heart.c): the sensor films one heart
 * cycle loaded as firmware, at the true phase of the frame's own instant.
 */
#ifndef _VIMC_HEART_H_
#define _VIMC_HEART_H_

#include <linux/device.h>
#include <linux/types.h>

int vimc_heart_probe(struct device *dev);
void vimc_heart_remove(void);
/* Streamer thread: wait for the next frame instant (paced) and record it. */
void vimc_heart_wait(u64 *next);
/* True when the heart paces the frames (the stock 60 Hz sleep is skipped). */
bool vimc_heart_paced(void);
/* Sensor: fill the frame with the heart at the frame instant; false = no heart. */
bool vimc_heart_fill(u8 *frame, unsigned int width, unsigned int height, unsigned int bpp);
/* Capture: the frame instant as buffer timestamp, and the log of delivered frames. */
u64 vimc_heart_stamp(void);
void vimc_heart_log(u32 sequence, u64 ts_ns);

#endif
