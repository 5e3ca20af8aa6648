/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ogate-emulate's settings from the command line (emuopts.c): each reports on stderr itself. */
#ifndef OGATE_EMUOPTS_H
#define OGATE_EMUOPTS_H
#include <stdio.h>
#include "ogate/settings.h"

/* the --help text, with every setting key */
void emu_usage(FILE *f);
/* a settings file (key = value lines, # comments) into s: 0 or -errno */
int emu_read_config(const char *path, struct ogate_settings *s);
/* the --set KEY=VALUE options, in order: 0, or 2 (the exit status) */
int emu_apply_sets(struct ogate_settings *s, char *const *sets, int nsets);
#endif
