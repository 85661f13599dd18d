/**
 * Right before acting: re-read the live release and the target. If either moved since people saw
 * the preview (someone deployed, the idle side changed), stop: they approved a different change.
 */
import { describeError, isRewindError } from '../../domain/errors';
import { releaseLabel, sameRelease } from '../../domain/release';
import { mergeMigrations } from '../migration-listing';
import { resolveTarget } from '../resolve-target';
import { StepFailure, type StepRunner } from './step';

const REQUEST_AGAIN = 'Nothing was changed. Check the provider, then request the rollback again.';

export const precheck: StepRunner = async ({ record, provider, signal }) => {
  let resolved;
  try {
    resolved = await resolveTarget(provider, record, record.to?.id ?? record.requestedRelease, signal);
  } catch (error) {
    const message = isRewindError(error) ? error.userMessage : `Could not read ${provider.type}: ${describeError(error)}`;
    throw new StepFailure(isRewindError(error) ? error.code : 'precheck_failed', message, { providerChanged: false, nextSteps: [REQUEST_AGAIN] });
  }
  const { from, to } = resolved;
  if (record.from && !sameRelease(record.from, from)) {
    throw new StepFailure(
      'live_release_changed',
      `The live release changed from \`${record.from.version}\` to \`${from.version}\` since the request.`,
      { providerChanged: false, nextSteps: ['Nothing was changed. Request the rollback again so everyone sees the new from → to.'] },
    );
  }
  let preview = record.preview;
  // The provider could not describe the change at request time (a preview may hold only the listed migrations): ask again.
  if (!preview || record.previewError) {
    const described = await provider.describeChange(from, to, signal).catch(() => undefined);
    if (described) preview = preview ? { ...described, migrations: mergeMigrations(described.migrations, preview.migrations), ...(preview.migrationCheck ? { migrationCheck: preview.migrationCheck } : {}) } : described;
  }
  return {
    detail: `live ${releaseLabel(from)}, target ${releaseLabel(to)} is available`,
    apply: (draft) => {
      draft.from = from;
      draft.to = to;
      if (preview) draft.preview = preview;
      delete draft.previewError;
    },
  };
};
