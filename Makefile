# ogate top-level Makefile.
#
#   make            build every program into build/bin/ (and the kernel module when headers exist)
#   make check      install missing Debian packages, then run every test suite (unit, VM, integration)
#   make demo       the bundled default: the emulator on a generated heartbeat (installs
#                   and builds only what it needs: scripts/install-deps.sh demo)
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

# The version, in one place: the file VERSION. It reaches every program's --version
# through the generated header $(BUILD)/include/ogate-version.h (OGATE_VERSION),
# ogate.pc, the DKMS package (mk/kernel.mk) and `make version`.
OGATE_VERSION := $(shell cat VERSION)
VERSION_H   := $(BUILD)/include/ogate-version.h

CC          ?= gcc
CFLAGS_STD  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-unused-parameter
OPT         ?= -O2 -g
CPPFLAGS    += -Iinclude -Iinclude/uapi -I$(BUILD)/include
CFLAGS      += $(CFLAGS_STD) $(OPT)
# header dependencies: each compile writes the headers it read next to its output
DEPFLAGS    := -MMD -MP
# Unit tests are built with AddressSanitizer and UBSan.
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# One rule compiles any C source once per variant: $(OBJ)/plain/<path>.o (for programs
# and libraries) and $(OBJ)/san/<path>.o (ASan/UBSan, for the unit tests) from <path>.c.
# A fragment gives its folder's include flags as pattern-specific variables, e.g.
#   $(OBJ)/plain/userspace/common/%: OBJ_CPPFLAGS = -Iuserspace/common/include
$(OBJ)/plain/%.o: %.c | $(VERSION_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(OBJ_CPPFLAGS) $(CFLAGS) $(OBJ_CFLAGS) -c -o $@ $<
$(OBJ)/san/%.o: %.c | $(VERSION_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(OBJ_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<
# (order-only: the first build needs the header before any .d exists; after that
# the .d files make every user of it rebuild when VERSION changes)
$(VERSION_H): VERSION
	@mkdir -p $(@D)
	printf '/* generated from VERSION by the Makefile */\n#define OGATE_VERSION "%s"\n' '$(OGATE_VERSION)' > $@
# the objects of the sources $(1) in variant $(2) (plain or san)
objs_of = $(patsubst %.c,$(OBJ)/$(2)/%.o,$(1))
# Any static library under build/lib: a fragment only names its objects, e.g.
#   $(COMMON_LIB): $(call objs_of,$(COMMON_SRCS),plain)
$(BUILD)/lib/%.a:
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

PROGRAMS        :=
SUITES          :=
BENCHES         :=
INSTALL_TARGETS :=
CLEAN_TARGETS   :=

# The libraries' fragments first, lowest layer first (later fragments name their
# archives in prerequisites, which make expands as it reads); then every other
# fragment in name order, so a new mk/<folder>.mk plugs in by existing.
MK_LAYERS := mk/tests.mk mk/common.mk mk/lib.mk mk/stage.mk mk/ome.mk mk/client.mk mk/shm.mk \
             mk/daemon-camera.mk mk/health.mk mk/web.mk mk/daemon.mk
include $(MK_LAYERS)
include $(filter-out $(MK_LAYERS),$(sort $(wildcard mk/*.mk)))
-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

.PHONY: all check check-unit demo demo-kernel bench install clean deps version
all: $(PROGRAMS)

deps:
	@scripts/install-deps.sh all

version:
	@echo $(OGATE_VERSION)

# `make check` runs every registered suite through one runner, which prints one
# closing line "N passed, N failed, N skipped" counted over all TAP results.
check: deps
	@$(MAKE) --no-print-directory all $(SUITES)
	@tests/run-suites.sh $(SUITES)

# The bundled default: synthetic heartbeat -> emulator -> accuracy against truth.
# Installs and builds only what it runs (scripts/install-deps.sh demo).
demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory $(BIN)/ogate-synth $(BIN)/ogate-emulate
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
