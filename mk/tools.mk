# userspace/tools: the programs (ogate-synth, ogate-emulate, ogate-client,
# ogate-stage, ogate-camtest; ogatectl is built by mk/kernel.mk). Programs only:
# what they share lives in the libraries below them (common, lib, stage, client,
# the camera adapter).
TOOLS_DIR := userspace/tools
$(OBJ)/plain/$(TOOLS_DIR)/%: OBJ_CPPFLAGS = $(COMMON_INC) $(AN_CPPFLAGS) $(CLIENT_INC) $(STAGE_INC) \
                                            $(CAM_INC)
tool_objs = $(call objs_of,$(addprefix $(TOOLS_DIR)/,$(1)),plain)

$(BIN)/ogate-synth: $(call tool_objs,synth/ogate-synth.c) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(COMMON_LDLIBS)

$(BIN)/ogate-emulate: $(call tool_objs,emulate/ogate-emulate.c emulate/emuopts.c emulate/svgplot.c \
		emulate/pngplot.c emulate/plotaxis.c emulate/plotbins.c) \
		$(AN_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ -lpng $(COMMON_LDLIBS) $(AN_LDLIBS)

$(BIN)/ogate-client: $(call tool_objs,ogate-client.c) $(CLIENT_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^

$(BIN)/ogate-stage: $(call tool_objs,ogate-stage.c) $(STAGE_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(STAGE_LDLIBS)

# a capture check on the libcamera adapter (also run in the vimc VM suite)
$(BIN)/ogate-camtest: $(call tool_objs,camtest/ogate-camtest.c) $(CAM_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(CAM_LDLIBS)

PROGRAMS += $(BIN)/ogate-synth $(BIN)/ogate-emulate $(BIN)/ogate-client $(BIN)/ogate-stage
ifeq ($(CAM_HAVE_LIBCAMERA),yes)
PROGRAMS += $(BIN)/ogate-camtest
endif

# End-to-end: synth -> emulate --truth with error bounds
tests/integration/emulate/run.sh: $(BIN)/ogate-synth $(BIN)/ogate-emulate

.PHONY: install-tools stage-install
INSTALL_TARGETS += install-tools stage-install
install-tools: $(BIN)/ogate-synth $(BIN)/ogate-emulate
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN)/ogate-synth $(BIN)/ogate-emulate $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/ogate-synth.1 man/ogate-emulate.1 $(DESTDIR)$(PREFIX)/share/man/man1/
stage-install: $(BIN)/ogate-stage
	install -D -m 0755 $(BIN)/ogate-stage $(DESTDIR)$(PREFIX)/bin/ogate-stage
	install -D -m 0644 man/ogate-stage.1 $(DESTDIR)$(PREFIX)/share/man/man1/ogate-stage.1

# every program's --version against VERSION, and ogate.pc (tests/userspace/tools)
tests/userspace/tools/test_version.sh: $(PROGRAMS)
tests/userspace/tools/test_client_wait.sh: $(BIN)/ogate-client $(BIN)/ogated
tests/userspace/tools/test_client_docs.sh: $(BIN)/ogate-client $(BIN)/ogated
tests/userspace/tools/test_camtest_args.sh: $(filter $(BIN)/ogate-camtest,$(PROGRAMS))
tests/userspace/tools/test_shmcat_args.sh: $(BIN)/ogate-shmcat
