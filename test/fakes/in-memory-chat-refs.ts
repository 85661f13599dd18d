/** ChatRefs in a Map, for sink and pager tests that need no Redis. */
import type { ChatRefs } from '../../src/domain/chat-refs';

export class InMemoryChatRefs implements ChatRefs {
  readonly values = new Map<string, string>();

  async get(rollbackId: string, key: string): Promise<string | undefined> {
    return this.values.get(`${rollbackId} ${key}`);
  }

  async set(rollbackId: string, key: string, value: string): Promise<void> {
    this.values.set(`${rollbackId} ${key}`, value);
  }
}
