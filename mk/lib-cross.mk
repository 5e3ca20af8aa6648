# The SAD equality tests built for aarch64 and run under qemu-user, so the
# NEON back end is tested against the scalar one on this x86-64 machine too.
SUITES += tests/userspace/lib/sad_neon_run.sh
