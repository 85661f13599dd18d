/**
 * A message create with files, as Discord's "Uploading Files" describes it: multipart/form-data
 * with the JSON body in `payload_json` and each file in `files[n]`. Built here as bytes rather than
 * through @discordjs/rest's `files` option, whose FormData (from its own undici) is not readable by
 * the newer undici that ends up as the process's global dispatcher ("action is not a function").
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  name: string;
  contentType: string;
  data: Buffer;
}

export function messageWithFiles(payload: unknown, files: readonly MultipartFile[]): { body: Buffer; contentType: string } {
  const boundary = `rewind-${randomBytes(16).toString('hex')}`;
  const parts: Buffer[] = [];
  const part = (disposition: string, contentType: string, data: Buffer) => {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: ${contentType}\r\n\r\n`), data, Buffer.from('\r\n'));
  };
  part('name="payload_json"', 'application/json', Buffer.from(JSON.stringify(payload), 'utf8'));
  files.forEach((file, i) => part(`name="files[${i}]"; filename="${file.name.replace(/["\r\n]/g, '_')}"`, file.contentType, file.data));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
