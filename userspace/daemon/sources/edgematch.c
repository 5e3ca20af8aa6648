// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edgematch.h"

void ogate_edgematch_init(struct ogate_edgematch *m)
{
	memset(m, 0, sizeof(*m));
}

void ogate_edgematch_add_edge(struct ogate_edgematch *m, int64_t t_ns, uint64_t seq)
{
	m->edge_t[m->head] = t_ns;
	m->edge_seq[m->head] = seq;
	m->head = (m->head + 1) % OGATE_EDGEMATCH_EDGES;
	if (m->nedges < OGATE_EDGEMATCH_EDGES)
		m->nedges++;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Index of the edge whose offset to t is closest to want; -1 if none. */
static int nearest(const struct ogate_edgematch *m, int64_t t, int64_t want, int64_t *resid)
{
	int64_t best = INT64_MAX;
	int i, k = -1;

	for (i = 0; i < (int)m->nedges; i++) {
		int64_t r = t - m->edge_t[i] - want;

		if (llabs(r) < best) {
			best = llabs(r);
			k = i;
			*resid = r;
		}
	}
	return k;
}

int ogate_edgematch_frame(struct ogate_edgematch *m, int64_t t_ns, uint64_t seq, int64_t *edge_ns)
{
	int64_t resid = 0, tmp[OGATE_EDGEMATCH_LEARN];
	int k;

	if (m->last_frame_t && t_ns > m->last_frame_t) {
		int64_t d = t_ns - m->last_frame_t;

		/* slow EWMA; a dropped frame's double interval barely moves it */
		m->interval_ns = m->interval_ns ? (m->interval_ns * 7 + d) / 8 : d;
	}
	m->last_frame_t = t_ns;

	if (!m->learnt) {
		k = nearest(m, t_ns, 0, &resid);
		if (k >= 0 && m->interval_ns) {
			m->learn[m->nlearn++] = resid;
			if (m->nlearn == OGATE_EDGEMATCH_LEARN) {
				memcpy(tmp, m->learn, sizeof(tmp));
				qsort(tmp, OGATE_EDGEMATCH_LEARN, sizeof(tmp[0]), cmp64);
				m->offset_ns = tmp[OGATE_EDGEMATCH_LEARN / 2];
				m->learnt = 1;
			}
		}
		m->unmatched++;
		if (t_ns > m->last_out)
			m->last_out = t_ns;
		return 0;
	}
	k = nearest(m, t_ns, m->offset_ns, &resid);
	/* an edge is used once, and frame times never go backwards */
	if (k < 0 || llabs(resid) > m->interval_ns / 4 ||
	    (m->have_delta && m->edge_seq[k] <= m->last_edge_seq) || m->edge_t[k] <= m->last_out) {
		m->unmatched++;
		if (t_ns > m->last_out)
			m->last_out = t_ns;
		return 0;
	}
	if (m->have_delta && (int64_t)(seq - m->edge_seq[k]) != m->seq_delta)
		m->seq_jumps++;
	m->seq_delta = (int64_t)(seq - m->edge_seq[k]);
	m->have_delta = 1;
	/* follow a slowly drifting offset; the residual measures the jitter */
	m->offset_ns += resid / 16;
	m->jitter_var = m->matched ? 0.95 * m->jitter_var + 0.05 * (double)resid * (double)resid
				   : (double)resid * (double)resid;
	m->matched++;
	m->last_edge_seq = m->edge_seq[k];
	m->last_out = m->edge_t[k];
	*edge_ns = m->edge_t[k];
	return 1;
}

void ogate_edgematch_get_stats(const struct ogate_edgematch *m, struct ogate_edgematch_stats *s)
{
	s->learnt = m->learnt;
	s->offset_ns = m->offset_ns;
	s->jitter_ns = sqrt(m->jitter_var);
	s->matched = m->matched;
	s->unmatched = m->unmatched;
	s->seq_jumps = m->seq_jumps;
}
