/** Runs demo-web's Render stand-in on its own (docker compose's demo-render): DEMO_RENDER_PORT, DEMO_RENDER_HOST. */
import { startDemoRender } from './demo-render';

async function main(): Promise<void> {
  const render = await startDemoRender({ port: Number(process.env['DEMO_RENDER_PORT'] ?? 8090), host: process.env['DEMO_RENDER_HOST'] ?? '127.0.0.1' });
  process.stdout.write(`demo Render stand-in (service srv-demoweb01) listening on ${render.url}\n`);
  const stop = () => void render.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
