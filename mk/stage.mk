# Stage control: libogate-stage (userspace/stage: SMC100, ASI and simulated
# drivers over libserialport), the ogate-stage tool, and their tests with
# simulated controllers on pseudo-terminals (tests/userspace/stage).

STAGE_DIR     := userspace/stage
STAGE_SRCS    := $(addprefix $(STAGE_DIR)/,stage.c serial.c smc100.c asi.c sim.c)
STAGE_HDRS    := $(wildcard $(STAGE_DIR)/*.h $(STAGE_DIR)/include/ogate/*.h)
STAGE_INC     := -I$(STAGE_DIR)/include -I$(STAGE_DIR)
STAGE_LDLIBS  := -lserialport -lm
STAGE_OBJDIR  := $(OBJ)/stage
STAGE_OBJS    := $(STAGE_SRCS:$(STAGE_DIR)/%.c=$(STAGE_OBJDIR)/%.o)
STAGE_LIB     := $(STAGE_OBJDIR)/libogate-stage.a
# the same objects with ASan/UBSan for the unit tests
STAGE_SOBJDIR := $(OBJ)/stage-san
STAGE_SOBJ     = $(addprefix $(STAGE_SOBJDIR)/,$(addsuffix .o,$(1)))

$(STAGE_OBJDIR)/%.o: $(STAGE_DIR)/%.c $(STAGE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(STAGE_INC) $(CFLAGS) -c -o $@ $<

$(STAGE_SOBJDIR)/%.o: $(STAGE_DIR)/%.c $(STAGE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(STAGE_INC) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(STAGE_LIB): $(STAGE_OBJS)
	$(AR) rcs $@ $^

# ---- tool ----
STAGE_TOOL := $(BIN)/ogate-stage
PROGRAMS += $(STAGE_TOOL)

$(STAGE_TOOL): userspace/tools/ogate-stage.c $(STAGE_LIB) $(STAGE_HDRS) | $(BIN)
	$(CC) $(CPPFLAGS) $(STAGE_INC) $(CFLAGS) -o $@ $< $(STAGE_LIB) $(STAGE_LDLIBS)

# ---- tests ----
STAGE_TDIR    := tests/userspace/stage
STAGE_FAKES   := $(addprefix $(STAGE_TDIR)/,fake_ctl.c fake_smc100.c fake_asi.c)
STAGE_TFLAGS   = $(CPPFLAGS) $(STAGE_INC) -I$(STAGE_TDIR) $(CFLAGS) $(SAN_FLAGS) -pthread
STAGE_TLIBS   := -lcmocka $(STAGE_LDLIBS) -ldl
STAGE_ALL_SOBJS := $(call STAGE_SOBJ,stage serial smc100 asi sim)
# only named in pattern rules: keep them, or make deletes them as intermediates
.SECONDARY: $(STAGE_ALL_SOBJS) $(STAGE_OBJS)

STAGE_SUITES := $(TBIN)/test_stage_parsers $(TBIN)/test_stage_core $(TBIN)/test_stage_smc100 \
                $(TBIN)/test_stage_asi $(TBIN)/test_stage_libserialport
SUITES += $(STAGE_TDIR)/test_ogate_stage_tool.sh
SUITES += $(STAGE_SUITES)

# parsers: the driver sources are #included to reach their static functions
$(TBIN)/test_stage_parsers: $(STAGE_TDIR)/test_stage_parsers.c $(STAGE_DIR)/smc100.c \
		$(STAGE_DIR)/asi.c $(call STAGE_SOBJ,stage serial sim) $(STAGE_HDRS) | $(TBIN)
	$(CC) $(STAGE_TFLAGS) -o $@ $< $(call STAGE_SOBJ,stage serial sim) $(STAGE_TLIBS)

$(TBIN)/test_stage_%: $(STAGE_TDIR)/test_stage_%.c $(STAGE_FAKES) $(STAGE_TDIR)/fake_ctl.h \
		$(STAGE_ALL_SOBJS) | $(TBIN)
	$(CC) $(STAGE_TFLAGS) -o $@ $< $(STAGE_FAKES) $(STAGE_ALL_SOBJS) $(STAGE_TLIBS)

# the tool test runs the tool against the sim driver and a fake SMC100 served on a pty
STAGE_FAKESRV := $(TBIN)/fake_stage_server
$(STAGE_TDIR)/test_ogate_stage_tool.sh: $(STAGE_TOOL) $(STAGE_FAKESRV)
$(STAGE_FAKESRV): $(STAGE_TDIR)/fake_stage_server.c $(STAGE_FAKES) $(STAGE_TDIR)/fake_ctl.h | $(TBIN)
	$(CC) $(CPPFLAGS) -I$(STAGE_TDIR) $(CFLAGS) -pthread -o $@ $< $(STAGE_FAKES) -lm

.PHONY: stage-clean
stage-clean:
	rm -rf $(STAGE_OBJDIR) $(STAGE_SOBJDIR)
CLEAN_TARGETS += stage-clean

# ---- benchmark: driver round trip through a pty to a simulated controller ----
STAGE_BENCH := $(TBIN)/bench_stage_roundtrip
BENCHES += $(STAGE_BENCH)
all: $(STAGE_BENCH)
$(STAGE_BENCH): $(STAGE_TDIR)/bench_stage_roundtrip.c $(STAGE_FAKES) $(STAGE_TDIR)/fake_ctl.h \
		$(STAGE_LIB) | $(TBIN)
	$(CC) $(CPPFLAGS) $(STAGE_INC) -I$(STAGE_TDIR) $(CFLAGS) -pthread -o $@ $< $(STAGE_FAKES) \
		$(STAGE_LIB) $(STAGE_LDLIBS)

# ---- install ----
INSTALL_TARGETS += stage-install
.PHONY: stage-install
stage-install: $(STAGE_TOOL)
	install -D -m 0755 $(STAGE_TOOL) $(DESTDIR)$(PREFIX)/bin/ogate-stage
	install -D -m 0644 man/ogate-stage.1 $(DESTDIR)$(PREFIX)/share/man/man1/ogate-stage.1
