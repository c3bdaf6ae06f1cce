// `thaw weights path|fetch`: where Keras' VGG16 ImageNet weights are (or would go), and
// fetching them from Keras' URL with Keras' MD5 check.
import type { Command } from "commander";

export function registerWeights(program: Command): void {
  const weights = program.command("weights").description("Keras' VGG16 ImageNet weight files");
  weights
    .command("path")
    .description("show where the weight files are found, or where to put them")
    .action(async () => {
      const { locateWeightFile, weightSearchDirs, VGG16_WEIGHT_FILES, KERAS_VGG16_URL } = await import("@thaw/vgg");
      const dirs = weightSearchDirs();
      console.log(`Search folders, in order: ${dirs.join(", ")}`);
      for (const spec of [VGG16_WEIGHT_FILES.top, VGG16_WEIGHT_FILES.notop]) {
        const found = locateWeightFile(spec.file);
        console.log(found ? `found   ${found}` : `missing ${spec.file}: \`thaw weights fetch\`, or download ${KERAS_VGG16_URL}${spec.file} into ${dirs[0]}`);
      }
    });
  weights
    .command("fetch")
    .description("download the weight files (unless present) and check Keras' MD5")
    .option("--notop-only", "only the file without the top (58 MB instead of 553 MB)")
    .action(async (opts: { notopOnly?: boolean }) => {
      const { fetchWeights } = await import("@thaw/vgg");
      for (const includeTop of opts.notopOnly ? [false] : [false, true]) {
        console.log(`ready   ${await fetchWeights({ includeTop })}`);
      }
    });
}
