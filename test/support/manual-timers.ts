/** An `Every` a test fires by hand: periodic work runs when the test says, not when a timer does. */
import type { Every } from '../../src/domain/ports';

export class ManualTimers {
  private readonly ticks = new Set<() => void>();

  readonly every: Every = (_ms, tick) => {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  };

  /** Runs every registered tick once. */
  fire(): void {
    for (const tick of [...this.ticks]) tick();
  }

  get running(): number {
    return this.ticks.size;
  }
}
