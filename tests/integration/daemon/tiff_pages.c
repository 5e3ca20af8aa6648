// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Test helper: print the number of pages (directories) of a TIFF file. */
#include <stdio.h>
#include <tiffio.h>

int main(int argc, char **argv)
{
	TIFF *t;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.tif\n", argv[0]);
		return 2;
	}
	TIFFSetWarningHandler(NULL);
	t = TIFFOpen(argv[1], "r");
	if (!t) {
		printf("0\n");	/* not even a first page */
		return 0;
	}
	printf("%u\n", (unsigned int)TIFFNumberOfDirectories(t));
	TIFFClose(t);
	return 0;
}
