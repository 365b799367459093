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
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i] as number;
    if (b === 0) return true;
    // Tab, LF, FF, CR and ESC-free text; anything else below 0x20 is suspicious.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) control++;
  }
  return sample.length > 0 && control / sample.length > 0.05;
}
