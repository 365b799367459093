import iconv from "iconv-lite";

export interface DecodedText {
  text: string;
  encoding: "utf-8" | "windows-1252";
  /** True when the bytes look like a binary file rather than text. */
  binary: boolean;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decodes a knowledge file. Real MS KB files are ASCII with the odd Windows-1252 byte (curly quotes, ®, é),
 * so bytes that are not valid UTF-8 are decoded as Windows-1252, never as U+FFFD.
 * Windows-1252 rather than Latin-1: Latin-1 turns 0x80-0x9F (the curly quotes and dashes) into control characters.
 */
export function decodeKnowledgeFile(bytes: Uint8Array): DecodedText {
  let body = bytes;
  if (body.length >= 3 && body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2]) {
    body = body.subarray(3);
  }
  const binary = looksBinary(body);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    return { text, encoding: "utf-8", binary };
  } catch {
    return { text: iconv.decode(Buffer.from(body), "windows-1252"), encoding: "windows-1252", binary };
  }
}

/** A NUL byte, or many control characters, in the first 8 KB: what `file` and git call binary. */
function looksBinary(bytes: Uint8Array): boolean {
  const sample = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 8192));
  if (sample.indexOf(0) !== -1) return true;
  // Tab, LF, FF and CR are text; other C0 controls are rare in text, common in binaries. The regex runs
  // natively, so clean files (nearly all) cost one scan.
  const text = sample.toString("latin1");
  if (!SUSPICIOUS.test(text)) return false;
  const control = text.match(SUSPICIOUS_ALL)?.length ?? 0;
  return control / sample.length > 0.05;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const SUSPICIOUS = /[\x01-\x08\x0b\x0e-\x1f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const SUSPICIOUS_ALL = /[\x01-\x08\x0b\x0e-\x1f]/g;
