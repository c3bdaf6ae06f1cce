#!/usr/bin/python3
"""Records which files flow_from_directory lists, in which order, and which it holds out.

The reference for scan.test.ts' Keras-compatible cases. It builds the tree below in a temporary
folder and lists it with the rules of keras/src/legacy/preprocessing/image.py (keras-team/keras):
classes are sorted(os.listdir(directory)) that os.path.isdir; each class is walked with
sorted(os.walk(class_dir, followlinks=False), key=root), each folder's files sorted, kept when
name.lower().endswith(white_list_formats); subset "validation" is files[:int(split * n)] and
"training" files[int(split * n):]. Run: /usr/bin/python3 record-listing.py
"""
import json
import os
import tempfile

WHITE_LIST = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
VALIDATION_SPLIT = 0.3
FILES = [
    "cat/b.jpg", "cat/a.PNG", "cat/c.gif", "cat/d.webp", "cat/e.ppm", "cat/.hidden.jpg", "cat/x.apng",
    "cat/notes.txt", "cat/sub/z.jpg", "cat/sub-b/y.jpg", "cat/sub/deeper/w.jpg", "cat/sub/a.jpg", "cat/A.jpg",
    "dog/00.jpg", "dog/01.jpg", "dog/02.jpg", "dog/03.jpg", "dog/04.jpg", "dog/05.jpg", "dog/06.jpg",
    "dog/n/00.jpg", "dog/n/01.jpg",
    "outside/o.jpg", "outside/p.jpg",
]
# (link, target relative to the link's folder)
LINKS = [("cat/link-file.jpg", "../outside/o.jpg"), ("cat/linkdir", "../outside"), ("dog/zz-linked", "../outside")]
DATASET = "data"


def keras_listing(directory):
    classes = [d for d in sorted(os.listdir(directory)) if os.path.isdir(os.path.join(directory, d))]
    training, validation = [], []
    for name in classes:
        class_dir = os.path.join(directory, name)
        found = []
        for root, _, files in sorted(os.walk(class_dir, followlinks=False), key=lambda entry: entry[0]):
            for fname in sorted(files):
                if fname.lower().endswith(WHITE_LIST):
                    found.append(os.path.relpath(os.path.join(root, fname), directory))
        cut = int(VALIDATION_SPLIT * len(found))
        validation += found[:cut]
        training += found[cut:]
    return classes, training, validation


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for rel in FILES:
            path = os.path.join(tmp, DATASET, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "wb").close()
        for link, target in LINKS:
            os.symlink(target, os.path.join(tmp, DATASET, link))
        os.makedirs(os.path.join(tmp, DATASET, ".ipynb_checkpoints"))
        # "outside" is a class folder too, as far as Keras knows: the tree mirrors that.
        classes, training, validation = keras_listing(os.path.join(tmp, DATASET))
    record = {
        "files": FILES,
        "links": LINKS,
        "emptyFolders": [".ipynb_checkpoints"],
        "validationSplit": VALIDATION_SPLIT,
        "classes": classes,
        "training": training,
        "validation": validation,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "listing.json"), "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
