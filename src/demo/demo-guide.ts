/** The guided first run shown on the demo console, and the demo-only routes its buttons call. */
import { randomBytes } from 'node:crypto';
import type { Guide } from '../chat/console/console-routes';
import type { Route } from '../inbound/route';
import type { BlueGreenService } from './bluegreen-service';
import type { RenderService } from './render-service';

export const DEMO_GUIDE: Guide = {
  steps: [
    {
      id: 'break',
      title: 'Deploy the bad version',
      detail: 'demo-api 2.4.0 goes live on the idle side: /health answers 503 and half the traffic fails.',
      action: { label: 'Deploy 2.4.0 (bad)', method: 'POST', path: 'demo/deploy-bad' },
    },
    {
      id: 'rollback',
      title: 'Roll it back',
      detail: 'As oncall, type `/rollback demo-api production --severity critical` — critical runs at once. Or wait: after 5 failed health probes (about 15 s) Rewind rolls it back by itself. Watch the thread: preview, each step, verification, summary.',
    },
    {
      id: 'approval',
      title: 'Try the approval path',
      detail: 'Deploy the bad version again, then `/rollback demo-api --severity high` as oncall. Approve as guest or as oncall (refused), then switch "Acting as" to lead and approve. Automatic rollback holds back meanwhile: after a rollback the environment is locked until `/rollback unlock demo-api` (as lead).',
    },
    {
      id: 'render',
      title: 'Roll back a Render service',
      detail: 'demo-web runs on a local stand-in for Render\'s API. Deploy a bad commit, then `/rollback demo-web --severity critical`: Rewind turns auto-deploy off, starts a rollback deploy from the previous build and waits until Render reports it live. `/rollback unlock demo-web` (as lead) turns auto-deploy back on.',
      action: { label: 'Deploy a bad demo-web commit', method: 'POST', path: 'demo/render-deploy-bad' },
    },
    {
      id: 'root-cause',
      title: 'Record the root cause',
      detail: 'Click "Add root cause" on the summary; it appears in the summary and in `/rollback history`.',
    },
    {
      id: 'reset',
      title: 'Start over',
      detail: 'Deploys a good release so the demo can run again.',
      action: { label: 'Deploy a good release', method: 'POST', path: 'demo/reset' },
    },
  ],
};

function nextVersion(service: BlueGreenService): string {
  const current = String((service.status() as { currentVersion?: unknown }).currentVersion ?? '2.3.1');
  const [major = '2', minor = '3'] = current.split('.');
  return `${major}.${Number(minor) + 1}.0`;
}

export function demoRoutes(service: BlueGreenService, render: RenderService): Route[] {
  return [
    {
      method: 'POST',
      path: '/console/demo/render-deploy-bad',
      handler: () => {
        const commit = randomBytes(20).toString('hex');
        render.deploy(commit, 'speed up checkout (breaks it)', { bad: true });
        return { status: 200, body: { ok: true, message: `demo-web ${commit.slice(0, 7)} is live on Render and broken. Roll it back.` } };
      },
    },
    {
      method: 'POST',
      path: '/console/demo/deploy-bad',
      handler: () => {
        const version = nextVersion(service);
        service.deploy(version, { bad: true });
        return { status: 200, body: { ok: true, message: `demo-api ${version} is live and broken: /health answers 503. Roll it back.` } };
      },
    },
    {
      method: 'POST',
      path: '/console/demo/reset',
      handler: () => {
        const version = nextVersion(service);
        service.deploy(version);
        return { status: 200, body: { ok: true, message: `demo-api ${version} (good) is live.` } };
      },
    },
  ];
}
