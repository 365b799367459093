/**
 * Runs `run` at most once at a time: a call while it runs waits for one more run after it, shared by every
 * call made meanwhile, which then covers every change made meanwhile. For reloads, where a burst of requests
 * must not become a burst of rebuilds.
 */
export interface Coalesced<T> {
  (reason: string): Promise<T>;
  /** The run in progress, if any (to wait for it when closing). */
  readonly running: Promise<T> | null;
}

export function coalesced<T>(run: (reason: string) => Promise<T>): Coalesced<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const call = (reason: string): Promise<T> => {
    if (!running) {
      running = run(reason).finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(
      () => {
        queued = null;
        return call(reason);
      },
      () => {
        queued = null;
        return call(reason);
      },
    );
    return queued;
  };
  return Object.defineProperty(call, "running", { get: () => running }) as Coalesced<T>;
}
