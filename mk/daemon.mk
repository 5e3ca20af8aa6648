# ogated's core: trigger sinks, trigger programs, pipeline pieces.
DAEMON_DIR        := userspace/daemon
DAEMON_SINK_SRCS  := $(addprefix $(DAEMON_DIR)/,sink.c sink_ogate.c sink_gpiod.c sink_dryrun.c \
                     pulses.c program.c)
DAEMON_SINK_LIBS  := -lgpiod -lpthread
DAEMON_CPPFLAGS   := -I$(DAEMON_DIR)
DAEMON_HDRS       := $(wildcard $(DAEMON_DIR)/*.h) userspace/tools/clock-util.h \
                     userspace/tools/stats-util.h

TEST_SINKS := $(TBIN)/test_sinks
SUITES += $(TEST_SINKS)

$(TEST_SINKS): tests/userspace/daemon/test_sinks.c tests/userspace/daemon/log_double.c \
		$(DAEMON_SINK_SRCS) $(DAEMON_HDRS) include/uapi/ogate.h | $(TBIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ \
		tests/userspace/daemon/test_sinks.c tests/userspace/daemon/log_double.c \
		$(DAEMON_SINK_SRCS) -lcmocka $(DAEMON_SINK_LIBS)

# The frame path: sources, pipeline, recorder (with libogate and the generator/readers).
DAEMON_CORE_SRCS := $(DAEMON_SINK_SRCS) $(addprefix $(DAEMON_DIR)/,source.c source_synthetic.c \
                    source_file.c pipeline.c recorder.c edgematch.c) \
                    userspace/tools/synth/heart.c userspace/tools/emulate/stackio.c
DAEMON_CORE_LIBS := $(DAEMON_SINK_LIBS) -ltiff -lm

TEST_PIPELINE := $(TBIN)/test_pipeline
SUITES += $(TEST_PIPELINE)

$(TEST_PIPELINE): tests/userspace/daemon/test_pipeline.c tests/userspace/daemon/log_double.c \
		$(DAEMON_CORE_SRCS) $(DAEMON_HDRS) $(AN_LIB_SAN) | $(TBIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ \
		tests/userspace/daemon/test_pipeline.c tests/userspace/daemon/log_double.c \
		$(DAEMON_CORE_SRCS) $(AN_LIB_SAN) -lcmocka $(DAEMON_CORE_LIBS)

# frame arrival -> trigger queued latency at 80/250/500 fps (make bench)
$(BIN)/bench-daemon-latency: bench/daemon/latency.c $(DAEMON_CORE_SRCS) userspace/daemon/log.c \
		$(DAEMON_HDRS) $(AN_LIB) | $(BIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) -o $@ $< $(DAEMON_CORE_SRCS) \
		userspace/daemon/log.c $(AN_LIB) $(DAEMON_CORE_LIBS)
PROGRAMS += $(BIN)/bench-daemon-latency
BENCHES  += $(BIN)/bench-daemon-latency

# the daemon; the libcamera source is built in where libcamera-dev is installed
ifeq ($(CAM_HAVE_LIBCAMERA),yes)
OGATED_CAM_SRCS := $(DAEMON_DIR)/source_libcamera.c
OGATED_CAM_DEFS := -DOGATE_HAVE_LIBCAMERA
OGATED_CAM_LIBS  = $(CAM_LIB) $(CAM_LDLIBS)
OGATED_CAM_DEPS := $(CAM_LIB)
endif
$(BIN)/ogated: $(DAEMON_DIR)/ogated.c $(DAEMON_DIR)/acq.c $(DAEMON_CORE_SRCS) $(OGATED_CAM_SRCS) \
		$(DAEMON_CTL_LIB) $(STAGE_LIB) $(OGATED_CAM_DEPS) $(DAEMON_HDRS) $(AN_LIB) | $(BIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(AN_CPPFLAGS) $(STAGE_INC) $(OGATED_CAM_DEFS) $(CFLAGS) \
		-o $@ $< $(DAEMON_DIR)/acq.c $(DAEMON_CORE_SRCS) $(OGATED_CAM_SRCS) $(DAEMON_CTL_LIB) \
		$(STAGE_LIB) $(AN_LIB) $(OGATED_CAM_LIBS) $(DAEMON_CORE_LIBS) $(DAEMON_CTL_LIBS) $(STAGE_LDLIBS)
PROGRAMS += $(BIN)/ogated
SUITES   += tests/integration/daemon/run.sh tests/integration/zstack/run.sh

INSTALL_TARGETS += install-daemon
install-daemon: $(BIN)/ogated
	install -D -m 0755 $(BIN)/ogated $(DESTDIR)$(PREFIX)/bin/ogated
.PHONY: install-daemon
tests/integration/zstack/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(STAGE_FAKESRV)
tests/integration/daemon/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(BIN)/ogate-synth $(BIN)/ogate-emulate

TEST_EDGEMATCH := $(TBIN)/test_edgematch
SUITES += $(TEST_EDGEMATCH)
$(TEST_EDGEMATCH): tests/userspace/daemon/test_edgematch.c $(DAEMON_DIR)/edgematch.c \
		$(DAEMON_DIR)/edgematch.h | $(TBIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(DAEMON_DIR)/edgematch.c \
		-lcmocka -lm
