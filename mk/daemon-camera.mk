# userspace/daemon/camera: the libcamera adapter (C++ behind the C header
# ogate_libcamera.h) as a static library for ogated, ogate-camtest (mk/tools.mk)
# and the vimc VM suite; its C half's unit tests (tests/userspace/daemon/camera).
#
# The adapter needs libcamera-dev and g++ (scripts/deps/camera.txt). Without
# them only the C half (luma extraction, config checks) is built and tested;
# tests/camera/run-vimc-vm.sh then reports a SKIP with the reason.
CAM_DIR      := userspace/daemon/camera
CAM_INC      := -I$(CAM_DIR)
CAM_OBJ      := $(OBJ)/camera
CAM_LIB      := $(CAM_OBJ)/libogate_camera.a
CXX          ?= g++
CAM_CXXFLAGS := -std=c++17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter $(OPT) \
                -fvisibility=hidden
CAM_HAVE_LIBCAMERA := $(shell pkg-config --exists libcamera 2>/dev/null && \
                        command -v $(CXX) >/dev/null 2>&1 && echo yes)
# For the daemon: link $(CAM_LIB) with $(CAM_LDLIBS).
CAM_LDLIBS    = $(shell pkg-config --libs libcamera) -lstdc++ -lm

$(CAM_OBJ)/lc_common.o: $(CAM_DIR)/lc_common.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) -fvisibility=hidden -fPIC -c -o $@ $<

$(CAM_OBJ)/libcamera_adapter.o: $(CAM_DIR)/libcamera_adapter.cpp
	@mkdir -p $(@D)
	$(CXX) $(DEPFLAGS) $(CAM_CXXFLAGS) $(shell pkg-config --cflags libcamera) -fPIC -c -o $@ $<

$(CAM_LIB): $(CAM_OBJ)/libcamera_adapter.o $(CAM_OBJ)/lc_common.o
	rm -f $@
	$(AR) rcs $@ $^

# guest program of the vimc VM suite (dynamic: libcamera is copied into the initramfs)
$(TBIN)/camera_vimc_test: tests/camera/camera_vimc_test.c $(CAM_LIB) | $(TBIN)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(CAM_INC) -o $@ $< $(CAM_LIB) $(CAM_LDLIBS)

# The guest program with the adapter built under ASan/UBSan: what the VM
# suite runs unless OGATE_CAMERA_SAN=0.
$(CAM_OBJ)/san/libcamera_adapter.o: $(CAM_DIR)/libcamera_adapter.cpp
	@mkdir -p $(@D)
	$(CXX) $(DEPFLAGS) $(CAM_CXXFLAGS) $(SAN_FLAGS) $(shell pkg-config --cflags libcamera) -c -o $@ $<

$(TBIN)/camera_vimc_test_san: tests/camera/camera_vimc_test.c $(OBJ)/san/$(CAM_DIR)/lc_common.o \
		$(CAM_OBJ)/san/libcamera_adapter.o | $(TBIN)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(CAM_INC) -o $@ $< \
		$(OBJ)/san/$(CAM_DIR)/lc_common.o $(CAM_OBJ)/san/libcamera_adapter.o $(CAM_LDLIBS)

ifeq ($(CAM_HAVE_LIBCAMERA),yes)
PROGRAMS += $(CAM_LIB)
# `make check` names the suite as a goal: build its guest programs first
tests/camera/run-vimc-vm.sh: $(TBIN)/camera_vimc_test_san $(TBIN)/camera_vimc_test $(BIN)/ogate-camtest
endif
SUITES += tests/camera/run-vimc-vm.sh

# Unit tests of the C half (discovered, mk/tests.mk): no camera, no libcamera needed.
$(OBJ)/san/$(CAM_DIR)/%: OBJ_CPPFLAGS = $(CAM_INC)
$(TBIN)/userspace/daemon/camera/%: UT_CPPFLAGS = $(CAM_INC)
$(TBIN)/userspace/daemon/camera/%: UT_LIBS = $(OBJ)/san/$(CAM_DIR)/lc_common.o
$(TBIN)/userspace/daemon/camera/%: UT_LDLIBS = -lm
$(call unit_tests_in,daemon/camera): $(OBJ)/san/$(CAM_DIR)/lc_common.o
