#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# keeps_its_word.sh once more against ogated built with ThreadSanitizer
# (build/tsan/bin/ogated): the control, command-worker, acquisition-job and
# frame-path threads under the same commands. A data race ends the daemon
# (halt_on_error), which fails the checks that follow; its report is shown.
set -u
cd "$(dirname "$0")/../../.."
export OGATE_BIN=build/tsan/bin
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 log_path=/tmp/ogated-tsan"
rm -f /tmp/ogated-tsan.*
tests/integration/daemon/keeps_its_word.sh
rc=$?
for f in /tmp/ogated-tsan.*; do
	[ -e "$f" ] || continue
	echo "not ok - ThreadSanitizer report ($f)"
	sed 's/^/# /' "$f" | head -40
	rc=1
done
rm -f /tmp/ogated-tsan.*
exit $rc
