// The options `thaw train` and `thaw sweep` share, declared once. Defaults live in
// validate.ts (zod) so that commander hands over only what the user typed.
import type { Command } from "commander";

export function addRunOptions(command: Command): Command {
  return command
    .requiredOption("--data <dir>", "folder with one sub-folder of images per class")
    .requiredOption("--experiment <name>", "experiment the run belongs to (created when missing)")
    .option("--base <base>", "vgg16-imagenet | random | RUN_ID | checkpoint PATH (default vgg16-imagenet)")
    .option("--optimizer <name>", "sgd | adam (default sgd)")
    .option("--momentum <m>", "SGD momentum (default 0.9)")
    .option("--epochs <n>", "maximum epochs (default 100)")
    .option("--batch <n>", "batch size (default 32)")
    .option("--patience <n>", "early-stopping patience on val_accuracy (default 40)")
    .option("--image-size <px>", "input height and width (default 224)")
    .option("--head <head>", "fc2 (the seed's: Dense on fc2) | pooled (global pooling, any size) (default fc2, or the checkpoint base's)")
    .option("--width <w>", "channel-width multiplier, 1 is VGG16 (default 1, or the checkpoint base's)")
    .option("--augment", "flip, zoom (in and out, as Keras' zoom_range), rotate and brightness augmentation")
    .option("--seed <n>", "random seed for weights, split, shuffle (default 42)")
    .option("--validation-split <f>", "fraction of each class held out for validation (default 0.2)")
    .option("--split <method>", "how validation is held out: stratified (a seeded draw per class) | keras (the first fraction of each class, as Keras) (default stratified, keras with --keras-compatible)")
    .option("--keras-compatible", "read the folder as Keras' flow_from_directory does: its file set and order, no EXIF rotation")
    .option("--test-split <f>", "fraction of each class held out once per dataset as the test set, when there is no test/ folder (recorded with the dataset)")
    .option("--dropout <f>", "dropout before the new classifier (default 0)")
    .option("--keep-checkpoints <n>", "checkpoints kept per run: the newest N, the best among them; promoted ones always (default 2)")
    .option("--name <name>", "a name for the run");
}
