/**
 * `/rollback releases`: recent releases with the live one marked and a "Roll back to this" button on
 * the others (at most five, one Discord action row).
 */
import type { Button, Message } from '../../domain/message';
import { isCurrentRelease, releaseLabel, releaseRef, type Release } from '../../domain/release';
import { LIMITS, formatTimestamp, moreLine, oneLine } from '../formatting';
import { rowSections } from './blocks';
import { compose } from './compose';

const MAX_LISTED = 10;

/** ISO dates shown in UTC like every other time; anything else as the provider wrote it. */
function deployedLabel(deployedAt: string | undefined): string | undefined {
  if (!deployedAt) return undefined;
  const ms = Date.parse(deployedAt);
  return Number.isFinite(ms) ? `deployed ${formatTimestamp(ms)}` : `deployed ${oneLine(deployedAt, 40)}`;
}

function releaseRow(release: Release, current: boolean): string {
  const parts = [
    releaseLabel(release),
    current ? 'CURRENT' : undefined,
    deployedLabel(release.deployedAt),
    release.status,
    release.description ? oneLine(release.description, release.versionUnknown ? 160 : 80) : undefined,
    release.versionUnknown && !current && release.slot ? `only on request: --to ${release.slot}` : undefined,
  ];
  return `${current ? '▶' : '•'} ${parts.filter(Boolean).join(' · ')}`;
}

export function releasesMessage(service: string, environment: string, current: Release, releases: readonly Release[]): Message {
  const listed = releases.some((r) => isCurrentRelease(r, current)) ? [...releases] : [current, ...releases];
  const shown = listed.slice(0, MAX_LISTED);
  const rows = shown.map((release) => releaseRow(release, isCurrentRelease(release, current)));
  if (listed.length > shown.length) rows.push(moreLine(listed.length - shown.length));
  const buttons: Button[] = shown
    // A release nobody can tell is switched to only when a person types its name, never by one click.
    .filter((release) => !isCurrentRelease(release, current) && !release.versionUnknown)
    .slice(0, LIMITS.buttons)
    .map((release) => ({ action: 'rollback_to', label: `Roll back to ${release.version}`, style: 'secondary', value: `${service}|${environment}|${releaseRef(release)}` }));
  const title = `Recent releases of ${service} (${environment})`;
  return compose({
    kind: 'releases',
    tone: 'info',
    title,
    text: `Live now: ${releaseLabel(current)}. A button starts a rollback to that release, under the usual policy and approvals.`,
    sections: rowSections('Releases', rows),
    buttons,
    fallback: `${title}: live ${current.version}`,
  });
}
