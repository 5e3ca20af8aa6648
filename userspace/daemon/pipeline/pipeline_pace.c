// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The frame thread under load (pace.h): the source's backlog and every
 * k-th frame set from the frame thread's measured cost, and the analysed
 * frames numbered as a stream of their own. The analysis sees every k-th
 * camera frame as consecutive frames (sequence an_base + (camera sequence
 * - an_first) / k) at k times the interval, with their real timestamps: no
 * gap at every frame, and predictions in CLOCK_MONOTONIC ns as before. A
 * change of k is a new stream for it: it learns its reference anew.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ogate/sync.h"
#include "pipeline_private.h"

void pipeline_pace_start(struct ogate_pipeline *p)
{
	ogate_pace_init(&p->pace, p->o.max_decimate);
	p->an_first = p->an_base = p->an_seq = 0;
	p->an_anchor = false;
	p->pace_warned = false;
	pthread_mutex_lock(&p->st_lock);
	p->st.decimate = 1;
	p->st.backlog_ns = 0;
	p->st.frame_cost_ns = 0;
	pthread_mutex_unlock(&p->st_lock);
}

void pipeline_pace_number(struct ogate_pipeline *p, struct ogate_frame *f)
{
	struct ogate_frame_meta m = *ogate_frame_get_meta(f);
	uint64_t k = p->pace.every;

	/* the first frame at a new k, or one off its grid (never from the sources) */
	if (p->an_anchor || m.sequence < p->an_first || (m.sequence - p->an_first) % k) {
		p->an_base = p->an_seq + 1;
		p->an_first = m.sequence;
		p->an_anchor = false;
	}
	p->an_seq = p->an_base + (m.sequence - p->an_first) / k;
	m.sequence = p->an_seq;
	ogate_frame_set_meta(f, &m);
}

uint64_t pipeline_pace_source_seq(const struct ogate_pipeline *p, uint64_t an_seq)
{
	return an_seq < p->an_base ? 0 : p->an_first + (an_seq - p->an_base) * p->pace.every;
}

static const char *nth(unsigned k)
{
	return k % 10 == 1 && k % 100 != 11   ? "st"
	       : k % 10 == 2 && k % 100 != 12 ? "nd"
	       : k % 10 == 3 && k % 100 != 13 ? "rd"
					      : "th";
}

/* What the analysis can resolve at every k-th frame, and whether the heart locked before fits. */
static void say_resolution(struct ogate_pipeline *p, unsigned k, double period_s)
{
	double fps = 1e9 / ((double)p->pace.ivl_ns * k), nmin = p->o.settings.min_period_frames;

	if (period_s > 0 && period_s * fps < nmin + 2)
		ogate_error("at %.1f fps the heart locked before (%.3f s a beat) has %.1f frames a beat, at or below reference.min_period_frames (%.0f): the analysis cannot resolve it; lower the frame rate or the image size, or give the analysis more CPU",
			    fps, period_s, period_s * fps, nmin);
	else
		ogate_info("at %.1f fps a beat needs at least %.0f frames (reference.min_period_frames): a heart faster than %.2f Hz (beats shorter than %.3f s) cannot be resolved",
			   fps, nmin, fps / nmin, nmin / fps);
}

/* Analyse every k-th frame from the next on: a new stream for the analysis. */
static void change_every(struct ogate_pipeline *p, unsigned k)
{
	struct ogate_sync *fresh;
	unsigned was = p->pace.every;
	double period_s;

	if (ogate_sync_new(&fresh, &p->o.settings)) {
		ogate_error("analysis: cannot create the sync pipeline for every %u%s frame; staying at every %u%s",
			    k, nth(k), was, nth(was));
		return;
	}
	pthread_mutex_lock(&p->st_lock);
	period_s = p->st.locked ? p->st.period_s : 0;
	p->st.lock_time_ns = 0;
	p->st.locked = false;
	p->st.decimate = k;
	pthread_mutex_unlock(&p->st_lock);
	pthread_mutex_lock(&p->cmd_lock);
	ogate_sync_free(p->sync);
	p->sync = fresh;
	pthread_mutex_unlock(&p->cmd_lock);
	ogate_pace_set_every(&p->pace, k);
	p->an_anchor = true;
	if (k > was)
		ogate_warning("analysis cannot keep up: %.2f ms a frame against %.2f ms between camera frames; analysing every %u%s frame (%.1f fps) from now on, learning the reference anew",
			      p->pace.cost_ns / 1e6, p->pace.ivl_ns / 1e6, k, nth(k),
			      1e9 / ((double)p->pace.ivl_ns * k));
	else
		ogate_info("analysis keeps up again: %.2f ms a frame against %.2f ms between camera frames; analysing every %u%s frame (%.1f fps) from now on, learning the reference anew",
			   p->pace.cost_ns / 1e6, p->pace.ivl_ns / 1e6, k, nth(k),
			   1e9 / ((double)p->pace.ivl_ns * k));
	if (k > 1)
		say_resolution(p, k, period_s);
}

void pipeline_pace_frame(struct ogate_pipeline *p, int64_t ts_ns, uint64_t seq, int64_t cost_ns)
{
	unsigned k = ogate_pace_frame(&p->pace, ts_ns, seq, cost_ns);
	int64_t backlog;

	if (!ogate_source_realtime(p->src))
		return; /* a virtual timeline: nothing is late */
	if (k)
		change_every(p, k);
	if (!p->pace_warned && p->pace.every == p->pace.max_every && p->pace.max_every > 1 &&
	    p->pace.since_change >= OGATE_PACE_WINDOW &&
	    p->pace.cost_ns > p->pace.every * p->pace.ivl_ns) {
		p->pace_warned = true;
		ogate_error("analysis cannot keep up even with every %u%s frame: %.2f ms a frame against %.2f ms between them",
			    p->pace.every, nth(p->pace.every), p->pace.cost_ns / 1e6,
			    p->pace.every * p->pace.ivl_ns / 1e6);
	}
	backlog = ogate_pace_backlog_ns(&p->pace);
	ogate_source_set_pace(p->src, p->pace.every, backlog);
	pthread_mutex_lock(&p->st_lock);
	p->st.backlog_ns = backlog;
	p->st.frame_cost_ns = p->pace.cost_ns;
	pthread_mutex_unlock(&p->st_lock);
}
