#!/usr/bin/python3
"""Records Keras' zoom and rotation on a small image, the reference for augment.test.ts.

ImageDataGenerator.apply_transform calls apply_affine_transform (keras/src/legacy/preprocessing/
image.py) with theta, zx, zy drawn by get_random_transform. Here the same transform is built as
that function builds it: rotation matrix, times diag(zx, zy), moved to the centre as
transform_matrix_offset_center does, its rows and columns swapped for channels-last arrays (Keras
builds the matrix in (x, y) order and swaps it to numpy's (row, col)), then
scipy.ndimage.affine_transform per channel with order=1 (interpolation_order's default) and
mode="nearest" (fill_mode's default). The image is square: transform_matrix_offset_center takes
(h, w) and the swap then puts h's centre on the columns, which only agrees with the true centre
when h == w (Thaw's images are square). Needs Debian's python3-numpy and python3-scipy.
Run: /usr/bin/python3 record-zoom.py
"""
import json
import math
import os

import numpy as np
import scipy
import scipy.ndimage

H, W = 6, 6
CASES = [
    {"thetaDeg": 0, "zx": 0.8, "zy": 1.2},
    {"thetaDeg": 0, "zx": 1.25, "zy": 1.25},
    {"thetaDeg": 0, "zx": 0.7, "zy": 0.9},
    {"thetaDeg": 12, "zx": 1.1, "zy": 0.85},
]


def image():
    return np.array([[[(x * 31 + y * 17 + c * 50) % 256 for c in range(3)] for x in range(W)] for y in range(H)], dtype=np.float64)


def keras_affine(x, theta_deg, zx, zy):
    theta = np.deg2rad(theta_deg)
    rotation = np.array([[math.cos(theta), -math.sin(theta), 0], [math.sin(theta), math.cos(theta), 0], [0, 0, 1]])
    matrix = rotation @ np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    o_x, o_y = H / 2 - 0.5, W / 2 - 0.5
    matrix = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]]) @ matrix @ np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    matrix[:, [0, 1]] = matrix[:, [1, 0]]
    matrix[[0, 1]] = matrix[[1, 0]]
    channels = [scipy.ndimage.affine_transform(x[:, :, c], matrix[:2, :2], matrix[:2, 2], order=1, mode="nearest") for c in range(3)]
    return np.stack(channels, axis=2)


def main():
    src = image()
    record = {"scipy": scipy.__version__, "height": H, "width": W, "input": src.reshape(-1).tolist(), "cases": []}
    for case in CASES:
        out = keras_affine(src, case["thetaDeg"], case["zx"], case["zy"])
        record["cases"].append({**case, "output": [round(v, 4) for v in out.reshape(-1).tolist()]})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoom.json"), "w") as f:
        json.dump(record, f)
        f.write("\n")


if __name__ == "__main__":
    main()
