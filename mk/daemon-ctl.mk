# ogated control plane: configuration, logging, control socket, sd_notify
# (a static library the daemon core links), the ogate-client CLI, the systemd
# unit, the example configuration, man pages and their test suites.
#
# For the daemon core:  $(BIN)/ogated: ... $(DAEMON_CTL_LIB)
#                           $(CC) ... $(DAEMON_CTL_LIB) $(DAEMON_CTL_LIBS)
DAEMON_CTL_SRCS := $(addprefix userspace/daemon/,log.c config.c control.c notify.c)
DAEMON_CTL_HDRS := $(addprefix userspace/daemon/,log.h config.h control.h notify.h)
DAEMON_CTL_OBJS := $(patsubst userspace/daemon/%.c,$(OBJ)/daemon-ctl/%.o,$(DAEMON_CTL_SRCS))
DAEMON_CTL_LIB  := $(OBJ)/libogated-ctl.a
DAEMON_CTL_LIBS := -linih -lpthread

PROGRAMS += $(BIN)/ogate-client

$(OBJ)/daemon-ctl:
	@mkdir -p $@

$(OBJ)/daemon-ctl/%.o: userspace/daemon/%.c $(DAEMON_CTL_HDRS) | $(OBJ)/daemon-ctl
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(DAEMON_CTL_LIB): $(DAEMON_CTL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN)/ogate-client: userspace/tools/ogate-client.c $(DAEMON_CTL_LIB) | $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(DAEMON_CTL_LIB) $(DAEMON_CTL_LIBS)

# ---- unit tests: cmocka with ASan+UBSan, each suite #includes the .c it tests.
# test_config reads man/ogated.conf.5 and systemd/ogated.conf.example;
# test_control runs $(BIN)/ogate-client; test_unit.sh runs systemd-analyze
# and a staged install-daemon-ctl.
DAEMON_CTL_TDIR := tests/userspace/daemon
DAEMON_CTL_TEST_CFLAGS = $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS)

SUITES += $(TBIN)/test_config $(TBIN)/test_log $(TBIN)/test_control $(TBIN)/test_notify \
	  $(DAEMON_CTL_TDIR)/test_unit.sh

$(TBIN)/test_config: $(DAEMON_CTL_TDIR)/test_config.c userspace/daemon/config.c userspace/daemon/config.h | $(TBIN)
	$(CC) $(DAEMON_CTL_TEST_CFLAGS) -o $@ $< -lcmocka -linih

$(TBIN)/test_log: $(DAEMON_CTL_TDIR)/test_log.c userspace/daemon/log.c userspace/daemon/log.h | $(TBIN)
	$(CC) $(DAEMON_CTL_TEST_CFLAGS) -o $@ $< -lcmocka -lpthread

$(TBIN)/test_control: $(DAEMON_CTL_TDIR)/test_control.c userspace/daemon/control.c userspace/daemon/log.c \
		$(DAEMON_CTL_HDRS) $(BIN)/ogate-client | $(TBIN)
	$(CC) $(DAEMON_CTL_TEST_CFLAGS) -o $@ $< userspace/daemon/log.c -lcmocka -lpthread

$(TBIN)/test_notify: $(DAEMON_CTL_TDIR)/test_notify.c userspace/daemon/notify.c userspace/daemon/notify.h | $(TBIN)
	$(CC) $(DAEMON_CTL_TEST_CFLAGS) -o $@ $< -lcmocka

# ---- installation: client, unit, example config (never over an existing
# /etc/ogate/ogated.conf), man pages. The unit is found by systemd under
# /usr/local/lib/systemd/system; its @BINDIR@ becomes $(PREFIX)/bin.
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL_TARGETS += install-daemon-ctl

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

.PHONY: install-daemon-ctl
