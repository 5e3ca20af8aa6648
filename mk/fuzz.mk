# tests/fuzz: libFuzzer targets for the readers that take files from users: the TIFF and .npy
# stack readers and the CSV readers behind --timestamps and --truth (userspace/common/stackio.c).
# Built with clang (-fsanitize=fuzzer,address,undefined; Debian: clang, libclang-rt-14-dev, in
# scripts/deps/fuzz.txt). `make check` runs each briefly from a fixed seed corpus written at test
# time (tests/fuzz/run.sh, FUZZ_SECONDS per target, default 3); `make fuzz` runs each for
# FUZZ_TIME seconds (default 300) and keeps what it finds in build/fuzz/corpus/.
FUZZ_DIR      := tests/fuzz
FUZZ_BUILD    := $(BUILD)/fuzz
FUZZ_CC       ?= clang
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter $(FUZZ_SAN)
FUZZ_NAMES    := tiff npy timestamps truth
FUZZ_TARGETS  := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_NAMES))
FUZZ_SEEDGEN  := $(FUZZ_BUILD)/mkseeds
FUZZ_TIME     ?= 300

# the reader under test, compiled by clang with fuzzer coverage
$(FUZZ_BUILD)/stackio.o: $(COMMON_DIR)/stackio.c $(COMMON_DIR)/include/stackio.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(COMMON_INC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz_input.h $(FUZZ_BUILD)/stackio.o
	$(FUZZ_CC) $(COMMON_INC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/stackio.o -ltiff -lm
$(FUZZ_SEEDGEN): $(FUZZ_DIR)/mkseeds.c $(FUZZ_DIR)/crafted.h $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(COMMON_INC) $(CFLAGS) -o $@ $< $(COMMON_LIB) $(COMMON_LDLIBS)

SUITES += $(FUZZ_DIR)/run.sh
$(FUZZ_DIR)/run.sh: $(FUZZ_TARGETS) $(FUZZ_SEEDGEN)

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS) $(FUZZ_SEEDGEN)
	FUZZ_SECONDS=$(FUZZ_TIME) FUZZ_CORPUS=$(FUZZ_BUILD)/corpus $(FUZZ_DIR)/run.sh
