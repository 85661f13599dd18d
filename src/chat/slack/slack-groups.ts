/** Slack user-group membership for approver checks, cached briefly; a lookup failure means "not a member" (fail closed). */
import type { WebClient } from '@slack/web-api';
import type { GroupDirectory } from '../../domain/approvers';
import type { Platform } from '../../domain/actor';
import type { Clock } from '../../domain/ports';
import type { Logger } from '../../observability/logger';

const TTL_MS = 5 * 60_000;

export class SlackGroupDirectory implements GroupDirectory {
  private readonly cache = new Map<string, { members: readonly string[]; until: number }>();

  constructor(
    private readonly client: Pick<WebClient, 'usergroups'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async members(platform: Platform, groupId: string): Promise<readonly string[]> {
    if (platform !== 'slack') return [];
    const cached = this.cache.get(groupId);
    if (cached && cached.until > this.clock.now()) return cached.members;
    try {
      const result = await this.client.usergroups.users.list({ usergroup: groupId });
      const members = result.users ?? [];
      this.cache.set(groupId, { members, until: this.clock.now() + TTL_MS });
      return members;
    } catch (error) {
      this.logger.warn({ groupId, err: error }, 'could not read Slack user group; treating its members as not approvers');
      return [];
    }
  }
}
