import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '../../errors/regatta-error.js';
import { harborCronToTemporal } from '../../policies/index.js';

describe('harborCronToTemporal', () => {
  const converted: Array<[string, string]> = [
    ['0 0 */2 * * *', '0 */2 * * *'],
    ['0 30 2 * * *', '30 2 * * *'],
    ['0 0 0 * * 0', '0 0 * * 0'],
    ['0 15,45 8-18 ? * MON-FRI', '15,45 8-18 * * 1-5'],
    ['0 0 12 1 JAN,jul ?', '0 12 1 1,7 *'],
    ['  0   5  4  *  *  *  ', '5 4 * * *'],
    ['0 */15 * * * *', '*/15 * * * *'],
    ['0 10-40/5 * 1-15 2 sun', '10-40/5 * 1-15 2 0'],
  ];
  for (const [harbor, temporal] of converted) {
    it(`converts – "${harbor}" → "${temporal}"`, () => {
      assert.equal(harborCronToTemporal(harbor), temporal);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['0 0 * * *', /6 fields/],
    ['0 0 0 * * * 2030', /6 fields/],
    ['', /6 fields/],
    ['30 0 * * * *', /seconds must be 0/],
    ['*/5 0 * * * *', /seconds must be 0/],
    ['0 * * * * *', /minutes must not be/],
    ['0 */1 * * * *', /minutes must not be/],
    ['0 60 * * * *', /minutes: "60"/],
    ['0 0 24 * * *', /hours: "24"/],
    ['0 0 0 0 * *', /day of month: "0"/],
    ['0 0 0 * 13 *', /month: "13"/],
    ['0 0 0 * * 7', /day of week: "7"/],
    ['0 0 0 * FOO *', /month: "FOO"/],
    ['0 ? 0 * * *', /minutes: "\?"/],
    ['0 5-1 * * * *', /ends before it starts/],
    ['0 */0 * * * *', /step "0"/],
    ['0 1/2/3 * * * *', /more than one step/],
    ['0 1-2-3 * * * *', /not a range/],
    ['0 0 0 L * *', /day of month: "L"/],
    ['@every 1h', /6 fields/],
  ];
  for (const [harbor, message] of refused) {
    it(`refuses – "${harbor}"`, () => {
      assert.throws(
        () => harborCronToTemporal(harbor),
        (error: unknown) => errorCode(error) === 'INVALID_INPUT' && message.test((error as Error).message),
      );
    });
  }
});
