/**
 * Secrets at rest (bot tokens in installations): AES-256-GCM with a random 96-bit IV, authenticated, so a
 * changed or truncated value fails to open instead of yielding garbage. `v1.<key id>.<base64url(iv|tag|data)>`:
 * the key id (a hash of the key) lets ENCRYPTION_KEY hold several keys while they are rotated.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealError";
  }
}

const keyId = (key: Buffer) => createHash("sha256").update(key).digest("base64url").slice(0, 8);

export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** `keys[0]` seals; any of them opens what it sealed. */
export function createSealer(keys: readonly Buffer[]): Sealer {
  if (keys.length === 0 || keys.some((k) => k.length !== 32))
    throw new SealError("keys must be 32 bytes each");
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const current = keys[0] as Buffer;
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `v1.${keyId(current)}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url")}`;
    },
    open(sealed) {
      const [version, id, body] = sealed.split(".");
      if (version !== "v1" || !id || body === undefined) throw new SealError("not a sealed value");
      const key = byId.get(id);
      if (!key) throw new SealError("sealed with a key ENCRYPTION_KEY does not hold (rotated away?)");
      const bytes = Buffer.from(body, "base64url");
      if (bytes.length < 28) throw new SealError("sealed value too short");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
      } catch {
        throw new SealError("sealed value does not open: altered, or another key");
      }
    },
  };
}
