# tests/style: the code style (.clang-format, Debian 12's clang-format 14) and the licence lines.
#   make format                      format every C/C++ file under FORMAT_DIRS
#   make format FORMAT_DIRS=bench    only those folders
#   tests/style/check-format.sh      the check (TAP, one test per file), in make check
#   tests/style/check-spdx.sh        one SPDX line per file, in make check
# clang-format comes from scripts/deps/style.txt. Where formatting would damage a
# table (the config key table's one-line row macros, generated test vectors) the
# source keeps its layout between `// clang-format off` and `// clang-format on`.
FORMAT_DIRS  ?= userspace bench tests/userspace
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)

SUITES += tests/style/check-format.sh tests/style/check-spdx.sh

format:
	@test -n "$(CLANG_FORMAT)" || { echo "no clang-format: scripts/install-deps.sh" >&2; exit 1; }
	find $(FORMAT_DIRS) -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) -print0 | \
		xargs -0 -r $(CLANG_FORMAT) -i --style=file

.PHONY: format
