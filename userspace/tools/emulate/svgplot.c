// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plotaxis.h"
#include "plotbins.h"
#include "svgplot.h"

#define PW 900
#define PH 440
#define ML 70
#define MR 20
#define MT 74
#define MB 50

static double sx(double x, double lo, double hi)
{
	return ML + (x - lo) / (hi - lo) * (PW - ML - MR);
}
static double sy(double y, double lo, double hi)
{
	return PH - MB - (y - lo) / (hi - lo) * (PH - MT - MB);
}

/* text content with the XML specials escaped */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
}

static void text(FILE *f, double x, double y, const char *anchor, const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor,
		extra ? extra : "");
	esc(f, s);
	fputs("</text>\n", f);
}

static void frame(FILE *f, const char *title, const char *note, const char *xl, const char *yl,
		  double x0, double x1, const struct plot_ticks *xt, double y0, double y1,
		  const struct plot_ticks *yt)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		PW, PH);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	text(f, ML, 20, "start", " font-size=\"15\"", title);
	for (int k = 0; note && *note && k < 2; k++) { /* up to two lines */
		char ln[200];
		size_t len = strcspn(note, "\n");
		snprintf(ln, sizeof(ln), "%.*s", (int)(len < sizeof(ln) ? len : sizeof(ln) - 1), note);
		text(f, ML, 40 + 16 * k, "start", NULL, ln);
		note += len + (note[len] == '\n');
	}
	for (int i = 0; i < xt->n; i++) {
		double x = sx(xt->v[i], x0, x1);
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
			x, x, MT, PH - MB);
		text(f, x, PH - MB + 16, "middle", NULL, xt->label[i]);
	}
	for (int i = 0; i < yt->n; i++) {
		double y = sy(yt->v[i], y0, y1);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			ML, PW - MR, y, y);
		text(f, ML - 6, y + 4, "end", NULL, yt->label[i]);
	}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n",
		ML, MT, PW - ML - MR, PH - MT - MB);
	text(f, (ML + PW - MR) / 2.0, PH - 12, "middle", NULL, xl);
	char rot[64];
	snprintf(rot, sizeof(rot), " transform=\"rotate(-90 16 %d)\"", (MT + PH - MB) / 2);
	text(f, 16, (MT + PH - MB) / 2.0, "middle", rot, yl);
}

int svg_phase_plot(FILE *f, const char *title, const double *t, const double *phase, int n,
		   const double *tt, const double *tp, int nt, double target)
{
	if (n < 1)
		return -EINVAL;
	double x0 = t[0], x1 = t[n - 1];
	if (!(x1 > x0))
		x1 = x0 + 1;
	struct plot_ticks xt, yt;
	plot_ticks_linear(&xt, x0, x1, plot_nice_step(x1 - x0, 10, 0));
	plot_ticks_phase(&yt, "\xcf\x80");
	frame(f, title, NULL, "time (s)", "matched phase (rad)", x0, x1, &xt, 0, 2 * M_PI, &yt);
	fprintf(f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"0.8\" points=\"");
	int prev_ok = 0;
	double prev = 0;
	for (int i = 0; i < n; i++) {
		if (!isfinite(phase[i])) {
			prev_ok = 0;
			continue;
		}
		if (prev_ok && fabs(phase[i] - prev) > M_PI)
			fprintf(f, "\"/>\n<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"0.8\" points=\"");
		fprintf(f, "%.1f,%.1f ", sx(t[i], x0, x1), sy(phase[i], 0, 2 * M_PI));
		prev = phase[i];
		prev_ok = 1;
	}
	fprintf(f, "\"/>\n");
	if (isfinite(target)) {
		double y = sy(target, 0, 2 * M_PI);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"green\" stroke-dasharray=\"4 3\"/>\n",
			ML, PW - MR, y, y);
		char lab[64];
		snprintf(lab, sizeof(lab), "target %.3f rad", target);
		/* above the line, or below it near the top */
		text(f, PW - MR - 4, y < MT + 16 ? y + 14 : y - 4, "end",
		     " fill=\"green\" font-weight=\"bold\"", lab);
	}
	for (int i = 0; i < nt; i++)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"red\"/>\n",
			sx(tt[i], x0, x1), sy(isfinite(tp[i]) ? tp[i] : target, 0, 2 * M_PI));
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\" xml:space=\"preserve\"><tspan fill=\"#1f77b4\">"
		"&#8212; matched phase</tspan>    <tspan fill=\"red\">&#9679; phase reached at each trigger</tspan>    "
		"<tspan fill=\"green\">- - target</tspan></text>\n",
		PW - MR, MT - 6);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -EIO : 0;
}

int svg_histogram(FILE *f, const struct plot_hist *h)
{
	int mx, *cnt = plot_bin_counts(h->v, h->n, h->lo, h->hi, h->nbins, &mx);
	if (!cnt)
		return -ENOMEM;
	double ystep = plot_nice_step(mx, 6, 1), ymax = plot_nice_ceil(mx, ystep);
	struct plot_ticks xt, yt;
	plot_ticks_linear(&xt, h->lo, h->hi, plot_nice_step(h->hi - h->lo, 10, 0));
	plot_ticks_linear(&yt, 0, ymax, ystep);
	frame(f, h->title, h->note, h->xlabel, "count", h->lo, h->hi, &xt, 0, ymax, &yt);
	for (int b = 0; b < h->nbins; b++) {
		double lo = h->lo, hi = h->hi;
		double xa = sx(lo + (hi - lo) * b / h->nbins, lo, hi),
		       xb = sx(lo + (hi - lo) * (b + 1) / h->nbins, lo, hi);
		double ya = sy(cnt[b], 0, ymax);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\" stroke=\"white\" stroke-width=\"0.5\"/>\n",
			xa, ya, xb - xa, sy(0, 0, ymax) - ya);
	}
	if (isfinite(h->vline) && h->vline >= h->lo && h->vline <= h->hi) {
		double x = sx(h->vline, h->lo, h->hi);
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"red\"/>\n",
			x, x, MT, PH - MB);
		if (h->vlabel)
			text(f, x + 4, MT + 14, "start", " fill=\"red\" font-weight=\"bold\"",
			     h->vlabel);
	}
	fprintf(f, "</svg>\n");
	free(cnt);
	return ferror(f) ? -EIO : 0;
}
