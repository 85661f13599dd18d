/** What a rollback from one pod template to another changes, per container, in words for the preview. */
import type { Container, PodTemplate } from './kubernetes-schemas';

function envOf(container: Container): Map<string, string> {
  return new Map((container.env ?? []).map((e) => [e.name, e.value ?? JSON.stringify(e.valueFrom ?? null)]));
}

function refsOf(container: Container): string[] {
  return (container.envFrom ?? []).flatMap((from) => [
    ...(from.configMapRef ? [`ConfigMap ${from.configMapRef.name}`] : []),
    ...(from.secretRef ? [`Secret ${from.secretRef.name}`] : []),
  ]);
}

function envChanges(name: string, from: Container, to: Container): string[] {
  const before = envOf(from);
  const after = envOf(to);
  const out: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) out.push(`${name}: env ${key} comes back`);
    else if (before.get(key) !== value) out.push(`${name}: env ${key} changes back`);
  }
  for (const key of before.keys()) if (!after.has(key)) out.push(`${name}: env ${key} is removed`);
  return out;
}

function containerChanges(from: Container | undefined, to: Container): string[] {
  if (!from) return [`container ${to.name} comes back (${to.image ?? 'no image'})`];
  const out = from.image !== to.image ? [`${to.name}: image ${from.image ?? '(none)'} → ${to.image ?? '(none)'}`] : [];
  out.push(...envChanges(to.name, from, to));
  const refsBefore = refsOf(from);
  const refsAfter = refsOf(to);
  for (const ref of refsAfter) if (!refsBefore.includes(ref)) out.push(`${to.name}: reads ${ref} again`);
  for (const ref of refsBefore) if (!refsAfter.includes(ref)) out.push(`${to.name}: stops reading ${ref}`);
  return out;
}

/** Image, env and envFrom changes, container by container; containers the target lacks are named as removed. */
export function templateChanges(from: PodTemplate, to: PodTemplate): string[] {
  const before = new Map(from.spec.containers.map((c) => [c.name, c]));
  const out = to.spec.containers.flatMap((c) => containerChanges(before.get(c.name), c));
  const kept = new Set(to.spec.containers.map((c) => c.name));
  for (const c of from.spec.containers) if (!kept.has(c.name)) out.push(`container ${c.name} is removed`);
  return out;
}
