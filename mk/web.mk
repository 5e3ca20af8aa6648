# userspace/daemon/web: ogated's web interface (libmicrohttpd, libjpeg-turbo)
# and the page it serves (userspace/daemon/web/www: plain HTML/CSS/JS, no
# build step); built into its own archive, linked into ogated by mk/daemon.mk.
# Tests: tests/userspace/daemon/web (unit, ASan) and tests/web (Chromium).
WEB_DIR      := userspace/daemon/web
WEB_INC      := -I$(WEB_DIR) $(SHM_INC) $(COMMON_INC)
WEB_SRCS     := $(wildcard $(WEB_DIR)/*.c)
WEB_LIB      := $(BUILD)/lib/libogated-web.a
WEB_LIB_SAN  := $(BUILD)/lib/libogated-web-san.a
WEB_LDLIBS   := -lmicrohttpd -lturbojpeg -lpthread
WEB_ROOT_SRC := $(WEB_DIR)/www

$(OBJ)/plain/$(WEB_DIR)/% $(OBJ)/san/$(WEB_DIR)/%: OBJ_CPPFLAGS = $(WEB_INC)

$(WEB_LIB): $(call objs_of,$(WEB_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(WEB_LIB_SAN): $(call objs_of,$(WEB_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# Unit tests (discovered, mk/tests.mk): tests/userspace/daemon/web/test_*.c
$(TBIN)/userspace/daemon/web/%: UT_CPPFLAGS = $(WEB_INC)
$(TBIN)/userspace/daemon/web/%: UT_LIBS = $(WEB_LIB_SAN) $(SHM_LIB_SAN) $(COMMON_LIB_SAN)
$(TBIN)/userspace/daemon/web/%: UT_LDLIBS = $(WEB_LDLIBS) $(SHM_LDLIBS) $(COMMON_LDLIBS)
$(call unit_tests_in,daemon/web): $(WEB_LIB_SAN) $(SHM_LIB_SAN) $(COMMON_LIB_SAN)

INSTALL_TARGETS += install-web
.PHONY: install-web
install-web:
	install -d $(DESTDIR)$(PREFIX)/share/ogate/www
	install -m 0644 $(wildcard $(WEB_ROOT_SRC)/*) $(DESTDIR)$(PREFIX)/share/ogate/www/

# The page in Debian's chromium against ogated on the synthetic heart
# (tests/web/browser_test.py over the DevTools pipe; screenshots in build/test-logs/web-*.png).
SUITES += tests/web/run.sh
tests/web/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(BIN)/ogate-shmcat

# The page's cost on the frame path, its data rate and its size (BENCH lines)
BENCHES += bench/web/page.sh

# The page's and the stream's cost on the analysis thread, resolved below 5 %:
# per-frame thread CPU time in interleaved off/on blocks (bench/web/analysis_cost.c)
WEB_COST_BENCH := $(BUILD)/bench/web_analysis_cost
$(OBJ)/plain/bench/web/%: OBJ_CPPFLAGS = $(WEB_INC) $(AN_CPPFLAGS)
$(WEB_COST_BENCH): $(OBJ)/plain/bench/web/analysis_cost.o $(WEB_LIB) $(SHM_LIB) $(AN_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(WEB_LDLIBS) $(SHM_LDLIBS) $(COMMON_LDLIBS) $(AN_LDLIBS)
PROGRAMS += $(WEB_COST_BENCH)
BENCHES  += $(WEB_COST_BENCH)
# The live image's frame rate as the page in headless chromium shows it
BENCHES  += bench/web/live_fps.py
