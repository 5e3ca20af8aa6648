/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated's wiring, shared by ogated.c (start-up, signals, shutdown) and
 * commands.c (the control commands and the command worker).
 *
 * Threads: the main thread builds and frees everything and takes signals;
 * the control thread (control.c) parses lines and runs status, stats and
 * abort itself; the command worker runs every other command, one at a time,
 * in arrival order; the acquisition's job thread does stage work and
 * answers home and abort. mode is written by the worker under st_lock.
 * The pipeline adds its frame thread (capture and analysis in one) and its
 * io thread (sink outcomes, recorder); see pipeline.h.
 */
#ifndef OGATE_DAEMON_H
#define OGATE_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "acq.h"
#include "config.h"
#include "control.h"
#include "ogate/settings.h"
#include "pipeline.h"

struct job;
struct ogated_extras;

struct daemon {
	struct ogate_config *cfg;
	struct ogate_settings settings;
	struct ogate_sink *sink;
	struct ogate_source *src;
	struct ogate_pipeline *pipe;
	struct ogate_stage *stage;
	struct ogate_acq *acq;
	struct ogated_extras *extras;	/* frame stream, web, health (ogated_extras.h) */
	struct ogate_provenance *prov;	/* what produced the runs (run_provenance.h); main thread */
	char mode[OGATE_MODE_NAME_LEN]; /* written by the worker, under st_lock */
	pthread_mutex_t st_lock;
	/* the command worker: queued commands, applied in order */
	pthread_t worker;
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	struct job *jobs; /* under wlock */
	bool wstop;	  /* under wlock */
};

/* The camera source for the configured kind and this mode: 0, or -errno (logged). */
int ogate_daemon_make_source(struct ogate_source **out, struct daemon *d, const char *mode_name);

/* The command table handed to ogate_control_new(), ctx = the struct daemon. */
extern const struct ogate_control_cmd ogate_daemon_commands[];
extern const size_t ogate_daemon_ncommands;
/* The command worker (pthread start routine, arg = the struct daemon). */
void *ogate_daemon_worker(void *arg);

#endif
