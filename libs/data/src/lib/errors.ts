/**
 * Errors thrown by @thaw/data. Each message is one sentence that names the problem and the fix,
 * so the CLI and the dashboard can show it as is.
 */
export class DataError extends Error {
  override name = "DataError";
}

/** The dataset folder does not exist or is not a folder. */
export class DatasetNotFoundError extends DataError {
  override name = "DatasetNotFoundError";
  constructor(readonly dir: string) {
    super(`Dataset folder ${dir} does not exist or is not a folder; pass a folder that holds one sub-folder per class.`);
  }
}

/** The folder's layout cannot be read as classes (no class folders, unknown split folders...). */
export class DatasetLayoutError extends DataError {
  override name = "DatasetLayoutError";
  constructor(
    readonly dir: string,
    problem: string,
    fix: string,
  ) {
    super(`${dir} ${problem}; ${fix}.`);
  }
}

/** An option has a value the library cannot use. */
export class InvalidOptionError extends DataError {
  override name = "InvalidOptionError";
  constructor(
    readonly option: string,
    problem: string,
    fix: string,
  ) {
    super(`Option ${option} ${problem}; ${fix}.`);
  }
}

/** One image could not be decoded (thrown by decodeImage; the batch pipeline skips and reports instead). */
export class ImageDecodeError extends DataError {
  override name = "ImageDecodeError";
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`Could not decode ${source} (${reason}); check that it is a complete JPEG, PNG, BMP, GIF, WebP or TIFF image.`);
  }
}

/** Every image of a class failed to decode, so the class cannot be learned or evaluated. */
export class ClassUnreadableError extends DataError {
  override name = "ClassUnreadableError";
  constructor(
    readonly className: string,
    readonly failed: number,
    readonly firstFailure: { path: string; reason: string },
  ) {
    super(
      `Every one of the ${failed} images of class "${className}" failed to decode (e.g. ${firstFailure.path}: ${firstFailure.reason}); ` +
        `replace them with readable images or remove the class folder.`,
    );
  }
}

/** Decoding a whole split into memory would need more memory than allowed. */
export class DatasetTooLargeError extends DataError {
  override name = "DatasetTooLargeError";
  constructor(
    readonly images: number,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `Holding ${images} decoded images needs ${(bytes / 2 ** 20).toFixed(0)} MiB, more than the ${(maxBytes / 2 ** 20).toFixed(0)} MiB allowed; ` +
        `stream the split with flowFromDirectory or raise maxBytes.`,
    );
  }
}

/** The fingerprint cache could not be written next to the dataset. */
export class FingerprintCacheError extends DataError {
  override name = "FingerprintCacheError";
  constructor(
    readonly cacheFile: string,
    reason: string,
  ) {
    super(`Could not write the fingerprint cache ${cacheFile} (${reason}); pass a writable cacheDir.`);
  }
}
