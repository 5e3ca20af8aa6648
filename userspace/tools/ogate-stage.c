// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogate-stage: open a z stage from command-line options and run commands on
 * it in order: home, move, move-rel, position, status, stop, wait.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "ogate/stage.h"
#include "ogate-version.h"

static int verbose;

static void log_stderr(void *ctx, int prio, const char *msg)
{
	/* errors reach the user once, through the failing command's message */
	if (prio == 4 || verbose)
		fprintf(stderr, "<%d>%s\n", prio, msg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ogate-stage -d DRIVER [options] COMMAND...\n"
		   "Drivers: smc100 (Newport SMC100), asi (ASI MS-2000/Tiger), sim (simulated)\n"
		   "Options:\n"
		   "  -d, --driver NAME        stage driver\n"
		   "  -p, --port PATH          serial port (smc100, asi)\n"
		   "  -a, --address N          SMC100 controller address 1..31 (default 1)\n"
		   "  -b, --baud N             baud rate (default: SMC100 57600, ASI 9600)\n"
		   "  -x, --axis LETTER        ASI axis (default Z)\n"
		   "  -u, --units-per-um X     controller units per micrometre (default: SMC100\n"
		   "                           0.001 = mm, ASI 10 = tenths of um)\n"
		   "  -t, --reply-timeout MS   per-command reply timeout (default 500)\n"
		   "  -T, --move-timeout MS    how long to wait for a move or homing (default 60000)\n"
		   "      --transport NAME     auto, libserialport or termios (default auto)\n"
		   "      --min UM, --max UM   soft limits in micrometres\n"
		   "      --speed UM_PER_S     sim: speed (default 1000)\n"
		   "      --start UM           sim: position at start (default 0)\n"
		   "  -n, --no-wait            do not wait for the end of home/move commands\n"
		   "  -v, --verbose            log informational messages\n"
		   "  -h, --help\n"
		   "  -V, --version\n"
		   "Commands (run in order; positions in micrometres):\n"
		   "  home  move UM  move-rel UM  position  status  stop  wait\n");
}

static int parse_num(const char *s, double *v)
{
	return ogate_parse_double(s, v);
}

static int parse_int(const char *s, int *v)
{
	int64_t i;
	int r = ogate_parse_i64(s, 10, &i);

	if (r)
		return r;
	if (i < INT32_MIN || i > INT32_MAX)
		return -ERANGE;
	*v = (int)i;
	return 0;
}

static int fail(struct ogate_stage *s, const char *cmd, int rc)
{
	fprintf(stderr, "ogate-stage: %s: %s (%s)\n", cmd, ogate_stage_last_error(s), strerror(-rc));
	return 1;
}

static int print_status(struct ogate_stage *s)
{
	double lo, hi, um;
	int rc;

	printf("driver %s\n", ogate_stage_driver(s));
	printf("identity %s\n", ogate_stage_identity(s));
	ogate_stage_limits(s, &lo, &hi);
	printf("limits %.3f %.3f um\n", lo, hi);
	rc = ogate_stage_position(s, &um);
	if (rc)
		return fail(s, "status", rc);
	printf("position %.3f um\n", um);
	rc = ogate_stage_is_moving(s);
	if (rc == -EIO) {
		/* the controller answered: report its state (e.g. not homed yet) */
		printf("moving unknown: %s\n", ogate_stage_last_error(s));
		return 0;
	}
	if (rc < 0)
		return fail(s, "status", rc);
	printf("moving %s\n", rc ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_TRANSPORT = 256, OPT_MIN, OPT_MAX, OPT_SPEED, OPT_START };
	static const struct option longopts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "address", required_argument, NULL, 'a' },
		{ "baud", required_argument, NULL, 'b' },
		{ "axis", required_argument, NULL, 'x' },
		{ "units-per-um", required_argument, NULL, 'u' },
		{ "reply-timeout", required_argument, NULL, 't' },
		{ "move-timeout", required_argument, NULL, 'T' },
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "min", required_argument, NULL, OPT_MIN },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "start", required_argument, NULL, OPT_START },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[600];
	bool wait = true;
	int c, rc, status = 0;

	ogate_stage_opts_init(&o);
	o.log = log_stderr;
	while ((c = getopt_long(argc, argv, "+d:p:a:b:x:u:t:T:nvhV", longopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'd': o.driver = optarg; break;
		case 'p': o.port = optarg; break;
		case 'a': bad = parse_int(optarg, &o.address); break;
		case 'b': bad = parse_int(optarg, &o.baud) || o.baud <= 0; break;
		case 'x':
			bad = strlen(optarg) != 1;
			o.axis = optarg[0];
			break;
		case 'u': bad = parse_num(optarg, &o.units_per_um) || o.units_per_um <= 0; break;
		case 't':
			bad = parse_int(optarg, &o.reply_timeout_ms) || o.reply_timeout_ms <= 0;
			break;
		case 'T':
			bad = parse_int(optarg, &o.move_timeout_ms) || o.move_timeout_ms <= 0;
			break;
		case OPT_TRANSPORT: o.transport = optarg; break;
		case OPT_MIN: bad = parse_num(optarg, &o.min_um); break;
		case OPT_MAX: bad = parse_num(optarg, &o.max_um); break;
		case OPT_SPEED: bad = parse_num(optarg, &o.sim_speed_um_s); break;
		case OPT_START: bad = parse_num(optarg, &o.sim_start_um); break;
		case 'n': wait = false; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogate-stage %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "ogate-stage: bad value \"%s\" for -%c\n", optarg,
				c < 256 ? c : '-');
			return 2;
		}
	}
	if (!o.driver || optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* check the command list before touching the stage */
	for (int i = optind; i < argc; i++) {
		double v;

		if (!strcmp(argv[i], "move") || !strcmp(argv[i], "move-rel")) {
			if (i + 1 >= argc || parse_num(argv[i + 1], &v)) {
				fprintf(stderr, "ogate-stage: %s needs a number of micrometres\n",
					argv[i]);
				return 2;
			}
			i++;
		} else if (strcmp(argv[i], "home") && strcmp(argv[i], "position") &&
			   strcmp(argv[i], "status") && strcmp(argv[i], "stop") &&
			   strcmp(argv[i], "wait")) {
			fprintf(stderr, "ogate-stage: unknown command \"%s\"\n", argv[i]);
			return 2;
		}
	}
	rc = ogate_stage_open(&s, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "ogate-stage: open: %s (%s)\n", err, strerror(-rc));
		return 1;
	}
	for (int i = optind; i < argc && !status; i++) {
		const char *cmd = argv[i];
		double v = 0, um;

		if (!strcmp(cmd, "home")) {
			rc = ogate_stage_home(s);
			if (!rc && wait)
				rc = ogate_stage_wait_still(s, 0);
		} else if (!strcmp(cmd, "move") || !strcmp(cmd, "move-rel")) {
			parse_num(argv[++i], &v);
			rc = cmd[4] ? ogate_stage_move_rel(s, v) : ogate_stage_move_abs(s, v);
			if (!rc && wait)
				rc = ogate_stage_wait_still(s, 0);
		} else if (!strcmp(cmd, "position")) {
			rc = ogate_stage_position(s, &um);
			if (!rc)
				printf("position %.3f um\n", um);
		} else if (!strcmp(cmd, "status")) {
			status = print_status(s);
			continue;
		} else if (!strcmp(cmd, "stop")) {
			rc = ogate_stage_stop(s);
		} else {
			rc = ogate_stage_wait_still(s, 0);
		}
		if (rc < 0)
			status = fail(s, cmd, rc);
	}
	fflush(stdout);
	ogate_stage_close(s);
	return status;
}
