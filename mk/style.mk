# tests/style: the code style (.clang-format, Debian 12's clang-format 14).
#   make format                      format every C/C++ file under FORMAT_DIRS
#   make format FORMAT_DIRS=bench    only those folders
#   tests/style/check-format.sh      the check (TAP, one test per file)
# clang-format comes from scripts/deps/style.txt.
FORMAT_DIRS  ?= userspace bench tests/userspace
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)

format:
	@test -n "$(CLANG_FORMAT)" || { echo "no clang-format: scripts/install-deps.sh" >&2; exit 1; }
	find $(FORMAT_DIRS) -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) -print0 | \
		xargs -0 -r $(CLANG_FORMAT) -i --style=file

.PHONY: format
