import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const config: NextConfig = {
  // The libs ship TypeScript sources, not builds.
  transpilePackages: ["@thaw/tracking", "@thaw/data", "@thaw/vgg", "@thaw/planner"],
  // Native modules and WebAssembly loaders stay plain Node requires on the server.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "sharp",
    "onnxruntime-node",
    "h5wasm",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
  ],
  outputFileTracingRoot: repoRoot,
  // Built with webpack (`next build --webpack`): the libs find files beside their sources
  // with `new URL("../..", import.meta.url)`, which Turbopack and webpack's default both
  // try to bundle as an asset. Left to run as written, it points into the checkout.
  webpack(webpackConfig: { module: { parser?: Record<string, Record<string, unknown>> } }) {
    const parser = webpackConfig.module.parser ?? {};
    webpackConfig.module.parser = { ...parser, javascript: { ...parser.javascript, url: false } };
    return webpackConfig;
  },
  // `tsc -p apps/dashboard` is the typecheck target; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
