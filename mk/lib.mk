# userspace/lib: libogate, the analysis library (plain and ASan/UBSan archives,
# pkg-config file, headers) and its unit tests in tests/userspace/lib.
AN_SRC      := userspace/lib
AN_MACHINE  := $(shell $(CC) -dumpmachine)
# every source of the folder except the SIMD back ends, which are per machine
AN_CORE     := $(filter-out sad_sse2 sad_avx2 sad_neon,$(basename $(notdir $(wildcard $(AN_SRC)/*.c))))
ifneq ($(filter x86_64% i386% i686%,$(AN_MACHINE)),)
AN_SIMD     := sad_sse2 sad_avx2
endif
ifneq ($(filter aarch64% arm%,$(AN_MACHINE)),)
AN_SIMD     := sad_neon
endif
AN_CPPFLAGS := -I$(AN_SRC)/include -I$(AN_SRC) $(COMMON_INC)
# libogate is installed on its own (ogate.pc): it carries the one piece of
# userspace/common it uses, the number parser (the same objects as libogate-common's)
AN_COMMON     := $(call objs_of,$(COMMON_DIR)/numparse.c,plain)
AN_COMMON_SAN := $(call objs_of,$(COMMON_DIR)/numparse.c,san)
AN_LIB      := $(BUILD)/lib/libogate.a
AN_LIB_SAN  := $(BUILD)/lib/libogate-san.a
AN_OBJS     := $(addprefix $(OBJ)/analysis/lib/,$(addsuffix .o,$(AN_CORE) $(AN_SIMD)))
AN_OBJS_SAN := $(addprefix $(OBJ)/analysis/lib-san/,$(addsuffix .o,$(AN_CORE) $(AN_SIMD)))
AN_LDLIBS   := -lm

an_simd_flags = $(if $(filter resample oga sync_reference sync_smooth sync_smooth_along sync_smooth_first sync_smooth_stats sync_smooth_look,$(1)),-ftree-vectorize -fvect-cost-model=dynamic,)$(if $(filter sad_sse2,$(1)),-msse2,$(if $(filter sad_avx2,$(1)),-mavx2,$(if $(filter sad_neon,$(1)),$(if $(filter arm%,$(AN_MACHINE)),-mfpu=neon,))))

$(OBJ)/analysis/lib/%.o: $(AN_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) -fPIC $(call an_simd_flags,$*) -c -o $@ $<
$(OBJ)/analysis/lib-san/%.o: $(AN_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(call an_simd_flags,$*) -c -o $@ $<
$(AN_LIB): $(AN_OBJS) $(AN_COMMON)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(AN_LIB_SAN): $(AN_OBJS_SAN) $(AN_COMMON_SAN)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/lib/ogate.pc: mk/lib.mk VERSION
	@mkdir -p $(@D)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: ogate\nDescription: prospective optical gating analysis library\nVersion: %s\nLibs: -L$${libdir} -logate -lm\nCflags: -I$${includedir}\n' '$(PREFIX)' '$(OGATE_VERSION)' > $@

PROGRAMS += $(AN_LIB) $(BUILD)/lib/ogate.pc

# Unit tests (discovered, mk/tests.mk); some #include a library source (and the
# synthetic heart, userspace/common/heart.c, as "heart.c") to reach its static functions.
$(TBIN)/userspace/lib/%: UT_CPPFLAGS = $(AN_CPPFLAGS) $(COMMON_INC) -Itests/userspace/lib \
	-Iuserspace/common
$(TBIN)/userspace/lib/%: UT_LIBS = $(AN_LIB_SAN)
$(TBIN)/userspace/lib/%: UT_LDLIBS = $(AN_LDLIBS)
$(call unit_tests_in,lib): $(AN_LIB_SAN)
SUITES += tests/userspace/lib/sad_neon_compiles.sh

.PHONY: install-analysis
INSTALL_TARGETS += install-analysis
install-analysis: $(AN_LIB) $(BUILD)/lib/ogate.pc
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/ogate
	install -m 644 $(AN_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(BUILD)/lib/ogate.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 $(AN_SRC)/include/ogate/*.h $(DESTDIR)$(PREFIX)/include/ogate/
