/**
 * What a command answers with: a message, or a file (a post-mortem draft, a history export) that
 * the platform posts where the person asked, followed by a private line saying where it went.
 */
import { canPostFiles, FileRefusedError, type ChatFile, type FileReplier, type PostedFile, type ThreadLink } from '../domain/chat-file';
import type { Message } from '../domain/message';
import type { Conversation, Replier, ReplyTarget } from '../domain/ports';
import { fileNotPosted, filePosted } from '../messages/templates/file-posted';
import type { EngineLogger } from './engine-deps';

export interface FileAnswer {
  file: ChatFile;
  /** The rollback the file is about: its thread is where the file goes when asked from its channel. */
  about?: Conversation;
  /** The API path that serves the same content, for chats that cannot take files. */
  fetchFrom?: string;
  /** The file again with links to the rollback's threads, once the platform has said where they are. */
  withThreads?: (threads: readonly ThreadLink[]) => ChatFile;
}

export type Answer = Message | FileAnswer;

export function isFileAnswer(answer: Answer): answer is FileAnswer {
  return 'file' in answer;
}

/**
 * Posts the answer. Once a file is posted, a failed confirmation is logged, not retried: retrying
 * the command would post the file a second time.
 */
/** The file with thread links where the platform gives them; a failed lookup leaves the links out, not the file. */
async function linked(answer: FileAnswer, replier: FileReplier, target: ReplyTarget, logger: EngineLogger): Promise<ChatFile> {
  if (!answer.withThreads || !answer.about || !replier.threadLinks) return answer.file;
  try {
    return answer.withThreads(await replier.threadLinks(target, answer.about));
  } catch (error) {
    logger.warn({ err: error, platform: target.platform }, 'thread links not found; the file names the channels instead');
    return answer.file;
  }
}

export async function deliverAnswer(answer: Answer, replier: Replier, target: ReplyTarget, logger: EngineLogger): Promise<void> {
  if (!isFileAnswer(answer)) return replier.reply(target, answer);
  let posted: PostedFile | undefined;
  try {
    const file = canPostFiles(replier) ? await linked(answer, replier, target, logger) : answer.file;
    posted = canPostFiles(replier) ? await replier.postFile(target, file, answer.about) : undefined;
  } catch (error) {
    if (!(error instanceof FileRefusedError)) throw error;
    logger.warn({ file: answer.file.name, platform: target.platform, reason: error.reason }, 'the platform refused the file');
    return replier.reply(target, fileNotPosted(answer.file, answer.fetchFrom, error.reason));
  }
  if (!posted) return replier.reply(target, fileNotPosted(answer.file, answer.fetchFrom));
  try {
    await replier.reply(target, filePosted(answer.file, posted));
  } catch (error) {
    logger.warn({ err: error, file: answer.file.name, platform: target.platform }, 'file posted, but the confirmation could not be sent');
  }
}
