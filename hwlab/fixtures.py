#!/usr/bin/env python3
"""Frames the lab's emulated cameras stream, with the exact readings the lane must decode from them.

  lepton-pattern.y16   4 frames, 160x120 little-endian centi-kelvin (what a PureThermal Lepton sends as Y16)
  p2pro-pattern.yuyv   4 frames, 256x384 YUYV as an InfiRay P2 Pro sends it: an image in the upper half, the
                       temperature in the lower half as little-endian 1/64 K
  p2pro-expected.ck    the same 4 frames' temperatures as 256x192 centi-kelvin (values chosen as multiples of
                       1/4 K so the 1/64 K -> centi-kelvin conversion is exact)
Usage: fixtures.py OUTDIR
"""
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

with open(os.path.join(out, "lepton-pattern.y16"), "wb") as f:
    for k in range(4):
        f.write(struct.pack("<19200H", *[29315 + (x * 3 + y * 5 + k * 11) % 700 for y in range(120) for x in range(160)]))

with open(os.path.join(out, "p2pro-pattern.yuyv"), "wb") as f, open(os.path.join(out, "p2pro-expected.ck"), "wb") as e:
    for k in range(4):
        quarters = [1172 + (x + 2 * y + 7 * k) % 68 for y in range(192) for x in range(256)]  # 293.00 K .. 309.75 K
        f.write(bytes([0x80, 0x10] * (256 * 192)))  # the visible image half: grey
        f.write(struct.pack("<49152H", *[16 * q for q in quarters]))  # kelvin * 64
        e.write(struct.pack("<49152H", *[25 * q for q in quarters]))  # centi-kelvin
