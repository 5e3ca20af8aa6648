// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kalman predictor on (phase, rate), the approach of the reference system's successor, made
 * independent of the heart period and frame rate: every noise is scaled by the current rate,
 *   measurement noise  sigma_z = kalman_phase_noise_frames x (rate x frame interval)  [rad]
 *   process noise      a random walk of the rate of kappa x rate per sqrt(s)
 * so one setting holds for a 0.2 s heart at 200 fps and a 3 s heart at 30 fps. kappa is
 * kalman_rate_noise until the filter has timed a few whole beats, then the heart's own: the
 * change of the mean rate from one beat to the next (kalman_beats, kalman_kappa). The phase noise
 * setting is a floor: once converged the filter measures the noise its stream shows from its
 * innovations and uses that where it is larger (slow hearts and small frames); where the image
 * barely changes between reference frames (a slow heart's quiet interval), or where matches at
 * a reference position have scattered more than elsewhere, the pipeline scales the measurement
 * noise up as its line fit down-weights the frame (sync_hist_weight). It sees every
 * locked frame (ogate_predictor_observe), carries the rate across gaps (the state is simply
 * propagated over the longer interval), bounds the pull of an innovation beyond KF_HUBER standard
 * deviations (Huber's update) and rejects phase estimates whose innovation is beyond
 * KF_GATE standard deviations; KF_RESTART rejections in a row mean the model is wrong (a
 * refresh, a big jump) and restart it, unless they are a staircase on one side of the line (a
 * held match), which restarts it only at KF_RUN_MAX in a row (kalman_stepped). It starts (and
 * restarts) from the rate the reference measured at lock (ogate_predictor_expect_rate) and the
 * matching noise its first KF_START observations show about it, or, without that rate, from its
 * first two observations. While a restart measures its level the filter keeps forecasting at
 * its rate, from the rejected observations' level or the old one (kalman_hold).
 *
 * kalman-acc (opt-in, prediction.predictor = kalman-acc) runs a second filter alongside on
 * (phase, rate, acceleration) with a white jerk measured from the beats (kalman_jerk), fed the
 * same observations with the same measurement noise: a heart whose rate curves smoothly (a
 * modulation over many beats) is a random walk of the rate only over a short memory, and the
 * acceleration lets the level average more frames (docs/accuracy-log.md, "Stream D's proxy: the
 * white matching noise and a rate that curves"). The forecast is the two-state filter's unless
 * the acceleration filter's estimate of the acceleration stands out of its own sd; where it does,
 * the one whose predictions of the observations have been the better by a clear margin, or both
 * weighed by their level variances where the predictions cannot tell them apart
 * (kalman_acc_share).
 *
 * The filter models the matching error as white. Where it is not (a slowly varying offset of the
 * matched phase along the beat: a reference whose length is off the live beats', a drift that
 * mismatches part of the beat), its level averages the offset over its memory while the line
 * through the caller's window follows it, and a slow heart's trigger came 12 ms late behind
 * matches that ran 4 % fast after the reference's wrap (u12_blob64_2.65s_156fps). So the forecast
 * adds the window's residual about the filter's line, read at the newest frame from their own
 * line, in the share the innovations' lag-1 autocorrelation gives the slowly varying part
 * (kalman_window_level); white innovations leave the forecast as it was.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "predictor_private.h"

#define KF_GATE 4.0
#define KF_RESTART 3
#define KF_QUIET 3.0	   /* observations this much noisier than usual are skipped */
#define KF_LEVELS 4	   /* phase levels per beat whose crossings time whole beats */
#define KF_MIN_BEATS 3	   /* beat-to-beat rate changes timed before they set the process noise */
#define KF_START 5	   /* observations a start from the lock's rate measures the noise over */
#define KF_CLOCK 20	   /* frames on the frame clock before it is used */
#define KF_BETA 100	   /* frames on the frame clock before beta is measured */
#define KF_HUBER 2.0	   /* innovations beyond this many standard deviations pull as if at it */
#define KF_JERK_MIN 0.003  /* kalman-acc: the jerk noise's floor, relative to the rate per s^1.5 */
#define KF_ACC0 0.02	   /* kalman-acc: the acceleration's sd at its start, relative per s */
#define KF_RUN_MAX 9	   /* outliers in a row that restart the filter whatever their scatter */
#define KF_SCORE_BEATS 16  /* kalman-acc: the memory of the two filters' prediction errors, beats */
#define KF_SCORE_Z 2.0	   /* kalman-acc: standard errors by which one filter must predict better */
#define KF_SCORE_CLIP 16.0 /* kalman-acc: a squared standardised innovation counts at most this */
#define KF_ACC_Z2 0.6	   /* kalman-acc: mean a^2 / P_aa that puts an acceleration in evidence */
#define KF_AC_MEMORY 200.0 /* observations the innovations' autocorrelation is averaged over */

struct kalman {
	struct ogate_predictor base;
	double kappa, sigma_f; /* settings */
	double huber_cf;  /* E[min(x^2, KF_HUBER^2)] of a normal x: the clipped variance's scale */
	int n;		  /* observations taken in (0, 1: initialising) */
	double t, x0, x1; /* time of the state (s), phase (rad), rate (rad/s) */
	double p00, p01, p11; /* covariance */
	double dt_med;	      /* running frame interval (s) */
	double t_first, z_first;
	double rate0, rate0_sd; /* the rate measured at lock and its sd (rad/s; 0: none) */
	double st[KF_START], sz[KF_START], sn[KF_START]; /* a start's observations: t, z, ns */
	int rejects;
	double r_nu[KF_RESTART], r_r[KF_RESTART]; /* the rejected innovations in a row and their R */
	int held, h_step; /* restarting (kalman_hold): from the old level or a step to a new one */
	double h_t, h_x0, h_x1; /* the old state at the restart: time (s), phase, rate */
	double r_sum; /* sum over accepted updates of (innovation^2 - predicted variance) / scale^2 */
	long r_n;
	double t_last; /* time of the newest observation, used or not (s) */
	/* the heart's beat-to-beat rate variation (kalman_beats) */
	double zc_t, zc_z; /* the previous used observation */
	int have_zc;
	struct kf_level {
		double t, m;	  /* its last crossing: time (s) and beat index */
		double rate;	  /* mean rate of the beat that ended there (rad/s) */
		double rate_prev; /* the beat's before it (kalman-acc) */
		int have_t, have_rate, have_prev;
	} lv[KF_LEVELS];
	double v_sum, vt_sum; /* sums of (relative change of the beat rate)^2 and of beat lengths */
	long v_n;
	/* kalman-acc: a second filter on (phase, rate, acceleration) alongside, its jerk noise from
	 * the second differences of the beats' rates (kalman_jerk) */
	int accel, a_on;
	double a[3], ap[3][3];
	double d2_sum, bt_sum;
	long d2_n, bt_n;
	/* kalman-acc: the two filters' squared standardised innovations (two-state, acceleration)
	 * and their differences squared, each summed with a memory of KF_SCORE_BEATS beats */
	double s2, sa, sd;
	/* kalman-acc: the acceleration's squared standardised estimate a^2 / P_aa after each
	 * observation, summed with the same memory, and the memory's weight (kalman_acc_share) */
	double za, zw;
	/* the frame clock (kalman_time): the camera frame counter of the next observation, the
	 * least-squares line of the timestamps against it (running means and co-moments) and the
	 * share beta of a timestamp's deviation from it that is real */
	uint64_t seq, seq0;
	int have_seq;
	long c_n;
	double c_mk, c_mt, c_kk, c_kt, c_dd;
	double b_num, b_den, b_rr, beta;
	long b_n;
	/* the accepted standardised innovations' lag-1 co-moment and second moment, with a memory of
	 * KF_AC_MEMORY observations, and the last one (kalman_window_level) */
	double ac_c, ac_v, ac_prev;
	int ac_have;
};

static void kalman_acc_init(struct kalman *k);

static struct ogate_predictor *kalman_new(void)
{
	struct kalman *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->base.ops = &ogate_predictor_kalman_ops;
	k->kappa = 0.05;
	k->sigma_f = 0.1;
	k->beta = 1; /* the timestamps as given until shown wrong (kalman_time) */
	double c = KF_HUBER;
	k->huber_cf = erf(c / sqrt(2)) - 2 * c * exp(-c * c / 2) / sqrt(2 * M_PI) +
		      c * c * erfc(c / sqrt(2));
	return &k->base;
}

static void kalman_free(struct ogate_predictor *p)
{
	free(p);
}

static void kalman_reset(struct ogate_predictor *p)
{
	struct kalman *k = (struct kalman *)p;
	k->n = 0;
	k->rejects = 0;
	k->held = 0;
	k->have_zc = 0;
	for (int j = 0; j < KF_LEVELS; j++)
		k->lv[j].have_t = k->lv[j].have_rate = 0;
	k->v_sum = k->vt_sum = 0;
	k->v_n = 0;
	k->a_on = 0;
	k->d2_sum = k->bt_sum = 0;
	k->d2_n = k->bt_n = 0;
	k->dt_med = 0;
	k->r_sum = 0;
	k->r_n = 0;
	k->rate0 = k->rate0_sd = 0;
	k->have_seq = 0;
	k->c_n = 0;
	k->c_mk = k->c_mt = k->c_kk = k->c_kt = k->c_dd = 0;
	k->b_num = k->b_den = k->b_rr = 0;
	k->b_n = 0;
	k->beta = 1;
	k->ac_c = k->ac_v = 0;
	k->ac_have = 0;
}

static void kalman_frame(struct ogate_predictor *p, uint64_t sequence)
{
	struct kalman *k = (struct kalman *)p;
	if (!k->c_n)
		k->seq0 = sequence;
	k->seq = sequence;
	k->have_seq = 1;
}

static void kalman_expect_rate(struct ogate_predictor *p, double rate, double rel_sd)
{
	struct kalman *k = (struct kalman *)p;
	k->rate0 = rate;
	k->rate0_sd = rel_sd * rate;
}

static void kalman_configure(struct ogate_predictor *p, double rate_noise, double phase_noise_frames)
{
	struct kalman *k = (struct kalman *)p;
	k->kappa = rate_noise;
	k->sigma_f = phase_noise_frames;
}

/* kalman-acc's samples, at a level's beat of length T (rate): the second difference of its last
 * three beats' rates, relative (whole beats measured each at one position, so the matching errors
 * repeated every beat cancel from it), for the jerk noise (kalman_jerk) */
static void kalman_beat_d2(struct kalman *k, const struct kf_level *l, double T, double rate)
{
	k->bt_sum += T;
	k->bt_n++;
	if (l->have_rate && l->have_prev) {
		double d2 = (rate - 2 * l->rate + l->rate_prev) / l->rate;
		k->d2_sum += d2 * d2;
		k->d2_n++;
	}
}

/* The heart's own rate variation. Between two consecutive used observations the observed phase
 * crosses the levels 2 pi (m + j / KF_LEVELS); two crossings of one level (interpolated in time)
 * are one whole beat measured at one and the same reference position, so the matching errors
 * that repeat every beat at a position cancel from its length. The relative change of the mean
 * rate from one beat to the next, over every level, is what the rate random walk has to cover.
 * A crossing is timed only between observations at most 3 frame intervals apart; a level whose
 * crossing was missed (in a gap, or a quiet stretch whose frames are not used) starts its chain
 * again, and one crossed again in the same beat (noise stepping back and forth) keeps the first. */
static void kalman_beats(struct kalman *k, double t, double z)
{
	if (k->have_zc && t <= k->zc_t)
		return; /* seen already: a restart passes the same observation again */
	int near = k->have_zc && (!(k->dt_med > 0) || t - k->zc_t < 3 * k->dt_med);
	double t0 = k->zc_t, u0 = k->zc_z * KF_LEVELS / (2 * M_PI), u = z * KF_LEVELS / (2 * M_PI);
	k->zc_t = t;
	k->zc_z = z;
	k->have_zc = 1;
	double c = floor(u); /* the level crossed (several in one step: the newest) */
	if (!near || !(c > floor(u0)) || !(u > u0))
		return; /* a level crossed in a gap is missed: its chain starts again next beat */
	double m = floor(c / KF_LEVELS), tc = t - (u - c) / (u - u0) * (t - t0);
	struct kf_level *l = &k->lv[(int)(c - m * KF_LEVELS)];
	if (l->have_t && m == l->m)
		return; /* crossed again in the same beat (noise stepping back and forth): the first */
	if (l->have_t && m == l->m + 1 && tc > l->t) {
		double T = tc - l->t, rate = 2 * M_PI / T;
		if (l->have_rate) {
			double d = (rate - l->rate) / l->rate;
			k->v_sum += d * d;
			k->vt_sum += T;
			k->v_n++;
		}
		kalman_beat_d2(k, l, T, rate);
		l->rate_prev = l->rate;
		l->have_prev = l->have_rate;
		l->rate = rate;
		l->have_rate = 1;
	} else {
		l->have_rate = l->have_prev = 0;
	}
	l->t = tc;
	l->m = m;
	l->have_t = 1;
}

/* The rate random walk, relative to the rate per sqrt(s): the configured one until KF_MIN_BEATS
 * beat-to-beat changes are timed, then the measured one. For a random walk of density kappa^2
 * the mean rates of two consecutive beats of length T differ by kappa^2 T x 2/3 in variance.
 * The crossings' own timing noise is left in (an upper bound): taken out, the smaller kappa
 * makes the filter lag a modulated heart more than it gains in noise (docs/accuracy-log.md). */
static double kalman_kappa(const struct kalman *k)
{
	if (k->v_n < KF_MIN_BEATS)
		return k->kappa;
	return sqrt(1.5 * k->v_sum / k->vt_sum);
}

/* A start from the rate the reference measured at lock (its period): with that rate known to a
 * per cent or two, the first KF_START observations less rate x time scatter about one level by
 * the matching noise alone, so they measure it before the filter has to trust a single phase;
 * the level is their mean carried to the newest, and their variance (frames^2, KF_START - 1
 * degrees of freedom) enters the measured noise as its first samples. Started from two phases
 * with the configured 0.1 frame instead, a slow heart on small noisy frames (1 frame of noise)
 * got a rate 40 % off, the good matches that followed were rejected as outliers and the state's
 * error was then learnt as noise: a trigger 123 ms late at lock. A restart (KF_RESTART
 * rejections) starts again from the filter's own rate. */
static void kalman_start(struct kalman *k, double t, double z, double ns)
{
	if (k->n > 0 && !(t > k->st[k->n - 1]))
		return;
	k->st[k->n] = t;
	k->sz[k->n] = z;
	k->sn[k->n] = ns;
	if (++k->n < KF_START)
		return;
	double w = k->rate0, dt = t - k->st[0], m = 0, v = 0, tb = 0;
	for (int i = 1; i < KF_START; i++)
		dt = k->st[i] - k->st[i - 1] < dt ? k->st[i] - k->st[i - 1] : dt;
	if (!(k->dt_med > 0))
		k->dt_med = dt;
	for (int i = 0; i < KF_START; i++) {
		m += (k->sz[i] - w * (k->st[i] - t)) / KF_START;
		tb += (t - k->st[i]) / KF_START;
	}
	for (int i = 0; i < KF_START; i++) {
		double r = (k->sz[i] - w * (k->st[i] - t) - m) / (k->sn[i] * w * k->dt_med);
		v += r * r / (KF_START - 1);
	}
	double sf2 = v > k->sigma_f * k->sigma_f ? v : k->sigma_f * k->sigma_f, u = ns * w * k->dt_med;
	k->r_sum += (KF_START - 1) * v;
	k->r_n += KF_START - 1;
	k->t = t;
	k->x0 = m;
	k->x1 = w;
	/* the level carries the rate's error over the mean age tb of the observations */
	k->p11 = k->rate0_sd * k->rate0_sd;
	k->p00 = sf2 * u * u / KF_START + tb * tb * k->p11;
	k->p01 = tb * k->p11;
	k->held = 0; /* converged: the restart's carried level is done with */
	kalman_acc_init(k);
}

/*
 * The time the filter runs on. A frame's timestamp can be off in two ways that its intervals
 * alone cannot tell apart: the capture itself came early or late (uneven sampling: the image
 * shows the heart at the timestamp), or the capture was on time and its timestamp is wrong (the
 * image shows the heart at the camera's regular frame clock). The frame clock is the
 * least-squares line of the timestamps against the camera's frame counter; d = timestamp - clock.
 * The filter runs on clock + beta d, beta the share of d that is real: a frame captured d late
 * shows the phase rate x d further on than the clock predicts, one stamped d late does not, so
 * beta is the regression of the phase's residual at the clock, (innovation + beta x u), on
 * u = rate x d (1 for uneven captures, 0 for wrong timestamps), taken as 0 only where it is
 * nearer 0 and 1 is 3 standard errors away.
 * Until KF_BETA frames it is 1,
 * the timestamps as given; without the frame counter, or with timestamps on the clock to
 * within 1 us RMS (nothing to tell apart), the timestamps are used as they are.
 * With wrong timestamps of 1 ms at 40-200 fps the trigger RMS was 0.62-0.79 ms against 0.54-0.59
 * without them, and 0.59-0.64 on the clock (docs/accuracy-log.md, "The Kalman filter's mean on
 * jittered real hearts"). The forecast is made from the same time (kalman_predict).
 */
static double kalman_time(struct kalman *k, double t, double z, double ns)
{
	if (!k->have_seq)
		return t;
	k->have_seq = 0;
	double x = (double)(k->seq - k->seq0), dx = x - k->c_mk;
	k->c_n++;
	k->c_mk += dx / (double)k->c_n;
	k->c_mt += (t - k->c_mt) / (double)k->c_n;
	k->c_kk += dx * (x - k->c_mk);
	k->c_kt += dx * (t - k->c_mt);
	if (k->c_n < KF_CLOCK || !(k->c_kk > 0))
		return t;
	double d = t - (k->c_mt + k->c_kt / k->c_kk * (x - k->c_mk)), tau = t - (1 - k->beta) * d;
	k->c_dd += d * d;
	if (k->c_dd < 1e-12 * (double)k->c_n)
		return t; /* regular to within a microsecond: nothing to tell apart */
	int ready = k->n >= (k->rate0 > 0 ? KF_START : 2) && k->x1 > 0;
	if (ready && ns <= KF_QUIET) {
		double u = k->x1 * d, r = z - (k->x0 + k->x1 * (tau - k->t)) + k->beta * u;
		k->b_num += r * u;
		k->b_den += u * u;
		k->b_rr += r * r;
		k->b_n++;
		if (k->c_n >= KF_BETA && k->b_den > 0 && k->b_n > 2) {
			/* the clock only where the timestamps are shown wrong: the slope nearer 0
			 * than 1 and 1 beyond 3 standard errors of it (a slope in between was an
			 * underestimate of 1, 0.85-0.98 on uneven captures at 40 fps, where the
			 * matching noise is large against rate x d) */
			double b = k->b_num / k->b_den,
			       v = (k->b_rr - b * k->b_num) / (double)(k->b_n - 1) / k->b_den;
			k->beta = b < 0.5 && (1 - b) * (1 - b) > 9 * v ? 0 : 1;
		}
	}
	return tau;
}

static void kalman_update(struct kalman *k, double t, double z, double ns);

/* kalman-acc's jerk noise (relative to the rate, per s^1.5): for a white jerk of density lambda^2
 * the beat-averaged rates' second difference has variance 0.55 lambda^2 T^3 (the integral of
 * sinc^6; kalman_kappa's 2/3 is the same integral for a rate walk's first difference). The
 * crossings' own timing noise is left in, an upper bound, as in kappa: taken out (estimated from
 * neighbouring levels' beats) it also took out real change on strongly modulated hearts
 * (blob256_strongmod_100fps 0.24 -> 0.56 ms RMS). Large until KF_MIN_BEATS are timed, so that
 * the two-state filter keeps the forecast. */
static double kalman_jerk(const struct kalman *k)
{
	if (k->d2_n < KF_MIN_BEATS)
		return 0.1;
	double T = k->bt_sum / (double)k->bt_n,
	       lam = sqrt(k->d2_sum / (double)k->d2_n / (0.55 * T * T * T));
	return lam > KF_JERK_MIN ? lam : KF_JERK_MIN;
}

/* kalman-acc: the (phase, rate, acceleration) filter starts from the two-state one's state */
static void kalman_acc_init(struct kalman *k)
{
	if (!k->accel)
		return;
	k->a[0] = k->x0;
	k->a[1] = k->x1;
	k->a[2] = 0;
	double pa = KF_ACC0 * k->x1;
	double p[3][3] = { { k->p00, k->p01, 0 }, { k->p01, k->p11, 0 }, { 0, 0, pa * pa } };
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			k->ap[i][j] = p[i][j];
	k->a_on = 1;
	k->s2 = k->sa = k->sd = 0;
	k->za = k->zw = 0;
}

/* kalman-acc: each filter's prediction of the observation z against it, nu2 the two-state
 * filter's innovation and xa the acceleration filter's, in units of the measurement noise R:
 * E[nu^2 / R] = 1 + (the level's own error)^2 / R, the noise the same for both, so the smaller
 * sum is the filter whose level (one frame ahead, where the decisions fall) is nearer the truth.
 * Each is clipped (a gross mismatch says nothing about the model) and forgotten over
 * KF_SCORE_BEATS beats (a heart can change its manner); the squared differences give the sums'
 * difference its standard error (kalman_acc_share) */
static double kalman_acc_score(struct kalman *k, double dt, double w, double nu2, double xa, double R)
{
	double dec = w > 0 && R > 0 ? exp(-dt * w / (2 * M_PI * KF_SCORE_BEATS)) : 1;
	double c2 = R > 0 ? nu2 * nu2 / R : 0, ca = R > 0 ? xa * xa / R : 0;
	c2 = c2 < KF_SCORE_CLIP ? c2 : KF_SCORE_CLIP;
	ca = ca < KF_SCORE_CLIP ? ca : KF_SCORE_CLIP;
	k->s2 = k->s2 * dec + c2;
	k->sa = k->sa * dec + ca;
	k->sd = k->sd * dec + (c2 - ca) * (c2 - ca);
	return dec;
}

/* kalman-acc: the acceleration filter's estimate of the acceleration against its own sd, a^2 /
 * P_aa after each observation, summed with the scores' memory (dec) for kalman_acc_share */
static void kalman_acc_evidence(struct kalman *k, double dec)
{
	k->za = k->za * dec + (k->ap[2][2] > 0 ? k->a[2] * k->a[2] / k->ap[2][2] : 0);
	k->zw = k->zw * dec + 1;
}

/* kalman-acc: the acceleration filter's share of the forecast. First whether there is an
 * acceleration at all: its estimate against its own sd, the mean of a^2 / P_aa over the scores'
 * memory, at least KF_ACC_Z2. The jerk it runs on is measured from the crossings, and their
 * timing noise alone (a crossing interpolated between two frames carries 2/3 of a frame's
 * matching variance, a second difference of beat lengths 20 times that) predicts the measured
 * jerk to a factor 0.4-3 on flat hearts and 1.1-2 on stream D's proxy: no test of the jerk tells
 * them apart, and the extra state moves on every heart. But where the rate does not curve its
 * estimate stays within its sd (mean a^2 / P_aa 0.11-0.43 over `dstartflat.txt`'s rows) and
 * where it does it stands out (0.75-1.5 on D's proxy, a 2 % modulation over 17 s): below
 * KF_ACC_Z2 the forecast is the two-state filter's alone. Then which of the two: its own level variance is no guide on its own (a
 * three-state filter's P00 is the smaller on every heart once its jerk is timed, so the forecast
 * chosen by it was the acceleration filter's everywhere, and randomly varying hearts paid for
 * the extra state). What tells the two models apart is how well each predicted the frames:
 * where one filter's sum of squared standardised innovations is below the other's by KF_SCORE_Z
 * standard errors of their difference, that one alone; where the frames cannot tell them apart
 * (stream D's proxy: the sums within 1 %), both, weighed by their level variances as two
 * estimates of one level (docs/accuracy-log.md, "Stream D's proxy: the two filters'
 * predictions", "Flat hearts and the acceleration's evidence"). */
static double kalman_acc_share(const struct kalman *k)
{
	if (!(k->za >= KF_ACC_Z2 * k->zw))
		return 0;
	double d = k->s2 - k->sa;
	if (d * d > KF_SCORE_Z * KF_SCORE_Z * k->sd)
		return d > 0 ? 1 : 0;
	return k->p00 / (k->p00 + k->ap[0][0]);
}

/* kalman-acc: one observation z over dt with the two-state filter's measurement noise R (nu2:
 * that filter's innovation, for the scores); the same gate (a rejection keeps the prediction)
 * and Huber update once converged */
static void kalman_acc_update(struct kalman *k, double dt, double z, double R, double nu2)
{
	if (!k->a_on)
		return;
	double w = k->a[1] > 0 ? k->a[1] : 0, lam = kalman_jerk(k), q = (lam * w) * (lam * w);
	double dec = kalman_acc_score(k, dt, w, nu2,
				      z - (k->a[0] + k->a[1] * dt + k->a[2] * dt * dt / 2), R);
	double F[3][3] = { { 1, dt, dt * dt / 2 }, { 0, 1, dt }, { 0, 0, 1 } }, FP[3][3], P[3][3];
	double d2 = dt * dt, d3 = d2 * dt;
	double Q[3][3] = { { q * d3 * d2 / 20, q * d2 * d2 / 8, q * d3 / 6 },
			   { q * d2 * d2 / 8, q * d3 / 3, q * d2 / 2 },
			   { q * d3 / 6, q * d2 / 2, q * dt } };
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			FP[i][j] = F[i][0] * k->ap[0][j] + F[i][1] * k->ap[1][j] +
				   F[i][2] * k->ap[2][j];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			P[i][j] = FP[i][0] * F[j][0] + FP[i][1] * F[j][1] + FP[i][2] * F[j][2] +
				  Q[i][j];
	double x[3] = { k->a[0] + k->a[1] * dt + k->a[2] * d2 / 2, k->a[1] + k->a[2] * dt, k->a[2] };
	double nu = z - x[0], S = P[0][0] + R;
	if (nu * nu > KF_GATE * KF_GATE * S) {
		for (int i = 0; i < 3; i++) {
			k->a[i] = x[i];
			for (int j = 0; j < 3; j++)
				k->ap[i][j] = P[i][j];
		}
		kalman_acc_evidence(k, dec);
		return;
	}
	if (P[0][0] < R && nu * nu > KF_HUBER * KF_HUBER * S)
		nu = nu > 0 ? KF_HUBER * sqrt(S) : -KF_HUBER * sqrt(S);
	double g[3] = { P[0][0] / S, P[1][0] / S, P[2][0] / S };
	for (int i = 0; i < 3; i++) {
		k->a[i] = x[i] + g[i] * nu;
		for (int j = 0; j < 3; j++)
			k->ap[i][j] = P[i][j] - g[i] * P[0][j];
	}
	kalman_acc_evidence(k, dec);
}

static void kalman_observe(struct ogate_predictor *p, double t_s, double z, double ns)
{
	struct kalman *k = (struct kalman *)p;
	k->t_last = t_s;
	double t = kalman_time(k, t_s, z, ns);
	if (ns > KF_QUIET)
		return; /* the image barely changes here: the phase says little */
	kalman_update(k, t, z, ns);
}

/* Whether the last KF_RESTART rejected innovations agree with each other (their scatter about
 * their mean within KF_HUBER standard deviations of the measurement noise): a step to a new
 * level. Ones that scatter more on one side of the line (kalman_one_side) are a staircase, the
 * matching's quantisation and not the heart's: a held match's phases 0.6-5 frames off the old
 * line, all on one side, which was right. Such a run restarts the filter only at KF_RUN_MAX;
 * restarted at the third, the start measured its level from the held phases, off the truth
 * (u20_real48_1.17s_89fps, docs/accuracy-log.md, "A held match's staircase"). Scattered on both
 * sides (a seam of the matched phase, 2 frames back then 2.3 ahead, u26_real80_1.99s_179fps) they
 * restart it at the third as before: there the new start's level was the better one. A filter
 * started from two phases (no rate from the lock) also restarts at the third: its state can be
 * the wrong one (kalman_start). */
static int kalman_stepped(const struct kalman *k)
{
	double m = 0, v = 0, r = 0;
	for (int i = 0; i < KF_RESTART; i++) {
		m += k->r_nu[i] / KF_RESTART;
		r += k->r_r[i] / KF_RESTART;
	}
	for (int i = 0; i < KF_RESTART; i++)
		v += (k->r_nu[i] - m) * (k->r_nu[i] - m) / (KF_RESTART - 1);
	return v <= KF_HUBER * KF_HUBER * r;
}

/* Whether the last KF_RESTART rejected innovations all lie on one side of the prediction (the
 * ring's order does not matter) */
static int kalman_one_side(const struct kalman *k)
{
	int pos = 0;
	for (int i = 0; i < KF_RESTART; i++)
		pos += k->r_nu[i] > 0;
	return pos == 0 || pos == KF_RESTART;
}

/*
 * The forecast while a restart measures its level (KF_START observations, no forecast of its
 * own): from the state at time t, at its rate, from one of two levels the rejected innovations
 * decide between. Where they agree with each other (their scatter about their mean within
 * KF_HUBER standard deviations of the measurement noise) the phase has stepped to a new level
 * (kalman_held_level): the matched phase jumped back 4.5 frames at the same point of every beat
 * on a blob whose rate changes within the beat, and the old level put every trigger after it
 * 25 ms early.
 * Where they disagree they are no level at all but a staircase: a small noise-free stream's
 * matched phase holds for some frames and then jumps ahead, +1.3, +0.6, +1.9 frames against
 * a measured noise of 0.13; the old level was right, a restart from the rejected ones at once
 * fired 12-37 ms early, and before, with no forecast for those frames, the beats whose target
 * fell inside were lost (docs/accuracy-log.md, "The Kalman filter's restart hole").
 */
static void kalman_hold(struct kalman *k, double t, double x0)
{
	k->held = 1;
	k->h_step = kalman_stepped(k);
	k->h_t = t;
	k->h_x0 = x0;
	k->h_x1 = k->x1;
}

/* The level at time t while restarting: the old one, or after a step the mean of the new start's
 * observations so far (the last rejected one is its first), each carried to t at the old rate.
 * With the two rejected before it in the mean, the level lagged where the phase settles after
 * its step (u35_blob80_1.91s_118fps: mean +0.35 ms against -0.22 without them). */
static double kalman_held_level(const struct kalman *k, double t)
{
	if (!k->h_step || k->n < 1)
		return k->h_x0 + k->h_x1 * (t - k->h_t);
	double s = 0;
	for (int i = 0; i < k->n; i++)
		s += k->sz[i] + k->h_x1 * (t - k->st[i]);
	return s / k->n;
}

static void kalman_update(struct kalman *k, double t, double z, double ns)
{
	kalman_beats(k, t, z);
	if (k->rate0 > 0 && k->n < KF_START) {
		kalman_start(k, t, z, ns);
		return;
	}
	if (k->n == 0) {
		k->t_first = t;
		k->z_first = z;
		k->n = 1;
		return;
	}
	double dt = t - (k->n == 1 ? k->t_first : k->t);
	if (!(dt > 0))
		return;
	k->dt_med = k->dt_med > 0 ? (dt < 3 * k->dt_med ? 0.9 * k->dt_med + 0.1 * dt : k->dt_med) : dt;
	if (k->n == 1) {
		double rate = (z - k->z_first) / dt;
		if (!(rate > 0)) { /* no forward motion yet: start again from here */
			k->t_first = t;
			k->z_first = z;
			return;
		}
		double r = k->sigma_f * rate * dt;
		k->t = t;
		k->x0 = z;
		k->x1 = rate;
		k->p00 = r * r;
		k->p01 = r * r / dt;
		k->p11 = 2 * r * r / (dt * dt);
		k->n = 2;
		kalman_acc_init(k);
		return;
	}
	/* predict over dt */
	double w = k->x1 > 0 ? k->x1 : 0;
	double kappa = kalman_kappa(k);
	double q = (kappa * w) * (kappa * w);
	double x0 = k->x0 + k->x1 * dt;
	double p00 = k->p00 + 2 * dt * k->p01 + dt * dt * k->p11 + q * dt * dt * dt / 3;
	double p01 = k->p01 + dt * k->p11 + q * dt * dt / 2;
	double p11 = k->p11 + q * dt;
	/* The measurement noise in frames: the configured value, or the one this stream shows if
	 * larger. E[nu^2] = p00 + R, so the mean of nu^2 - p00 over the accepted updates, in units
	 * of the noise scale, measures it (a slow heart at a high frame rate matches to ~0.5 frame,
	 * five times the default, and a filter that trusts it 25 times too much chases noise). */
	double unit = ns * w * k->dt_med, sf2 = k->sigma_f * k->sigma_f;
	if (k->r_n > 0 && k->r_sum / (double)k->r_n > sf2)
		sf2 = k->r_sum / (double)k->r_n;
	double R = sf2 * unit * unit;
	double nu = z - x0, S = p00 + R;
	k->t = t;
	kalman_acc_update(k, dt, z, R, z - x0);
	if (nu * nu > KF_GATE * KF_GATE * S) { /* an outlier: keep the prediction */
		k->x0 = x0;
		k->p00 = p00;
		k->p01 = p01;
		k->p11 = p11;
		k->ac_have = 0; /* the next accepted one has no neighbour */
		k->r_nu[k->rejects % KF_RESTART] = nu;
		k->r_r[k->rejects % KF_RESTART] = R;
		if (++k->rejects >= KF_RESTART && (!(k->rate0 > 0) || k->rejects >= KF_RUN_MAX ||
						   !kalman_one_side(k) || kalman_stepped(k))) {
			if (k->rate0 > 0 && k->x1 > 0) {
				kalman_hold(k, t, x0);
				k->rate0_sd *= k->x1 / k->rate0;
				k->rate0 = k->x1;
			} else {
				k->held = 0; /* no rate to carry: an older restart's level is stale */
			}
			k->n = 0;
			k->rejects = 0;
			k->a_on = 0;
			kalman_update(k, t, z, ns);
		}
		return;
	}
	k->rejects = 0;
	double zn = nu / sqrt(S);
	k->ac_c = k->ac_c * (1 - 1 / KF_AC_MEMORY) + (k->ac_have ? zn * k->ac_prev : 0);
	k->ac_v = k->ac_v * (1 - 1 / KF_AC_MEMORY) + zn * zn;
	k->ac_prev = zn;
	k->ac_have = 1;
	/* The matching errors of small noisy frames are heavy-tailed even after the per-frame noise
	 * scale (standardised innovations: kurtosis 6.3-6.8, 1.3-2.0 % beyond 3 sd, 5-7 times a
	 * normal error's share; docs/accuracy-log.md, "Stream D"). A Gaussian update lets each of
	 * them pull the level by its full size, and their squares set the measurement noise the
	 * good matches are weighed by. So the update is Huber's: an innovation beyond KF_HUBER
	 * standard deviations counts as one at KF_HUBER (the 4-sigma gate still rejects gross
	 * mismatches), and the noise is measured from the same clipped innovations, scaled by the
	 * clipped variance of a normal error (0.9205 at 2 sd) so that normal errors measure it
	 * as before. Only once converged: a state still off (a start from two phases) has large
	 * innovations that are its own error, and clipped they would not pull it in. */
	if (unit > 0 && p00 < R) { /* converged: the prediction is surer than one measurement */
		double lim2 = KF_HUBER * KF_HUBER * S;
		if (nu * nu > lim2)
			nu = nu > 0 ? sqrt(lim2) : -sqrt(lim2);
		k->r_sum += (nu * nu / k->huber_cf - p00) / (unit * unit);
		k->r_n++;
	}
	double g0 = p00 / S, g1 = p01 / S;
	k->x0 = x0 + g0 * nu;
	k->x1 = k->x1 + g1 * nu;
	k->p00 = (1 - g0) * p00;
	k->p01 = (1 - g0) * p01;
	k->p11 = p11 - g1 * p01;
	k->n++;
}

/* The forecast's level correction (see the top): the window's own weighted least-squares line
 * (the linear predictor's, ogate_fit_line) read at its newest frame, the one phase_now is at,
 * less phase_now, times the innovations' lag-1 autocorrelation where it is positive, the share of
 * the innovation variance an offset that persists from frame to frame carries. The window's mean
 * residual alone, the offset at its middle, was worse than none where the filter follows part of
 * a sawtooth (test_kalman_window_level.c). */
static double kalman_window_level(const struct kalman *k, const double *t, const double *phi,
				  const double *weight, size_t n, double phase_now)
{
	double line, slope;
	if (n < 3 || !t || !phi || !(k->ac_v > 0) || !(k->ac_c > 0) || k->beta < 1)
		return 0; /* beta < 1: the stamps are wrong, the filter runs on the frame clock */
	if (ogate_fit_line(t, phi, weight, n, &line, &slope))
		return 0;
	double rho = k->ac_c / k->ac_v;
	return (rho < 1 ? rho : 1) * (line - phase_now);
}

static int kalman_predict(struct ogate_predictor *p, const double *t, const double *phi,
			  const double *weight, size_t n, double target, struct ogate_prediction *out)
{
	struct kalman *k = (struct kalman *)p;
	double x0 = k->x0, t0 = k->t;
	out->rate = k->x1;
	if (k->n < (k->rate0 > 0 ? KF_START : 4) || !(k->x1 > 0)) {
		if (!k->held)
			return -EINVAL;		   /* not converged yet */
		x0 = kalman_held_level(k, k->h_t); /* restarting (kalman_hold) */
		out->rate = k->h_x1;
		t0 = k->h_t;
	}
	/* kalman-acc: its jerk measured, the acceleration filter's phase and rate where its
	 * predictions have been the better, with the two-state one's where they cannot be told apart
	 * (kalman_acc_share; both states are at time k->t) */
	else if (k->a_on && k->d2_n >= KF_MIN_BEATS && k->a[1] > 0) {
		double m = kalman_acc_share(k);
		x0 = (1 - m) * x0 + m * k->a[0];
		out->rate = (1 - m) * out->rate + m * k->a[1];
	}
	/* the phase at the newest frame's timestamp, which the caller's wait counts from: the state
	 * carried from its time (the clock's, kalman_time) to that timestamp, so that the trigger
	 * falls where the filter's own time puts it; the newest frame may not have been used (a
	 * quiet one) */
	out->phase_now = x0 + out->rate * (k->t_last - t0);
	out->phase_now += kalman_window_level(k, t, phi, weight, n, out->phase_now);
	return ogate_forecast_wait(out->phase_now, out->rate, target, &out->wait_s);
}

static struct ogate_predictor *kalman_acc_new(void)
{
	struct ogate_predictor *p = kalman_new();
	if (p) {
		p->ops = &ogate_predictor_kalman_acc_ops;
		((struct kalman *)p)->accel = 1;
	}
	return p;
}

/* the two differ in their name and constructor only */
#define KALMAN_OPS(variant, ctor) \
	{ \
		.name = (variant), .new = (ctor), .free = kalman_free, .reset = kalman_reset, \
		.configure = kalman_configure, .expect_rate = kalman_expect_rate, \
		.observe = kalman_observe, .frame = kalman_frame, .predict = kalman_predict, \
	}

const struct ogate_predictor_ops ogate_predictor_kalman_acc_ops =
	KALMAN_OPS("kalman-acc", kalman_acc_new);
const struct ogate_predictor_ops ogate_predictor_kalman_ops = KALMAN_OPS("kalman", kalman_new);
