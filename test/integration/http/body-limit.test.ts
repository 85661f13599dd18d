/**
 * Oversized bodies: the client that sent one reads a 413 that says the limit (the connection then
 * closes), whichever route it hit, and nothing is enqueued. A body just under the limit is read.
 */
import { request } from 'node:http';
import { FakeSlack, FAKE_SLACK_TOKEN } from '../../fakes/slack-api';
import { bluegreenCatalog, startHarness, type Harness } from '../../support/harness';
import { SIGNING_SECRET } from '../../support/slack-signing';

const MB = 1024 * 1024;

/** A raw POST that streams `bytes` of body, as a client that does not wait for the answer first would. */
function post(url: string, bytes: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(bytes), ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('request bodies over the limit', () => {
  let slack: FakeSlack;
  let h: Harness;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    h = await startHarness(bluegreenCatalog('http://127.0.0.1:9'), {
      http: true,
      console: true,
      slack: { botToken: FAKE_SLACK_TOKEN, signingSecret: SIGNING_SECRET, mode: 'http', apiUrl: slack.apiUrl },
    });
  });
  afterAll(async () => {
    await h.close();
    await slack.close();
  });

  const jobs = async () => Object.values(await h.rewind.queues.commands.getJobCounts()).reduce((a, b) => a + b, 0);

  it.each([
    ['/slack/events', 5 * MB],
    ['/console/api/commands', 2 * MB],
  ])('POST %s with %i bytes gets a 413 naming the limit, then the connection closes', async (path, bytes) => {
    const answer = await post(`${h.rewind.url}${path}`, bytes);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: `body larger than ${MB} bytes` });
    expect(answer.connection).toBe('close');
    expect(await jobs()).toBe(0);
  });

  it('a body that declares more than Rewind will ever read is refused without reading it', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.rewind.url}/slack/events`, { method: 'POST', headers: { 'content-length': String(1024 * MB) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      // A server that waits for the gigabyte instead never answers.
      req.setTimeout(5_000, () => req.destroy(new Error('no answer while the body was still coming')));
      req.write('a');
    });
    expect(answer).toBe(413);
  });

  it('reads a body under the limit (an unsigned one is then refused for its signature, not its size)', async () => {
    const answer = await post(`${h.rewind.url}/slack/events`, MB - 1024);
    expect(answer.status).toBe(401);
  });
});
