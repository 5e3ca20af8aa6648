/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The region a reference's phase is matched in: the tiles that change over its beat (sync_roi.c). */
#ifndef OGATE_ROI_H
#define OGATE_ROI_H

/*
 * Tiles whose content changes over the reference beat beyond what pixel noise explains.
 * a[k] = the mean absolute difference per pixel between reference frames half a period apart in
 * tile k (row-major, nx x ny), n[k] = how many pixel differences it averages. In a tile where
 * nothing moves, each difference is that of two noise samples: every such tile has the same
 * expectation phi (the noise floor) and a relative standard deviation sqrt(pi/2 - 1)/sqrt(n)
 * (the absolute value of a Gaussian). phi is the 10th percentile of a[] (1.28 sd below the
 * static tiles' mean, as long as a tenth of the tiles are static; where fewer are, it is the
 * weakest-changing tiles' level and only those are left out), and a tile is kept when it lies
 * more than OGATE_ROI_Z of its standard deviations above phi: a static tile then passes with a
 * probability of about 1e-6, so a stray one among 256 tiles is rare. box = the kept tiles'
 * bounding box in tile units, [box[0], box[2]) x [box[1], box[3]) (x, then y). Returns the
 * number of tiles kept (0: box = every tile).
 */
#define OGATE_ROI_Z 6.0
int ogate_roi_tiles(const double *a, const double *n, int nx, int ny, int box[4]);

/*
 * Pixel bounds [x0, x1) of the region from the kept tiles' bounds [t0, t1) along one axis of
 * dim pixels cut into nt tiles of dim / nt pixels (the last one takes the remainder): one tile
 * of margin each side (a heart that beats a little wider later), and at least a quarter of the
 * axis, centred on the tiles (clamped to the frame).
 */
void ogate_roi_span(int t0, int t1, int nt, int dim, int *x0, int *x1);

#endif
