#!/bin/sh
# Trigger and frame-event latency in the test VM under -icount (virtual time).
exec "$(dirname "$0")/../../tests/kernel/run-vm.sh" bench
