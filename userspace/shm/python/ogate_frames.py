# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Read ogated's shared-memory frame stream (/dev/shm/ogate-frames) with numpy.
Layout: docs/web.md. Usage: for meta, img in frames("ogate-frames"): ...
meta = (sequence, time_ns, exposure_ns, phase, state, flags, trigger_ns, w, h, bpp,
ref_id, target_phase)."""
import mmap, struct, time
import numpy as np

META = struct.Struct("<QqqdIIqIIIId")           # after the slot's 8-byte seqlock word

def frames(name="ogate-frames", poll_s=0.002):
    f = open("/dev/shm/" + name, "rb")
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    assert m[:8] == b"OGSHMv1\0", "not an ogate frame ring"
    hsize, slots, msize = struct.unpack_from("<III", m, 12)
    ssize, = struct.unpack_from("<Q", m, 24)
    head = lambda: struct.unpack_from("<Q", m, 40)[0]
    n = max(0, head() - (slots - 1))
    while True:
        if head() > n + slots - 1:               # overrun: skip to what is kept
            n = head() - (slots - 1)
        off = hsize + (n % slots) * ssize
        s1, = struct.unpack_from("<Q", m, off)
        if s1 < 2 * n + 2:                       # not written yet
            time.sleep(poll_s); continue
        meta = META.unpack_from(m, off + 8)
        w, h, bpp = meta[7], meta[8], meta[9]
        img = np.frombuffer(m, np.uint8 if bpp == 1 else np.uint16, w * h, off + msize).reshape(h, w).copy()
        if struct.unpack_from("<Q", m, off)[0] == s1 == 2 * n + 2:
            yield meta, img                      # else torn by the writer: skip
        n += 1
