/** The knowledge folder as a whole cannot be used: missing, not a folder, unreadable, or holding no articles. */
export class KnowledgeDirError extends Error {
  override readonly name = "KnowledgeDirError";

  constructor(
    readonly dir: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
