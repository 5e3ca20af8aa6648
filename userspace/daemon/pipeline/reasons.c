// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Triggers counted by the analysis's reason (see reasons.h). */
#include "reasons.h"

#include "ogate/analysis.h"

void ogate_reason_counts_add(struct ogate_reason_counts *c, int reason)
{
	switch (reason) {
	case OGATE_TRIGGER_STANDARD: c->standard++; break;
	case OGATE_TRIGGER_PANIC: c->panic++; break;
	case OGATE_TRIGGER_LATE: c->late++; break;
	default: c->other++; break;
	}
}

uint64_t ogate_reason_counts_total(const struct ogate_reason_counts *c)
{
	return c->standard + c->panic + c->late + c->other;
}

const char *ogate_reason_name(int reason)
{
	switch (reason) {
	case OGATE_TRIGGER_STANDARD: return "standard";
	case OGATE_TRIGGER_PANIC: return "panic";
	case OGATE_TRIGGER_LATE: return "late";
	default: return "other";
	}
}
