// One channel's stored messages, oldest first, with an index by ts: the fake Web API answers every
// chat.postMessage of a load run, so storing and finding must not scan the whole channel (a linear scan per
// post made a two-minute run at 200/s quadratic and slowed the fake down until the app's calls timed out).
// No Node imports: the emulator's workspace is meant to run in a browser sandbox too.
import { parseTs } from "./ids.js";

export interface TsMessage {
  ts: string;
  thread_ts?: string;
}

export class ChannelMessages<M extends TsMessage> {
  private readonly list: M[] = [];
  /** The numeric ts of `list[i]`, for the binary search. */
  private readonly keys: number[] = [];
  private readonly byTs = new Map<string, M>();
  /** Replies per thread root ts, oldest first. */
  private readonly replies = new Map<string, M[]>();

  get size(): number {
    return this.list.length;
  }

  get(ts: string | undefined): M | undefined {
    return ts === undefined ? undefined : this.byTs.get(ts);
  }

  /** Every message (top-level and replies), oldest first. The array is a copy; the messages are not. */
  all(): M[] {
    return [...this.list];
  }

  /** Inserts in ts order (appending is the common case, and O(1)). A ts is unique in a channel, as in Slack. */
  insert(message: M): void {
    if (this.byTs.has(message.ts)) throw new Error(`a message with ts ${message.ts} is already stored here`);
    const key = parseTs(message.ts) ?? 0;
    const at = this.insertionPoint(key);
    if (at === this.list.length) {
      this.list.push(message);
      this.keys.push(key);
    } else {
      this.list.splice(at, 0, message);
      this.keys.splice(at, 0, key);
    }
    this.byTs.set(message.ts, message);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const thread = this.replies.get(message.thread_ts) ?? [];
      insertByTs(thread, message);
      this.replies.set(message.thread_ts, thread);
    }
  }

  remove(message: M): void {
    if (this.byTs.get(message.ts) !== message) return;
    this.byTs.delete(message.ts);
    const at = this.indexOf(message);
    if (at !== -1) {
      this.list.splice(at, 1);
      this.keys.splice(at, 1);
    }
    if (message.thread_ts !== undefined) {
      const thread = this.replies.get(message.thread_ts);
      const i = thread?.indexOf(message) ?? -1;
      if (thread && i !== -1) thread.splice(i, 1);
      if (thread?.length === 0) this.replies.delete(message.thread_ts);
    }
  }

  /** The root (when stored) and its replies, oldest first. */
  thread(rootTs: string): M[] {
    const root = this.byTs.get(rootTs);
    const replies = this.replies.get(rootTs) ?? [];
    return root ? [root, ...replies] : [...replies];
  }

  private indexOf(message: M): number {
    const key = parseTs(message.ts) ?? 0;
    // Equal keys are possible only for malformed ts (parsed as 0): scan that run.
    for (let i = this.lowerBound(key); i < this.list.length && this.keys[i] === key; i++) {
      if (this.list[i] === message) return i;
    }
    return this.list.indexOf(message);
  }

  /** After every message with a key <= `key`, as a stable insert does. */
  private insertionPoint(key: number): number {
    const last = this.keys[this.keys.length - 1];
    if (last === undefined || last <= key) return this.keys.length;
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function insertByTs<M extends TsMessage>(thread: M[], message: M): void {
  const key = parseTs(message.ts) ?? 0;
  let at = thread.length;
  while (at > 0 && (parseTs((thread[at - 1] as M).ts) ?? 0) > key) at -= 1;
  thread.splice(at, 0, message);
}
