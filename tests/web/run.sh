#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The web interface in Debian's chromium (headless, DevTools over a pipe;
# scripts/deps/web.txt installs it): tests/web/browser_test.py, TAP output,
# screenshots in build/test-logs/web-*.png.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/web/browser_test.py
