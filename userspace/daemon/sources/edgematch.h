/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Matching camera frames to the frame edges the kernel timestamps (camera
 * strobe or XVS wired to an ogate frame line). The offset between a frame's
 * own timestamp (libcamera SensorTimestamp) and its edge is learnt as the
 * median of recent nearest pairs; after that, a frame takes the edge whose
 * offset lies within a quarter of a frame interval of the learnt one, and
 * its timestamp becomes the edge time. The sequence difference of matched
 * pairs is tracked too: a jump (an edge or a frame lost on one side) is
 * counted. Offsets larger than half a frame interval are ambiguous.
 *
 * Threads: none of its own and no lock; the pipeline feeds edges from its
 * io thread and frames from its frame thread under its em_lock.
 */
#ifndef OGATE_EDGEMATCH_H
#define OGATE_EDGEMATCH_H

#include <stdint.h>

#define OGATE_EDGEMATCH_EDGES 64
#define OGATE_EDGEMATCH_LEARN 16

struct ogate_edgematch {
	int64_t edge_t[OGATE_EDGEMATCH_EDGES];
	uint64_t edge_seq[OGATE_EDGEMATCH_EDGES];
	unsigned int nedges, head;
	int64_t learn[OGATE_EDGEMATCH_LEARN]; /* nearest-pair offsets */
	unsigned int nlearn;
	int64_t offset_ns; /* frame time - edge time */
	int learnt;
	int64_t last_frame_t, interval_ns;
	int64_t last_out;	/* last frame time handed out */
	uint64_t last_edge_seq; /* last edge used (used once) */
	int64_t seq_delta;	/* frame seq - edge seq */
	int have_delta;
	double jitter_var; /* EWMA of squared residuals */
	uint64_t matched, unmatched, seq_jumps;
};

struct ogate_edgematch_stats {
	int learnt;
	int64_t offset_ns;
	double jitter_ns; /* RMS residual of matched pairs */
	uint64_t matched, unmatched, seq_jumps;
};

void ogate_edgematch_init(struct ogate_edgematch *m);
void ogate_edgematch_add_edge(struct ogate_edgematch *m, int64_t t_ns, uint64_t seq);
/* 1 and *edge_ns when the frame matched an edge, 0 otherwise. */
int ogate_edgematch_frame(struct ogate_edgematch *m, int64_t t_ns, uint64_t seq, int64_t *edge_ns);
void ogate_edgematch_get_stats(const struct ogate_edgematch *m, struct ogate_edgematch_stats *s);

#endif
