/**
 * What automatic rollback says when it does not roll back: why it held back (a safety rail),
 * or, in shadow mode, what it would have done — always with the evidence that triggered it.
 */
import type { AutoSignal } from '../../domain/auto-signal';
import type { Message } from '../../domain/message';
import type { Release } from '../../domain/release';
import { code, lines } from '../formatting';
import { compose } from './compose';

interface Where {
  service: string;
  environment: string;
}

function evidence(signal: AutoSignal) {
  return [
    { heading: `Trigger: ${signal.title} (${signal.source})`, text: lines(signal.evidence.length ? signal.evidence : ['no further evidence']) },
    ...(signal.links.length ? [{ heading: 'Links', text: lines(signal.links) }] : []),
  ];
}

export function autoBlockedNotice(where: Where, signal: AutoSignal, reason: string): Message {
  return compose({
    kind: 'notice',
    tone: 'warning',
    title: `Automatic rollback not started: ${where.service} (${where.environment})`,
    text: `${reason} Nothing was changed; a person can still run ${code(`/rollback ${where.service} ${where.environment}`)}.`,
    sections: evidence(signal),
    footer: [`dedupe ${signal.dedupeKey}`],
  });
}

export function shadowNotice(where: Where, signal: AutoSignal, target: { from?: Release | undefined; to?: Release | undefined }): Message {
  const change = target.from && target.to ? ` from ${code(target.from.version)} to ${code(target.to.version)}` : '';
  return compose({
    kind: 'notice',
    tone: 'info',
    title: `Shadow mode: Rewind would have rolled back ${where.service} (${where.environment})`,
    text: `It would have rolled back${change} because of ${signal.title}. Shadow mode is on: nothing was changed.`,
    sections: evidence(signal),
    footer: [`dedupe ${signal.dedupeKey}`],
  });
}

export interface AutomationStatusEntry {
  service: string;
  environment: string;
  enabled: boolean;
  shadow: boolean;
  paused?: string | undefined;
  locked?: string | undefined;
  monitors: string[];
}

/** One line per environment with automatic rollback: probes and rules with their state, pauses and locks. */
export function automationStatus(entries: readonly AutomationStatusEntry[]): Message {
  const rows = entries.map((e) => {
    const flags = [e.shadow ? 'shadow mode' : undefined, e.paused ? `paused (${e.paused})` : undefined, e.locked ? `locked (${e.locked})` : undefined].filter(Boolean);
    return `${e.service} (${e.environment}): ${flags.length ? flags.join(', ') : 'armed'} — ${e.monitors.join('; ') || 'alerts only'}`;
  });
  return compose({
    kind: 'status',
    tone: 'info',
    title: 'Automatic rollback',
    text: rows.length ? lines(rows) : 'No environment has automatic rollback configured.',
  });
}
