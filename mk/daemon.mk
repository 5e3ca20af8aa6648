# userspace/daemon: ogated. Its rooms (control/, sources/, sinks/, pipeline/,
# acquisition/) are compiled once into libogated.a (and libogated-san.a for the
# unit tests); ogated.c is the wiring. The camera adapter has its own fragment
# (mk/daemon-camera.mk). Also: the systemd unit, the example configuration,
# the man pages and the daemon's unit tests (tests/userspace/daemon/<room>).
DAEMON_DIR     := userspace/daemon
DAEMON_ROOMS   := control sources sinks pipeline acquisition
DAEMON_INC     := $(addprefix -I$(DAEMON_DIR)/,$(DAEMON_ROOMS)) $(CAM_INC) $(COMMON_INC) \
                  $(AN_CPPFLAGS) $(STAGE_INC) $(OME_INC)
# the rooms with their own archives (mk/web.mk, mk/health.mk) and what ogated.c wires
DAEMON_MAIN_INC := $(DAEMON_INC) -I$(WEB_DIR) -I$(HEALTH_DIR) $(SHM_INC) $(CLIENT_INC)
# every source of the rooms; the libcamera source only where libcamera-dev is installed
DAEMON_SRCS    := $(filter-out %/source_libcamera.c,$(wildcard $(addsuffix /*.c,$(addprefix $(DAEMON_DIR)/,$(DAEMON_ROOMS)))))
DAEMON_LIB     := $(BUILD)/lib/libogated.a
DAEMON_LIB_SAN := $(BUILD)/lib/libogated-san.a
DAEMON_LDLIBS  := -linih -lgpiod -lpthread -lpng $(COMMON_LDLIBS)

ifeq ($(CAM_HAVE_LIBCAMERA),yes)
DAEMON_CAM_SRCS := $(DAEMON_DIR)/sources/source_libcamera.c
DAEMON_CAM_DEFS := -DOGATE_HAVE_LIBCAMERA
DAEMON_CAM_LIBS  = $(CAM_LIB) $(CAM_LDLIBS)
DAEMON_CAM_DEPS := $(CAM_LIB)
endif

# The sanitized objects also trap float-to-integer casts out of range (GCC's
# -fsanitize=undefined leaves float-cast-overflow out): every number of the
# command and configuration surface is checked before it is cast.
DAEMON_SAN_EXTRA := -fsanitize=float-cast-overflow -fno-sanitize-recover=float-cast-overflow
$(OBJ)/plain/$(DAEMON_DIR)/%: OBJ_CPPFLAGS = $(DAEMON_INC) $(DAEMON_CAM_DEFS)
$(OBJ)/plain/$(DAEMON_DIR)/ogated.o $(OBJ)/plain/$(DAEMON_DIR)/commands.o \
$(OBJ)/plain/$(DAEMON_DIR)/ogated_extras.o: OBJ_CPPFLAGS = $(DAEMON_MAIN_INC) $(DAEMON_CAM_DEFS)
$(OBJ)/san/$(DAEMON_DIR)/%: OBJ_CPPFLAGS = $(DAEMON_INC) $(DAEMON_SAN_EXTRA)

$(DAEMON_LIB): $(call objs_of,$(DAEMON_SRCS) $(DAEMON_CAM_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
# sanitized, without the libcamera source (the unit tests need no camera)
$(DAEMON_LIB_SAN): $(call objs_of,$(DAEMON_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# libraries ogated and the daemon's benchmark link, in link order
DAEMON_LINK = $(DAEMON_LIB) $(STAGE_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB) $(DAEMON_CAM_LIBS) \
              $(DAEMON_LDLIBS) $(STAGE_LDLIBS) $(OME_LDLIBS)
# ogated itself also links the web, health, shared-memory and client rooms
DAEMON_MAIN_LINK = $(DAEMON_LIB) $(WEB_LIB) $(HEALTH_LIB) $(SHM_LIB) $(CLIENT_LIB) $(STAGE_LIB) \
                   $(OME_LIB) $(AN_LIB) $(COMMON_LIB) $(DAEMON_CAM_LIBS) $(DAEMON_LDLIBS) $(STAGE_LDLIBS) \
                   $(WEB_LDLIBS) $(SHM_LDLIBS) $(OME_LDLIBS)

$(BIN)/ogated: $(OBJ)/plain/$(DAEMON_DIR)/ogated.o $(OBJ)/plain/$(DAEMON_DIR)/commands.o \
		$(OBJ)/plain/$(DAEMON_DIR)/ogated_extras.o $(DAEMON_LIB) $(WEB_LIB) $(HEALTH_LIB) $(SHM_LIB) \
		$(CLIENT_LIB) $(STAGE_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB) $(DAEMON_CAM_DEPS) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(DAEMON_MAIN_LINK)
PROGRAMS += $(BIN)/ogated

# ---- unit tests (discovered, mk/tests.mk): tests/userspace/daemon/<room>/test_*.c.
# The control room's suites #include the .c they test (to reach static functions);
# the sinks' and pipeline's link a log test double instead of log.c.
DAEMON_TDIR     := tests/userspace/daemon
DAEMON_LOG_DBL  := $(OBJ)/san/$(DAEMON_TDIR)/log_double.o
$(OBJ)/san/$(DAEMON_TDIR)/%: OBJ_CPPFLAGS = $(DAEMON_INC)
DAEMON_UT_LIBS   = $(DAEMON_LIB_SAN) $(CLIENT_LIB_SAN) $(OME_LIB_SAN) $(AN_LIB_SAN) $(COMMON_LIB_SAN)
DAEMON_UT_ROOMS := control sources sinks pipeline acquisition
DAEMON_UT_PATS  := $(foreach r,$(DAEMON_UT_ROOMS),$(TBIN)/userspace/daemon/$(r)/%)
$(DAEMON_UT_PATS): UT_CPPFLAGS = $(DAEMON_INC) $(CLIENT_INC) $(DAEMON_SAN_EXTRA)
$(DAEMON_UT_PATS): UT_LIBS = $(DAEMON_UT_LIBS)
$(DAEMON_UT_PATS): UT_LDLIBS = $(DAEMON_LDLIBS)
$(TBIN)/userspace/daemon/sinks/% $(TBIN)/userspace/daemon/pipeline/%: UT_LIBS = $(DAEMON_LOG_DBL) $(DAEMON_UT_LIBS)
# test_pipeline_io relabels the analysis's trigger reasons (a late trigger on demand)
$(TBIN)/userspace/daemon/pipeline/test_pipeline_io: UT_LDLIBS = $(DAEMON_LDLIBS) \
	-Wl,--wrap=ogate_sync_process
$(foreach r,$(DAEMON_UT_ROOMS),$(call unit_tests_in,daemon/$(r))): $(DAEMON_UT_LIBS)
$(call unit_tests_in,daemon/sinks) $(call unit_tests_in,daemon/pipeline): $(DAEMON_LOG_DBL)
# test_config reads man/ogated.conf.5 and systemd/ogated.conf.example;
# test_control runs $(BIN)/ogate-client; test_unit.sh runs systemd-analyze
# and a staged install-daemon-ctl.
$(TBIN)/userspace/daemon/control/test_control: $(BIN)/ogate-client

tests/integration/zstack/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(STAGE_FAKESRV)
tests/integration/daemon/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(BIN)/ogate-synth $(BIN)/ogate-emulate

# What the daemon promises (issue 10), end to end; tiff_pages counts a TIFF's pages.
SUITES += tests/integration/daemon/keeps_its_word.sh
$(TBIN)/tiff_pages: tests/integration/daemon/tiff_pages.c | $(TBIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -ltiff
tests/integration/daemon/keeps_its_word.sh: $(BIN)/ogated $(BIN)/ogate-client $(TBIN)/tiff_pages

# ---- ThreadSanitizer: the daemon's threaded suites (sinks, pipeline, the
# acquisition's plane grab and its waits) built
# once more with -fsanitize=thread, and ogated itself, which
# keeps_its_word_tsan.sh drives end to end. The analysis and common
# libraries are linked uninstrumented (each object is used by one thread).
DAEMON_TSAN      := -fsanitize=thread -fno-omit-frame-pointer
DAEMON_TSAN_DBL  := $(OBJ)/tsan/$(DAEMON_TDIR)/log_double.o
$(OBJ)/tsan/$(DAEMON_DIR)/%.o: $(DAEMON_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(DAEMON_INC) $(CFLAGS) $(DAEMON_TSAN) -c -o $@ $<
$(DAEMON_TSAN_DBL): $(DAEMON_TDIR)/log_double.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(DAEMON_INC) $(CFLAGS) $(DAEMON_TSAN) -c -o $@ $<
DAEMON_TSAN_LIB := $(BUILD)/lib/libogated-tsan.a
$(DAEMON_TSAN_LIB): $(call objs_of,$(DAEMON_SRCS),tsan)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
DAEMON_TSAN_SUITES := $(TBIN)/tsan/daemon/test_sinks $(TBIN)/tsan/daemon/test_pipeline \
	$(TBIN)/tsan/daemon/test_pipeline_io $(TBIN)/tsan/daemon/test_pipeline_overload \
	$(TBIN)/tsan/daemon/test_acq_out
SUITES += $(DAEMON_TSAN_SUITES)
$(TBIN)/tsan/daemon/test_sinks: TSAN_SRC = $(DAEMON_TDIR)/sinks/test_sinks.c
$(TBIN)/tsan/daemon/test_pipeline: TSAN_SRC = $(DAEMON_TDIR)/pipeline/test_pipeline.c
$(TBIN)/tsan/daemon/test_pipeline_io: TSAN_SRC = $(DAEMON_TDIR)/pipeline/test_pipeline_io.c
$(TBIN)/tsan/daemon/test_pipeline_overload: TSAN_SRC = $(DAEMON_TDIR)/pipeline/test_pipeline_overload.c
$(TBIN)/tsan/daemon/test_sinks: $(DAEMON_TDIR)/sinks/test_sinks.c
$(TBIN)/tsan/daemon/test_pipeline: $(DAEMON_TDIR)/pipeline/test_pipeline.c
$(TBIN)/tsan/daemon/test_pipeline_io: $(DAEMON_TDIR)/pipeline/test_pipeline_io.c
$(TBIN)/tsan/daemon/test_pipeline_overload: $(DAEMON_TDIR)/pipeline/test_pipeline_overload.c
$(TBIN)/tsan/daemon/test_acq_out: TSAN_SRC = $(DAEMON_TDIR)/acquisition/test_acq_out.c
$(TBIN)/tsan/daemon/test_acq_out: $(DAEMON_TDIR)/acquisition/test_acq_out.c $(STAGE_LIB)
$(TBIN)/tsan/daemon/test_acq_out: TSAN_LDLIBS = $(STAGE_LIB) $(COMMON_LIB) $(STAGE_LDLIBS) $(OME_LDLIBS)
$(DAEMON_TSAN_SUITES): $(DAEMON_TSAN_DBL) $(DAEMON_TSAN_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(DAEMON_INC) -DOGATE_TEST_TSAN $(CFLAGS) $(DAEMON_TSAN) -o $@ $(TSAN_SRC) \
		$(DAEMON_TSAN_DBL) $(DAEMON_TSAN_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB) -lcmocka $(DAEMON_LDLIBS) \
		$(TSAN_LDLIBS)
$(TBIN)/tsan/daemon/test_pipeline_io: TSAN_LDLIBS = -Wl,--wrap=ogate_sync_process
# ogated_extras.o needs the web, health and shm rooms' headers; web and
# health are linked uninstrumented, like analysis and common; the frame ring
# instrumented (its seqlock copies word by word under TSan)
$(OBJ)/tsan/$(DAEMON_DIR)/ogated_extras.o: $(DAEMON_DIR)/ogated_extras.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(DAEMON_MAIN_INC) $(CFLAGS) $(DAEMON_TSAN) -c -o $@ $<
$(BUILD)/tsan/bin/ogated: $(OBJ)/tsan/$(DAEMON_DIR)/ogated.o $(OBJ)/tsan/$(DAEMON_DIR)/commands.o \
		$(OBJ)/tsan/$(DAEMON_DIR)/ogated_extras.o $(DAEMON_TSAN_LIB) $(WEB_LIB) $(HEALTH_LIB) \
		$(SHM_LIB_TSAN) $(CLIENT_LIB) $(STAGE_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DAEMON_TSAN) -o $@ $(filter %.o,$^) $(DAEMON_TSAN_LIB) $(WEB_LIB) $(HEALTH_LIB) \
		$(SHM_LIB_TSAN) $(CLIENT_LIB) $(STAGE_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB) $(DAEMON_LDLIBS) $(STAGE_LDLIBS) \
		$(WEB_LDLIBS) $(SHM_LDLIBS) $(OME_LDLIBS)
SUITES += tests/integration/daemon/keeps_its_word_tsan.sh
tests/integration/daemon/keeps_its_word_tsan.sh: $(BUILD)/tsan/bin/ogated $(BIN)/ogate-client \
	$(TBIN)/tiff_pages

# status replies while the stage homes, moves slowly, is stuck, or a stack waits (make bench)
$(OBJ)/plain/bench/daemon/status_latency.o: OBJ_CPPFLAGS = $(CLIENT_INC) $(COMMON_INC)
$(BIN)/bench-daemon-status: $(OBJ)/plain/bench/daemon/status_latency.o $(CLIENT_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(COMMON_LDLIBS)
PROGRAMS += $(BIN)/bench-daemon-status
BENCHES  += bench/daemon/status-under-stage.sh

# ---- installation: the daemon; the client, unit, example config (never over an
# existing /etc/ogate/ogated.conf), man pages. The unit is found by systemd under
# /usr/local/lib/systemd/system; its @BINDIR@ becomes $(PREFIX)/bin.
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL_TARGETS += install-daemon install-daemon-ctl

install-daemon: $(BIN)/ogated
	install -D -m 0755 $(BIN)/ogated $(DESTDIR)$(PREFIX)/bin/ogated

install-daemon-ctl: $(BIN)/ogate-client
	install -D -m 0755 $(BIN)/ogate-client $(DESTDIR)$(PREFIX)/bin/ogate-client
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/ogated.service > $(DESTDIR)$(SYSTEMD_UNITDIR)/ogated.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/ogated.service
	install -d -m 0755 $(DESTDIR)/etc/ogate
	@if [ -e $(DESTDIR)/etc/ogate/ogated.conf ]; then \
		echo "kept the existing $(DESTDIR)/etc/ogate/ogated.conf"; \
	else \
		install -m 0644 systemd/ogated.conf.example $(DESTDIR)/etc/ogate/ogated.conf; \
	fi
	install -D -m 0644 man/ogate-client.1 $(DESTDIR)$(PREFIX)/share/man/man1/ogate-client.1
	install -D -m 0644 man/ogated.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/ogated.conf.5
	install -D -m 0644 man/ogated.8 $(DESTDIR)$(PREFIX)/share/man/man8/ogated.8
	@echo "ogated.service in $(SYSTEMD_UNITDIR); then: systemctl daemon-reload && systemctl enable --now ogated"

.PHONY: install-daemon install-daemon-ctl
