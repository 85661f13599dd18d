/** Finds the live release and the release to roll back to, or says clearly why there is none. */
import { ErrorCode, RewindError, TargetUnavailableError } from '../domain/errors';
import type { DeployProvider } from '../domain/ports';
import { sameRelease, type Release } from '../domain/release';

export async function resolveTarget(
  provider: DeployProvider,
  where: { service: string; environment: string },
  requestedRelease: string | undefined,
  signal?: AbortSignal,
): Promise<{ from: Release; to: Release }> {
  const from = await provider.currentRelease(signal);
  const to = requestedRelease ? await provider.findRelease(requestedRelease, signal) : await provider.lastStable(signal);
  const label = `${where.service} (${where.environment})`;
  if (!to) {
    if (requestedRelease) {
      const recent = await provider.recentReleases(5, signal).catch(() => []);
      const available = recent.filter((r) => r.version !== from.version).map((r) => `\`${r.version}\``);
      throw new TargetUnavailableError(
        `Release \`${requestedRelease}\` is not one ${label} can roll back to on ${provider.type}.` +
          (available.length ? ` Recent releases: ${available.join(', ')}.` : '') +
          ' See `/rollback releases ' + where.service + ' ' + where.environment + '`.',
        { requestedRelease },
      );
    }
    throw new RewindError(ErrorCode.NothingToRollBack, `${label} has no earlier stable release to roll back to (live: \`${from.version}\`).`);
  }
  if (sameRelease(to, from)) {
    throw new RewindError(ErrorCode.NothingToRollBack, `${label} is already on \`${to.version}\`; nothing to roll back.`, { version: to.version });
  }
  return { from, to };
}
