// Datasets: image folders registered by name, with their content fingerprint once scanned.
// The folder is recorded as a file:// URI, as checkpoints are, and read back through
// artifactPath; rows written before that hold a plain absolute path, which it accepts too.
import { Prisma, type Dataset } from "../../generated/prisma/client.ts";
import { artifactPath, artifactUri } from "../artifacts.ts";
import { NotFoundError } from "../errors.ts";
import { datasetSchema, idSchema, parseInput } from "../validation.ts";
import { isUniqueViolation, type StoreContext } from "./context.ts";

export interface RegisterDatasetInput {
  name: string;
  /** The folder: an absolute path or a file:// URI (recorded as the URI either way). */
  path: string;
  fingerprint?: string | null;
  classNames?: string[] | null;
  imageCount?: number | null;
  testSplit?: number;
  testSeed?: number;
}

export async function registerDataset(ctx: StoreContext, input: RegisterDatasetInput): Promise<Dataset> {
  const data = parseInput(datasetSchema, input);
  // Fields left out keep their stored value; an explicit null clears them.
  const fields = {
    path: artifactUri(artifactPath(data.path)),
    fingerprint: data.fingerprint,
    classNames: data.classNames === null ? Prisma.DbNull : data.classNames,
    imageCount: data.imageCount,
    testSplit: data.testSplit,
    testSeed: data.testSeed,
  };
  const upsert = () => ctx.prisma.dataset.upsert({ where: { name: data.name }, create: { name: data.name, ...fields }, update: fields });
  try {
    return await upsert();
  } catch (error) {
    // Two processes registered the same new name at once; the row exists now, so update it.
    if (isUniqueViolation(error)) return upsert();
    throw error;
  }
}

export async function getDataset(ctx: StoreContext, idOrName: number | string): Promise<Dataset> {
  const dataset =
    typeof idOrName === "number"
      ? await ctx.prisma.dataset.findUnique({ where: { id: parseInput(idSchema, idOrName, "datasetId") } })
      : await ctx.prisma.dataset.findUnique({ where: { name: idOrName } });
  if (!dataset) throw new NotFoundError("Dataset", idOrName);
  return dataset;
}

export function listDatasets(ctx: StoreContext): Promise<Dataset[]> {
  return ctx.prisma.dataset.findMany({ orderBy: { name: "asc" } });
}
