# ogate top-level Makefile.
#
#   make            build every program into build/bin/ (and the kernel module when headers exist)
#   make check      install missing Debian packages, then run every test suite (unit, VM, integration)
#   make demo       the bundled default: the emulator on a generated heartbeat
#   make demo-kernel  ogatectl's self-demo against the module in the test VM
#   make bench      run every benchmark; each figure printed as "BENCH <name> <value> <unit>"
#   make install    install programs, module sources (DKMS), udev rule, man pages
#   make clean
#
# Each folder that builds something has a fragment mk/<folder>.mk (mk/common.mk builds
# userspace/common, mk/daemon.mk userspace/daemon, ...) that appends to:
#   PROGRAMS      files under build/bin/ built by `make`
#   SUITES        test suite executables run by `make check` (TAP output, one per suite)
#   BENCHES       benchmark commands run by `make bench`
#   INSTALL_TARGETS, CLEAN_TARGETS
# Unit tests need no rule: every tests/userspace/<folder>/test_<name>.c is discovered and
# built by one rule (mk/tests.mk); a fragment only says what its folder's tests link.
# Objects are compiled once, with -MMD -MP header dependencies (build/**/*.d).

SHELL       := /bin/bash
.DEFAULT_GOAL := all

BUILD       := build
BIN         := $(BUILD)/bin
OBJ         := $(BUILD)/obj
TBIN        := $(BUILD)/test
PREFIX      ?= /usr/local
DESTDIR     ?=

CC          ?= gcc
CFLAGS_STD  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-unused-parameter
OPT         ?= -O2 -g
CPPFLAGS    += -Iinclude -Iinclude/uapi
CFLAGS      += $(CFLAGS_STD) $(OPT)
# header dependencies: each compile writes the headers it read next to its output
DEPFLAGS    := -MMD -MP
# Unit tests are built with AddressSanitizer and UBSan.
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# One rule compiles any C source once per variant: $(OBJ)/plain/<path>.o (for programs
# and libraries) and $(OBJ)/san/<path>.o (ASan/UBSan, for the unit tests) from <path>.c.
# A fragment gives its folder's include flags as pattern-specific variables, e.g.
#   $(OBJ)/plain/userspace/common/%: OBJ_CPPFLAGS = -Iuserspace/common/include
$(OBJ)/plain/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(OBJ_CPPFLAGS) $(CFLAGS) $(OBJ_CFLAGS) -c -o $@ $<
$(OBJ)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(OBJ_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<
# the objects of the sources $(1) in variant $(2) (plain or san)
objs_of = $(patsubst %.c,$(OBJ)/$(2)/%.o,$(1))

PROGRAMS        :=
SUITES          :=
BENCHES         :=
INSTALL_TARGETS :=
CLEAN_TARGETS   :=

# The libraries' fragments first, lowest layer first (later fragments name their
# archives in prerequisites, which make expands as it reads); then every other
# fragment in name order, so a new mk/<folder>.mk plugs in by existing.
MK_LAYERS := mk/tests.mk mk/common.mk mk/lib.mk mk/stage.mk mk/ome.mk mk/client.mk \
             mk/daemon-camera.mk mk/daemon.mk
include $(MK_LAYERS)
include $(filter-out $(MK_LAYERS),$(sort $(wildcard mk/*.mk)))
-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

.PHONY: all check check-unit demo demo-kernel bench install clean deps
all: $(PROGRAMS)

deps:
	@scripts/install-deps.sh

# `make check` runs every registered suite through one runner, which prints one
# closing line "N passed, N failed, N skipped" counted over all TAP results.
check: deps
	@$(MAKE) --no-print-directory all $(SUITES)
	@tests/run-suites.sh $(SUITES)

# The bundled default: synthetic heartbeat -> emulator -> accuracy against truth.
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# The kernel timing core's self-demo (ogatectl) in the test VM.
demo-kernel: deps
	@$(MAKE) --no-print-directory all
	@tests/kernel/run-vm.sh demo

bench: deps
	@$(MAKE) --no-print-directory all
	@set -e; $(foreach b,$(BENCHES),$(b);)

install: all $(INSTALL_TARGETS)

clean: $(CLEAN_TARGETS)
	rm -rf $(BUILD)

$(BIN) $(OBJ) $(TBIN):
	@mkdir -p $@
