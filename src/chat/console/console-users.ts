/** Who the console lets a visitor act as: every console approver in the catalog, plus an on-call engineer and a guest who approve nothing. */
import { parseApproverRef } from '../../domain/approvers';
import type { ServiceCatalog } from '../../domain/ports';
import { SEVERITIES } from '../../domain/severity';

export interface ConsoleUser {
  id: string;
  name: string;
  role: 'approver' | 'requester' | 'viewer';
  note: string;
}

export function consoleUsers(catalog: ServiceCatalog): ConsoleUser[] {
  const approvers = new Set<string>();
  for (const service of catalog.services()) {
    for (const environment of catalog.environments(service)) {
      const { rules } = catalog.resolve(service, environment).policy;
      for (const severity of SEVERITIES) {
        const rule = rules[severity];
        if (rule.kind !== 'approval') continue;
        for (const raw of rule.approvers.console ?? []) {
          const ref = parseApproverRef('console', raw);
          if (ref.kind === 'user') approvers.add(ref.id);
        }
      }
    }
  }
  const users: ConsoleUser[] = [{ id: 'oncall', name: 'oncall', role: 'requester', note: 'on-call engineer, not an approver' }];
  for (const id of [...approvers].sort()) if (id !== 'oncall') users.push({ id, name: id, role: 'approver', note: 'approver' });
  users.push({ id: 'guest', name: 'guest', role: 'viewer', note: 'approves nothing' });
  return users;
}

export function consoleChannels(catalog: ServiceCatalog): string[] {
  const channels = new Set<string>();
  for (const service of catalog.services()) for (const environment of catalog.environments(service)) for (const c of catalog.resolve(service, environment).channels.console) channels.add(c);
  return [...channels];
}
