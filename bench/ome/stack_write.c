// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What writing a gated z-stack as OME-TIFF costs the analysis thread, and
 * what it costs the thread that writes (the acquisition's job thread).
 *
 * The daemon's real path (acq_out.c): for each of 40 planes, the gate arms
 * the grab (analysis thread), the frame hook sees every frame (analysis
 * thread: 33 frames of a 0.42 s beat at 80 fps that are not wanted, then
 * the first at or after the trigger, which it keeps: no copy), and the job
 * thread writes that plane with its metadata and hands the frame back (the
 * analysis thread then releases it, counted here too); the file is closed
 * (OME-XML) at the end. The analysis thread is a separate thread here, handing over to the
 * writer exactly as in the daemon. Issue target: <= 1 ms of analysis-thread
 * work in total for a 40-plane 512x512 stack.
 *
 *   BENCH ome_stack_analysis_total_<fmt> <ms> ms     all analysis-thread work, 40 planes
 *   BENCH ome_stack_analysis_per_plane_<fmt> <us> us
 *   BENCH ome_stack_write_per_plane_<fmt> <ms> ms     writer thread, per plane
 *   BENCH ome_stack_close_<fmt> <ms> ms               OME-XML into page 0
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acq_out.h"
#include "clock-util.h"
#include "ogate/frame.h"

#define PLANES 40
#define SIDE 512
#define FRAMES_PER_BEAT 34
#define FRAME_NS 12500000LL

struct shared {
	struct acq_out *out;
	struct ogate_frame *frame;
	atomic_int plane_done;			/* writer finished this many planes */
	_Atomic(struct ogate_frame *) returned; /* handed back by the writer */
	int64_t analysis_ns;			/* analysis thread: arm, frame hook, release */
};

/* ogate_pipeline_return_frame() in the daemon: a slot the analysis thread empties */
static void give_back(void *ctx, struct ogate_frame *f)
{
	struct shared *sh = ctx;

	atomic_store(&sh->returned, f);
}

static void *analysis(void *arg)
{
	struct shared *sh = arg;
	struct ogate_sync_result r = { .has_phase = 1, .phase = 2.0 };
	struct ogate_frame_meta m = { 0 };
	int64_t t = 1000000000LL;

	for (int p = 0; p < PLANES; p++) {
		int64_t trig = t + (FRAMES_PER_BEAT - 1) * FRAME_NS - 1000;
		int64_t t0;

		/* the job thread has armed the gate for this plane once the last is written */
		while (atomic_load(&sh->plane_done) < p)
			usleep(50);
		t0 = ogate_mono_ns();
		acq_out_arm_grab(sh->out, trig); /* ogate_acq_gate() */
		sh->analysis_ns += ogate_mono_ns() - t0;
		for (int k = 0; k < FRAMES_PER_BEAT; k++, t += FRAME_NS) {
			m.timestamp_ns = t;
			m.sequence = (uint64_t)(p * FRAMES_PER_BEAT + k);
			ogate_frame_set_meta(sh->frame, &m);
			t0 = ogate_mono_ns();
			atomic_exchange(&sh->returned, NULL);  /* release_returned() */
			acq_out_frame(sh->out, sh->frame, &r); /* ogate_acq_frame() */
			sh->analysis_ns += ogate_mono_ns() - t0;
		}
	}
	return NULL;
}

static int run(enum ogate_pixfmt fmt, const char *name, const char *dir)
{
	struct ogate_acq_output cfg = { .pixel_size_um = 6.5,
					.magnification = 20,
					.exposure_s = NAN,
					.settle_ms = 20,
					.tolerance_um = 0.5 };
	struct shared sh = { 0 };
	struct acq_plane_info pi = { .stacks = 1, .step_um = 2, .target_phase = 2.0, .period_s = 0.42 };
	struct ogate_provenance *prov = NULL;
	int64_t write_ns = 0, close_ns, t0;
	char path[512], stored[512] = "";
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_t th;
	uint8_t *px;

	if (ogate_provenance_new(&prov))
		return -ENOMEM;
	ogate_provenance_set_build(prov);
	ogate_provenance_set(prov, "config.camera.source", "bench");
	sh.out = acq_out_new();
	if (!sh.out || ogate_frame_new(&sh.frame, fmt, SIDE, SIDE) ||
	    acq_out_configure(sh.out, &cfg, prov))
		return -ENOMEM;
	acq_out_set_return(sh.out, give_back, &sh);
	px = ogate_frame_pixels(sh.frame);
	for (int y = 0; y < SIDE; y++)
		memset(px + (size_t)y * ogate_frame_stride(sh.frame), y & 0xff,
		       SIDE * ogate_pixfmt_bytes(fmt));
	snprintf(path, sizeof(path), "%s/bench-%s.ome.tif", dir, name);
	acq_out_begin(sh.out, path, PLANES);
	pthread_create(&th, NULL, analysis, &sh);
	for (int p = 0; p < PLANES; p++) {
		pi.plane = p;
		pi.z_um = 100 + 2.0 * p;
		t0 = ogate_mono_ns();
		if (acq_out_plane(sh.out, &pi, 10000000000LL))
			return -EIO;
		write_ns += ogate_mono_ns() - t0;
		atomic_store(&sh.plane_done, p + 1);
	}
	pthread_join(th, NULL);
	t0 = ogate_mono_ns();
	if (acq_out_end(sh.out, stored, sizeof(stored), &lock))
		return -EIO;
	close_ns = ogate_mono_ns() - t0;
	/* the writer's time includes waiting for the analysis thread's frame; the
	 * analysis-thread figure is what the issue bounds */
	printf("BENCH ome_stack_analysis_total_%s %.3f ms\n", name, sh.analysis_ns / 1e6);
	printf("BENCH ome_stack_analysis_per_plane_%s %.1f us\n", name, sh.analysis_ns / 1e3 / PLANES);
	printf("BENCH ome_stack_write_per_plane_%s %.2f ms\n", name, write_ns / 1e6 / PLANES);
	printf("BENCH ome_stack_close_%s %.2f ms\n", name, close_ns / 1e6);
	unlink(path);
	acq_out_free(sh.out);
	ogate_frame_free(sh.frame);
	ogate_provenance_free(prov);
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/ogate-ome-bench.XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (run(OGATE_PIX_U8, "512x512_u8", dir) || run(OGATE_PIX_U16, "512x512_u16", dir)) {
		fprintf(stderr, "bench-ome-stack: failed\n");
		rmdir(dir);
		return 1;
	}
	rmdir(dir);
	return 0;
}
