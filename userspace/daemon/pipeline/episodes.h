/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Episodes of skipped frames: a gap (n frames skipped between the newest
 * frame before it, a, and the first one after it, b) less than quiet_ns
 * after the end of the last episode continues it, else it starts a new
 * one. The first `listed` episodes are kept (the list grows as needed, up
 * to that many), all of them are counted. Shared by a recording's summary
 * (recorder.c: the frames the source superseded between recorded frames)
 * and an acquisition's (acq_drops.c: the frames skipped during the run).
 *
 * Each episode also carries the caller's tag at its first gap (the
 * recorder: the index of the first recorded frame after it) and the worst
 * lag noted while it lasted (ogate_episodes_lag). One thread at a time.
 */
#ifndef OGATE_EPISODES_H
#define OGATE_EPISODES_H

#include <stddef.h>
#include <stdint.h>

struct ogate_episode {
	int64_t start_ns;   /* the newest frame before its first gap */
	int64_t end_ns;	    /* the first frame after its last gap */
	uint64_t frames;    /* skipped */
	uint64_t tag;	    /* the caller's, at its first gap */
	int64_t lag_max_ns; /* the worst lag noted during it, INT64_MIN none */
};

struct ogate_episodes;

/* NULL when out of memory. */
struct ogate_episodes *ogate_episodes_new(size_t listed, int64_t quiet_ns);
void ogate_episodes_free(struct ogate_episodes *e);
/* Forget them all (a new run). */
void ogate_episodes_reset(struct ogate_episodes *e);
/* n (> 0) frames skipped between a and b (a <= b); tag is kept if they start an episode. */
void ogate_episodes_gap(struct ogate_episodes *e, int64_t a, int64_t b, uint64_t n, uint64_t tag);
/* A frame at t with this lag: the open episode's worst, when t is within quiet_ns of its end. */
void ogate_episodes_lag(struct ogate_episodes *e, int64_t t, int64_t lag_ns);
/* The open episode ends (into the list, or only counted once the list is full). */
void ogate_episodes_close(struct ogate_episodes *e);
/* All of them, the open one included. */
uint64_t ogate_episodes_count(const struct ogate_episodes *e);
/* The frames of all of them. */
uint64_t ogate_episodes_frames(const struct ogate_episodes *e);
/* The episodes listed, the open one last when there is room for it. */
size_t ogate_episodes_listed(const struct ogate_episodes *e);
/* Listed episode i (< ogate_episodes_listed). */
const struct ogate_episode *ogate_episodes_at(const struct ogate_episodes *e, size_t i);

#endif
