# libcamera camera source (issue 4): the C++ adapter behind
# userspace/daemon/camera/ogate_libcamera.h as a static library for ogated,
# ogate-camtest, its unit tests and the vimc VM suite.
#
# The adapter needs libcamera-dev and g++ (scripts/deps/camera.txt). Without
# them only the C half (luma extraction, config checks) is built and tested;
# tests/camera/run-vimc-vm.sh then reports a SKIP with the reason.
CAM_DIR      := userspace/daemon/camera
CAM_OBJ      := $(OBJ)/camera
CAM_LIB      := $(CAM_OBJ)/libogate_camera.a
CXX          ?= g++
CAM_CXXFLAGS := -std=c++17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter $(OPT) \
                -fvisibility=hidden
CAM_CFLAGS   := $(CFLAGS) -fvisibility=hidden
CAM_HAVE_LIBCAMERA := $(shell pkg-config --exists libcamera 2>/dev/null && \
                        command -v $(CXX) >/dev/null 2>&1 && echo yes)
# For the daemon: link $(CAM_LIB) with $(CAM_LDLIBS).
CAM_LDLIBS    = $(shell pkg-config --libs libcamera) -lstdc++ -lm

$(CAM_OBJ):
	@mkdir -p $@

$(CAM_OBJ)/lc_common.o: $(CAM_DIR)/lc_common.c $(CAM_DIR)/lc_common.h $(CAM_DIR)/ogate_libcamera.h | $(CAM_OBJ)
	$(CC) $(CPPFLAGS) $(CAM_CFLAGS) -fPIC -c -o $@ $<

$(CAM_OBJ)/libcamera_adapter.o: $(CAM_DIR)/libcamera_adapter.cpp $(CAM_DIR)/lc_common.h \
		$(CAM_DIR)/ogate_libcamera.h | $(CAM_OBJ)
	$(CXX) $(CAM_CXXFLAGS) $(shell pkg-config --cflags libcamera) -fPIC -c -o $@ $<

$(CAM_LIB): $(CAM_OBJ)/libcamera_adapter.o $(CAM_OBJ)/lc_common.o
	rm -f $@
	$(AR) rcs $@ $^

$(BIN)/ogate-camtest: $(CAM_DIR)/ogate-camtest.c $(CAM_DIR)/ogate_libcamera.h $(CAM_LIB) | $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(CAM_DIR) -o $@ $< $(CAM_LIB) $(CAM_LDLIBS)

# guest program of the vimc VM suite (dynamic: libcamera is copied into the initramfs)
$(TBIN)/camera_vimc_test: tests/camera/camera_vimc_test.c $(CAM_DIR)/ogate_libcamera.h $(CAM_LIB) | $(TBIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(CAM_DIR) -o $@ $< $(CAM_LIB) $(CAM_LDLIBS)

# The guest program with the adapter built under ASan/UBSan: what the VM
# suite runs unless OGATE_CAMERA_SAN=0.
$(CAM_OBJ)/san:
	@mkdir -p $@

$(CAM_OBJ)/san/libcamera_adapter.o: $(CAM_DIR)/libcamera_adapter.cpp $(CAM_DIR)/lc_common.h \
		$(CAM_DIR)/ogate_libcamera.h | $(CAM_OBJ)/san
	$(CXX) $(CAM_CXXFLAGS) $(SAN_FLAGS) $(shell pkg-config --cflags libcamera) -c -o $@ $<

$(TBIN)/camera_vimc_test_san: tests/camera/camera_vimc_test.c $(CAM_DIR)/lc_common.c \
		$(CAM_DIR)/ogate_libcamera.h $(CAM_OBJ)/san/libcamera_adapter.o | $(TBIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -I$(CAM_DIR) -o $@ $< $(CAM_DIR)/lc_common.c \
		$(CAM_OBJ)/san/libcamera_adapter.o $(CAM_LDLIBS)

ifeq ($(CAM_HAVE_LIBCAMERA),yes)
PROGRAMS += $(CAM_LIB) $(BIN)/ogate-camtest
# `make check` names the suite as a goal: build its guest programs first
tests/camera/run-vimc-vm.sh: $(TBIN)/camera_vimc_test_san $(TBIN)/camera_vimc_test $(BIN)/ogate-camtest
endif

# Unit tests: the C half, with sanitizers (no camera, no libcamera needed).
CAM_UNIT := $(TBIN)/camera_luma_test $(TBIN)/camera_config_test $(TBIN)/camera_sequence_test
SUITES   += $(CAM_UNIT) tests/camera/run-vimc-vm.sh

$(TBIN)/camera_%_test: tests/userspace/daemon/camera/%_test.c $(CAM_DIR)/lc_common.c \
		$(CAM_DIR)/lc_common.h $(CAM_DIR)/ogate_libcamera.h | $(TBIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -I$(CAM_DIR) -o $@ $< $(CAM_DIR)/lc_common.c \
		-lcmocka -lm
