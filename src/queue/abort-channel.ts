/**
 * Cancel and abort must reach the process running the rollback, wherever it is: a Redis pub/sub
 * message fires the AbortController that process registered for the rollback.
 */
import type { RedisClient } from '../redis/redis-client';

export class AbortChannel {
  private readonly controllers = new Map<string, Set<AbortController>>();
  private readonly channel: string;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient | undefined,
    prefix: string,
  ) {
    this.channel = `${prefix}:abort`;
  }

  /** Starts listening (worker processes only). */
  async listen(): Promise<void> {
    if (!this.subscriber) return;
    this.subscriber.on('message', (channel: string, rollbackId: string) => {
      if (channel === this.channel) this.fire(rollbackId);
    });
    await this.subscriber.subscribe(this.channel);
  }

  async publish(rollbackId: string): Promise<void> {
    await this.publisher.publish(this.channel, rollbackId);
  }

  /** A signal that fires when `rollbackId` is cancelled or aborted, or when `parent` fires. */
  register(rollbackId: string, parent?: AbortSignal): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const onParent = () => controller.abort(parent?.reason);
    parent?.addEventListener('abort', onParent, { once: true });
    const set = this.controllers.get(rollbackId) ?? new Set();
    set.add(controller);
    this.controllers.set(rollbackId, set);
    return {
      signal: controller.signal,
      release: () => {
        parent?.removeEventListener('abort', onParent);
        set.delete(controller);
        if (set.size === 0) this.controllers.delete(rollbackId);
      },
    };
  }

  private fire(rollbackId: string): void {
    for (const controller of this.controllers.get(rollbackId) ?? []) controller.abort(new Error(`rollback ${rollbackId} was cancelled or aborted`));
  }
}
