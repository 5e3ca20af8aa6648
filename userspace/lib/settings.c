// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "numparse.h"
#include "ogate/settings.h"

void ogate_settings_default(struct ogate_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->min_period = 5;
	s->lower_threshold = 0.5;
	s->upper_threshold = 0.75;
	s->min_heart_rate_hz = 1.0;
	s->agree_count = 5;
	s->agree_tolerance = 0.03;
	s->min_period_frames = 6;
	s->max_buffer_frames = 1024;
	s->max_buffer_mb = 256;
	s->min_frames_for_fit = 3;
	s->max_frames_for_fit = 32;
	s->latency_s = 0.015;
	s->window_from_lock = 1;
	strcpy(s->predictor, "kalman-acc");
	s->kalman_rate_noise = 0.05;
	s->kalman_phase_noise = 0.1;
	s->next_frame_factor = 1.6;
	s->jitter_margin = 3;
	s->min_time_between_s = 0;
	s->late_max = 0.05;
	s->panic_lat = 1;
	s->first_on_time = 1;
	s->gap_factor = 1.8;
	s->track_drift = 1;
	s->subpixel_drift = 1;
	s->match_blur = 1;
	s->roi = 0;
	s->ref_smooth = OGATE_SMOOTH_AUTO;
	s->smooth_small_px = 32768;
	s->smooth_along_fpb = 45;
	s->search_window = 6;
	s->subpixel_gain = 0.02;
	s->qa_local = 32;
	strcpy(s->subframe, "curve");
	s->curve_min_fpb = 8;
	s->curve_max_fpb = 0;
	s->quartic_min_fpb = 20;
	s->quartic_z = 20;
	s->subframe_span_shifted = 1;
	strcpy(s->metric, "sad");
	s->calibrate = 1;
	s->calibrate_anchor = 1;
	s->calibrate_prior = 2;
	s->beat_delta_table = 1;
	s->beat_common = 1;
	s->beat_delta_wrap = 20;
	s->beat_after_drift = 1;
	s->beat_after_moved = 1;
	s->timestamp_positions = 1;
	s->register_drift = 1;
	s->lag_ssd = 0;
	s->lag_curve = 1;
	s->lag_sym = 1;
	s->lock_wait_frames = 6;
	s->lag_even = 1;
	s->scan_ramp = 0;
	s->start_from_target = 0;
	s->drift_move = 1;
	s->spread_move = 2;
	s->held_triggers = 0;
	strcpy(s->sad_backend, "auto");
	s->refresh_after_triggers = 0;
	s->refresh_after_frames = 0;
	s->align_pixels_per_frame = 300000;
	s->oga_resampled_period = 80;
	s->oga_max_offset = 3;
	s->target_phase = -1;
	s->target_frame = -1;
}

enum kind { K_INT, K_DBL, K_STR };
struct key {
	const char *name;
	enum kind kind;
	size_t off;
	double lo, hi;
	const char *word; /* a number's key may also take this word, meaning hi */
};
// clang-format off
#define D(n, f, lo, hi) { n, K_DBL, offsetof(struct ogate_settings, f), lo, hi, NULL }
#define I(n, f, lo, hi) { n, K_INT, offsetof(struct ogate_settings, f), lo, hi, NULL }
#define IW(n, f, lo, hi, w) { n, K_INT, offsetof(struct ogate_settings, f), lo, hi, w }
#define S(n, f) { n, K_STR, offsetof(struct ogate_settings, f), 0, 0, NULL }
// clang-format on
static const struct key keys[] = {
	I("reference.min_period", min_period, 2, 1000),
	D("reference.lower_threshold", lower_threshold, 0, 1),
	D("reference.upper_threshold", upper_threshold, 0, 1),
	D("reference.min_heart_rate_hz", min_heart_rate_hz, 0.01, 100),
	I("reference.agree_count", agree_count, 1, 64),
	D("reference.agree_tolerance", agree_tolerance, 0, 1),
	D("reference.min_period_frames", min_period_frames, 3, 1e6),
	I("reference.max_buffer_frames", max_buffer_frames, 8, 100000),
	D("reference.max_buffer_mb", max_buffer_mb, 1, 1e6),
	I("reference.row_step", determine_row_step, 0, 64),
	I("reference.register_drift", register_drift, 0, 1),
	I("reference.lag_ssd", lag_ssd, 0, 2),
	I("reference.lag_curve", lag_curve, 0, 2),
	I("reference.lag_sym", lag_sym, 0, 1),
	I("reference.lock_wait_frames", lock_wait_frames, 0, 1000),
	I("reference.lag_even", lag_even, 0, 1),
	I("reference.drift_move", drift_move, 0, 1),
	I("reference.spread_move", spread_move, 0, 2),
	I("reference.scan_drift_robust", scan_drift_robust, 0, 1),
	I("reference.scan_ramp", scan_ramp, 0, 1),
	D("reference.start_from_target", start_from_target, -0.5, 0.5),
	IW("reference.smooth", ref_smooth, 0, OGATE_SMOOTH_AUTO, "auto"),
	I("reference.smooth_small_px", smooth_small_px, 0, 1 << 30),
	D("reference.smooth_along_fpb", smooth_along_fpb, 0, 1e6),
	I("prediction.min_frames_for_fit", min_frames_for_fit, 2, 10000),
	I("prediction.max_frames_for_fit", max_frames_for_fit, 2, 10000),
	D("prediction.latency_s", latency_s, 0, 10),
	I("prediction.window_from_lock", window_from_lock, 0, 1),
	S("prediction.predictor", predictor),
	D("prediction.kalman_rate_noise", kalman_rate_noise, 1e-6, 10),
	D("prediction.kalman_phase_noise", kalman_phase_noise, 1e-4, 10),
	D("trigger.next_frame_factor", next_frame_factor, 0, 100),
	D("trigger.jitter_margin", jitter_margin, 0, 100),
	D("trigger.min_time_between_s", min_time_between_s, 0, 1e6),
	D("trigger.late_max", late_max, 0, 0.5),
	I("trigger.panic_at_latency", panic_lat, 0, 1),
	I("trigger.first_on_time", first_on_time, 0, 1),
	I("trigger.held", held_triggers, 0, 1),
	D("sync.gap_factor", gap_factor, 1.01, 1000),
	I("sync.track_drift", track_drift, 0, 1),
	I("sync.subpixel_drift", subpixel_drift, 0, 1),
	I("sync.match_blur", match_blur, 0, 1),
	I("sync.roi", roi, 0, 1),
	I("sync.bootstrap_drift_range", bootstrap_drift_range, 0, 15),
	I("sync.search_window", search_window, 0, 1000),
	D("sync.subpixel_gain", subpixel_gain, 0.001, 1),
	S("sync.subframe", subframe),
	D("sync.quartic_min_fpb", quartic_min_fpb, 0, 1e6),
	D("sync.quartic_z", quartic_z, 0, 1e6),
	D("sync.subframe_span_z", subframe_span_z, 0, 1e6),
	I("sync.subframe_span_shifted", subframe_span_shifted, 0, 1),
	I("sync.subframe_span_ref", subframe_span_ref, 0, 1),
	D("sync.curve_min_fpb", curve_min_fpb, 0, 1e6),
	D("sync.curve_max_fpb", curve_max_fpb, 0, 1e6),
	I("sync.quartic_shifted", quartic_shifted, 0, 1),
	S("sync.metric", metric),
	I("sync.calibrate", calibrate, 0, 1),
	I("sync.calibrate_anchor", calibrate_anchor, 0, 1),
	I("sync.calibrate_prior", calibrate_prior, 0, 2),
	D("sync.calibrate_pin_fit", calibrate_pin_fit, 0, 10),
	D("sync.calibrate_pin_fit_z", calibrate_pin_fit_z, 0, 100),
	I("sync.beat_delta_table", beat_delta_table, 0, 1),
	I("sync.calibrate_pin_offsets", calibrate_pin_offsets, 0, 1),
	D("sync.beat_trend_prior", beat_trend_prior, 0, 1),
	I("sync.beat_common", beat_common, 0, 1),
	I("sync.beat_after_drift", beat_after_drift, 0, 1),
	I("sync.beat_after_moved", beat_after_moved, 0, 1),
	I("sync.beat_delta_live", beat_delta_live, 0, 1),
	I("sync.beat_delta_wrap", beat_delta_wrap, 0, 1000000),
	I("sync.qa_local", qa_local, 0, 10000),
	I("sync.timestamp_positions", timestamp_positions, 0, 1),
	S("sync.sad_backend", sad_backend),
	I("refresh.after_triggers", refresh_after_triggers, 0, 1000000000),
	I("refresh.after_frames", refresh_after_frames, 0, 1000000000),
	I("refresh.align_pixels_per_frame", align_pixels_per_frame, 1, 1000000000),
	I("oga.resampled_period", oga_resampled_period, 8, 10000),
	I("oga.max_offset", oga_max_offset, 1, 16),
	D("target.phase_rad", target_phase, -1, 2 * M_PI),
	D("target.frame", target_frame, -1, 1e6),
	D("sync.calibrate_pin_vfit", calibrate_pin_vfit, 0, 1e6),
};

int ogate_settings_set(struct ogate_settings *s, const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, key))
			continue;
		void *p = (char *)s + k->off;
		if (k->kind == K_STR) {
			if (strlen(value) >= 16 || !*value)
				return -EINVAL;
			strcpy(p, value);
			return 0;
		}
		double v;
		if (k->word && !strcmp(value, k->word))
			v = k->hi;
		else if (ogate_parse_double(value, &v) || v < k->lo || v > k->hi)
			return -EINVAL;
		if (k->kind == K_INT) {
			if (v != floor(v))
				return -EINVAL;
			*(int *)p = (int)v;
		} else {
			*(double *)p = v;
		}
		return 0;
	}
	return -ENOENT;
}

const char *const *ogate_settings_keys(void)
{
	static const char *names[sizeof(keys) / sizeof(keys[0]) + 1];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		names[i] = keys[i].name;
	return names;
}
