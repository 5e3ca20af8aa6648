/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the lib suites that fill a sync's history by hand, as the frame thread fills it
 * (sync.c), with phases whose value at a trigger is known (test_sync_qa.c, test_qa_local.c,
 * test_sync_tracking.c, test_predict_window.c): an entry pushed into the ring, and the live
 * check's step on it (sync_qa.c). Include after cmocka.h and sync_private.h; the helpers are
 * static inline so a test that does not use one does not warn. */
#ifndef OGATE_TEST_QA_FEED_H
#define OGATE_TEST_QA_FEED_H

#include <string.h>

/* e as the history's newest entry */
static inline void hist_push(struct ogate_sync *s, struct hist e)
{
	s->hist[s->hhead] = e;
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
}

/* e pushed, then the live check's step on it: 1 and its judgement in *q where it judged a
 * trigger, else 0 (*q as it was) */
static inline int qa_feed(struct ogate_sync *s, struct hist e, struct ogate_sync_qa *q)
{
	struct ogate_sync_result r;
	hist_push(s, e);
	memset(&r, 0, sizeof(r));
	sync_qa_step(s, &r);
	if (r.has_qa)
		*q = r.qa;
	return r.has_qa;
}
#endif
