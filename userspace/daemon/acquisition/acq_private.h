/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Inside the acquisition: the object shared by acq.c (commands) and acq_run.c (the job thread). */
#ifndef OGATE_ACQ_PRIVATE_H
#define OGATE_ACQ_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "acq.h"
#include "acq_drops.h"
#include "acq_out.h"

#define MAX_WAITERS 16

enum job { JOB_NONE, JOB_PROGRAM, JOB_HOME };

struct waiter {
	ogate_acq_done_fn fn;
	void *token;
	bool abort; /* an abort's reply, not the job's own */
};

struct ogate_acq {
	struct ogate_stage *stage;
	struct ogate_stage_opts sopts; /* to reopen an unplugged stage */
	bool can_reopen;
	int move_timeout_ms;
	struct ogate_pipeline *pipe;
	char csv_dir[400];
	unsigned int pulses; /* per trigger (laser, camera) */
	uint32_t laser_mask;

	pthread_t thread;
	bool thread_live; /* joined by the next job or free (caller's thread) */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	enum job job;
	struct ogate_acq_plan plan;
	struct ogate_acq_status st;	    /* under lock */
	struct waiter waiters[MAX_WAITERS]; /* under lock */
	int nwaiters;
	atomic_bool running; /* a job is active */
	atomic_bool gating;  /* a program is active: gate triggers */
	atomic_bool hold;    /* homing: no triggers at all */
	atomic_bool abort;

	/* the trigger of the current plane, handed over by the gate */
	atomic_bool armed;
	atomic_uint_least64_t cookie; /* 0: none */
	int64_t t_ns;		      /* under lock */
	double phase;
	int reason;		      /* enum ogate_trigger_reason */
	unsigned int outcomes, fired; /* pulses of cookie accounted for */
	int64_t rise_ns, fall_ns;     /* the laser pulse's measured edges */
	int64_t last_fall_ns;	      /* latest fall of any pulse of cookie */

	/* OME-TIFF stacks, provenance, sequencing (acq_out.h); the accepted trigger */
	struct acq_out *out;
	struct acq_plane_info done; /* job thread */
	int64_t done_fall_ns;	    /* its last pulse's fall */

	/* frames the analysis skipped during a program (acq_drops.h): job thread;
	 * the frame hook's newest analysed frame and newest frame after a
	 * sequence gap (timestamps), and the sequence it expects next */
	struct acq_drops *drops;
	int64_t drops_polled;
	atomic_int_least64_t last_frame_ns, gap_end_ns;
	uint64_t next_seq; /* frame thread */
};

/* The stage vanished (unplugged): forget it; the next home or start reopens it. */
void ogate_acq_stage_gone(struct ogate_acq *a, int err);
/* The job thread: runs a->job (a program or homing), then answers the waiters. */
void *ogate_acq_job_main(void *arg);

#endif
