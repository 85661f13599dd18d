import { resolveEnvRefs } from '../../../src/config/env-refs';

describe('resolveEnvRefs', () => {
  it('substitutes ${NAME} inside strings at any depth and reports the values it used', () => {
    const result = resolveEnvRefs(
      { a: { token: '${TOKEN}', url: 'http://${HOST}:8080' }, list: ['${HOST}'] },
      { TOKEN: 's3cr3t-value', HOST: 'deploy.internal' },
    );
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({ a: { token: 's3cr3t-value', url: 'http://deploy.internal:8080' }, list: ['deploy.internal'] });
    expect(result.substituted).toEqual(expect.arrayContaining(['s3cr3t-value', 'deploy.internal']));
  });

  it('names the path of every missing variable', () => {
    const result = resolveEnvRefs({ services: { api: { environments: { prod: { provider: { token: '${MISSING}' } } } } }, list: [1, '${ALSO}'] }, {});
    expect(result.problems).toEqual([
      { path: 'services.api.environments.prod.provider.token', message: 'environment variable MISSING is not set (referenced as ${MISSING})' },
      { path: 'list[1]', message: 'environment variable ALSO is not set (referenced as ${ALSO})' },
    ]);
  });

  it('keeps $${NAME} as a literal ${NAME}', () => {
    expect(resolveEnvRefs('cost: $${PRICE}', {}).value).toBe('cost: ${PRICE}');
  });
});
