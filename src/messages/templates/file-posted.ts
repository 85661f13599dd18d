/**
 * Answers to a command that produces a file: where the file was posted, or — where the chat cannot
 * take files (the console, a reply with no channel) — its opening lines and where to fetch it whole.
 */
import { byteSize, type ChatFile, type PostedFile } from '../../domain/chat-file';
import type { Message } from '../../domain/message';
import { code } from '../formatting';
import { compose } from './compose';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

export function filePosted(file: ChatFile, posted: PostedFile): Message {
  const title = `Posted ${file.name} in ${posted.where}`;
  return compose({
    kind: 'notice',
    tone: 'success',
    title,
    text: `${file.comment} (${size(byteSize(file))})${posted.link ? `\n${posted.link}` : ''}`,
    fallback: title,
  });
}

/**
 * `fetchFrom`: the API path that serves the same content, when there is one; `refused`: what the
 * platform answered when it would not take the file.
 */
export function fileNotPosted(file: ChatFile, fetchFrom?: string, refused?: string): Message {
  const title = `${file.title} (${size(byteSize(file))})`;
  const why = refused ? `The file could not be posted here: ${refused}.` : 'This chat cannot take files here.';
  return compose({
    kind: 'notice',
    tone: refused ? 'warning' : 'info',
    title,
    text: `${why} Here is the start of ${code(file.name)}.${fetchFrom ? ` The whole file: ${code(fetchFrom)} on Rewind's API.` : ''}`,
    sections: [{ text: file.content }],
    fallback: title,
  });
}
