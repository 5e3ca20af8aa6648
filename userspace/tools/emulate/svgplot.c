/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include "plotbins.h"
#include "svgplot.h"

#define PW 900
#define PH 420
#define ML 70
#define MR 20
#define MT 40
#define MB 50

static double sx(double x, double lo, double hi) { return ML + (x - lo) / (hi - lo) * (PW - ML - MR); }
static double sy(double y, double lo, double hi) { return PH - MB - (y - lo) / (hi - lo) * (PH - MT - MB); }

static void frame(FILE *f, const char *title, const char *xl, const char *yl, double x0, double x1, double y0, double y1)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", PW, PH);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n", ML, title);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n", ML, MT,
		PW - ML - MR, PH - MT - MB);
	for (int i = 0; i <= 5; i++) {
		double xv = x0 + (x1 - x0) * i / 5, yv = y0 + (y1 - y0) * i / 5;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n", sx(xv, x0, x1), PH - MB + 16, xv);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n", ML - 6, sy(yv, y0, y1) + 4, yv);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (ML + PW - MR) / 2, PH - 12, xl);
	fprintf(f, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">%s</text>\n",
		(MT + PH - MB) / 2, (MT + PH - MB) / 2, yl);
}

int svg_phase_plot(FILE *f, const char *title, const double *t, const double *phase, int n,
		   const double *tt, const double *tp, int nt, double target)
{
	if (n < 2)
		return -1;
	double x0 = t[0], x1 = t[n - 1];
	if (!(x1 > x0))
		x1 = x0 + 1;
	frame(f, title, "time (s)", "phase (rad)", x0, x1, 0, 2 * M_PI);
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
	if (isfinite(target))
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"green\" stroke-dasharray=\"4 3\"/>\n",
			ML, PW - MR, sy(target, 0, 2 * M_PI), sy(target, 0, 2 * M_PI));
	for (int i = 0; i < nt; i++)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"red\"/>\n", sx(tt[i], x0, x1),
			sy(isfinite(tp[i]) ? tp[i] : target, 0, 2 * M_PI));
	fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"red\">&#9679; trigger</text>\n", PW - MR - 160, MT - 8);
	fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"green\">- - target phase</text>\n", PW - MR - 90, MT - 8);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -1 : 0;
}

int svg_histogram(FILE *f, const char *title, const char *xlabel, const double *v, int n,
		  double lo, double hi, int nb, double vline)
{
	int mx, *cnt = plot_bin_counts(v, n, lo, hi, nb, &mx);
	if (!cnt)
		return -1;
	frame(f, title, xlabel, "count", lo, hi, 0, mx);
	for (int b = 0; b < nb; b++) {
		double xa = sx(lo + (hi - lo) * b / nb, lo, hi), xb = sx(lo + (hi - lo) * (b + 1) / nb, lo, hi);
		double ya = sy(cnt[b], 0, mx);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\" stroke=\"white\" stroke-width=\"0.5\"/>\n",
			xa, ya, xb - xa, sy(0, 0, mx) - ya);
	}
	if (isfinite(vline) && vline >= lo && vline <= hi)
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"red\"/>\n", sx(vline, lo, hi),
			sx(vline, lo, hi), MT, PH - MB);
	fprintf(f, "</svg>\n");
	free(cnt);
	return ferror(f) ? -1 : 0;
}
