/** The step runners by name, in plan order. */
import type { StepName } from '../../domain/plan';
import { capture } from './capture';
import { precheck } from './precheck';
import { rollback } from './rollback';
import type { StepRunner } from './step';
import { summarize } from './summarize';
import { verify } from './verify';
import { waitLive } from './wait-live';

export const STEP_RUNNERS: Readonly<Record<StepName, StepRunner>> = {
  precheck,
  capture,
  rollback,
  wait_live: waitLive,
  verify,
  summarize,
};
