/** Where a chat or paging sink finds an environment's incident communications (mention, announce, paging). */
import { NO_COMMS, type IncidentComms } from './incident-comms';
import type { Conversation, ServiceCatalog } from './ports';

export type CommsLookup = (where: Pick<Conversation, 'service' | 'environment'>) => IncidentComms;

/** None configured anywhere: what sinks built without a catalog (tests) use. */
export const noComms: CommsLookup = () => NO_COMMS;

/** From the catalog; an environment it no longer has (the catalog changed since) has none. */
export function commsLookup(catalog: Pick<ServiceCatalog, 'resolve'>): CommsLookup {
  return (where) => {
    try {
      return catalog.resolve(where.service, where.environment).comms;
    } catch {
      return NO_COMMS;
    }
  };
}

/** Whether any pager is configured, so the chat sinks keep a link to the thread for it. */
export function hasPager(comms: IncidentComms): boolean {
  return comms.paging.pagerduty !== undefined || comms.paging.opsgenie !== undefined;
}

/** The ChatRefs key under which a platform's sink keeps the link to the rollback's thread, for pagers. */
export function threadLinkKey(platform: 'slack' | 'discord'): string {
  return `link:${platform}`;
}
