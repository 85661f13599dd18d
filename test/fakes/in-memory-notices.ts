/** Notices in memory: each posted notice keeps where it goes and its message, for assertions. */
import type { Message } from '../../src/domain/message';
import type { Conversation, Notices } from '../../src/domain/ports';

export class InMemoryNotices implements Notices {
  readonly posted: { id: string; where: Omit<Conversation, 'id'>; message: Message }[] = [];

  async post(where: Omit<Conversation, 'id'>, message: Message): Promise<string> {
    const id = `nt_${this.posted.length + 1}`;
    this.posted.push({ id, where: structuredClone(where), message: structuredClone(message) });
    return id;
  }

  async get(id: string): Promise<Conversation | undefined> {
    const notice = this.posted.find((n) => n.id === id);
    return notice ? { id, ...structuredClone(notice.where) } : undefined;
  }
}
