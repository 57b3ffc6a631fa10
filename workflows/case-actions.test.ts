import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionInputProblem } from './case-actions.ts';

describe('an analyst action\'s input, as a case workflow\'s update takes it', () => {
  it('takes the fields each action names', () => {
    assert.equal(actionInputProblem('claim', { actor: 'ann@bank.example' }), null);
    assert.equal(actionInputProblem('decline', { actor: 'ann', reasonCode: 'STOLEN_CARD' }), null);
    assert.equal(actionInputProblem('escalate', { actor: 'ann', reason: 'needs the lead' }), null);
  });

  it('says what the argument must be when it is not an object', () => {
    for (const input of [undefined, null, 'ann', 42, ['ann']]) {
      assert.equal(actionInputProblem('approve', input), 'approveCase takes one argument, an object {"actor": …}');
    }
    assert.equal(actionInputProblem('decline', undefined), 'declineCase takes one argument, an object {"actor": …, "reasonCode": …}');
  });

  it('names the field at fault', () => {
    assert.match(actionInputProblem('claim', {}) ?? '', /^actor: must name the analyst acting/);
    assert.match(actionInputProblem('claim', { actor: 7 }) ?? '', /^actor: /);
    assert.match(actionInputProblem('claim', { actor: 'ann smith' }) ?? '', /^actor: /);
    assert.match(actionInputProblem('claim', { actor: 'a'.repeat(129) }) ?? '', /^actor: /);
    assert.match(actionInputProblem('decline', { actor: 'ann' }) ?? '', /^reasonCode: must be a code/);
    assert.match(actionInputProblem('decline', { actor: 'ann', reasonCode: 'stolen card' }) ?? '', /^reasonCode: /);
    assert.match(actionInputProblem('escalate', { actor: 'ann', reason: ' ' }) ?? '', /^reason: must say why, in at most 500 characters/);
    assert.match(actionInputProblem('escalate', { actor: 'ann', reason: 'x'.repeat(501) }) ?? '', /^reason: /);
  });

  it('refuses fields the action does not take, as the API does', () => {
    assert.equal(actionInputProblem('claim', { actor: 'ann', reasonCode: 'X' }), '"reasonCode": not a field of claimCase, which takes {"actor": …}');
    assert.match(actionInputProblem('approve', { actor: 'ann', reason_code: 'X', note: 1 }) ?? '', /^"reason_code", "note": not a field of approveCase/);
  });
});
