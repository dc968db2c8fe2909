import { condition, patched } from '@temporalio/workflow';

/**
 * `patched(id)` for a patch every run on this path has recorded, read after a local activity.
 * On replay a local activity answers from its marker, and that marker can close the workflow task
 * before the one holding the patch's marker (when the activity answered after its task was
 * completed): `patched` is false until that task's markers are known, and the run would take the
 * old path. Waiting for the marker costs nothing when not replaying, where it is true at once.
 */
export async function recordedPatch(id: string): Promise<true> {
  if (!patched(id)) await condition(() => patched(id));
  return true;
}
