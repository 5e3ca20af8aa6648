/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Triggers counted by the analysis's reason (enum ogate_trigger_reason,
 * ogate/analysis.h: why it fired then), the one rule ogated's four counts
 * share: the pipeline's status (triggers_*), a recording's summary, an
 * acquisition's status (acq_triggers_*) and its summary.
 *
 * Standard, panic and late are counted as such; any other value (the
 * analysis commits none today: NONE and SAME_BEAT are decisions not to
 * fire) counts as other and is named "other", and each user reports
 * other beside the three. An instrument does not count a reason it does
 * not know as standard: a new reason in the library shows up as other
 * instead of passing for a trigger committed in time.
 *
 * A plain value (copied into the users' status snapshots); not thread-safe:
 * each user keeps it under its own lock (or on its one thread).
 */
#ifndef OGATE_REASONS_H
#define OGATE_REASONS_H

#include <stdint.h>

struct ogate_reason_counts {
	uint64_t standard, panic, late;
	uint64_t other; /* any other value of reason */
};

/* One trigger of this reason (enum ogate_trigger_reason, or any int). */
void ogate_reason_counts_add(struct ogate_reason_counts *c, int reason);
/* All of them: standard + panic + late + other. */
uint64_t ogate_reason_counts_total(const struct ogate_reason_counts *c);
/* The reason as recordings and summaries name it: "standard", "panic", "late", else "other". */
const char *ogate_reason_name(int reason);

#endif
