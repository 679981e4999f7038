// Destructive actions that can be undone for a while (UI.md): the action is
// hidden at once and only carried out when its delay has passed without Undo.

export interface Pending {
  id: number;
  /** What the toast says, e.g. 'Deleted "shop events"'. */
  message: string;
  /** The key hidden from lists while pending (e.g. the dataset name). */
  key: string;
  timer: ReturnType<typeof setTimeout>;
  commit: () => Promise<void>;
}

export class PendingActions {
  private items: Pending[] = [];
  private seq = 0;

  constructor(
    private delayMs: number,
    private onChange: (items: readonly Pending[]) => void,
    private onError: (e: unknown) => void,
  ) {}

  /** Schedule `commit` after the delay; returns the pending id. */
  schedule(key: string, message: string, commit: () => Promise<void>): number {
    const id = ++this.seq;
    const timer = setTimeout(() => void this.run(id), this.delayMs);
    this.items = [...this.items, { id, key, message, timer, commit }];
    this.onChange(this.items);
    return id;
  }

  /** Cancel a pending action (Undo). With no id, the latest. Returns whether one was undone. */
  undo(id?: number): boolean {
    const p = id === undefined ? this.items[this.items.length - 1] : this.items.find((x) => x.id === id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.remove(p.id);
    return true;
  }

  /** Carry out every pending action now (e.g. when the window closes). */
  async flush(): Promise<void> {
    await Promise.all(this.items.map((p) => this.run(p.id)));
  }

  isHidden(key: string): boolean {
    return this.items.some((p) => p.key === key);
  }

  get list(): readonly Pending[] {
    return this.items;
  }

  private async run(id: number): Promise<void> {
    const p = this.items.find((x) => x.id === id);
    if (!p) return;
    clearTimeout(p.timer);
    try {
      await p.commit();
    } catch (e) {
      this.onError(e);
    } finally {
      this.remove(id);
    }
  }

  private remove(id: number) {
    this.items = this.items.filter((x) => x.id !== id);
    this.onChange(this.items);
  }
}
