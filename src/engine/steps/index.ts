/** The runner of each step: the built-in ones by name, and the catalog's plan steps. */
import { isBuiltinStep, type BuiltinStep, type StepName } from '../../domain/plan';
import { capture } from './capture';
import { planStep } from './plan-step';
import { precheck } from './precheck';
import { rollback } from './rollback';
import type { StepRunner } from './step';
import { summarize } from './summarize';
import { verify } from './verify';
import { waitLive } from './wait-live';

const BUILTIN_RUNNERS: Readonly<Record<BuiltinStep, StepRunner>> = {
  precheck,
  capture,
  rollback,
  wait_live: waitLive,
  verify,
  summarize,
};

export function runnerOf(name: StepName): StepRunner {
  return isBuiltinStep(name) ? BUILTIN_RUNNERS[name] : planStep(name);
}
