import assert from 'node:assert/strict';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { parseInput, ReplicationPolicyInput } from '../../policies/index.js';

/**
 * The field a policy body is refused for (undefined when it is accepted), checking that the
 * message starts with it, as the API's 400 does.
 */
export function refusedPolicyField(body: unknown): string | undefined {
  try {
    parseInput(ReplicationPolicyInput, body);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    assert.ok(error.message.startsWith(`${error.field}: `), error.message);
    return error.field;
  }
}
