import path from "node:path";
import type { KnowledgeBase } from "./load.js";
import type { Article, Problem } from "./types.js";

/** What `triage kb check` reports about a knowledge folder, as plain data (also its `--json` output). */
export interface KnowledgeSummary {
  knowledge: string;
  files: number;
  articles: number;
  byFormat: { mskb: number; markdown: number };
  /** Article count per product, most common first. */
  byProduct: { product: string; articles: number }[];
  errors: number;
  warnings: number;
  problems: Problem[];
  /** Articles whose SYMPTOMS quote no literal message: they can only be matched on prose. */
  withoutQuotedError: { id: string; source: string }[];
  ignored: string[];
}

export function summarize(kb: KnowledgeBase): KnowledgeSummary {
  const products = new Map<string, number>();
  for (const article of kb.articles) {
    for (const product of productsOf(article)) products.set(product, (products.get(product) ?? 0) + 1);
  }
  return {
    knowledge: kb.dir,
    files: kb.files,
    articles: kb.articles.length,
    byFormat: {
      mskb: kb.articles.filter((a) => a.format === "mskb").length,
      markdown: kb.articles.filter((a) => a.format === "markdown").length,
    },
    byProduct: [...products]
      .map(([product, articles]) => ({ product, articles }))
      .sort((a, b) => b.articles - a.articles || a.product.localeCompare(b.product)),
    errors: kb.problems.filter((p) => p.severity === "error").length,
    warnings: kb.problems.filter((p) => p.severity === "warning").length,
    problems: kb.problems,
    withoutQuotedError: kb.articles
      .filter((a) => a.errors.length === 0)
      .map((a) => ({ id: a.id, source: a.source })),
    ignored: kb.ignored,
  };
}

/**
 * The product an article is counted under: the MS KB `PRODUCT :` header (its applies-to list names every
 * version separately), else each product the article lists.
 */
function productsOf(article: Article): string[] {
  const header = article.meta.product;
  if (typeof header === "string" && header) return [header];
  return article.products.length > 0 ? article.products : ["(no product)"];
}

/** `file:line` as an editor or terminal can open it, relative to where the command runs. */
export function locate(knowledgeDir: string, problem: Problem): string {
  return `${path.join(knowledgeDir, problem.file)}:${problem.line}`;
}

export function formatProblem(knowledgeDir: string, problem: Problem): string {
  return `${locate(knowledgeDir, problem)}: ${problem.severity} [${problem.code}] ${problem.message}`;
}

const MAX_PRODUCTS_SHOWN = 15;

export function formatSummary(summary: KnowledgeSummary): string {
  const out: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  out.push(`Knowledge folder ${summary.knowledge}: ${plural(summary.files, "file")} read`);
  out.push(
    `Articles: ${summary.articles} (MS KB text ${summary.byFormat.mskb}, Markdown ${summary.byFormat.markdown})`,
  );
  if (summary.byProduct.length > 0) {
    out.push("By product:");
    const width = Math.max(
      ...summary.byProduct.slice(0, MAX_PRODUCTS_SHOWN).map((p) => String(p.articles).length),
    );
    for (const p of summary.byProduct.slice(0, MAX_PRODUCTS_SHOWN)) {
      out.push(`  ${String(p.articles).padStart(width)}  ${p.product}`);
    }
    const rest = summary.byProduct.length - MAX_PRODUCTS_SHOWN;
    if (rest > 0) out.push(`  ... and ${plural(rest, "more product")} (see --json)`);
  }
  if (summary.withoutQuotedError.length > 0) {
    out.push(
      `Articles with no quoted error message (${summary.withoutQuotedError.length}; matched on prose only, so quote the exact text users see):`,
    );
    for (const a of summary.withoutQuotedError)
      out.push(`  ${a.id}  ${path.join(summary.knowledge, a.source)}`);
  }
  if (summary.ignored.length > 0) {
    out.push(`Ignored (not .txt or .md): ${summary.ignored.join(", ")}`);
  }
  for (const problem of summary.problems) out.push(formatProblem(summary.knowledge, problem));
  out.push(`${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")}`);
  return out.join("\n");
}

/** A parsed article as `triage kb show` prints it: every field, in reading order. */
export function formatArticle(article: Article): string {
  const out: string[] = [`${article.id}  ${article.title}`];
  out.push(`Source: ${article.source} (${article.format === "mskb" ? "MS KB text" : "Markdown"})`);
  if (article.url) out.push(`URL: ${article.url}`);
  if (article.products.length > 0) out.push(`Products: ${article.products.join("; ")}`);
  if (article.keywords.length > 0) out.push(`Keywords: ${article.keywords.join(" ")}`);
  if (article.queryWords.length > 0) out.push(`Query words: ${article.queryWords.join(" ")}`);
  out.push("", `Quoted errors (${article.errors.length}):`);
  for (const error of article.errors) out.push(`  - ${error}`);
  const sections: [string, string][] = [
    ["SYMPTOMS", article.symptoms],
    ["CAUSE", article.cause],
    ["RESOLUTION", article.resolution],
    ["WORKAROUND", article.resolution === article.workaround ? "" : article.workaround],
    ["STATUS", article.status],
    ["MORE INFORMATION", article.moreInfo],
  ];
  for (const [heading, text] of sections) {
    if (text) out.push("", heading, "=".repeat(heading.length), text);
  }
  return out.join("\n");
}
