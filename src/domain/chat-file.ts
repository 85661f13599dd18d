/**
 * Files Rewind posts in chat (a post-mortem draft, a history export), and the port a platform's
 * replier implements to post them. A replier without it answers with a message instead.
 */
import { z } from 'zod';
import type { Conversation, Replier, ReplyTarget } from './ports';

export const FILE_TYPES = {
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
} as const;
export type FileFormat = keyof typeof FILE_TYPES;
export const FileFormat = z.enum(Object.keys(FILE_TYPES) as [FileFormat, ...FileFormat[]]);

export const ChatFile = z.object({
  /** A safe file name: letters, digits, `.`, `_`, `-` (no path). */
  name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,99}$/),
  title: z.string().min(1).max(200),
  format: FileFormat,
  content: z.string(),
  /** One line posted with the file: what it is and what it covers. */
  comment: z.string().min(1).max(500),
});
export type ChatFile = z.infer<typeof ChatFile>;

/** A rollback's thread on a chat platform, linked where the platform can tell its address. */
export interface ThreadLink {
  platform: string;
  channel: string;
  url?: string;
}

/** Where a file went, for the reply to the person who asked. */
export interface PostedFile {
  /** `the rollback's thread`, `this channel`: plain words, read in the channel where the command was typed. */
  where: string;
  /** The platform's page for the file or the message that carries it. */
  link?: string;
}

export interface FileReplier extends Replier {
  /**
   * Posts `file` where the person asked: in the rollback's thread when `about` is a rollback with a
   * thread in that channel, else in the channel itself. Undefined when this target has no channel to
   * post in; throws (retryably where the platform allows) when the platform refuses.
   */
  postFile(target: ReplyTarget, file: ChatFile, about?: Conversation): Promise<PostedFile | undefined>;
  /** Permalinks of the rollback's threads on this platform, for a file that links them; best effort. */
  threadLinks?(target: ReplyTarget, about: Conversation): Promise<ThreadLink[]>;
}

/**
 * The platform will not take the file where it was asked for (the bot is not in that channel, it
 * may not attach files there): retrying cannot help, so the person gets the file's start and where
 * to fetch it instead. `reason` says what the platform answered, in words a person can act on.
 */
export class FileRefusedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FileRefusedError';
  }
}

export function canPostFiles(replier: Replier): replier is FileReplier {
  return typeof (replier as Partial<FileReplier>).postFile === 'function';
}

export function mimeTypeOf(file: Pick<ChatFile, 'format'>): string {
  return FILE_TYPES[file.format];
}

export function byteSize(file: Pick<ChatFile, 'content'>): number {
  return new TextEncoder().encode(file.content).length;
}
