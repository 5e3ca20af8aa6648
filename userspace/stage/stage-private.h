/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Private: the driver vtable and the state shared by drivers (linuxptp servo style). */
#ifndef OGATE_STAGE_PRIVATE_H
#define OGATE_STAGE_PRIVATE_H

#include <stdarg.h>
#include "clock-util.h"
#include "ogate/stage.h"
#include "serial.h"

#define STAGE_ERRLEN 512
#define STAGE_IDLEN 128

struct stage_ops {
	const char *name;
	size_t priv_size; /* bytes of driver state at s->priv */
	int (*open)(struct ogate_stage *s);
	void (*close)(struct ogate_stage *s);
	int (*home)(struct ogate_stage *s);
	int (*move_abs)(struct ogate_stage *s, double um);
	int (*move_rel)(struct ogate_stage *s, double um);
	int (*position)(struct ogate_stage *s, double *um);
	int (*is_moving)(struct ogate_stage *s);
	int (*stop)(struct ogate_stage *s);
	/* hardware sequencing; NULL: not supported (-EOPNOTSUPP) */
	int (*seq_load)(struct ogate_stage *s, const double *um, size_t n);
	int (*seq_arm)(struct ogate_stage *s);
	int (*seq_disarm)(struct ogate_stage *s);
};

struct ogate_stage {
	const struct stage_ops *ops;
	struct ogate_stage_opts opts;
	char *port;		  /* owned copy of opts.port */
	struct ogate_serial *ser; /* NULL for sim */
	double min_um, max_um;	  /* effective soft limits */
	double scale;		  /* controller units per µm */
	char identity[STAGE_IDLEN];
	char last_error[STAGE_ERRLEN];
	bool quiet;	   /* expected failures (retries): record, do not log */
	bool desync;	   /* a reply timed out: it may still arrive late */
	bool seq_verified; /* the last seq_load's count was read back */
	void *priv;
};

extern const struct stage_ops ogate_stage_smc100_ops;
extern const struct stage_ops ogate_stage_asi_ops;
extern const struct stage_ops ogate_stage_sim_ops;

/* Record an error (last_error), log it once, return rc (a -errno). */
int stage_fail(struct ogate_stage *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void stage_log(struct ogate_stage *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Escape a reply for an error message: printable ASCII as is, the rest \xNN. */
void stage_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

/*
 * One command/reply exchange on the stage's serial port: flush stale input,
 * write wire (terminator included), read one line (without terminator) into
 * line. expect_reply false: only write. On failure the error (naming shown,
 * the command without terminator, and the bytes received) is recorded.
 */
int stage_xfer(struct ogate_stage *s, const char *shown, const char *eol, bool expect_reply,
	       char *line, size_t linelen);

/* Strict number parsers: whole string, finite, no leading/trailing space. */
int stage_parse_double(const char *str, double *out);

#endif
