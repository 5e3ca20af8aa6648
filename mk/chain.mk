# The whole chain in a VM (issue 14): the vimc heart camera, libcamera, ogated
# and the trigger pins through ogate.ko and through libgpiod, scored against
# the heart's true phase (tests/chain/run.sh, docs/chain.md).
#
# check-chain runs both sinks in one boot, 70 s each, at 80 fps in virtual
# time (qemu -icount): the analysis is then sub-millisecond and the host's
# load does not move the figures, so what fails is a seam. 5-8 minutes:
# too long for `make check`, so it runs under `make check-full` (several
# fragments may add prerequisites to check-full; none gives it a recipe).
# The issue's own operating point (30 fps, real-time TCG) is plain
# `tests/chain/run.sh`; see docs/chain.md for its figures (the analysis
# library of this branch's base misses the 3 ms RMS target there; main's
# reworked library meets it in virtual time).
.PHONY: check-chain check-full
check-chain: deps
	@$(MAKE) --no-print-directory build/bin/ogated build/bin/ogate-client build/bin/ogate-synth \
		build/bin/ogate-emulate
	@OGATE_CHAIN_FPS=80 OGATE_CHAIN_ICOUNT=1 tests/run-suites.sh tests/chain/run.sh

check-full: check-chain
