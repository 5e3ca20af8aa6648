# userspace/ome: libogate-ome, the OME-TIFF writer (libtiff), its small XML
# writer and the provenance file; headers in userspace/ome/include. Tests in
# tests/userspace/ome check the files with python3-tifffile and xmllint.
OME_DIR      := userspace/ome
OME_SRCS     := $(wildcard $(OME_DIR)/*.c)
OME_GEN      := $(BUILD)/gen/ome
OME_INC      := -I$(OME_DIR)/include
OME_LDLIBS   := -ltiff
OME_LIB      := $(BUILD)/lib/libogate-ome.a
OME_LIB_SAN  := $(BUILD)/lib/libogate-ome-san.a
OME_VERSION   = $(or $(OGATE_VERSION),0.1.0)

$(OBJ)/plain/$(OME_DIR)/% $(OBJ)/san/$(OME_DIR)/%: OBJ_CPPFLAGS = $(OME_INC) -I$(OME_GEN)

# The build id (git description) goes into a generated header that is only
# rewritten when it changes, so a new commit rebuilds provenance.o and nothing else.
OME_BUILD_H := $(OME_GEN)/ogate_build_id.h
$(OME_BUILD_H): FORCE_OME_BUILD_ID
	@mkdir -p $(@D)
	@id=$$(git describe --always --dirty --tags 2>/dev/null || echo unknown); \
	 printf '#define OGATE_BUILD_ID "%s"\n#define OGATE_VERSION_STR "%s"\n' "$$id" "$(OME_VERSION)" > $@.tmp; \
	 if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE_OME_BUILD_ID
FORCE_OME_BUILD_ID:
$(OBJ)/plain/$(OME_DIR)/provenance.o $(OBJ)/san/$(OME_DIR)/provenance.o: $(OME_BUILD_H)

$(OME_LIB): $(call objs_of,$(OME_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(OME_LIB_SAN): $(call objs_of,$(OME_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# Unit tests (discovered, mk/tests.mk): tests/userspace/ome/test_*.c; they run
# tests/userspace/ome/check_ome.py (python3-tifffile) and xmllint.
$(TBIN)/userspace/ome/%: UT_CPPFLAGS = $(OME_INC)
$(TBIN)/userspace/ome/%: UT_LIBS = $(OME_LIB_SAN)
$(TBIN)/userspace/ome/%: UT_LDLIBS = $(OME_LDLIBS)
$(call unit_tests_in,ome): $(OME_LIB_SAN)

# End to end: a hardware-sequenced z-stack with the simulated ASI (its TTL input
# follows the dry-run sink's fired pulses), checked with tifffile and xmllint.
SUITES += tests/integration/zstack-sequenced/run.sh
tests/integration/zstack-sequenced/run.sh: $(BIN)/ogated $(BIN)/ogate-client $(STAGE_FAKESRV)

# (its benchmark, bench/ome/stack_write.c, is built in mk/bench.mk: it links the
# daemon's archive, which mk/daemon.mk names after this fragment is read)
# the daemon's own benchmark links libogate-ome through DAEMON_LINK too
$(BIN)/bench-daemon-latency: $(OME_LIB)

# tests/userspace/daemon/acquisition/test_acq_out: the plane grab and the OME
# stack writer of the acquisition (acq_out.c pulls in the stage library)
$(TBIN)/userspace/daemon/acquisition/test_acq_out: UT_LIBS = $(DAEMON_UT_LIBS) $(STAGE_LIB_SAN) $(COMMON_LIB_SAN)
$(TBIN)/userspace/daemon/acquisition/test_acq_out: UT_LDLIBS = $(DAEMON_LDLIBS) $(STAGE_LDLIBS) $(OME_LDLIBS)
$(TBIN)/userspace/daemon/acquisition/test_acq_out: $(STAGE_LIB_SAN)
