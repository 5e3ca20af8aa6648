# The uapi header's layout: sizes and offsets are _Static_asserts in
# tests/include/abi_layout.c, built for 64-bit (and run) and for 32-bit.
ABI_TEST64 := $(TBIN)/abi_layout_64
SUITES += $(ABI_TEST64) tests/include/abi_layout_32.sh

$(ABI_TEST64): tests/include/abi_layout.c include/uapi/ogate.h | $(TBIN)
	$(CC) $(CFLAGS_STD) -m64 -Iinclude/uapi -o $@ $<
