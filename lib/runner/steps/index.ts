// The steps of a build, in the order they run (and a dry run describes them).
import type { RunnerConfig } from '../../contract';
import type { BuildStep } from '../build-step';
import { bakeStep } from './bake';
import { convertStep, inspectStep, verifyStep } from './image';
import { prepareStep } from './prepare';
import { pruneStep, storeStep } from './publish';
import { downloadStep, fetchChecksumStep } from './upstream';

export const BUILD_STEPS: readonly BuildStep[] = Object.freeze([
  prepareStep,
  fetchChecksumStep,
  downloadStep,
  bakeStep,
  inspectStep,
  convertStep,
  verifyStep,
  storeStep,
  pruneStep,
]);

/** The steps that run for `config`, in order. */
export function buildStepsFor(config: RunnerConfig): BuildStep[] {
  return BUILD_STEPS.filter((s) => s.appliesTo?.(config) ?? true);
}
