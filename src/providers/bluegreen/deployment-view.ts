/**
 * Reads a blue/green status answer, through the catalog's field map, into one view: which side is
 * live, which is idle, what each runs (or why nobody can tell), and whether a switch is under way.
 * Pure, so every shape a service may send is testable without a server.
 */
import type { BlueGreenStatusFields } from '../../config/catalog-schema';
import { sameVersion } from '../../domain/release';
import { readPath } from '../../json/json-path';

export interface HistoryEntry {
  version: string;
  environment?: string;
  deployedAt?: string;
  action?: string;
  status?: string;
  commit?: string;
}

export interface Side {
  name: string;
  /** The release this side runs, when the status says. */
  version?: string;
  /** Why the release is unknown (only when `version` is absent). */
  unknown?: string;
  deployedAt?: string;
  commit?: string;
  health?: string;
}

export interface DeploymentView {
  live: Side;
  /** Absent when the status does not let anyone tell which environment a switch goes to. */
  idle?: Side;
  idleProblem?: string;
  /** `stable`, or the service's word for what is under way (`switching`). */
  state: string;
  switching: boolean;
  /** Oldest first. */
  history: HistoryEntry[];
}

export type ViewResult = { ok: true; view: DeploymentView } | { ok: false; problem: string };

const IN_PROGRESS = /^(switching|deploying|rolling[ _-]?back|in[ _-]?progress|pending|queued|starting|updating|promoting|building)$/i;
const FAILED = /^(failed|failure|error|errored|aborted|canceled|cancelled|timed[ _-]?out|rejected)$/i;
/** History actions that only move traffic: they bring no new release to an environment. */
const TRAFFIC_MOVE = /^(rollback|roll[ _-]?back|switch|revert)$/i;
const COMPLEMENT: Record<string, string> = { blue: 'green', green: 'blue' };

export function isInProgress(status: string | undefined): boolean {
  return status !== undefined && IN_PROGRESS.test(status.trim());
}

export function isFailed(status: string | undefined): boolean {
  return status !== undefined && FAILED.test(status.trim());
}

export function isTrafficMove(entry: HistoryEntry): boolean {
  return entry.action !== undefined && TRAFFIC_MOVE.test(entry.action.trim());
}

/** A version or name as text: non-empty strings, and numbers (YAML-minded services send `2.4`). */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() ? value.trim() : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function textAt(value: unknown, path: string): string | undefined {
  const found = readPath(value, path);
  return found.found ? text(found.value) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** History entries that do not parse (no version) are skipped; order by time when every entry has one. */
function readHistory(body: unknown, fields: BlueGreenStatusFields): HistoryEntry[] {
  const found = readPath(body, fields.history);
  if (!found.found || !Array.isArray(found.value)) return [];
  const { entry: paths } = fields;
  const entries = found.value.flatMap((item): HistoryEntry[] => {
    const version = textAt(item, paths.version);
    if (!version) return [];
    const optional = { environment: paths.environment, deployedAt: paths.deployedAt, action: paths.action, status: paths.status, commit: paths.commit };
    const entry: HistoryEntry = { version };
    for (const [key, path] of Object.entries(optional) as [keyof typeof optional, string][]) {
      const value = textAt(item, path);
      if (value !== undefined) entry[key] = value;
    }
    return [entry];
  });
  const times = entries.map((e) => (e.deployedAt ? Date.parse(e.deployedAt) : NaN));
  if (entries.length > 1 && times.every(Number.isFinite)) {
    // A service that keeps its history newest first is read the same as one that appends.
    return entries.map((entry, i) => ({ entry, at: times[i]!, i })).sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.entry);
  }
  return entries;
}

interface MappedEnvironment {
  version?: string;
  deployedAt?: string;
  health?: string;
}

function readEnvironments(body: unknown, fields: BlueGreenStatusFields): Record<string, MappedEnvironment> | undefined {
  const found = readPath(body, fields.environments);
  if (!found.found || !isObject(found.value) || Object.keys(found.value).length === 0) return undefined;
  const out: Record<string, MappedEnvironment> = {};
  for (const [name, value] of Object.entries(found.value)) {
    const version = textAt(value, 'version');
    const deployedAt = textAt(value, 'deployedAt');
    const health = textAt(value, 'health');
    out[name] = { ...(version ? { version } : {}), ...(deployedAt ? { deployedAt } : {}), ...(health ? { health } : {}) };
  }
  return out;
}

function newestFor(history: readonly HistoryEntry[], environment: string): HistoryEntry | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.environment === environment) return history[i];
  return undefined;
}

/** The entry that brought `version` to `environment`: its deploy, else the newest switch to it. */
function deployOf(history: readonly HistoryEntry[], environment: string, version: string): HistoryEntry | undefined {
  const matching = history.filter((e) => e.environment === environment && sameVersion(e.version, version));
  return matching.filter((e) => !isTrafficMove(e)).at(-1) ?? matching.at(-1);
}

interface SideInputs {
  fields: BlueGreenStatusFields;
  environments: Record<string, MappedEnvironment> | undefined;
  history: HistoryEntry[];
}

/** What one environment runs: the map's word, else its newest history entry unless that one failed or is still going. */
function readSide(name: string, live: boolean, stated: string | undefined, inputs: SideInputs): Side {
  const { fields, environments, history } = inputs;
  const mapped = environments?.[name];
  const newest = newestFor(history, name);
  let version = stated ?? mapped?.version;
  let unknown: string | undefined;
  if (!version && newest) {
    if (isFailed(newest.status)) unknown = `the last deploy to ${name} (${newest.version}) ended ${newest.status}, so what ${name} runs now is uncertain`;
    else if (!live && isInProgress(newest.status)) unknown = `a deploy of ${newest.version} to ${name} is still ${newest.status}`;
    else version = newest.version;
  }
  if (!version && !unknown) {
    const where = [environments ? `${fields.environments}.${name}.version` : undefined, live ? fields.currentVersion : undefined].filter(Boolean);
    unknown = `the status has no ${where.length ? `${where.join(' or ')}, and no ` : ''}${fields.history} entry for ${name}`;
  }
  const deploy = version ? deployOf(history, name, version) : undefined;
  const deployedAt = mapped?.deployedAt ?? deploy?.deployedAt;
  return {
    name,
    ...(version ? { version } : { unknown: unknown! }),
    ...(deployedAt ? { deployedAt } : {}),
    ...(deploy?.commit ? { commit: deploy.commit } : {}),
    ...(mapped?.health ? { health: mapped.health } : {}),
  };
}

/** The other environment: the map's other key, else the one history names, else blue ↔ green. */
function idleName(live: string, inputs: SideInputs): { name: string } | { problem: string } {
  const { fields, environments, history } = inputs;
  const named = environments ? Object.keys(environments) : history.flatMap((e) => (e.environment ? [e.environment] : []));
  const others = [...new Set(named)].filter((name) => name !== live);
  if (others.length === 1) return { name: others[0]! };
  if (others.length > 1) return { problem: `the status names ${others.length} environments besides ${live} (${others.join(', ')}); a blue/green switch needs exactly one other` };
  const complement = COMPLEMENT[live.toLowerCase()];
  if (complement) return { name: live === live.toUpperCase() ? complement.toUpperCase() : complement };
  return { problem: `neither ${fields.environments} nor any ${fields.history} entry names an environment besides ${live}, so Rewind cannot tell where a switch would send traffic` };
}

export function readDeploymentView(body: unknown, fields: BlueGreenStatusFields): ViewResult {
  if (!isObject(body)) return { ok: false, problem: 'the answer is not a JSON object' };
  const live = textAt(body, fields.currentEnvironment);
  if (!live) return { ok: false, problem: `it has no ${fields.currentEnvironment} (the environment serving traffic)` };
  const inputs: SideInputs = { fields, environments: readEnvironments(body, fields), history: readHistory(body, fields) };
  const liveSide = readSide(live, true, textAt(body, fields.currentVersion), inputs);
  const other = idleName(live, inputs);
  const stated = textAt(body, fields.state);
  const newestLive = newestFor(inputs.history, live);
  const state = stated ?? (isInProgress(newestLive?.status) ? newestLive!.status! : 'stable');
  return {
    ok: true,
    view: {
      live: liveSide,
      ...('name' in other ? { idle: readSide(other.name, false, undefined, inputs) } : { idleProblem: other.problem }),
      state,
      switching: isInProgress(state),
      history: inputs.history,
    },
  };
}
