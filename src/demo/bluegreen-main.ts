/**
 * Runs the demo blue/green service on its own (docker compose's demo-api): DEMO_SERVICE_PORT,
 * DEMO_SERVICE_HOST, and DEMO_STATUS_SHAPE=seed to answer with only seed 004's documented fields.
 */
import { BlueGreenService, parseStatusShape } from './bluegreen-service';

async function main(): Promise<void> {
  const service = await BlueGreenService.start({
    blue: { version: '2.3.1' },
    green: { version: '2.3.0' },
    live: 'blue',
    statusShape: parseStatusShape(process.env['DEMO_STATUS_SHAPE']),
    port: Number(process.env['DEMO_SERVICE_PORT'] ?? 8080),
    host: process.env['DEMO_SERVICE_HOST'] ?? '127.0.0.1',
  });
  process.stdout.write(`demo blue/green service listening on ${service.url}\n`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
