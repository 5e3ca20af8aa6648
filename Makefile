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
# Each component adds itself through a fragment in mk/*.mk that appends to:
#   PROGRAMS      files under build/bin/ built by `make`
#   SUITES        test suite executables run by `make check` (TAP output, one per suite)
#   BENCHES       benchmark commands run by `make bench`
#   INSTALL_TARGETS, CLEAN_TARGETS

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
# Unit tests are built with AddressSanitizer and UBSan.
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

PROGRAMS        :=
SUITES          :=
BENCHES         :=
INSTALL_TARGETS :=
CLEAN_TARGETS   :=

include $(sort $(wildcard mk/*.mk))

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
