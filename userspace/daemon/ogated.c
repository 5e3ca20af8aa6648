// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated: the gating daemon. Camera frames in, phase analysis, trigger
 * programs out at absolute CLOCK_MONOTONIC times; controlled over a Unix
 * socket (see control.h and ogated(8)); run by systemd as Type=notify.
 *
 * Exit status (ogated(8)): 0 clean stop or a valid --check-config; 1 a
 * device, camera or the control socket could not be set up; 2 a usage or
 * configuration error, nothing started.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "acq.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "notify.h"
#include "ogate/settings.h"
#include "ogated_extras.h"
#include "pipeline.h"
#include "run_provenance.h"
#include "daemon.h"

#define DEFAULT_CONFIG "/etc/ogate/ogated.conf"
#include "ogate-version.h"

static int settings_delegate(void *ctx, const char *key, const char *value, char *msg, size_t msglen)
{
	int ret = ogate_settings_set(ctx, key, value);

	if (ret == -EINVAL)
		snprintf(msg, msglen,
			 "not a valid value for this analysis setting (see ogated.conf(5))");
	return ret;
}

static void watchdog_ping(void *ctx)
{
	(void)ctx;
	ogate_notify("WATCHDOG=1");
}

/* A [mode] the synthetic camera cannot take: 1 and why. */
static int synthetic_mode_problem(const char *name, const struct ogate_mode *m, char *why, size_t len)
{
	if (!strcmp(name, "default"))
		return 0;
	if (!(m->fps >= 1))
		snprintf(why, len, "mode '%s': the synthetic camera needs fps >= 1, not %g", name,
			 m->fps);
	else if (m->width != m->height)
		snprintf(why, len, "mode '%s': the synthetic camera is square; width %d != height %d",
			 name, m->width, m->height);
	else
		return 0;
	return 1;
}

/* The trigger program the configuration describes (lines as configured). */
static void build_program(const struct ogate_config *c, struct ogate_program *prog)
{
	*prog = (struct ogate_program){
		.laser_line = (int)ogate_config_int(c, "output.laser_line"),
		.camera_line = (int)ogate_config_int(c, "output.camera_line"),
		.mode = strcmp(ogate_config_str(c, "output.mode"), "edge") ? OGATE_PROGRAM_EXPOSE
									   : OGATE_PROGRAM_EDGE,
		.laser_width_ns = (uint32_t)ogate_config_int(c, "output.laser_width_us") * 1000,
		.camera_delay_ns = (int32_t)ogate_config_int(c, "output.camera_laser_delay_us") * 1000,
		.camera_width_ns = (uint32_t)ogate_config_int(c, "output.camera_width_us") * 1000,
		.late_ns = (uint32_t)ogate_config_int(c, "output.late_us") * 1000,
	};
}

/*
 * What start would refuse in the configuration itself (not devices): the
 * trigger program and the camera mode. Run by --check-config and at start.
 */
static int check_startable(const struct ogate_config *c, char *why, size_t len)
{
	const char *mode = ogate_config_str(c, "camera.mode");
	struct ogate_program prog;
	struct ogate_mode m;
	char msg[160];

	build_program(c, &prog);
	if (ogate_program_check(&prog, msg, sizeof(msg))) {
		snprintf(why, len, "configuration: trigger program ([output]): %s", msg);
		return -EINVAL;
	}
	if (!strcmp(ogate_config_str(c, "camera.source"), "synthetic") &&
	    ogate_config_mode(c, mode, &m) == 0 && synthetic_mode_problem(mode, &m, msg, sizeof(msg))) {
		snprintf(why, len, "configuration: camera.mode: %s", msg);
		return -EINVAL;
	}
	return 0;
}

/* Build the camera source for the configured source kind and mode. */
int ogate_daemon_make_source(struct ogate_source **out, struct daemon *d, const char *mode_name)
{
	const struct ogate_config *c = d->cfg;
	const char *kind = ogate_config_str(c, "camera.source");
	struct ogate_source_opts o = { .kind = kind };
	struct ogate_mode m;

	if (ogate_config_mode(c, mode_name, &m)) {
		ogate_error("mode '%s' is not defined in the configuration", mode_name);
		return -ENOENT;
	}
	if (!strcmp(kind, "synthetic")) {
		char why[160];

		/* a mode sets the size and rate; [synthetic] the heart */
		o.size = strcmp(mode_name, "default") ? m.width
						      : (int)ogate_config_int(c, "synthetic.size");
		o.fps = strcmp(mode_name, "default") ? m.fps : ogate_config_double(c, "synthetic.fps");
		if (synthetic_mode_problem(mode_name, &m, why, sizeof(why))) {
			ogate_error("%s", why);
			return -EINVAL;
		}
		o.period_s = ogate_config_double(c, "synthetic.period_s");
		o.noise = ogate_config_double(c, "synthetic.noise");
		o.mod_amp = ogate_config_double(c, "synthetic.mod_amp");
		o.mod_period_s = ogate_config_double(c, "synthetic.mod_period_s");
		o.seed = (uint64_t)ogate_config_int(c, "synthetic.seed");
	} else if (!strcmp(kind, "libcamera")) {
		o.camera_id = ogate_config_str(c, "camera.id");
		o.width = m.width;
		o.height = m.height;
		o.fps = m.fps;
		o.roi_x = m.roi_x;
		o.roi_y = m.roi_y;
		o.roi_w = m.roi_w;
		o.roi_h = m.roi_h;
		o.exposure_us = (int)ogate_config_int(c, "camera.exposure_us");
		o.analogue_gain = ogate_config_double(c, "camera.analogue_gain");
	} else if (!strcmp(kind, "file")) {
		o.path = ogate_config_str(c, "file.path");
		o.timestamps = ogate_config_str(c, "file.timestamps");
		o.fps = ogate_config_double(c, "file.fps");
		o.fast = !strcmp(ogate_config_str(c, "file.pace"), "fast");
		o.loop = ogate_config_bool(c, "file.loop");
	}
	ogated_extras_set_nominal_fps(d->extras, o.fast ? 0 : o.fps);
	return ogate_source_open(out, &o);
}

static int make_sink(struct ogate_sink **out, const struct ogate_config *c, struct ogate_program *prog)
{
	const char *kind = ogate_config_str(c, "output.sink");
	unsigned int lines[2];
	struct ogate_sink_opts o = {
		.device = ogate_config_str(c, "output.device"),
		.gpiochip = ogate_config_str(c, "output.gpiochip"),
		.rt_priority = (int)ogate_config_int(c, "daemon.rt_priority"),
		.record_path = ogate_config_str(c, "output.dryrun_file"),
	};
	char msg[160];

	build_program(c, prog);
	if (!strcmp(kind, "gpiod")) {
		/* gpiod: the configured lines are chip offsets; the sink numbers them 0, 1 */
		lines[0] = (unsigned int)prog->laser_line;
		o.nlines = 1;
		if (prog->camera_line >= 0) {
			lines[1] = (unsigned int)prog->camera_line;
			o.nlines = 2;
		}
		o.lines = lines;
		prog->laser_line = 0;
		prog->camera_line = prog->camera_line >= 0 ? 1 : -1;
	}
	if (ogate_program_check(prog, msg, sizeof(msg))) {
		ogate_error("trigger program: %s", msg);
		return -EINVAL;
	}
	return ogate_sink_open(out, kind, &o);
}

/* The stage, when one is configured (opts kept to reopen it after an unplug). */
static int open_stage(struct daemon *d, struct ogate_stage_opts *opts)
{
	const struct ogate_config *c = d->cfg;
	const char *driver = ogate_config_str(c, "stage.driver");
	struct ogate_stage_opts o;
	char err[256];
	int ret;

	if (!strcmp(driver, "none"))
		return 0;
	ogate_stage_opts_init(&o);
	o.driver = driver;
	o.port = ogate_config_str(c, "stage.port");
	o.address = (int)ogate_config_int(c, "stage.address");
	o.baud = (int)ogate_config_int(c, "stage.baud");
	o.axis = ogate_config_str(c, "stage.axis")[0];
	o.min_um = ogate_config_double(c, "stage.min_um");
	o.max_um = ogate_config_double(c, "stage.max_um");
	o.reply_timeout_ms = (int)ogate_config_int(c, "stage.reply_timeout_ms");
	o.move_timeout_ms = (int)ogate_config_int(c, "stage.move_timeout_ms");
	o.sim_speed_um_s = ogate_config_double(c, "stage.sim_speed_um_s");
	o.seq_capacity = (int)ogate_config_int(c, "stage.ring_size");
	o.seq_axis_byte = (int)ogate_config_int(c, "stage.axis_byte");
	o.card_address = (int)ogate_config_int(c, "stage.card");
	*opts = o;
	ret = ogate_stage_open(&d->stage, &o, err, sizeof(err));
	if (ret)
		ogate_error("stage %s on %s: %s", driver, o.port[0] ? o.port : "(no port)", err);
	else
		ogate_info("stage: %s %s", driver, ogate_stage_identity(d->stage));
	return ret;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: ogated [--config FILE] [--set section.key=value]... [--check-config]\n"
		   "              [--foreground] [--help-config]\n"
		   "  --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		   "  --set K=V       override one key, e.g. --set camera.source=synthetic\n"
		   "  --check-config  validate the configuration and exit\n"
		   "  --help-config   list every configuration key\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help-config", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *sets[64];
	struct ogate_pipeline_opts po = { 0 };
	struct ogate_control *ctl = NULL;
	struct daemon d = { 0 };
	struct ogate_stage_opts sopts;
	enum ogate_log_level lvl;
	char err[OGATE_CONFIG_ERR_LEN];
	int nsets = 0, check = 0, c, rc = 0;
	sigset_t sigs;

	while ((c = getopt_long(argc, argv, "c:s:kfKhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "ogated: at most 64 --set options\n");
				return 2;
			}
			sets[nsets++] = optarg;
			break;
		case 'k': check = 1; break;
		case 'f': break; /* ogated never forks; kept for scripts */
		case 'K': ogate_config_print_table(stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogated %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ogated: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* libcamera logs every INFO line to stderr (the journal) unless told otherwise */
	setenv("LIBCAMERA_LOG_LEVELS", "*:WARN", 0);
	ogate_settings_default(&d.settings);
	if (ogate_config_new(&d.cfg, settings_delegate, &d.settings)) {
		ogate_critical("out of memory");
		return 1;
	}
	if (config_path || access(DEFAULT_CONFIG, F_OK) == 0) {
		if (ogate_config_load(d.cfg, config_path ? config_path : DEFAULT_CONFIG, err,
				      sizeof(err))) {
			ogate_critical("%s", err);
			return 2;
		}
	} else {
		ogate_warning("%s missing: running on the built-in defaults", DEFAULT_CONFIG);
	}
	for (c = 0; c < nsets; c++) {
		if (ogate_config_set(d.cfg, sets[c], err, sizeof(err))) {
			ogate_critical("%s", err);
			return 2;
		}
	}
	if (ogate_config_check(d.cfg, err, sizeof(err)) || check_startable(d.cfg, err, sizeof(err))) {
		ogate_critical("%s", err);
		return 2;
	}
	if (check) {
		printf("configuration OK\n");
		return 0;
	}
	if (ogate_log_level_parse(ogate_config_str(d.cfg, "daemon.log_level"), &lvl) == 0)
		ogate_log_set_level(lvl);
	if (ogate_config_bool(d.cfg, "daemon.mlockall") && mlockall(MCL_CURRENT | MCL_FUTURE))
		ogate_warning("mlockall not permitted (%s): page faults may delay frames",
			      strerror(errno));

	/* signals are taken synchronously by the main thread only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&d.st_lock, NULL);
	pthread_mutex_init(&d.wlock, NULL);
	pthread_cond_init(&d.wcond, NULL);
	signal(SIGXFSZ, SIG_IGN); /* a file-size limit is a write error, not a kill */
	snprintf(d.mode, sizeof(d.mode), "%s", ogate_config_str(d.cfg, "camera.mode"));
	po.settings = d.settings;
	po.rt_priority = (int)ogate_config_int(d.cfg, "daemon.rt_priority");
	po.cpu_capture = (int)ogate_config_int(d.cfg, "daemon.cpu_capture");
	po.cpu_analysis = (int)ogate_config_int(d.cfg, "daemon.cpu_analysis");
	po.stop_grace_ns = ogate_config_int(d.cfg, "daemon.stop_grace_ms") * 1000000LL;
	po.record_dir = ogate_config_str(d.cfg, "record.dir");
	/* frame edges mean something only for a real camera wired to the module */
	po.edge_match = ogate_config_bool(d.cfg, "camera.edge_match") &&
			!strcmp(ogate_config_str(d.cfg, "camera.source"), "libcamera") &&
			!strcmp(ogate_config_str(d.cfg, "output.sink"), "ogate");
	po.edge_line = 0;
	po.record_every = (int)ogate_config_int(d.cfg, "record.every");
	if (ogate_notify_watchdog_ns() > 0)
		po.watchdog = watchdog_ping;
	/* the analysis keys were applied to d.settings, once each, as they were read */

	d.extras = ogated_extras_new(d.cfg, &po);
	if (!d.extras)
		return 1;
	if (make_sink(&d.sink, d.cfg, &po.program))
		return 1;
	if (ogate_daemon_make_source(&d.src, &d, d.mode)) {
		ogate_sink_close(d.sink);
		return 1;
	}
	if (open_stage(&d, &sopts)) {
		ogate_source_close(d.src);
		ogate_sink_close(d.sink);
		return 1;
	}
	d.prov = ogate_run_provenance(d.cfg, ogate_source_describe(d.src), ogate_sink_kind(d.sink),
				      d.stage, d.mode);
	if (d.stage) {
		if (ogate_acq_new(&d.acq, d.stage, &sopts, ogate_config_str(d.cfg, "record.dir"),
				  po.program.camera_line >= 0 ? 2 : 1, 1U << po.program.laser_line)) {
			ogate_stage_close(d.stage);
			return 1;
		}
		d.stage = NULL; /* the acquisition owns it now */
		po.gate = ogate_acq_gate;
		po.outcome = ogate_acq_outcome;
		po.frame = ogate_acq_frame;
		po.hook_ctx = d.acq;
	}
	/* OME-TIFF output: pixel size at the sample, provenance (acq_out.h, recorder.h) */
	po.provenance = d.prov;
	po.pixel_size_um = ogate_config_double(d.cfg, "camera.pixel_size_um");
	if (po.pixel_size_um > 0 && ogate_config_double(d.cfg, "camera.magnification") > 0)
		po.pixel_size_um /= ogate_config_double(d.cfg, "camera.magnification");
	if (d.acq) {
		struct ogate_acq_output out = {
			.pixel_size_um = ogate_config_double(d.cfg, "camera.pixel_size_um"),
			.magnification = ogate_config_double(d.cfg, "camera.magnification"),
			.exposure_s = ogate_config_int(d.cfg, "camera.exposure_us") > 0
					      ? ogate_config_int(d.cfg, "camera.exposure_us") / 1e6
					      : NAN,
			.sequence = ogate_config_bool(d.cfg, "stage.sequence"),
			.settle_ms = (int)ogate_config_int(d.cfg, "stage.settle_ms"),
			.tolerance_um = ogate_config_double(d.cfg, "stage.tolerance_um"),
		};

		if (ogate_acq_set_output(d.acq, &out, d.prov))
			return 1;
	}
	po.edges = po.edge_match ? ogate_sink_edges(d.sink) : NULL;
	if (ogate_pipeline_new(&d.pipe, &po, d.src, d.sink))
		return 1;
	if (d.acq)
		ogate_acq_set_pipeline(d.acq, d.pipe);
	ogate_control_new(&ctl, ogate_config_str(d.cfg, "daemon.socket"),
			  ogate_config_str(d.cfg, "daemon.socket_group"),
			  (unsigned int)ogate_config_int(d.cfg, "daemon.socket_mode"),
			  ogate_daemon_commands, ogate_daemon_ncommands, &d); /* ctl stays NULL if not */
	/*
	 * Recording and autostart happen before any command is served: from
	 * here on, only the command worker starts, stops and reconfigures.
	 */
	if (ctl && ogate_config_bool(d.cfg, "record.enabled")) {
		char msg[300];

		if (ogate_pipeline_record(d.pipe, true, msg, sizeof(msg)))
			ogate_error("record.enabled: %s; not recording", msg);
	}
	if (ctl && ogate_config_bool(d.cfg, "daemon.autostart") && ogate_pipeline_start(d.pipe))
		rc = 1;
	if (ctl && pthread_create(&d.worker, NULL, ogate_daemon_worker, &d)) {
		ogate_control_free(ctl);
		ctl = NULL;
	}
	if (!ctl || ogate_control_start(ctl)) {
		ogate_acq_free(d.acq);
		ogate_pipeline_free(d.pipe);
		ogate_source_close(d.src);
		ogate_sink_close(d.sink);
		return 1;
	}
	/* the web server's commands go through the control socket, now serving */
	if (ogated_extras_start(d.extras, d.pipe))
		rc = 1;
	if (!rc) {
		ogate_notify("READY=1");
		ogate_success("ogated ready on %s", ogate_config_str(d.cfg, "daemon.socket"));
		for (;;) {
			struct timespec one = { 1, 0 };
			int sig = sigtimedwait(&sigs, NULL, &one);

			if (sig == SIGTERM || sig == SIGINT) {
				ogate_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
				break;
			}
			if (sig == SIGHUP)
				ogate_warning(
					"SIGHUP ignored: the configuration is read only at start; restart ogated to apply a changed file");
			/* the analysis loop pings while streaming; keep systemd informed when stopped */
			if (po.watchdog) {
				struct ogate_pipeline_status st;

				ogate_pipeline_status(d.pipe, &st);
				if (!st.running)
					ogate_notify("WATCHDOG=1");
			}
		}
	}
	ogate_notify("STOPPING=1");
	ogated_extras_stop(d.extras); /* the web server first: it talks to the socket */
	ogate_control_stop(ctl);
	pthread_mutex_lock(&d.wlock);
	d.wstop = true; /* what is still queued is refused */
	pthread_cond_signal(&d.wcond);
	pthread_mutex_unlock(&d.wlock);
	pthread_join(d.worker, NULL);
	ogate_acq_free(d.acq);	     /* aborts a job: stage stopped */
	ogate_pipeline_free(d.pipe); /* stops: grace period, then cancel */
	ogate_control_free(ctl);
	ogated_extras_free(d.extras); /* the ring, after the frame tap's last write */
	ogate_sink_close(d.sink);     /* outputs inactive */
	if (d.stage)
		ogate_stage_close(d.stage);
	ogate_source_close(d.src);
	ogate_config_free(d.cfg);
	ogate_provenance_free(d.prov);
	ogate_info("ogated stopped");
	return rc;
}
