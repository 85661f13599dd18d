import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';
import { SecretScrubber, secretsFromEnv } from '../../../src/observability/secret-scrubber';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('logger redaction', () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-1111-2222-abcdefabcdef', REWIND_API_TOKEN: 'api-token-zzz999', REDIS_URL: 'redis://:redispass123@127.0.0.1:6379' };

  it('removes secrets by field and by value, wherever they appear', () => {
    const { lines, stream } = capture();
    const scrubber = new SecretScrubber([...secretsFromEnv(env), 'catalog-secret-777']);
    const logger = createLogger({ scrubber, destination: stream });
    logger.info({ headers: { authorization: 'Bearer abc.def.ghi' }, provider: { token: 'catalog-secret-777' } }, 'calling provider');
    logger.info({ url: 'https://deploy.example/hook?token=querysecret42&x=1' }, 'webhook');
    logger.error({ err: new Error('request failed with Authorization: Bearer api-token-zzz999') }, 'failed');
    logger.warn('slack said invalid_auth for xoxb-1111-2222-abcdefabcdef and redis redispass123; note catalog-secret-777');
    const output = lines.join('\n');
    for (const secret of ['abc.def.ghi', 'catalog-secret-777', 'querysecret42', 'api-token-zzz999', 'xoxb-1111-2222-abcdefabcdef', 'redispass123']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'calling provider', headers: { authorization: '[redacted]' } });
  });

  it('leaves ordinary text alone', () => {
    const scrubber = new SecretScrubber(['abc']);
    expect(scrubber.scrub('checkout-api rolled back to 2.4.0 in 12 s')).toBe('checkout-api rolled back to 2.4.0 in 12 s');
  });
});
