# userspace/common: the bottom layer every program, the daemon, the tests and
# the benchmarks share: clock and percentile helpers (header-only), stack I/O
# (TIFF, .npy) and the synthetic heart model. Headers in userspace/common/include.
COMMON_DIR      := userspace/common
COMMON_INC      := -I$(COMMON_DIR)/include
COMMON_SRCS     := $(wildcard $(COMMON_DIR)/*.c)
COMMON_LIB      := $(BUILD)/lib/libogate-common.a
COMMON_LIB_SAN  := $(BUILD)/lib/libogate-common-san.a
COMMON_LDLIBS   := -ltiff -lm

$(OBJ)/plain/$(COMMON_DIR)/% $(OBJ)/san/$(COMMON_DIR)/%: OBJ_CPPFLAGS = $(COMMON_INC)

$(COMMON_LIB): $(call objs_of,$(COMMON_SRCS),plain)
$(COMMON_LIB_SAN): $(call objs_of,$(COMMON_SRCS),san)

# Unit tests (discovered, mk/tests.mk): tests/userspace/common/test_*.c
$(TBIN)/userspace/common/%: UT_CPPFLAGS = $(COMMON_INC)
$(TBIN)/userspace/common/%: UT_LIBS = $(COMMON_LIB_SAN)
$(TBIN)/userspace/common/%: UT_LDLIBS = $(COMMON_LDLIBS)
$(call unit_tests_in,common): $(COMMON_LIB_SAN)
