/** Release identity: versions compare loosely (`v2.4.0` is `2.4.0`); a release of unknown version is known only by its slot. */
import { isCurrentRelease, releaseLabel, releaseRef, sameRelease, unknownRelease } from '../../../src/domain/release';

const blueKnown = { id: '2.4.0', version: '2.4.0', slot: 'blue' };
const blueUnknown = unknownRelease('blue', 'no history entry for blue');

describe('releases', () => {
  it('compare by version, ignoring a leading v', () => {
    expect(sameRelease(blueKnown, { id: 'x', version: 'v2.4.0' })).toBe(true);
    expect(sameRelease(blueKnown, { id: 'x', version: '2.4.1', slot: 'blue' })).toBe(false);
  });

  it('of unknown version match whatever their slot runs, and nothing elsewhere', () => {
    expect(sameRelease(blueUnknown, blueKnown)).toBe(true);
    expect(sameRelease(blueUnknown, { id: '2.4.1', version: '2.4.1', slot: 'green' })).toBe(false);
    expect(sameRelease(blueUnknown, { id: '2.4.0', version: '2.4.0' })).toBe(false);
  });

  it('of unknown version are never "current" by slot alone in a list', () => {
    expect(isCurrentRelease(blueKnown, blueUnknown)).toBe(false);
    expect(isCurrentRelease(blueUnknown, blueUnknown)).toBe(true);
    expect(isCurrentRelease({ id: 'd1', version: 'v2.4.0' }, blueKnown)).toBe(true);
  });

  it('are named for people and for --to', () => {
    expect([releaseLabel(blueKnown), releaseRef(blueKnown)]).toEqual(['2.4.0 (blue)', '2.4.0']);
    expect([releaseLabel(blueUnknown), releaseRef(blueUnknown)]).toEqual(['blue (release unknown)', 'blue']);
  });
});
