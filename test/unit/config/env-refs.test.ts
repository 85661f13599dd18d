import { resolveEnvRefs } from '../../../src/config/env-refs';

describe('resolveEnvRefs', () => {
  it('substitutes ${NAME} inside strings at any depth and reports the values it used', () => {
    const result = resolveEnvRefs(
      { a: { token: '${TOKEN}', url: 'http://${HOST}:8080' }, list: ['${HOST}'] },
      { TOKEN: 's3cr3t-value', HOST: 'deploy.internal' },
    );
    expect(result.unset).toEqual([]);
    expect(result.value).toEqual({ a: { token: 's3cr3t-value', url: 'http://deploy.internal:8080' }, list: ['deploy.internal'] });
    expect(result.substituted).toEqual(expect.arrayContaining(['s3cr3t-value', 'deploy.internal']));
  });

  it('lists each unset variable once, with every path that uses it, and leaves the reference as written', () => {
    const result = resolveEnvRefs(
      { services: { api: { environments: { prod: { provider: { token: '${MISSING}', baseUrl: '${MISSING}/v1' } } } } }, list: [1, '${ALSO}', '${ALSO}-${ALSO}'] },
      {},
    );
    expect(result.unset).toEqual([
      { name: 'MISSING', paths: ['services.api.environments.prod.provider.token', 'services.api.environments.prod.provider.baseUrl'] },
      { name: 'ALSO', paths: ['list[1]', 'list[2]'] },
    ]);
    expect(result.value).toMatchObject({ list: [1, '${ALSO}', '${ALSO}-${ALSO}'] });
    expect(result.substituted).toEqual([]);
  });

  it('puts a placeholder where a variable is unset, when asked, and never counts it as a secret', () => {
    const result = resolveEnvRefs({ url: '${HOST}/health', token: '${TOKEN}' }, { TOKEN: 'real-token' }, (name, path) => `<${name} at ${path}>`);
    expect(result.value).toEqual({ url: '<HOST at url>/health', token: 'real-token' });
    expect(result.unset).toEqual([{ name: 'HOST', paths: ['url'] }]);
    expect(result.substituted).toEqual(['real-token']);
  });

  it('keeps $${NAME} as a literal ${NAME}', () => {
    expect(resolveEnvRefs('cost: $${PRICE}', {}).value).toBe('cost: ${PRICE}');
  });
});
