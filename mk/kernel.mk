# Kernel timing core: ogatectl, the VM suite, checkpatch, the Pi overlay,
# the latency benchmark, DKMS/udev installation and the demo.
PROGRAMS += $(BIN)/ogatectl

$(BIN)/ogatectl: userspace/tools/ogatectl.c userspace/common/include/stats-util.h userspace/common/include/clock-util.h include/uapi/ogate.h | $(BIN)
	$(CC) $(CPPFLAGS) -Iuserspace/common/include $(CFLAGS) -o $@ $<

SUITES  += tests/kernel/checkpatch.sh tests/kernel/build-matrix.sh tests/kernel/dkms-layout.sh tests/dts/check-overlay.sh tests/kernel/run-vm.sh tests/kernel/run-vm-rt.sh tests/kernel/run-vm-arm64.sh
BENCHES += bench/kernel/run.sh

OGATE_VERSION := 0.1.0
DKMS_DIR      := $(DESTDIR)/usr/src/ogate-$(OGATE_VERSION)
INSTALL_TARGETS += install-kernel install-ogatectl

# DKMS builds the module for every installed kernel (and on kernel upgrades).
install-kernel:
	install -d $(DKMS_DIR)/kernel $(DKMS_DIR)/include/uapi
	install -m 0644 kernel/*.c kernel/*.h kernel/Kbuild kernel/Makefile $(DKMS_DIR)/kernel/
	install -m 0644 include/uapi/ogate.h $(DKMS_DIR)/include/uapi/
	sed 's/@VERSION@/$(OGATE_VERSION)/' kernel/dkms.conf > $(DKMS_DIR)/dkms.conf
	install -D -m 0644 kernel/99-ogate.rules $(DESTDIR)/etc/udev/rules.d/99-ogate.rules
	install -D -m 0644 include/uapi/ogate.h $(DESTDIR)$(PREFIX)/include/ogate.h
	@if command -v dtc >/dev/null && [ -d $(DESTDIR)/boot/firmware/overlays ]; then \
		dtc -@ -q -I dts -O dtb -o $(DESTDIR)/boot/firmware/overlays/ogate.dtbo dts/ogate-overlay.dts; \
		echo "installed /boot/firmware/overlays/ogate.dtbo"; fi
	@echo "module sources in $(DKMS_DIR); register with: dkms install ogate/$(OGATE_VERSION)"

install-ogatectl: $(BIN)/ogatectl
	install -D -m 0755 $(BIN)/ogatectl $(DESTDIR)$(PREFIX)/bin/ogatectl
	install -D -m 0644 man/ogatectl.1 $(DESTDIR)$(PREFIX)/share/man/man1/ogatectl.1

CLEAN_TARGETS += clean-kernel
clean-kernel:
	rm -f kernel/*.o kernel/*.ko kernel/*.mod kernel/*.mod.c kernel/.*.cmd \
	      kernel/Module.symvers kernel/modules.order
	rm -f tests/kernel/testbed/*.o tests/kernel/testbed/*.ko tests/kernel/testbed/*.mod* \
	      tests/kernel/testbed/.*.cmd tests/kernel/testbed/Module.symvers tests/kernel/testbed/modules.order

.PHONY: install-kernel install-ogatectl clean-kernel

# The driver under random abuse in the test VM (tests/kernel/ogate_fuzz.c):
# 10 million calls by default (make check runs 200 000 of them).
fuzz-kernel: deps
	@$(MAKE) --no-print-directory all
	@OGATE_FUZZ_CALLS=$${OGATE_FUZZ_CALLS:-10000000} tests/kernel/run-vm.sh fuzz

.PHONY: fuzz-kernel
