/** Writes manifests/rewind.schema.json from the catalog's zod schema, for editor completion. Run: npm run schema */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogJsonSchema } from '../src/config/json-schema';

const target = join(__dirname, '..', 'manifests', 'rewind.schema.json');
writeFileSync(target, `${JSON.stringify(catalogJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
