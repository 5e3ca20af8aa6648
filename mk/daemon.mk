# userspace/daemon: ogated. Its rooms (control/, sources/, sinks/, pipeline/,
# acquisition/) are compiled once into libogated.a (and libogated-san.a for the
# unit tests); ogated.c is the wiring. The camera adapter has its own fragment
# (mk/daemon-camera.mk). Also: the systemd unit, the example configuration,
# the man pages and the daemon's unit tests (tests/userspace/daemon/<room>).
DAEMON_DIR     := userspace/daemon
DAEMON_ROOMS   := control sources sinks pipeline acquisition
DAEMON_INC     := $(addprefix -I$(DAEMON_DIR)/,$(DAEMON_ROOMS)) $(CAM_INC) $(COMMON_INC) \
                  $(AN_CPPFLAGS) $(STAGE_INC) $(OME_INC)
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

$(OBJ)/plain/$(DAEMON_DIR)/%: OBJ_CPPFLAGS = $(DAEMON_INC) $(DAEMON_CAM_DEFS)
$(OBJ)/san/$(DAEMON_DIR)/%: OBJ_CPPFLAGS = $(DAEMON_INC)

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

$(BIN)/ogated: $(OBJ)/plain/$(DAEMON_DIR)/ogated.o $(DAEMON_LIB) $(STAGE_LIB) $(OME_LIB) $(AN_LIB) $(COMMON_LIB) \
		$(DAEMON_CAM_DEPS) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $< $(DAEMON_LINK)
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
$(DAEMON_UT_PATS): UT_CPPFLAGS = $(DAEMON_INC) $(CLIENT_INC)
$(DAEMON_UT_PATS): UT_LIBS = $(DAEMON_UT_LIBS)
$(DAEMON_UT_PATS): UT_LDLIBS = $(DAEMON_LDLIBS)
$(TBIN)/userspace/daemon/sinks/% $(TBIN)/userspace/daemon/pipeline/%: UT_LIBS = $(DAEMON_LOG_DBL) $(DAEMON_UT_LIBS)
$(foreach r,$(DAEMON_UT_ROOMS),$(call unit_tests_in,daemon/$(r))): $(DAEMON_UT_LIBS)
$(call unit_tests_in,daemon/sinks) $(call unit_tests_in,daemon/pipeline): $(DAEMON_LOG_DBL)
# test_config reads man/ogated.conf.5 and systemd/ogated.conf.example;
# test_control runs $(BIN)/ogate-client; test_unit.sh runs systemd-analyze
# and a staged install-daemon-ctl.
$(TBIN)/userspace/daemon/control/test_control: $(BIN)/ogate-client

tests/integration/zstack/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(STAGE_FAKESRV)
tests/integration/daemon/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(BIN)/ogate-synth $(BIN)/ogate-emulate

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
