# userspace/stage: libogate-stage (SMC100, ASI and simulated drivers over
# libserialport; uses the clock and number parsing of userspace/common, so its
# users link $(COMMON_LIB) after it), and its tests with simulated controllers on pseudo-terminals
# (tests/userspace/stage). The ogate-stage tool is built by mk/tools.mk, the
# round-trip benchmark by mk/bench.mk.

STAGE_DIR     := userspace/stage
STAGE_SRCS    := $(addprefix $(STAGE_DIR)/,stage.c serial.c smc100.c asi.c sim.c)
STAGE_INC     := -I$(STAGE_DIR)/include -I$(STAGE_DIR)
STAGE_LDLIBS  := -lserialport -lm
STAGE_LIB     := $(BUILD)/lib/libogate-stage.a
STAGE_LIB_SAN := $(BUILD)/lib/libogate-stage-san.a

$(OBJ)/plain/$(STAGE_DIR)/% $(OBJ)/san/$(STAGE_DIR)/%: OBJ_CPPFLAGS = $(STAGE_INC) $(COMMON_INC)

$(STAGE_LIB): $(call objs_of,$(STAGE_SRCS),plain)
$(STAGE_LIB_SAN): $(call objs_of,$(STAGE_SRCS),san)

# ---- tests: the simulated controllers (fakes) are objects too, plain for the
# fake server and the benchmark, sanitized for the unit tests.
STAGE_TDIR      := tests/userspace/stage
STAGE_FAKES     := $(addprefix $(STAGE_TDIR)/,fake_ctl.c fake_smc100.c fake_asi.c)
STAGE_FAKES_OBJ := $(call objs_of,$(STAGE_FAKES),plain)
STAGE_FAKES_SAN := $(call objs_of,$(STAGE_FAKES),san)
$(OBJ)/plain/$(STAGE_TDIR)/% $(OBJ)/san/$(STAGE_TDIR)/%: OBJ_CPPFLAGS = -I$(STAGE_TDIR) $(COMMON_INC)
$(OBJ)/plain/$(STAGE_TDIR)/% $(OBJ)/san/$(STAGE_TDIR)/%: OBJ_CFLAGS = -pthread

# test_stage_parsers #includes the driver sources to reach their static
# functions; the archive's copies are then not pulled in.
$(TBIN)/userspace/stage/%: UT_CPPFLAGS = $(STAGE_INC) $(COMMON_INC) -I$(STAGE_TDIR) -pthread
$(TBIN)/userspace/stage/%: UT_LIBS = $(STAGE_FAKES_SAN) $(STAGE_LIB_SAN) $(COMMON_LIB_SAN)
$(TBIN)/userspace/stage/%: UT_LDLIBS = $(STAGE_LDLIBS) -ldl
$(call unit_tests_in,stage): $(STAGE_FAKES_SAN) $(STAGE_LIB_SAN) $(COMMON_LIB_SAN)

# the tool test runs the tool against the sim driver and a fake SMC100 served on a pty
STAGE_FAKESRV := $(TBIN)/fake_stage_server
$(STAGE_TDIR)/test_ogate_stage_tool.sh: $(BIN)/ogate-stage $(STAGE_FAKESRV)
$(STAGE_FAKESRV): $(STAGE_TDIR)/fake_stage_server.c $(STAGE_FAKES_OBJ) | $(TBIN)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) -I$(STAGE_TDIR) $(COMMON_INC) $(CFLAGS) -pthread -o $@ $< $(STAGE_FAKES_OBJ) -lm
