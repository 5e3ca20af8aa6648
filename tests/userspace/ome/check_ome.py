#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Check an OME-TIFF with tifffile (a reader nobody here wrote).

check_ome.py FILE [checks...]; exit 0 when every check passes, 1 with one line
per failure, 77 when tifffile is missing (the caller skips). Checks:
  --shape 5,64,48        series[0].shape        --axes ZYX    series[0].axes
  --size Z=5,T=1,C=1     Pixels Size*           --phys X=0.65,Y=0.65,Z=2.5
  --positions-z 100,102.5,...   Plane PositionZ in (T, Z) order (Plane elements sorted)
  --plane-kv Z:T:KEY=VALUE     the MapAnnotation of plane (Z, T) has KEY=VALUE
  --prov KEY=VALUE      the provenance MapAnnotation has KEY=VALUE
  --pixel I,Y,X=V       flat plane index I of series[0] (in its own order) at (Y, X) is V
  --bigtiff yes|no      --dtype uint16       --dump-xml PATH   --show (print tifffile's view)
"""
import sys
import xml.etree.ElementTree as ET

try:
    import numpy as np
    import tifffile
except ImportError as e:  # pragma: no cover
    print(f"check_ome: {e}")
    sys.exit(77)

NS = {"ome": "http://www.openmicroscopy.org/Schemas/OME/2016-06"}
fails = []


def fail(msg):
    fails.append(msg)


def near(a, b):
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def main(argv):
    path = argv[1]
    args = argv[2:]
    with tifffile.TiffFile(path) as tf:
        if not tf.is_ome:
            print(f"check_ome: {path}: tifffile does not see an OME-TIFF")
            return 1
        s = tf.series[0]
        xml = tf.ome_metadata
        root = ET.fromstring(xml)
        pixels = root.find("ome:Image/ome:Pixels", NS)
        planes = pixels.findall("ome:Plane", NS)
        anns = {a.get("ID"): a for a in root.findall("ome:StructuredAnnotations/ome:MapAnnotation", NS)}

        def plane_map(z, t):
            for p in planes:
                if int(p.get("TheZ")) == z and int(p.get("TheT")) == t:
                    ref = p.find("ome:AnnotationRef", NS)
                    if ref is None:
                        return {}
                    a = anns[ref.get("ID")]
                    return {m.get("K"): (m.text or "") for m in a.findall("ome:Value/ome:M", NS)}
            return None

        data = None
        i = 0
        while i < len(args):
            opt = args[i]
            val = args[i + 1] if i + 1 < len(args) else ""
            i += 2
            if opt == "--show":
                i -= 1
                print(f"is_ome={tf.is_ome} is_bigtiff={tf.is_bigtiff} pages={len(tf.pages)}")
                print(f"series[0]: shape={s.shape} axes={s.axes} dtype={s.dtype}")
                print("Pixels:", {k: v for k, v in pixels.attrib.items()})
                for p in planes[:3]:
                    print("Plane:", dict(p.attrib),
                          plane_map(int(p.get("TheZ")), int(p.get("TheT"))))
                if len(planes) > 3:
                    print(f"... {len(planes)} Plane elements")
                prov = anns.get("Annotation:0")
                if prov is not None:
                    kv = {m.get("K"): m.text for m in prov.findall("ome:Value/ome:M", NS)}
                    print("provenance:", dict(list(kv.items())[:8]), f"({len(kv)} keys)")
            elif opt == "--shape":
                want = tuple(int(x) for x in val.split(","))
                if tuple(s.shape) != want:
                    fail(f"shape {tuple(s.shape)} != {want}")
            elif opt == "--axes":
                if s.axes != val:
                    fail(f"axes {s.axes} != {val}")
            elif opt == "--dtype":
                if str(s.dtype) != val:
                    fail(f"dtype {s.dtype} != {val}")
            elif opt == "--bigtiff":
                if tf.is_bigtiff != (val == "yes"):
                    fail(f"is_bigtiff {tf.is_bigtiff}, wanted {val}")
            elif opt == "--size":
                for kv in val.split(","):
                    k, v = kv.split("=")
                    got = pixels.get("Size" + k)
                    if got != v:
                        fail(f"Size{k} {got} != {v}")
            elif opt == "--phys":
                for kv in val.split(","):
                    k, v = kv.split("=")
                    got = pixels.get("PhysicalSize" + k)
                    unit = pixels.get("PhysicalSize" + k + "Unit")
                    if got is None or not near(got, v):
                        fail(f"PhysicalSize{k} {got} != {v}")
                    elif unit != "\u00b5m":
                        fail(f"PhysicalSize{k}Unit {unit!r} != 'µm'")
            elif opt == "--positions-z":
                want = [float(x) for x in val.split(",")]
                got = sorted(planes, key=lambda p: (int(p.get("TheT")), int(p.get("TheZ"))))
                gotz = [p.get("PositionZ") for p in got]
                if len(gotz) != len(want) or not all(g is not None and near(g, w) for g, w in zip(gotz, want)):
                    fail(f"PositionZ {gotz} != {want}")
                units = {p.get("PositionZUnit") for p in got}
                if units != {"\u00b5m"}:
                    fail(f"PositionZUnit {units}")
            elif opt == "--plane-kv":
                zt, kv = val.split(":", 2)[:2], val.split(":", 2)[2]
                k, v = kv.split("=", 1)
                m = plane_map(int(zt[0]), int(zt[1]))
                if m is None:
                    fail(f"no Plane Z={zt[0]} T={zt[1]}")
                elif m.get(k) != v:
                    fail(f"plane Z={zt[0]} T={zt[1]}: {k}={m.get(k)!r}, wanted {v!r}")
            elif opt == "--prov":
                k, v = val.split("=", 1)
                prov = anns.get("Annotation:0")
                kv = {} if prov is None else {m.get("K"): (m.text or "") for m in prov.findall("ome:Value/ome:M", NS)}
                if kv.get(k) != v:
                    fail(f"provenance {k}={kv.get(k)!r}, wanted {v!r}")
            elif opt == "--pixel":
                if data is None:
                    data = s.asarray()
                    data = data.reshape((-1,) + data.shape[-2:])
                idx, v = val.split("=")
                n, y, x = (int(a) for a in idx.split(","))
                if int(data[n, y, x]) != int(v):
                    fail(f"pixel plane {n} ({y},{x}) = {int(data[n, y, x])}, wanted {v}")
            elif opt == "--dump-xml":
                with open(val, "w", encoding="utf-8") as f:
                    f.write(xml)
            else:
                fail(f"unknown check {opt}")
    for f in fails:
        print(f"check_ome: {path}: {f}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
