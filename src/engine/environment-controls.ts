/**
 * The switches people hold over automatic rollback, per service environment: unlock after a
 * rollback, pause, resume. Only approvers of the environment may flip them; every flip and every
 * refusal is in the audit stream.
 */
import { actorLabel, type Actor } from '../domain/actor';
import { isListed } from '../domain/approvers';
import { environmentApprovers } from '../domain/policy';
import { describeError, ErrorCode, RewindError } from '../domain/errors';
import type { Message } from '../domain/message';
import { capitalize } from '../messages/formatting';
import { infoReply } from '../messages/templates/replies';
import type { EngineDeps } from './engine-deps';

export type EnvironmentControl = 'unlock' | 'pause_auto' | 'resume_auto';

/** Undoes what the last rollback left held on the platform; says what it did, or throws with why it could not. */
async function releasePlatformHold(deps: EngineDeps, service: string, environment: string, actor: Actor): Promise<string | undefined> {
  const held = await deps.automation.platformHold(service, environment);
  if (!held) return undefined;
  const provider = deps.integrations.provider(service, environment);
  let done: string;
  try {
    done = provider.releaseHold ? await provider.releaseHold(held.hold) : `${provider.type} has nothing to undo for "${held.hold.description}"`;
  } catch (error) {
    const message = `Could not ${held.hold.undo} on ${provider.type} (${describeError(error)}); nothing was unlocked. Try \`/rollback unlock\` again, or do it on the platform.`;
    await deps.store.recordGlobalEvent({ at: deps.clock.now(), type: 'request.refused', actor, reason: message }, { control: 'unlock', service, environment, hold: held.hold.kind });
    throw new RewindError(ErrorCode.Provider, message, { hold: held.hold.kind });
  }
  await deps.automation.setPlatformHold(service, environment, undefined);
  return `${capitalize(done)} (held since ${held.rollbackId}).`;
}

export async function controlEnvironment(deps: EngineDeps, control: EnvironmentControl, actor: Actor, service: string, environment?: string): Promise<Message> {
  const target = deps.catalog.resolve(service, environment);
  const { service: svc, environment: env } = target;
  const audit = (reason: string, data: Record<string, unknown>) =>
    deps.store.recordGlobalEvent({ at: deps.clock.now(), type: 'request.refused', actor, reason }, { control, service: svc, environment: env, ...data });
  if (!(await isListed(actor, environmentApprovers(target.policy), deps.groups))) {
    const error = new RewindError(ErrorCode.NotAnApprover, `Only approvers of ${svc} (${env}) may ${control === 'unlock' ? 'unlock it' : control === 'pause_auto' ? 'pause automatic rollback' : 'resume automatic rollback'}.`);
    await audit(error.userMessage, { code: error.code });
    throw error;
  }
  const now = deps.clock.now();
  const who = actorLabel(actor);
  let text: string;
  let details: string[] = [];
  switch (control) {
    case 'unlock': {
      // The platform first: if undoing its hold fails, nothing here changes and unlock can be tried again.
      const released = await releasePlatformHold(deps, svc, env, actor);
      const lock = await deps.automation.lock(svc, env);
      await deps.automation.setLock(svc, env, undefined);
      if (!lock && !released) {
        text = `${svc} (${env}) was not locked; nothing changed.`;
        break;
      }
      text = `${svc} (${env}) unlocked by ${who}`;
      details = [lock ? `Automatic rollbacks may run again (it was locked: ${lock.reason}).` : undefined, released].filter((line): line is string => line !== undefined);
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
  const said = [text, ...details].join(' ');
  await deps.store.recordGlobalEvent({ at: now, type: 'automation.changed', actor, reason: said }, { control, service: svc, environment: env });
  deps.logger.info({ control, service: svc, environment: env, actor: actor.id }, said);
  return infoReply(text, details);
}
