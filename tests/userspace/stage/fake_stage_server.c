// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test helper: serve a simulated controller on a pty for end-to-end tests of
 * the ogate-stage tool. Usage: fake_stage_server smc100|asi PATHFILE
 * Writes the pty slave path to PATHFILE, then serves until killed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fake_ctl.h"

int main(int argc, char **argv)
{
	static struct fake_ctl f;
	static struct fake_smc100 smc;
	static struct fake_asi asi;
	char tmp[4096];
	FILE *out;
	int rc;

	if (argc != 3 || (strcmp(argv[1], "smc100") && strcmp(argv[1], "asi"))) {
		fprintf(stderr, "usage: %s smc100|asi PATHFILE\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "smc100")) {
		fake_smc100_init(&smc);
		rc = fake_start(&f, fake_smc100_handle, "\r\n", &smc);
	} else {
		fake_asi_init(&asi);
		rc = fake_start(&f, fake_asi_handle, "\r\n", &asi);
	}
	if (rc) {
		perror("fake_start");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	out = fopen(tmp, "w");
	if (!out || fprintf(out, "%s\n", f.slave) < 0 || fclose(out) || rename(tmp, argv[2])) {
		perror(argv[2]);
		return 1;
	}
	for (;;)
		pause();
}
