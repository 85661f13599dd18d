import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { catalogJsonSchema } from '../../../src/config/json-schema';

const ROOT = join(__dirname, '../../..');

describe('the catalog JSON Schema in manifests/', () => {
  const shipped = JSON.parse(readFileSync(join(ROOT, 'manifests/rewind.schema.json'), 'utf8')) as Record<string, unknown>;

  it('is the one generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(shipped).toEqual(catalogJsonSchema());
  });

  it('accepts the example catalog and rejects a typo in a field name', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(shipped);
    const example = parse(readFileSync(join(ROOT, 'manifests/rewind.example.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate(example)).toBe(true);
    const broken = structuredClone(example) as { services: Record<string, { environments: Record<string, Record<string, unknown>> }> };
    broken.services['checkout-api']!.environments['production']!['verfiy'] = [];
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('verfiy');
  });
});
