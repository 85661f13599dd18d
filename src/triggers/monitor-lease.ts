/**
 * How long the monitor's leadership lasts without renewal. Half the shortest probe or rule
 * interval (at least 500 ms, at most 15 s), renewed three times as often: when the leader dies,
 * another process takes over within one interval.
 */
import type { Catalog } from '../config/catalog';

export function monitorLease(catalog: Catalog): { ttlMs: number; renewMs: number } {
  let shortest = 30_000;
  for (const service of catalog.services()) {
    for (const environment of catalog.environments(service)) {
      const auto = catalog.entry(service, environment).config.auto;
      if (auto?.health) shortest = Math.min(shortest, auto.health.interval);
      for (const rule of auto?.rules ?? []) shortest = Math.min(shortest, rule.interval);
    }
  }
  const ttlMs = Math.min(15_000, Math.max(500, Math.floor(shortest / 2)));
  return { ttlMs, renewMs: Math.max(100, Math.floor(ttlMs / 3)) };
}
