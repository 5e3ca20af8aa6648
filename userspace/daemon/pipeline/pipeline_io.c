// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The pipeline's io thread: trigger outcomes from the sink, frame edges into the edge matcher,
 * the recorder's writes and the frame copy hook, off the frame thread (pipeline.c). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edgematch.h"
#include "log.h"
#include "pipeline.h"
#include "pipeline_private.h"
#include "recorder.h"
#include "ring.h"

/* io thread: the frame copy hook on every lent frame, then give it back */
static void drain_tap(struct ogate_pipeline *p)
{
	struct tap_item *it;

	while ((it = ogate_ring_pop(&p->to_tap))) {
		p->o.frame_copy(p->o.tap_ctx, it->f, &it->t);
		ogate_ring_push(&p->tap_back, it);
	}
}

static void handle_sink_events(struct ogate_pipeline *p)
{
	struct ogate_sink_event ev[32];
	int n, i;

	while ((n = ogate_sink_read(p->sink, ev, 32)) > 0) {
		pthread_mutex_lock(&p->st_lock);
		for (i = 0; i < n; i++) {
			switch (ev[i].type) {
			case OGATE_SINK_FIRED:
				p->st.fired++;
				p->done_pulses++;
				p->lateness_sum += ev[i].rise_ns - ev[i].time_ns;
				if (ev[i].rise_ns - ev[i].time_ns > p->st.lateness_max_ns)
					p->st.lateness_max_ns = ev[i].rise_ns - ev[i].time_ns;
				if (ev[i].rise_ns - ev[i].time_ns > 10000)
					p->st.late++;
				break;
			case OGATE_SINK_MISSED:
				p->st.missed++;
				p->done_pulses++;
				break;
			case OGATE_SINK_CANCELLED:
				p->st.cancelled++;
				p->done_pulses++;
				break;
			case OGATE_SINK_LOST: p->st.lost_events += ev[i].seq; break;
			}
		}
		pthread_mutex_unlock(&p->st_lock);
		if (p->o.outcome)
			for (i = 0; i < n; i++)
				p->o.outcome(p->o.hook_ctx, &ev[i]);
		for (i = 0; i < n; i++)
			if (ev[i].type == OGATE_SINK_MISSED)
				ogate_warning("trigger %llu missed: analysis or queueing too late by %.3f ms",
					      (unsigned long long)ev[i].cookie,
					      (ev[i].rise_ns - ev[i].time_ns) / 1e6);
	}
}

/* io thread: the frame-edge input, into the edge matcher */
static void handle_frame_edges(struct ogate_pipeline *p)
{
	struct ogate_frame_edge e[32];
	int n, i;

	if (!p->o.edges)
		return;
	while ((n = ogate_edges_read(p->o.edges, e, 32)) > 0) {
		pthread_mutex_lock(&p->em_lock);
		for (i = 0; i < n; i++)
			if (p->o.edge_match && e[i].line == p->o.edge_line)
				ogate_edgematch_add_edge(&p->em, e[i].time_ns, e[i].seq);
		pthread_mutex_unlock(&p->em_lock);
	}
}

/* io thread, rec_lock held: a write failed; stop recording, once. */
static void record_failed(struct ogate_pipeline *p, int err)
{
	uint64_t n = ogate_recorder_count(p->rec);
	char path[512];

	snprintf(path, sizeof(path), "%s", ogate_recorder_path(p->rec));
	atomic_store(&p->recording, false);
	ogate_recorder_close(p->rec); /* leaves TIFF pages = CSV rows */
	p->rec = NULL;
	pthread_mutex_lock(&p->st_lock);
	p->st.record_errors++;
	snprintf(p->st.record_error, sizeof(p->st.record_error),
		 "write to %.150s failed after %llu frames: %s", path, (unsigned long long)n,
		 strerror(-err));
	pthread_mutex_unlock(&p->st_lock);
	ogate_error("recording stopped: write to %s failed after %llu frames: %s", path,
		    (unsigned long long)n, strerror(-err));
}

static void drain_recorder(struct ogate_pipeline *p)
{
	struct rec_item *it;

	while ((it = ogate_ring_pop(&p->to_record))) {
		pthread_mutex_lock(&p->rec_lock);
		if (p->rec && atomic_load(&p->recording)) {
			int ret = ogate_recorder_write(p->rec, it->f, &it->row);

			if (ret)
				record_failed(p, ret);
		}
		pthread_mutex_unlock(&p->rec_lock);
		ogate_ring_push(&p->rec_free, it);
	}
	/*
	 * Nothing to close here: whoever switches recording off under rec_lock
	 * (record off, a failed write, a failed open at start) also closes the
	 * files, so an open recorder always means recording is on.
	 */
}

void *pipeline_io_main(void *arg)
{
	struct ogate_pipeline *p = arg;

	pthread_barrier_wait(&p->ready);
	while (!atomic_load(&p->io_stop)) {
		struct pollfd pf[3] = { { .fd = ogate_sink_fd(p->sink), .events = POLLIN },
					{ .fd = p->wake_fd, .events = POLLIN },
					{ .fd = p->o.edges ? ogate_edges_fd(p->o.edges) : -1,
					  .events = POLLIN } };
		uint64_t n;

		poll(pf, pf[2].fd >= 0 && pf[2].fd != pf[0].fd ? 3 : 2,
		     p->o.frame_copy ? IO_TICK_COPY_MS : IO_TICK_MS);
		if (pf[1].revents & POLLIN && read(p->wake_fd, &n, sizeof(n)) < 0) {
			/* EAGAIN: read by an earlier pass */
		}
		if (p->o.frame_copy)
			drain_tap(p);
		handle_sink_events(p);
		handle_frame_edges(p);
		drain_recorder(p);
	}
	if (p->o.frame_copy)
		drain_tap(p);
	handle_sink_events(p);
	handle_frame_edges(p);
	drain_recorder(p);
	return NULL;
}
