/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Test doubles: simulated stage controllers on a pseudo-terminal. A thread
 * reads command lines from the pty master and answers like the real
 * controller; faults (silence, slow replies, garbage, hang-ups, partial
 * replies) can be injected per command mnemonic.
 */
#ifndef FAKE_CTL_H
#define FAKE_CTL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock-util.h"

enum fault_kind {
	FAULT_NONE,
	FAULT_SILENT,  /* no reply at all */
	FAULT_SLOW,    /* reply after delay_ms */
	FAULT_GARBAGE, /* send the fault text instead of the reply */
	FAULT_PARTIAL, /* send the fault text (no line end), then nothing */
	FAULT_HANGUP,  /* close the pty master on receipt */
};

struct fake_ctl;
typedef void (*fake_handler)(struct fake_ctl *f, const char *line);

struct fake_ctl {
	int master, slave_keep;
	char slave[64];
	pthread_t thread;
	int stop_pipe[2];
	pthread_mutex_t lock;
	fake_handler handle;
	const char *eol; /* reply line end */
	void *model;
	/* fault injection (under lock) */
	char fault_key[16];
	enum fault_kind fault;
	int fault_delay_ms;
	char fault_text[128];
	/* every line received, joined with '|' (under lock) */
	char rx_log[8192];
	int rx_count;
	bool hung_up;
};

int fake_start(struct fake_ctl *f, fake_handler handle, const char *eol, void *model);
void fake_stop(struct fake_ctl *f);
void fake_set_fault(struct fake_ctl *f, const char *key, enum fault_kind k, int delay_ms,
		    const char *text);
/* Reply to the command with mnemonic key (reply NULL: the command has none). */
void fake_reply(struct fake_ctl *f, const char *key, const char *reply);
/* Copy of the rx log; count of lines received. */
int fake_rx(struct fake_ctl *f, char *buf, size_t len);
void fake_clear_rx(struct fake_ctl *f);

/* Newport SMC100 model */
struct fake_smc100 {
	int addr;
	double pos, from, target, speed; /* mm, mm/s */
	int64_t t0;
	unsigned state, flags;
	char te; /* pending TE code */
	double sl, sr;
	bool fail_next_move; /* end the next move with a following error */
	int reset_ms;	     /* silence after RS */
	int64_t silent_until;
};
void fake_smc100_init(struct fake_smc100 *m);
void fake_smc100_handle(struct fake_ctl *f, const char *line);

/* ASI MS-2000 model (units: tenths of µm), with the RING BUFFER module */
#define FAKE_ASI_RB_MAX 250
struct fake_asi {
	char axis;
	double pos, from, target, speed; /* tenths, tenths/s */
	double lo, hi;
	int64_t t0;
	bool moving;
	/* ring buffer and TTL input (under the fake's lock) */
	double rb[FAKE_ASI_RB_MAX];
	int rb_cap; /* 50 by default (250 on large builds) */
	int rb_n, rb_ptr;
	int axis_byte;	     /* RM Y; MS-2000 builds default to 3 (X, Y) */
	int ttl_in_mode;     /* TTL X: 0 off, 1 ring buffer move */
	bool full_ld_acks;   /* LD answers :A when full (before MS-2000 9.2o / Tiger 3.41) */
	bool no_count_query; /* RM X? is :N-1 (before MS-2000 9.2g / Tiger 2.89) */
	int card;	     /* Tiger card address expected before RM/TTL; 0 none */
	/* TTL pulses seen, moves they started, and the serial lines received
	 * (fake_ctl.rx_count) at the first and the last pulse */
	int ttl_pulses, ttl_moves;
	int rx_at_first_ttl, rx_at_last_ttl;
};
void fake_asi_init(struct fake_asi *m);
void fake_asi_handle(struct fake_ctl *f, const char *line);
/* Where the simulated stage is now, in tenths (takes the fake's lock). */
double fake_asi_position(struct fake_ctl *f);
/* A simulated TTL pulse on IN0 (takes the fake's lock). */
void fake_asi_ttl(struct fake_ctl *f);

#endif
