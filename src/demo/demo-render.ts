/**
 * demo-web: the demo's service on the local Render stand-in, seeded with a few good deploys. Used
 * by `npm run demo` and by Compose's demo-render container (render-main.ts).
 */
import { randomBytes } from 'node:crypto';
import { RenderService } from './render-service';

/** The stand-in accepts only this token, and manifests/demo.yaml names it: it guards nothing real. */
export const DEMO_RENDER_TOKEN = 'rnd_demo-token-for-the-local-render-stand-in';
export const DEMO_RENDER_SERVICE_ID = 'srv-demoweb01';

export async function startDemoRender(options: { port?: number; host?: string } = {}): Promise<RenderService> {
  const render = await RenderService.start({ token: DEMO_RENDER_TOKEN, serviceId: DEMO_RENDER_SERVICE_ID, ...options });
  const day = 86_400_000;
  ['add search', 'faster images', 'fix footer'].forEach((message, i) => {
    render.deploy(randomBytes(20).toString('hex'), message, { at: new Date(Date.now() - (3 - i) * day) });
  });
  return render;
}
