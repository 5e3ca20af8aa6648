# The whole chain in a VM (issue 14): the vimc heart camera, libcamera, ogated
# and the trigger pins through ogate.ko and through libgpiod, scored against
# the heart's true phase (tests/chain/run.sh, docs/chain.md). One boot runs
# both sinks for 70 s each: about 4 minutes, too long for `make check`, so it
# runs under `make check-full` (several fragments may add prerequisites to
# check-full; none gives it a recipe).
.PHONY: check-chain check-full
check-chain: deps
	@$(MAKE) --no-print-directory build/bin/ogated build/bin/ogate-client build/bin/ogate-synth \
		build/bin/ogate-emulate
	@tests/run-suites.sh tests/chain/run.sh

check-full: check-chain
