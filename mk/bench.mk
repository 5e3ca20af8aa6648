# bench/: the benchmarks (`make bench`; each prints "BENCH <name> <value> <unit>").
# bench/kernel is run by mk/kernel.mk.
$(OBJ)/plain/bench/%: OBJ_CPPFLAGS = $(COMMON_INC) $(AN_CPPFLAGS)

# analysis: the library on the synthetic heart
AN_BENCH := $(BUILD)/bench/analysis_bench
$(AN_BENCH): $(OBJ)/plain/bench/analysis_bench.o $(AN_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(COMMON_LDLIBS) $(AN_LDLIBS)
PROGRAMS += $(AN_BENCH)
BENCHES  += $(AN_BENCH) bench/emulate_bench.sh

# daemon: frame arrival -> trigger queued latency at 80/250/500 fps
$(OBJ)/plain/bench/daemon/%: OBJ_CPPFLAGS = $(DAEMON_INC)
$(BIN)/bench-daemon-latency: $(OBJ)/plain/bench/daemon/latency.o $(DAEMON_LIB) $(STAGE_LIB) $(AN_LIB) $(COMMON_LIB) \
		$(DAEMON_CAM_DEPS) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $< $(DAEMON_LINK)
PROGRAMS += $(BIN)/bench-daemon-latency
BENCHES  += $(BIN)/bench-daemon-latency

# stage: driver round trip through a pty to a simulated controller
STAGE_BENCH := $(BUILD)/bench/stage_roundtrip
$(OBJ)/plain/bench/stage/%: OBJ_CPPFLAGS = $(STAGE_INC) $(COMMON_INC) -I$(STAGE_TDIR)
$(STAGE_BENCH): $(OBJ)/plain/bench/stage/roundtrip.o $(STAGE_FAKES_OBJ) $(STAGE_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -o $@ $^ $(STAGE_LDLIBS)
PROGRAMS += $(STAGE_BENCH)
BENCHES  += $(STAGE_BENCH)

# Benchmark: what a 40-plane 512x512 OME-TIFF stack costs the analysis thread
# (issue target <= 1 ms in total) and the writer (bench/ome/stack_write.c).
$(OBJ)/plain/bench/ome/%: OBJ_CPPFLAGS = $(DAEMON_INC)
$(BIN)/bench-ome-stack: $(OBJ)/plain/bench/ome/stack_write.o $(DAEMON_LIB) $(STAGE_LIB) $(OME_LIB) \
		$(AN_LIB) $(COMMON_LIB) $(DAEMON_CAM_DEPS) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $< $(DAEMON_LINK)
PROGRAMS += $(BIN)/bench-ome-stack
BENCHES  += $(BIN)/bench-ome-stack
