# Unit tests are discovered: every tests/userspace/<folder>/test_<name>.c is a
# suite, built by the one rule below to $(TBIN)/userspace/<folder>/test_<name>
# (cmocka, ASan + UBSan, one source compiled, libraries linked); every
# tests/userspace/**/test_*.sh is a suite too. A folder's fragment says what its
# tests need with pattern-specific variables and prerequisites on its folder:
#   $(TBIN)/userspace/<folder>/%: UT_CPPFLAGS = -I...     include folders
#   $(TBIN)/userspace/<folder>/%: UT_LIBS = ...           objects and archives to link
#   $(TBIN)/userspace/<folder>/%: UT_LDLIBS = -l...       system libraries
#   $(call unit_tests_in,<folder>): <the archives above>   so they are built first
# Integration suites are tests/integration/<name>/run.sh (prerequisites below).
UNIT_TEST_SRCS := $(sort $(shell find tests/userspace -name 'test_*.c'))
UNIT_TESTS     := $(patsubst tests/%.c,$(TBIN)/%,$(UNIT_TEST_SRCS))
unit_tests_in   = $(filter $(TBIN)/userspace/$(1)/%,$(UNIT_TESTS))
SUITES += $(UNIT_TESTS) $(sort $(shell find tests/userspace -name 'test_*.sh'))

$(TBIN)/userspace/%: tests/userspace/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(UT_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(UT_LIBS) \
		-lcmocka $(UT_LDLIBS)

# End to end, with the installed programs (each suite names what it runs).
SUITES += tests/integration/emulate/run.sh tests/integration/daemon/run.sh \
          tests/integration/zstack/run.sh
# The runner itself: what makes a suite fail (tests/run-suites.sh).
SUITES += tests/runner/run_suites_counts.sh
