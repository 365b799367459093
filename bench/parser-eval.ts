/**
 * `npm run eval:parser [-- DIR ...]`: how well the parsers read real articles.
 *
 * For each folder (default: ../shared/kb-dev/corpus-mskb and corpus-md, when present) it prints the articles
 * loaded, the problems by code, how often each field came out empty although the file has that section, and
 * how many articles quote at least one message. With ../shared/kb-dev/queries.jsonl it also checks every
 * `exact` query (a message quoted in its source article) against the `errors` parsed from that article:
 * equal after normalisation, or contained in a longer extracted message.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadKnowledge } from "../src/knowledge/load.js";
import type { Article } from "../src/knowledge/types.js";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const kbDev = path.resolve(root, "..", "shared", "kb-dev");
const queriesFile = path.join(kbDev, "queries.jsonl");

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

interface Query {
  query: string;
  kind: string;
  source: string | null;
  corpus: string;
}

const queries: Query[] = existsSync(queriesFile)
  ? readFileSync(queriesFile, "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Query)
  : [];

/** The sections a raw file declares, so an empty field can be told from a missing section. */
function declaredSections(file: string, format: Article["format"]): Set<string> {
  const text = readFileSync(file, "latin1");
  const found = new Set<string>();
  const pattern =
    format === "mskb"
      ? /^(SYMPTOMS|CAUSE|RESOLUTION|WORKAROUND)[ \t]*\r?\n[ \t]*\r?\n?=+/gm
      : /^#{2,6}[ \t]+(symptoms?|causes?|resolutions?|solutions?|workarounds?)[ \t]*$/gim;
  for (const m of text.matchAll(pattern)) found.add((m[1] as string).toUpperCase().replace(/S$/, ""));
  return found;
}

async function evaluate(dir: string): Promise<void> {
  const start = performance.now();
  const kb = await loadKnowledge(dir);
  const ms = performance.now() - start;
  const codes = new Map<string, number>();
  for (const p of kb.problems)
    codes.set(`${p.severity}:${p.code}`, (codes.get(`${p.severity}:${p.code}`) ?? 0) + 1);

  const emptyButDeclared = { title: 0, symptoms: 0, cause: 0, resolution: 0 };
  for (const a of kb.articles) {
    const declared = declaredSections(path.join(dir, a.source), a.format);
    if (!a.title) emptyButDeclared.title++;
    if (declared.has("SYMPTOM") && !a.symptoms) emptyButDeclared.symptoms++;
    if (declared.has("CAUSE") && !a.cause) emptyButDeclared.cause++;
    const hasFix = ["RESOLUTION", "SOLUTION", "WORKAROUND"].some((s) => declared.has(s));
    if (hasFix && !a.resolution) emptyButDeclared.resolution++;
  }
  const withErrors = kb.articles.filter((a) => a.errors.length > 0).length;
  const pct = (n: number, of: number) => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);

  console.log(`\n${dir}`);
  console.log(`  ${kb.files} files, ${kb.articles.length} articles in ${Math.round(ms)} ms`);
  console.log(`  problems: ${[...codes].map(([c, n]) => `${c} ${n}`).join(", ") || "none"}`);
  console.log(
    `  empty although the file has the section: title ${emptyButDeclared.title}, symptoms ${emptyButDeclared.symptoms},` +
      ` cause ${emptyButDeclared.cause}, resolution ${emptyButDeclared.resolution}`,
  );
  console.log(
    `  articles quoting at least one message: ${withErrors} (${pct(withErrors, kb.articles.length)})`,
  );

  const exact = queries.filter((q) => q.kind === "exact" && q.source !== null && kb.byId.has(q.source));
  if (exact.length === 0) return;
  let equal = 0;
  let contained = 0;
  const misses: string[] = [];
  for (const q of exact) {
    const errors = (kb.byId.get(q.source as string) as Article).errors.map(normalise);
    const wanted = normalise(q.query);
    if (errors.includes(wanted)) equal++;
    else if (errors.some((e) => e.includes(wanted))) contained++;
    else misses.push(`    ${q.source}: ${q.query.slice(0, 100)}`);
  }
  console.log(
    `  kb-dev exact queries: ${exact.length}; equal to an extracted message ${equal} (${pct(equal, exact.length)}),` +
      ` inside a longer one ${contained}, missed ${misses.length}`,
  );
  if (misses.length > 0) console.log(misses.slice(0, 10).join("\n"));
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  for (const corpus of ["corpus-mskb", "corpus-md"]) {
    const dir = path.join(kbDev, corpus);
    if (existsSync(dir)) dirs.push(dir);
  }
  if (dirs.length === 0) {
    console.error(`No folders given and ${kbDev} not found. Usage: npm run eval:parser -- DIR [DIR ...]`);
    process.exit(2);
  }
}
for (const dir of dirs) await evaluate(dir);
