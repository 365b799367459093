/** Worker-thread entry of buildIndex: scans one run of articles and hands the result back (buffers moved). */
import { parentPort, workerData } from "node:worker_threads";
import type { Article } from "../knowledge/types.js";
import { type IndexOptions, scanArticles } from "./index.js";

const { articles, offset, options } = workerData as {
  articles: Article[];
  offset: number;
  options: IndexOptions;
};
const scan = scanArticles(articles, offset, options);
// Move the big buffers instead of copying them.
const buffers = [scan.postTerms, scan.postDocs, scan.postFreqs, scan.lengths].map(
  (a) => a.buffer as ArrayBuffer,
);
parentPort?.postMessage(scan, buffers);
