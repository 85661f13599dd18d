/**
 * The switches people hold over automatic rollback, per service environment: unlock after a
 * rollback, pause, resume. Only approvers of the environment may flip them; every flip and every
 * refusal is in the audit stream.
 */
import { actorLabel, type Actor } from '../domain/actor';
import { isListed, type ApproverRefs } from '../domain/approvers';
import { ErrorCode, RewindError } from '../domain/errors';
import type { Message } from '../domain/message';
import { SEVERITIES } from '../domain/severity';
import { infoReply } from '../messages/templates/replies';
import type { EngineDeps } from './engine-deps';

export type EnvironmentControl = 'unlock' | 'pause_auto' | 'resume_auto';

function approversOf(deps: EngineDeps, service: string, environment: string): ApproverRefs {
  const merged: Record<'slack' | 'discord' | 'console', string[]> = { slack: [], discord: [], console: [] };
  const { rules } = deps.catalog.resolve(service, environment).policy;
  for (const severity of SEVERITIES) {
    const rule = rules[severity];
    if (rule.kind !== 'approval') continue;
    for (const platform of ['slack', 'discord', 'console'] as const) merged[platform].push(...(rule.approvers[platform] ?? []));
  }
  return merged;
}

export async function controlEnvironment(deps: EngineDeps, control: EnvironmentControl, actor: Actor, service: string, environment?: string): Promise<Message> {
  const target = deps.catalog.resolve(service, environment);
  const { service: svc, environment: env } = target;
  const audit = (reason: string, data: Record<string, unknown>) =>
    deps.store.recordGlobalEvent({ at: deps.clock.now(), type: 'request.refused', actor, reason }, { control, service: svc, environment: env, ...data });
  if (!(await isListed(actor, approversOf(deps, svc, env), deps.groups))) {
    const error = new RewindError(ErrorCode.NotAnApprover, `Only approvers of ${svc} (${env}) may ${control === 'unlock' ? 'unlock it' : control === 'pause_auto' ? 'pause automatic rollback' : 'resume automatic rollback'}.`);
    await audit(error.userMessage, { code: error.code });
    throw error;
  }
  const now = deps.clock.now();
  const who = actorLabel(actor);
  let text: string;
  switch (control) {
    case 'unlock': {
      const lock = await deps.automation.lock(svc, env);
      await deps.automation.setLock(svc, env, undefined);
      text = lock ? `${svc} (${env}) unlocked by ${who}: automatic rollbacks may run again (it was locked: ${lock.reason}).` : `${svc} (${env}) was not locked; nothing changed.`;
      break;
    }
    case 'pause_auto':
      await deps.automation.setPause(svc, env, { by: actor, at: now });
      text = `Automatic rollback of ${svc} (${env}) paused by ${who}. Triggers will only alert until \`/rollback resume-auto ${svc} ${env}\`.`;
      break;
    case 'resume_auto':
      await deps.automation.setPause(svc, env, undefined);
      text = `Automatic rollback of ${svc} (${env}) resumed by ${who}.`;
      break;
  }
  await deps.store.recordGlobalEvent({ at: now, type: 'automation.changed', actor, reason: text }, { control, service: svc, environment: env });
  deps.logger.info({ control, service: svc, environment: env, actor: actor.id }, text);
  return infoReply(text);
}
