/** Where a chat adapter remembers the platform ids of what it posted for a rollback (header ts, thread posts). */
export interface ChatRefs {
  get(rollbackId: string, key: string): Promise<string | undefined>;
  set(rollbackId: string, key: string, value: string): Promise<void>;
}
