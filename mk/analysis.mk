# Analysis library (libogate), its unit tests, ogate-synth/ogate-emulate and their benchmarks.
AN_SRC      := userspace/lib
AN_MACHINE  := $(shell $(CC) -dumpmachine)
AN_CORE     := frame sad analysis sync sync_determine sync_reference sync_match sync_timing sync_calib sync_qa predictor predictor_linear predictor_kalman settings resample oga
AN_CORE     := $(foreach s,$(AN_CORE),$(if $(wildcard $(AN_SRC)/$(s).c),$(s)))
ifneq ($(filter x86_64% i386% i686%,$(AN_MACHINE)),)
AN_SIMD     := sad_sse2 sad_avx2
endif
ifneq ($(filter aarch64% arm%,$(AN_MACHINE)),)
AN_SIMD     := sad_neon
endif
AN_CPPFLAGS := -I$(AN_SRC)/include -I$(AN_SRC)
AN_LIB      := $(BUILD)/lib/libogate.a
AN_LIB_SAN  := $(BUILD)/lib/libogate-san.a
AN_HDRS     := $(wildcard $(AN_SRC)/include/ogate/*.h $(AN_SRC)/*.h)
AN_OBJS     := $(addprefix $(OBJ)/analysis/lib/,$(addsuffix .o,$(AN_CORE) $(AN_SIMD)))
AN_OBJS_SAN := $(addprefix $(OBJ)/analysis/lib-san/,$(addsuffix .o,$(AN_CORE) $(AN_SIMD)))
AN_LDLIBS   := -lm

an_simd_flags = $(if $(filter resample oga,$(1)),-ftree-vectorize -fvect-cost-model=dynamic,)$(if $(filter sad_sse2,$(1)),-msse2,$(if $(filter sad_avx2,$(1)),-mavx2,$(if $(filter sad_neon,$(1)),$(if $(filter arm%,$(AN_MACHINE)),-mfpu=neon,))))

$(OBJ)/analysis/lib/%.o: $(AN_SRC)/%.c $(AN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) -fPIC $(call an_simd_flags,$*) -c -o $@ $<
$(OBJ)/analysis/lib-san/%.o: $(AN_SRC)/%.c $(AN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(call an_simd_flags,$*) -c -o $@ $<
$(AN_LIB): $(AN_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
$(AN_LIB_SAN): $(AN_OBJS_SAN)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/lib/ogate.pc: mk/analysis.mk
	@mkdir -p $(@D)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: ogate\nDescription: prospective optical gating analysis library\nVersion: 0.1\nLibs: -L$${libdir} -logate\nLibs.private: -lm\nCflags: -I$${includedir}\n' '$(PREFIX)' > $@

PROGRAMS += $(AN_LIB) $(BUILD)/lib/ogate.pc

# Unit tests (cmocka, ASan + UBSan)
AN_TESTS := $(patsubst tests/userspace/lib/%.c,$(TBIN)/userspace/lib/%,$(wildcard tests/userspace/lib/test_*.c))
SUITES += $(AN_TESTS) tests/userspace/lib/sad_neon_compiles.sh
$(TBIN)/userspace/lib/%: tests/userspace/lib/%.c $(AN_LIB_SAN) $(wildcard tests/userspace/lib/*.h) $(wildcard $(AN_SRC)/*.c userspace/tools/synth/*.[ch])
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(AN_CPPFLAGS) -Itests/userspace/lib $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(AN_LIB_SAN) -lcmocka $(AN_LDLIBS)

.PHONY: install-analysis
INSTALL_TARGETS += install-analysis
install-analysis: $(AN_LIB) $(BUILD)/lib/ogate.pc $(BIN)/ogate-synth $(BIN)/ogate-emulate
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/ogate
	install -m 644 $(AN_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(BUILD)/lib/ogate.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 $(AN_SRC)/include/ogate/*.h $(DESTDIR)$(PREFIX)/include/ogate/
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN)/ogate-synth $(BIN)/ogate-emulate $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/ogate-synth.1 man/ogate-emulate.1 $(DESTDIR)$(PREFIX)/share/man/man1/

# Tools: ogate-synth, ogate-emulate
AN_TOOLS := userspace/tools
AN_TIFF_LIBS := -ltiff
$(OBJ)/analysis/tools/%.o: $(AN_TOOLS)/%.c $(AN_HDRS) $(wildcard $(AN_TOOLS)/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BIN)/ogate-synth: $(OBJ)/analysis/tools/synth/ogate-synth.o $(OBJ)/analysis/tools/synth/heart.o $(OBJ)/analysis/tools/emulate/stackio.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(AN_TIFF_LIBS) $(AN_LDLIBS)
PROGRAMS += $(BIN)/ogate-synth
$(BIN)/ogate-emulate: $(OBJ)/analysis/tools/emulate/ogate-emulate.o $(OBJ)/analysis/tools/emulate/stackio.o $(OBJ)/analysis/tools/emulate/svgplot.o $(OBJ)/analysis/tools/emulate/pngplot.o $(AN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(AN_TIFF_LIBS) -lpng $(AN_LDLIBS)
PROGRAMS += $(BIN)/ogate-emulate

# End-to-end: synth -> emulate --truth with error bounds (needs the programs)
SUITES += tests/integration/emulate/run.sh
tests/integration/emulate/run.sh: $(BIN)/ogate-synth $(BIN)/ogate-emulate

# Benchmarks
AN_BENCH := $(BUILD)/bench/analysis_bench
$(AN_BENCH): bench/analysis_bench.c $(AN_LIB) userspace/tools/synth/heart.c userspace/tools/synth/heart.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(AN_CPPFLAGS) $(CFLAGS) -o $@ bench/analysis_bench.c userspace/tools/synth/heart.c $(AN_LIB) $(AN_LDLIBS)
PROGRAMS += $(AN_BENCH)
BENCHES += $(AN_BENCH) bench/emulate_bench.sh
