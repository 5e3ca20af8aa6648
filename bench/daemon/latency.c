// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's frame path latency: frame arrival (the source hands the frame
 * over) -> trigger program queued on the sink, at 80, 250 and 500 fps,
 * with the synthetic camera (128x128) and the dry-run sink, in real time.
 * Prints BENCH lines; tests assert behaviour, this only measures.
 *
 * The analysis stage costs 2-4x bench/analysis_bench's figure for the same
 * frames: that bench replays frames back to back (caches warm), here each
 * frame comes a frame interval after the last and finds the reference cold
 * (measured on the test VM: 11-19 us back to back, 33-36 us after a 2 ms
 * gap, 51 us after 12.5 ms, the same whether the gap sleeps or spins).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "pipeline.h"

static void run(double fps, double period_s, int seconds)
{
	struct ogate_source_opts so = { .kind = "synthetic",
					.size = 128,
					.fps = fps,
					.period_s = period_s,
					.noise = 2,
					.seed = 1 };
	struct ogate_pipeline_opts po = {
		.program = { .laser_line = 0, .camera_line = 1, .laser_width_ns = 1000000, .late_ns = 5000000 },
		.cpu_capture = -1,
		.cpu_analysis = -1,
		.stop_grace_ns = 100000000,
		.record_every = 1,
	};
	struct ogate_pipeline_status st;
	struct ogate_pipeline_stages sg;
	struct timespec ts = { seconds, 0 };
	struct ogate_sink *sink = NULL;
	int err = 0;

	ogate_settings_default(&po.settings);
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p = NULL;

	err = ogate_source_open(&src, &so);
	if (!err)
		err = ogate_sink_open(&sink, "dryrun", NULL);
	if (!err)
		err = ogate_pipeline_new(&p, &po, src, sink);
	if (err || ogate_pipeline_start(p)) {
		fprintf(stderr, "bench: cannot run the pipeline at %g fps\n", fps);
		exit(1);
	}
	nanosleep(&ts, NULL);
	ogate_pipeline_status(p, &st);
	ogate_pipeline_stages(p, &sg);
	ogate_pipeline_stop(p);
	printf("# %g fps: %llu frames, %llu analysed, %llu triggers over the last %lld, drops %llu/%llu\n",
	       fps, (unsigned long long)st.frames, (unsigned long long)st.analysed,
	       (unsigned long long)st.triggers, (long long)st.recent_latency_n,
	       (unsigned long long)st.drops_source, (unsigned long long)st.drops_analysis);
	printf("BENCH daemon.frame_to_queued.p50.%gfps %.1f us\n", fps, st.latency_p50_ns / 1e3);
	printf("BENCH daemon.frame_to_queued.p99.%gfps %.1f us\n", fps, st.latency_p99_ns / 1e3);
	printf("BENCH daemon.frame_to_queued.max.%gfps %.1f us\n", fps, st.latency_max_ns / 1e3);
	for (int k = 0; k < OGATE_STAGE_N; k++)
		printf("BENCH daemon.stage.%s.p50.%gfps %.1f us\n", sg.name[k], fps,
		       sg.p50_ns[k] / 1e3);
	/* every frame's analysis, not only the triggering ones the stage above counts */
	printf("BENCH daemon.analysis.any_frame.p50.%gfps %.1f us\n", fps, st.analysis_p50_ns / 1e3);
	printf("BENCH daemon.drops.%gfps %llu frames\n", fps,
	       (unsigned long long)(st.drops_source + st.drops_analysis));
	ogate_pipeline_free(p);
	ogate_sink_close(sink);
	ogate_source_close(src);
}

int main(void)
{
	ogate_log_set_level(OGATE_LOG_WARNING);
	/* a faster heart at higher rates keeps the beat count up in a short run */
	run(80, 0.42, 20);
	run(250, 0.42, 12);
	run(500, 0.42, 10);
	return 0;
}
