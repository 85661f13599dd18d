/** JSON paths as the catalog writes them: what reads, and what `rewind validate` rejects with a reason. */
import { pathProblem, readPath } from '../../../src/json/json-path';

describe('readPath', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, $id: 'x', list: [10, 20, 30] };

  it.each([
    ['a.b.0.c', 1],
    ['a.b[1].c', 2],
    ['list[-1]', 30],
    ['list.-2', 20],
    ['$.a.b[0].c', 1],
    ['$id', 'x'],
  ])('reads %s', (path, value) => {
    expect(readPath(doc, path)).toEqual({ found: true, value });
  });

  it('reads the whole document at $ and misses what is not there', () => {
    expect(readPath(doc, '$')).toEqual({ found: true, value: doc });
    expect(readPath(doc, 'a.x')).toEqual({ found: false });
    expect(readPath(doc, 'list[3]')).toEqual({ found: false });
  });
});

describe('pathProblem', () => {
  it.each(['currentVersion', 'deploy.version', 'history[-1].version', 'items.0.id', '$.status', '$', 'matrix[0][1]', 'build-info.git_sha', 'build info.version'])('accepts %s', (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it.each([
    ['', '"" is empty'],
    ['a..b', '"" is not a field name or [index]'],
    ['a.', '"" is not a field name or [index]'],
    ['items[x]', '"items[x]" is not a field name or [index]'],
    ['items[0', '"items[0" is not a field name or [index]'],
    ['a. .b', '" " is not a field name or [index]'],
    ['items]0[', '"items]0[" is not a field name or [index]'],
  ])('rejects %j: %s', (path, reason) => {
    expect(pathProblem(path)).toContain(reason);
    expect(pathProblem(path)).toContain('"currentVersion", "deploy.version" or "history[-1].version"');
  });
});
