// Debounced "latest request wins": the screens recompute on every edit, wait a
// moment for the typing to stop, and show only the answer to the newest request
// (an answer that arrives after a newer request was made is dropped).

export interface LatestHandlers<T> {
  /** The request is about to be sent (after the debounce). */
  start?: () => void;
  /** The answer to the newest request. */
  ok: (result: T) => void;
  /** The error of the newest request. */
  fail: (error: unknown) => void;
  /** The newest request finished, either way. */
  done?: () => void;
}

export class LatestRequest {
  private seq = 0;

  constructor(private readonly delayMs: number) {}

  /**
   * Sends `run()` after the debounce and hands its outcome to `handlers` if no
   * newer request was scheduled meanwhile. Returns the cleanup for `$effect`
   * (cancels the request if it has not been sent yet).
   */
  schedule<T>(run: () => Promise<T>, handlers: LatestHandlers<T>): () => void {
    const id = ++this.seq;
    const t = setTimeout(async () => {
      handlers.start?.();
      try {
        const r = await run();
        if (id === this.seq) handlers.ok(r);
      } catch (e) {
        if (id === this.seq) handlers.fail(e);
      } finally {
        if (id === this.seq) handlers.done?.();
      }
    }, this.delayMs);
    return () => clearTimeout(t);
  }
}
