# userspace/shm: the shared-memory frame stream (ring in /dev/shm, seqlock per
# slot): the writer ogated uses and the reader API for other programs
# (ogate-shmcat, the web server); header userspace/shm/include/ogate-shm.h.
# Also the Python/numpy reader (userspace/shm/python/) and the shm benchmark.
SHM_DIR     := userspace/shm
SHM_INC     := -I$(SHM_DIR)/include
SHM_SRCS    := $(wildcard $(SHM_DIR)/*.c)
SHM_LIB     := $(BUILD)/lib/libogate-shm.a
SHM_LIB_SAN := $(BUILD)/lib/libogate-shm-san.a
SHM_LDLIBS  := -lrt

$(OBJ)/plain/$(SHM_DIR)/% $(OBJ)/san/$(SHM_DIR)/%: OBJ_CPPFLAGS = $(SHM_INC)

$(SHM_LIB): $(call objs_of,$(SHM_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(SHM_LIB_SAN): $(call objs_of,$(SHM_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# for ThreadSanitizer builds (ogated's, mk/daemon.mk): the word-wise atomic copy
SHM_LIB_TSAN := $(BUILD)/lib/libogate-shm-tsan.a
$(OBJ)/tsan/$(SHM_DIR)/%.o: $(SHM_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(SHM_INC) $(CFLAGS) -fsanitize=thread -fno-omit-frame-pointer -c -o $@ $<
$(SHM_LIB_TSAN): $(call objs_of,$(SHM_SRCS),tsan)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# ogate-shmcat: print (or dump) the frames of a running daemon's ring
$(OBJ)/plain/userspace/tools/ogate-shmcat.o: OBJ_CPPFLAGS = $(SHM_INC) $(COMMON_INC)
$(BIN)/ogate-shmcat: $(OBJ)/plain/userspace/tools/ogate-shmcat.o $(SHM_LIB) $(COMMON_LIB) | $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(SHM_LDLIBS)
PROGRAMS += $(BIN)/ogate-shmcat

# a writer for the tests of readers in other languages (tests/userspace/shm/shm_fixture.c)
SHM_FIXTURE := $(TBIN)/userspace/shm/shm_fixture
$(SHM_FIXTURE): tests/userspace/shm/shm_fixture.c $(SHM_LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(SHM_INC) $(CFLAGS) $(SAN_FLAGS) -o $@ $(filter %.c %.a,$^) $(SHM_LDLIBS)

# Unit tests (discovered, mk/tests.mk): tests/userspace/shm/test_*.c. The
# concurrent reader/writer suite runs under ThreadSanitizer instead, with the
# ring compiled in.
$(TBIN)/userspace/shm/%: UT_CPPFLAGS = $(SHM_INC)
$(TBIN)/userspace/shm/%: UT_LIBS = $(SHM_LIB_SAN)
$(TBIN)/userspace/shm/%: UT_LDLIBS = $(SHM_LDLIBS) -lpthread
# (private: its prerequisites keep their own flags)
$(TBIN)/userspace/shm/test_shm_concurrent: private SAN_FLAGS = -fsanitize=thread -fno-omit-frame-pointer
$(TBIN)/userspace/shm/test_shm_concurrent: private UT_LIBS = $(SHM_DIR)/shm.c
$(TBIN)/userspace/shm/test_shm_concurrent: $(SHM_DIR)/shm.c
$(filter-out %/test_shm_concurrent,$(call unit_tests_in,shm)): $(SHM_LIB_SAN)
tests/userspace/shm/test_readers.sh: $(SHM_FIXTURE) \
	$(BIN)/ogate-shmcat

# the writer's cost per 128x128 frame
SHM_BENCH := $(BUILD)/bench/shm_write
$(OBJ)/plain/bench/shm/%: OBJ_CPPFLAGS = $(SHM_INC) $(COMMON_INC)
$(SHM_BENCH): $(OBJ)/plain/bench/shm/write.o $(SHM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(SHM_LDLIBS)
PROGRAMS += $(SHM_BENCH)
BENCHES  += $(SHM_BENCH)

INSTALL_TARGETS += install-shm
.PHONY: install-shm
install-shm: $(BIN)/ogate-shmcat
	install -D -m 0755 $(BIN)/ogate-shmcat $(DESTDIR)$(PREFIX)/bin/ogate-shmcat
	install -D -m 0644 man/ogate-shmcat.1 $(DESTDIR)$(PREFIX)/share/man/man1/ogate-shmcat.1
	install -D -m 0644 $(SHM_DIR)/python/ogate_frames.py \
		$(DESTDIR)$(PREFIX)/share/ogate/python/ogate_frames.py
