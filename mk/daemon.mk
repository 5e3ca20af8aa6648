# ogated's core: trigger sinks, trigger programs, pipeline pieces.
DAEMON_DIR        := userspace/daemon
DAEMON_SINK_SRCS  := $(addprefix $(DAEMON_DIR)/,sink.c sink_ogate.c sink_gpiod.c sink_dryrun.c \
                     pulses.c program.c)
DAEMON_SINK_LIBS  := -lgpiod -lpthread
DAEMON_CPPFLAGS   := -I$(DAEMON_DIR)

TEST_SINKS := $(TBIN)/test_sinks
SUITES += $(TEST_SINKS)

$(TEST_SINKS): tests/userspace/daemon/test_sinks.c tests/userspace/daemon/log_double.c \
		$(DAEMON_SINK_SRCS) $(wildcard $(DAEMON_DIR)/*.h) include/uapi/ogate.h | $(TBIN)
	$(CC) $(CPPFLAGS) $(DAEMON_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ \
		tests/userspace/daemon/test_sinks.c tests/userspace/daemon/log_double.c \
		$(DAEMON_SINK_SRCS) -lcmocka $(DAEMON_SINK_LIBS)
