/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * ogate: kernel timing core for prospective optical gating.
 *
 * Userspace ABI of /dev/ogateN. All times are CLOCK_MONOTONIC nanoseconds.
 * Every structure has fixed-width fields, explicit padding and reserved
 * fields, and the same layout for 32- and 64-bit userlands (so no compat
 * translation is needed). Reserved fields and unknown flags must be zero,
 * otherwise the ioctl fails with EINVAL.
 *
 * See docs/abi.md for the full semantics and the errno of every check.
 */
#ifndef _UAPI_OGATE_H
#define _UAPI_OGATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define OGATE_ABI_VERSION	1

/* Capabilities reported by OGATE_IOC_GET_VERSION and OGATE_IOC_GET_INFO. */
#define OGATE_CAP_TRIGGER	(1U << 0)	/* absolute-time trigger pulses */
#define OGATE_CAP_FRAME		(1U << 1)	/* frame-edge timestamps */
#define OGATE_CAP_BATCH		(1U << 2)	/* all-or-nothing batches */
#define OGATE_CAP_MEASURED	(1U << 3)	/* measured rise/fall times */

#define OGATE_MAX_LINES		32	/* line masks are __u32 */
#define OGATE_NAME_LEN		32
#define OGATE_MAX_BATCH		64	/* triggers per OGATE_IOC_QUEUE_BATCH */
#define OGATE_HIST_BUCKETS	16

/* Bounds checked on every queued trigger (see docs/abi.md). */
#define OGATE_MIN_WIDTH_NS	1000ULL			/* 1 us */
#define OGATE_MAX_WIDTH_NS	1000000000ULL		/* 1 s */
#define OGATE_MAX_FUTURE_NS	3600000000000ULL	/* 1 h */

/* Line kinds for OGATE_IOC_GET_LINE_INFO. */
#define OGATE_LINE_TRIGGER	1
#define OGATE_LINE_FRAME	2

/* Line flags (out). */
#define OGATE_LINE_ACTIVE_LOW	(1U << 0)

struct ogate_version {
	__u32 abi_version;		/* out: OGATE_ABI_VERSION */
	__u32 caps;			/* out: OGATE_CAP_* */
	__u32 reserved[6];		/* out: zero */
};

struct ogate_info {
	__u32 abi_version;		/* out */
	__u32 caps;			/* out */
	__u32 num_triggers;		/* out: trigger (output) lines */
	__u32 num_frames;		/* out: frame (input) lines */
	__u32 queue_depth;		/* out: pending triggers the device holds */
	__u32 queue_used;		/* out: pending or active now */
	__u32 event_depth;		/* out: events buffered per open file */
	__u32 clock_id;			/* out: CLOCK_MONOTONIC (1) */
	__aligned_u64 min_width_ns;	/* out */
	__aligned_u64 max_width_ns;	/* out */
	__aligned_u64 max_future_ns;	/* out */
	__aligned_u64 late_threshold_ns; /* out: lateness counted as "late" */
	char name[OGATE_NAME_LEN];	/* out: device name, NUL-terminated */
	__u32 reserved[8];		/* out: zero */
};

struct ogate_line_info {
	__u32 kind;			/* in: OGATE_LINE_TRIGGER or _FRAME */
	__u32 index;			/* in: line index within its kind */
	__u32 flags;			/* out: OGATE_LINE_* */
	__u32 padding;			/* in: must be zero */
	char name[OGATE_NAME_LEN];	/* out */
	__u32 reserved[4];		/* in: must be zero */
};

/*
 * A trigger: drive every line in line_mask active together (one array set,
 * so the edges are simultaneous) at time_ns, and inactive width_ns later.
 * If the kernel gets to it more than late_ns after time_ns, the pulse is not
 * started and an OGATE_EVENT_MISSED event is reported instead.
 */
struct ogate_trigger {
	__aligned_u64 time_ns;		/* in: absolute CLOCK_MONOTONIC */
	__aligned_u64 cookie;		/* in: opaque, echoed in events */
	__u32 line_mask;		/* in: trigger lines, bit n = line n */
	__u32 width_ns;			/* in: pulse width */
	__u32 late_ns;			/* in: lateness tolerance */
	__u32 flags;			/* in: must be zero */
	__aligned_u64 id;		/* out: trigger id (never 0) */
	__u32 reserved[4];		/* in: must be zero */
};

/* All-or-nothing: either every trigger is queued, or none is. */
struct ogate_trigger_batch {
	__aligned_u64 triggers;		/* in: user pointer to struct ogate_trigger[count];
					 * each entry's id is filled in */
	__u32 count;			/* in: 1..OGATE_MAX_BATCH */
	__u32 flags;			/* in: must be zero */
	__u32 reserved[4];		/* in: must be zero */
};

#define OGATE_CANCEL_ID		1	/* the trigger with this id */
#define OGATE_CANCEL_COOKIE	2	/* every trigger with this cookie */
#define OGATE_CANCEL_ALL	3	/* every trigger of this open file */
#define OGATE_CANCEL_DEVICE	4	/* emergency stop: every trigger of every
					 * file, pulses in progress ended at once */

/*
 * Cancel triggers of this open file that have not started their pulse
 * (OGATE_CANCEL_DEVICE: of every file, and end active pulses too).
 * Needs the file open for writing, like queueing.
 */
struct ogate_cancel {
	__u32 how;			/* in: OGATE_CANCEL_* */
	__u32 padding;			/* in: must be zero */
	__aligned_u64 value;		/* in: id or cookie; zero for _ALL */
	__u32 count;			/* out: triggers cancelled */
	__u32 reserved[3];		/* in: must be zero */
};

#define OGATE_STATS_RESET	(1U << 0)	/* zero the counters after reading;
						 * needs the file open for writing */

/*
 * Device-wide counters. Lateness is measured right after the lines were set:
 * rise_ns - time_ns of each fired trigger, counted when the pulse completes
 * (together with fired, so late <= fired and late_min_ns is over fired ones). Histogram bucket 0 counts
 * lateness below 256 ns, bucket b (1..14) counts [2^(b+7), 2^(b+8)) ns and
 * bucket 15 everything from 2^22 ns (4.19 ms) up.
 */
struct ogate_stats {
	__u32 flags;			/* in: OGATE_STATS_RESET */
	__u32 padding;			/* in: must be zero */
	__aligned_u64 frames;		/* frame edges timestamped */
	__aligned_u64 queued;		/* triggers accepted */
	__aligned_u64 fired;		/* pulses completed */
	__aligned_u64 late;		/* fired later than late_threshold_ns */
	__aligned_u64 missed;		/* not fired: beyond their late_ns */
	__aligned_u64 cancelled;	/* cancelled (ioctl, close or unbind) */
	__aligned_u64 overflows;	/* events lost to full buffers */
	__aligned_u64 late_min_ns;	/* over fired triggers; 0 if none */
	__aligned_u64 late_max_ns;
	__aligned_u64 late_sum_ns;
	__aligned_u64 hist[OGATE_HIST_BUCKETS];
	__aligned_u64 irqoff_max_ns;	/* longest trigger-timer expiry (interrupts
					 * off), from its callback's entry to exit */
	__u32 reserved[8];		/* in: must be zero */
};

/* Events, read() in whole records from the open file. */
#define OGATE_EVENT_FRAME	1	/* line, seq, time_ns = edge timestamp */
#define OGATE_EVENT_FIRED	2	/* id, cookie, line = mask, time_ns =
					 * requested, rise_ns, fall_ns measured */
#define OGATE_EVENT_MISSED	3	/* id, cookie, line = mask, time_ns =
					 * requested, rise_ns = when found late */
#define OGATE_EVENT_CANCELLED	4	/* id, cookie, line = mask, time_ns */
#define OGATE_EVENT_OVERFLOW	5	/* seq = number of events lost here */

struct ogate_event {
	__u32 type;			/* OGATE_EVENT_* */
	__u32 line;			/* frame line index, or trigger line mask */
	__aligned_u64 id;
	__aligned_u64 cookie;
	__aligned_u64 time_ns;
	__aligned_u64 rise_ns;
	__aligned_u64 fall_ns;
	__aligned_u64 seq;		/* per-line frame number, from 1 */
	__u32 reserved[2];
};

#define OGATE_IOC_MAGIC		0xB7

#define OGATE_IOC_GET_VERSION	_IOR(OGATE_IOC_MAGIC, 0x00, struct ogate_version)
#define OGATE_IOC_GET_INFO	_IOR(OGATE_IOC_MAGIC, 0x01, struct ogate_info)
#define OGATE_IOC_GET_LINE_INFO	_IOWR(OGATE_IOC_MAGIC, 0x02, struct ogate_line_info)
#define OGATE_IOC_QUEUE		_IOWR(OGATE_IOC_MAGIC, 0x10, struct ogate_trigger)
#define OGATE_IOC_QUEUE_BATCH	_IOW(OGATE_IOC_MAGIC, 0x11, struct ogate_trigger_batch)
#define OGATE_IOC_CANCEL	_IOWR(OGATE_IOC_MAGIC, 0x12, struct ogate_cancel)
#define OGATE_IOC_GET_STATS	_IOWR(OGATE_IOC_MAGIC, 0x20, struct ogate_stats)

#endif /* _UAPI_OGATE_H */
