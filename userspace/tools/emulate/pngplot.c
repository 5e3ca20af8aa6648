// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Minimal raster plots: lines, boxes, dots and a 3x5 pixel font (scaled 2x), written with libpng. */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plotaxis.h"
#include "plotbins.h"
#include "pngplot.h"

#define PW 900
#define PH 440
#define ML 70
#define MR 20
#define MT 74
#define MB 50

struct canvas {
	uint8_t px[PH][PW][3];
};

static void put(struct canvas *c, int x, int y, const uint8_t col[3])
{
	if (x >= 0 && x < PW && y >= 0 && y < PH)
		memcpy(c->px[y][x], col, 3);
}

static void line(struct canvas *c, double x0, double y0, double x1, double y1, const uint8_t col[3])
{
	int n = (int)fmax(fabs(x1 - x0), fabs(y1 - y0)) + 1;
	for (int i = 0; i <= n; i++) {
		double f = (double)i / n;
		put(c, (int)lround(x0 + f * (x1 - x0)), (int)lround(y0 + f * (y1 - y0)), col);
	}
}

static void box(struct canvas *c, double x0, double y0, double x1, double y1, const uint8_t col[3])
{
	for (int y = (int)lround(fmin(y0, y1)); y <= (int)lround(fmax(y0, y1)); y++)
		for (int x = (int)lround(fmin(x0, x1)); x <= (int)lround(fmax(x0, x1)); x++)
			put(c, x, y, col);
}

static void dot(struct canvas *c, double cx, double cy, double r, const uint8_t col[3])
{
	for (int y = (int)(cy - r); y <= (int)(cy + r) + 1; y++)
		for (int x = (int)(cx - r); x <= (int)(cx + r) + 1; x++)
			if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
				put(c, x, y, col);
}

/* 3x5 capitals, digits and signs, one row per 3 bits (MSB = left); text is drawn in capitals */
static const char *const glyph_chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-+():,=%/<> ";
static const uint8_t glyphs[][5] = {
	{ 7, 5, 5, 5, 7 }, { 2, 6, 2, 2, 7 }, { 7, 1, 7, 4, 7 }, { 7, 1, 7, 1, 7 },
	{ 5, 5, 7, 1, 1 }, { 7, 4, 7, 1, 7 }, { 7, 4, 7, 5, 7 }, { 7, 1, 1, 1, 1 },
	{ 7, 5, 7, 5, 7 }, { 7, 5, 7, 1, 7 }, { 2, 5, 7, 5, 5 }, { 6, 5, 6, 5, 6 },
	{ 3, 4, 4, 4, 3 }, { 6, 5, 5, 5, 6 }, { 7, 4, 6, 4, 7 }, { 7, 4, 6, 4, 4 },
	{ 3, 4, 5, 5, 3 }, { 5, 5, 7, 5, 5 }, { 7, 2, 2, 2, 7 }, { 1, 1, 1, 5, 2 },
	{ 5, 5, 6, 5, 5 }, { 4, 4, 4, 4, 7 }, { 5, 7, 7, 5, 5 }, { 6, 5, 5, 5, 5 },
	{ 2, 5, 5, 5, 2 }, { 6, 5, 6, 4, 4 }, { 2, 5, 5, 6, 3 }, { 6, 5, 6, 5, 5 },
	{ 3, 4, 2, 1, 6 }, { 7, 2, 2, 2, 2 }, { 5, 5, 5, 5, 7 }, { 5, 5, 5, 5, 2 },
	{ 5, 5, 7, 7, 5 }, { 5, 5, 2, 5, 5 }, { 5, 5, 2, 2, 2 }, { 7, 1, 2, 4, 7 },
	{ 0, 0, 0, 0, 2 }, { 0, 0, 7, 0, 0 }, { 0, 2, 7, 2, 0 }, { 1, 2, 2, 2, 1 },
	{ 4, 2, 2, 2, 4 }, { 0, 2, 0, 2, 0 }, { 0, 0, 0, 2, 4 }, { 0, 7, 0, 7, 0 },
	{ 5, 1, 2, 4, 5 }, { 1, 1, 2, 4, 4 }, { 1, 2, 4, 2, 1 }, { 4, 2, 1, 2, 4 },
	{ 0, 0, 0, 0, 0 },
};

static void text(struct canvas *c, int x, int y, const char *s, const uint8_t col[3],
		 int align /* -1 l, 0 c, 1 r */)
{
	int len = (int)strlen(s), w = len * 8;
	x -= align == 0 ? w / 2 : align > 0 ? w : 0;
	for (int i = 0; i < len; i++) {
		char ch = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
		const char *g = strchr(glyph_chars, ch);
		if (!g || !ch)
			continue;
		const uint8_t *rows = glyphs[g - glyph_chars];
		for (int r = 0; r < 5; r++)
			for (int b = 0; b < 3; b++)
				if (rows[r] & (4 >> b))
					box(c, x + i * 8 + 2 * b, y + 2 * r, x + i * 8 + 2 * b + 1,
					    y + 2 * r + 1, col);
	}
}

static const uint8_t black[3] = { 0, 0, 0 }, blue[3] = { 31, 119, 180 }, red[3] = { 214, 39, 40 },
		     green[3] = { 44, 160, 44 }, grey[3] = { 221, 221, 221 },
		     white[3] = { 255, 255, 255 };

static double sx(double x, double lo, double hi)
{
	return ML + (x - lo) / (hi - lo) * (PW - ML - MR);
}
static double sy(double y, double lo, double hi)
{
	return PH - MB - (y - lo) / (hi - lo) * (PH - MT - MB);
}

static struct canvas *frame(const char *title, const char *note, const char *xl, const char *yl,
			    double x0, double x1, const struct plot_ticks *xt, double y0, double y1,
			    const struct plot_ticks *yt)
{
	struct canvas *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	memset(c, 255, sizeof(*c));
	text(c, ML, 8, title, black, -1);
	for (int k = 0; note && *note && k < 2; k++) { /* up to two lines */
		char ln[160];
		size_t len = strcspn(note, "\n");
		snprintf(ln, sizeof(ln), "%.*s", (int)(len < sizeof(ln) ? len : sizeof(ln) - 1), note);
		text(c, ML, 24 + 16 * k, ln, black, -1);
		note += len + (note[len] == '\n');
	}
	for (int i = 0; i < xt->n; i++) {
		double x = sx(xt->v[i], x0, x1);
		line(c, x, MT, x, PH - MB, grey);
		line(c, x, PH - MB, x, PH - MB + 4, black);
		text(c, (int)x, PH - MB + 8, xt->label[i], black, 0);
	}
	for (int i = 0; i < yt->n; i++) {
		double y = sy(yt->v[i], y0, y1);
		line(c, ML, y, PW - MR, y, grey);
		line(c, ML - 4, y, ML, y, black);
		text(c, ML - 8, (int)y - 5, yt->label[i], black, 1);
	}
	line(c, ML, MT, PW - MR, MT, black);
	line(c, ML, PH - MB, PW - MR, PH - MB, black);
	line(c, ML, MT, ML, PH - MB, black);
	line(c, PW - MR, MT, PW - MR, PH - MB, black);
	text(c, (ML + PW - MR) / 2, PH - 18, xl, black, 0);
	text(c, 4, MT - 18, yl, black, -1);
	return c;
}

static int write_png(const char *path, struct canvas *c)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	if (!p || !info || setjmp(png_jmpbuf(p))) {
		int rc = p && info ? -EIO : -ENOMEM;
		png_destroy_write_struct(&p, &info);
		fclose(f);
		return rc;
	}
	png_init_io(p, f);
	png_set_IHDR(p, info, PW, PH, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	for (int y = 0; y < PH; y++)
		png_write_row(p, (png_const_bytep)c->px[y]);
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
	return fclose(f) ? -errno : 0;
}

int png_phase_plot(const char *path, const char *title, const double *t, const double *phase, int n,
		   const double *tt, const double *tp, int nt, double target)
{
	if (n < 1)
		return -EINVAL;
	double x0 = t[0], x1 = t[n - 1] > t[0] ? t[n - 1] : t[0] + 1;
	struct plot_ticks xt, yt;
	plot_ticks_linear(&xt, x0, x1, plot_nice_step(x1 - x0, 10, 0));
	plot_ticks_phase(&yt, "pi");
	struct canvas *c =
		frame(title, NULL, "time (s)", "matched phase (rad)", x0, x1, &xt, 0, 2 * M_PI, &yt);
	if (!c)
		return -ENOMEM;
	for (int i = 1; i < n; i++)
		if (isfinite(phase[i]) && isfinite(phase[i - 1]) && fabs(phase[i] - phase[i - 1]) < M_PI)
			line(c, sx(t[i - 1], x0, x1), sy(phase[i - 1], 0, 2 * M_PI),
			     sx(t[i], x0, x1), sy(phase[i], 0, 2 * M_PI), blue);
	if (isfinite(target)) {
		double y = sy(target, 0, 2 * M_PI);
		for (int x = ML; x < PW - MR; x += 8)
			line(c, x, y, x + 3, y, green);
		char lab[64];
		snprintf(lab, sizeof(lab), "target %.3f rad", target);
		box(c, PW - MR - 8 - 8 * (int)strlen(lab), y < MT + 20 ? y + 3 : y - 15,
		    PW - MR - 2, y < MT + 20 ? y + 15 : y - 3, white);
		text(c, PW - MR - 4, y < MT + 20 ? (int)y + 4 : (int)y - 14, lab, green, 1);
	}
	for (int i = 0; i < nt; i++)
		dot(c, sx(tt[i], x0, x1), sy(isfinite(tp[i]) ? tp[i] : target, 0, 2 * M_PI), 2.5, red);
	text(c, PW - MR, MT - 18, "blue: matched phase   red: phase at triggers   green: target",
	     black, 1);
	int rc = write_png(path, c);
	free(c);
	return rc;
}

int png_histogram(const char *path, const struct plot_hist *h)
{
	int mx, *cnt = plot_bin_counts(h->v, h->n, h->lo, h->hi, h->nbins, &mx);
	if (!cnt)
		return -ENOMEM;
	double ystep = plot_nice_step(mx, 6, 1), ymax = plot_nice_ceil(mx, ystep), lo = h->lo,
	       hi = h->hi;
	struct plot_ticks xt, yt;
	plot_ticks_linear(&xt, lo, hi, plot_nice_step(hi - lo, 10, 0));
	plot_ticks_linear(&yt, 0, ymax, ystep);
	struct canvas *c = frame(h->title, h->note, h->xlabel, "count", lo, hi, &xt, 0, ymax, &yt);
	if (!c) {
		free(cnt);
		return -ENOMEM;
	}
	for (int b = 0; b < h->nbins; b++) {
		if (!cnt[b])
			continue;
		double xa = sx(lo + (hi - lo) * b / h->nbins, lo, hi),
		       xb = sx(lo + (hi - lo) * (b + 1) / h->nbins, lo, hi);
		box(c, xa + 1, sy(cnt[b], 0, ymax), xb - 1, sy(0, 0, ymax) - 1, blue);
	}
	if (isfinite(h->vline) && h->vline >= lo && h->vline <= hi) {
		double x = sx(h->vline, lo, hi);
		line(c, x, MT, x, PH - MB, red);
		if (h->vlabel)
			text(c, (int)x + 5, MT + 6, h->vlabel, red, -1);
	}
	int rc = write_png(path, c);
	free(c);
	free(cnt);
	return rc;
}
