// Runs tasks one at a time per key, in the order they came, and forgets a key once its last task ended (so the
// queue holds only keys with work in flight). One process's changes to a document then never race each other,
// and the optimistic check in Redis is left to settle races between replicas only.

/** A key's last queued task, settled either way: the next task starts when it has. */
interface Slot {
  done?: Promise<void>;
}

export class KeyedQueue {
  private readonly last = new Map<string, Slot>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.last.get(key)?.done;
    const slot: Slot = {};
    const result = (async () => {
      // A failure belongs to its own caller only: the next task starts whether this one succeeds or fails.
      await previous;
      try {
        return await task();
      } finally {
        // Forgotten before the caller sees the result, unless another task has queued behind this one.
        if (this.last.get(key) === slot) this.last.delete(key);
      }
    })();
    slot.done = result.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, slot);
    return result;
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.last.size;
  }
}
