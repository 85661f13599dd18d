/** "Roll back to this" on a releases list: the button's value names service, environment and release. */
import type { Actor } from '../domain/actor';
import type { ReplyTarget } from '../domain/ports';
import type { CommandInput } from '../engine/commands';

/** The request a click on `value` (`service|environment|version`) stands for; undefined when the value is malformed. */
export function rollbackToRequest(
  value: string,
  click: { actor: Actor; reply: ReplyTarget; platform: 'slack' | 'discord' | 'console'; channelId?: string | undefined; interactionId: string },
): CommandInput | undefined {
  const [service, environment, version] = value.split('|');
  if (!service || !environment || !version) return undefined;
  return {
    type: 'request',
    reply: click.reply,
    request: {
      service,
      environment,
      targetRelease: version,
      requester: click.actor,
      origin: { platform: click.platform, ...(click.channelId ? { channelId: click.channelId } : {}), interactionId: click.interactionId },
      trigger: { kind: 'manual', source: click.platform, evidence: [] },
    },
  };
}
