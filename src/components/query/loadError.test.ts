/** The picker's message for each kind of failure. */
import { API_ERROR_KINDS, ApiError, errorFromResponse } from '../../api/errors';
import { PICKER_MESSAGES, describeLoadError } from './loadError';

const JS_TEXT = 'Cannot read properties of undefined (reading "data")';

describe('describeLoadError', () => {
  it('has a message for every kind, and only for kinds', () => {
    expect(Object.keys(PICKER_MESSAGES).sort()).toEqual([...API_ERROR_KINDS].sort());
  });

  it.each(API_ERROR_KINDS)('%s: names the picker, and never a JavaScript error’s text', (kind) => {
    const error = new ApiError(kind, JS_TEXT, { status: 500 });
    const message = describeLoadError(error, 'Projects');
    expect(message).toMatch(/^Projects could not be listed: /);
    expect(message).not.toContain(JS_TEXT);
  });

  it('says a missing scope, as before', () => {
    expect(describeLoadError(errorFromResponse(403, {}, '/v1/organization/projects'), 'API keys')).toBe(
      'API keys could not be listed: the admin key lacks the Management API read scope (api.management.read). Type IDs instead.'
    );
  });

  it('keeps a plain JavaScript error’s text out of the picker', () => {
    expect(describeLoadError(new TypeError(JS_TEXT), 'Users')).toBe('Users could not be listed. Type IDs instead.');
  });
});
