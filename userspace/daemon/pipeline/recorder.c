// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "episodes.h"
#include "log.h"
#include "ogate/ome.h"
#include "reasons.h"
#include "recorder.h"

struct ogate_recorder {
	struct ogate_ome_writer *w;
	struct ogate_provenance *prov;
	FILE *csv;
	uint64_t n;
	unsigned int part;   /* OME-TIFF part, 0 first */
	uint64_t part_first; /* index of its first frame */
	int64_t t0_ns;	     /* first frame's timestamp (DeltaT origin) */
	int64_t wall0_ns;    /* CLOCK_REALTIME at open */
	double pixel_size_um;
	/* the analysis behind: the source's stale count at the last row, the
	 * last row's timestamp, the worst lag, the superseded frames' episodes
	 * (tag: the first recorded frame after the first gap; lag: of the
	 * recorded frames) */
	uint64_t stale_last;
	int64_t ts_last, lag_max_ns;
	struct ogate_episodes *eps;
	struct ogate_reason_counts by_reason; /* the recorded rows' triggers */
	char stem[480];			      /* DIR/ogate-<stamp> */
	char path[512];			      /* current OME-TIFF */
};

/* The row's trigger, counted by reason once it is written. */
static void count_reason(struct ogate_recorder *r, const struct ogate_record_row *row)
{
	if (row->trigger >= 0)
		ogate_reason_counts_add(&r->by_reason, row->trigger_reason);
}

int ogate_recorder_check_dir(const char *dir, char *why, size_t whylen)
{
	int e;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		e = errno;
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	if (access(dir, W_OK | X_OK)) {
		e = errno;
		snprintf(why, whylen, "cannot write in %s: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}

/* Page 0 of a part: the OME-TIFF file is created with its first frame. */
static int open_part(struct ogate_recorder *r, const struct ogate_frame *f)
{
	struct ogate_ome_opts o;
	char err[600], name[160];
	const char *base;

	if (r->part)
		snprintf(r->path, sizeof(r->path), "%s-%03u.ome.tif", r->stem, r->part % 1000);
	base = strrchr(r->path, '/');
	snprintf(name, sizeof(name), "%.150s", base ? base + 1 : r->path);
	ogate_ome_opts_init(&o);
	o.width = (uint32_t)ogate_frame_width(f);
	o.height = (uint32_t)ogate_frame_height(f);
	o.bits = ogate_frame_format(f) == OGATE_PIX_U16 ? 16 : 8;
	o.planes_hint = OGATE_RECORD_PART_FRAMES;
	o.pixel_size_x_um = o.pixel_size_y_um = r->pixel_size_um > 0 ? r->pixel_size_um : NAN;
	o.image_name = name;
	o.description = "ogate brightfield recording: one time point per frame; per-frame time, "
			"phase and state in the ogate.frame annotations";
	o.acquisition_wall_ns = r->wall0_ns;
	o.plane_ns = "ogate.frame";
	o.provenance = ogate_provenance_pairs(r->prov);
	o.n_provenance = ogate_provenance_count(r->prov);
	o.creator = "ogate";
	if (ogate_ome_open(&r->w, r->path, &o, err, sizeof(err))) {
		ogate_error("recorder: %s", err);
		return -EIO;
	}
	r->part_first = r->n;
	return 0;
}

static int close_part(struct ogate_recorder *r)
{
	char err[600];
	int rc;

	if (!r->w)
		return 0;
	rc = ogate_ome_close(r->w, err, sizeof(err));
	r->w = NULL;
	if (rc)
		ogate_error("recorder: %s", err);
	return rc;
}

int ogate_recorder_open(struct ogate_recorder **out, const char *dir,
			const struct ogate_provenance *prov, double pixel_size_um, char *why,
			size_t whylen)
{
	struct ogate_recorder *r = calloc(1, sizeof(*r));
	char csv[520], provpath[520], stamp[32], msg[600];
	struct timespec ts;
	struct tm tm;
	int e;

	if (!r) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	e = ogate_recorder_check_dir(dir, why, whylen);
	if (e) {
		free(r);
		return e;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r->wall0_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(r->stem, sizeof(r->stem), "%.440s/ogate-%.15s-%03d", dir, stamp,
		 (int)(ts.tv_nsec / 1000000));
	snprintf(r->path, sizeof(r->path), "%s.ome.tif", r->stem);
	snprintf(csv, sizeof(csv), "%s.csv", r->stem);
	snprintf(provpath, sizeof(provpath), "%s.provenance.txt", r->stem);
	r->pixel_size_um = pixel_size_um;
	r->eps = ogate_episodes_new(OGATE_RECORD_EPISODES, OGATE_RECORD_BEHIND_QUIET_NS);
	if (!r->eps || (prov ? ogate_provenance_dup(&r->prov, prov) : ogate_provenance_new(&r->prov))) {
		snprintf(why, whylen, "out of memory");
		ogate_episodes_free(r->eps);
		free(r);
		return -ENOMEM;
	}
	r->csv = fopen(csv, "w");
	e = errno;
	if (r->csv &&
	    fprintf(r->csv,
		    "index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger,qa_trigger,qa_error_ms,qa_phase_error_rad,trigger_reason\n") >
		    0 &&
	    fflush(r->csv) == 0 && !ogate_provenance_write_path(r->prov, provpath, msg, sizeof(msg))) {
		ogate_info("recording to %s", r->path);
		*out = r;
		return 0;
	}
	if (r->csv)
		e = errno ? errno : EIO;
	snprintf(why, whylen, "cannot create %s or its provenance: %s", csv, strerror(e));
	if (r->csv)
		fclose(r->csv);
	unlink(csv);
	ogate_provenance_free(r->prov);
	ogate_episodes_free(r->eps);
	free(r);
	return -e;
}

/*
 * Frame r->n, written: the frames superseded since the last row (the first
 * row is the baseline: what was dropped before the recording is not its),
 * into the current episode or a new one; the lag.
 */
static void note_behind(struct ogate_recorder *r, int64_t ts, const struct ogate_record_row *row)
{
	uint64_t gap = r->n && row->stale > r->stale_last ? row->stale - r->stale_last : 0;

	if (row->lag_ns > r->lag_max_ns)
		r->lag_max_ns = row->lag_ns;
	if (gap)
		ogate_episodes_gap(r->eps, r->ts_last, ts, gap, r->n);
	ogate_episodes_lag(r->eps, ts, row->lag_ns);
	r->stale_last = row->stale;
	r->ts_last = ts;
}

/*
 * The CSV row goes first and is flushed; then the TIFF page. When the page
 * cannot be written, the row is taken back, so the two files always agree
 * (rows = pages), and a crash loses at most the frame being written.
 */
int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row)
{
	const struct ogate_frame_meta *m = ogate_frame_get_meta(f);
	struct ogate_ome_plane p;
	char line[256];
	long off;
	int n, e = 0, ret;

	n = snprintf(line, sizeof(line), "%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%s,", r->n,
		     m->sequence, m->timestamp_ns, row->locked ? "locked" : "determine");
	if (row->locked)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%.6f,%.6f,", row->phase,
			      row->unwrapped);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",,");
	if (row->trigger >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%" PRId64, row->trigger);
	if (row->qa_trigger >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",%" PRId64 ",%.4f,%.6f",
			      row->qa_trigger, row->qa_error_s * 1e3, row->qa_phase_error);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",,,");
	snprintf(line + n, sizeof(line) - (size_t)n, ",%s\n",
		 row->trigger >= 0 ? ogate_reason_name(row->trigger_reason) : "");
	off = ftell(r->csv);
	errno = 0;
	if (off < 0 || fputs(line, r->csv) == EOF || fflush(r->csv)) {
		e = errno ? errno : EIO;
		goto undo;
	}
	if (r->w && r->n - r->part_first >= OGATE_RECORD_PART_FRAMES) {
		close_part(r);
		r->part++;
	}
	if (!r->n)
		r->t0_ns = m->timestamp_ns;
	errno = 0;
	if (!r->w && open_part(r, f)) {
		e = errno ? errno : EIO;
		goto undo;
	}
	ogate_ome_plane_init(&p);
	p.t = (uint32_t)(r->n - r->part_first);
	p.delta_t_s = (m->timestamp_ns - r->t0_ns) / 1e9;
	p.exposure_s = m->exposure_ns > 0 ? m->exposure_ns / 1e9 : NAN;
	ogate_ome_plane_kv(&p, "time_ns", "%" PRId64, m->timestamp_ns);
	ogate_ome_plane_kv(&p, "sequence", "%" PRIu64, m->sequence);
	ogate_ome_plane_kv(&p, "state", "%s", row->locked ? "locked" : "determine");
	if (row->locked) {
		ogate_ome_plane_kv(&p, "phase_rad", "%.6f", row->phase);
		ogate_ome_plane_kv(&p, "unwrapped_rad", "%.6f", row->unwrapped);
	}
	if (row->trigger >= 0) {
		ogate_ome_plane_kv(&p, "trigger", "%" PRId64, row->trigger);
		ogate_ome_plane_kv(&p, "trigger_reason", "%s", ogate_reason_name(row->trigger_reason));
	}
	if (row->qa_trigger >= 0) {
		ogate_ome_plane_kv(&p, "qa_trigger", "%" PRId64, row->qa_trigger);
		ogate_ome_plane_kv(&p, "qa_error_ms", "%.4f", row->qa_error_s * 1e3);
		ogate_ome_plane_kv(&p, "qa_phase_error_rad", "%.6f", row->qa_phase_error);
	}
	errno = 0;
	ret = ogate_ome_write_plane_strided(r->w, &p, ogate_frame_pixels(f), ogate_frame_stride(f));
	if (ret) {
		e = ret == -EIO && errno ? errno : -ret;
		goto undo;
	}
	note_behind(r, m->timestamp_ns, row);
	count_reason(r, row);
	r->n++;
	return 0;
undo:
	/* take the row back: the CSV never lists a frame the TIFF lacks */
	if (off >= 0) {
		clearerr(r->csv);
		if (fseek(r->csv, off, SEEK_SET) == 0)
			(void)!ftruncate(fileno(r->csv), off);
	}
	return -e;
}

uint64_t ogate_recorder_count(const struct ogate_recorder *r)
{
	return r->n;
}

/* DIR/ogate-<stamp>.summary.json, whole or not at all (written aside, renamed). */
static void write_summary(struct ogate_recorder *r)
{
	char path[520], tmp[530], opened[32];
	time_t wall = (time_t)(r->wall0_ns / 1000000000LL);
	struct tm tm;
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s.summary.json", r->stem);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	gmtime_r(&wall, &tm);
	strftime(opened, sizeof(opened), "%Y-%m-%dT%H:%M:%SZ", &tm);
	f = fopen(tmp, "w");
	if (!f) {
		ogate_error("recorder: cannot create %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"opened_utc\": \"%s\",\n  \"frames_recorded\": %" PRIu64 ",\n", opened, r->n);
	fprintf(f, "  \"duration_s\": %.3f,\n", r->n ? (r->ts_last - r->t0_ns) / 1e9 : 0.0);
	fprintf(f, "  \"analysis_lag_max_ms\": %.3f,\n", r->n ? r->lag_max_ns / 1e6 : 0.0);
	fprintf(f,
		"  \"triggers\": {\"standard\": %" PRIu64 ", \"panic\": %" PRIu64
		", \"late\": %" PRIu64 ", \"other\": %" PRIu64 "},\n",
		r->by_reason.standard, r->by_reason.panic, r->by_reason.late, r->by_reason.other);
	fprintf(f, "  \"superseded\": {\n    \"frames\": %" PRIu64 ",\n",
		ogate_episodes_frames(r->eps));
	fprintf(f, "    \"episodes\": %" PRIu64 ",\n    \"listed\": [", ogate_episodes_count(r->eps));
	for (size_t i = 0; i < ogate_episodes_listed(r->eps); i++) {
		const struct ogate_episode *e = ogate_episodes_at(r->eps, i);

		fprintf(f,
			"%s\n      {\"index\": %" PRIu64 ", \"start_ns\": %" PRId64
			", \"start_s\": %.3f, \"duration_s\": %.3f, \"frames\": %" PRIu64
			", \"lag_max_ms\": %.3f}",
			i ? "," : "", e->tag, e->start_ns, (e->start_ns - r->t0_ns) / 1e9,
			(e->end_ns - e->start_ns) / 1e9, e->frames, e->lag_max_ns / 1e6);
	}
	fprintf(f, "%s]\n  }\n}\n", ogate_episodes_listed(r->eps) ? "\n    " : "");
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		ogate_error("recorder: cannot write %s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
	}
}

uint64_t ogate_recorder_close(struct ogate_recorder *r)
{
	uint64_t n;

	if (!r)
		return 0;
	n = r->n;
	close_part(r);
	fclose(r->csv);
	ogate_episodes_close(r->eps);
	write_summary(r);
	ogate_info("recording closed: %" PRIu64 " frames in %s, %" PRIu64
		   " superseded while the analysis was behind (%" PRIu64 " episodes)",
		   n, r->path, ogate_episodes_frames(r->eps), ogate_episodes_count(r->eps));
	ogate_provenance_free(r->prov);
	ogate_episodes_free(r->eps);
	free(r);
	return n;
}

const char *ogate_recorder_path(const struct ogate_recorder *r)
{
	return r->path;
}
