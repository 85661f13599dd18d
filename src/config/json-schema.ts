/** The catalog's JSON Schema, generated from the zod schema so the two can never disagree. */
import { z } from 'zod';
import { CatalogConfig } from './catalog-schema';

export function catalogJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(CatalogConfig, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://rewind.dev/schemas/catalog.json',
    title: 'Rewind service catalog',
    description: 'Services, environments, providers, verification and approval policy for Rewind. Durations: 500ms, 30s, 15m, 1h30m, or milliseconds.',
  };
}
