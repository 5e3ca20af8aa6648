# userspace/daemon/health: the housekeeping sampler (temperature, Pi throttling
# and under-voltage, frame slip, drops, lateness, memory); its own archive,
# linked into ogated by mk/daemon.mk. Tests: tests/userspace/daemon/health
# (against a fake /sys and /proc root).
HEALTH_DIR     := userspace/daemon/health
HEALTH_INC     := -I$(HEALTH_DIR) $(COMMON_INC)
HEALTH_SRCS    := $(wildcard $(HEALTH_DIR)/*.c)
HEALTH_LIB     := $(BUILD)/lib/libogated-health.a
HEALTH_LIB_SAN := $(BUILD)/lib/libogated-health-san.a

$(OBJ)/plain/$(HEALTH_DIR)/% $(OBJ)/san/$(HEALTH_DIR)/%: OBJ_CPPFLAGS = $(HEALTH_INC)

$(HEALTH_LIB): $(call objs_of,$(HEALTH_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(HEALTH_LIB_SAN): $(call objs_of,$(HEALTH_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(TBIN)/userspace/daemon/health/%: UT_CPPFLAGS = $(HEALTH_INC)
$(TBIN)/userspace/daemon/health/%: UT_LIBS = $(HEALTH_LIB_SAN)
$(TBIN)/userspace/daemon/health/%: UT_LDLIBS = -lpthread -lm
$(call unit_tests_in,daemon/health): $(HEALTH_LIB_SAN)
