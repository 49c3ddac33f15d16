import * as openid from '../../../src/openid';
import { OpenIdError } from '../../../src/openid';

describe('protocol errors', () => {
  type ErrorClass = (new (...args: unknown[]) => OpenIdError) & { readonly name: string };
  const errorClasses = (Object.values(openid) as unknown[]).filter(
    (value): value is ErrorClass =>
      typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof OpenIdError,
  );

  it('exports one subclass per failure, each named …Error with a SCREAMING_SNAKE code', () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(15);
    for (const ErrorClass of errorClasses) {
      const error = new ErrorClass('x', 'y', 'z');
      expect(ErrorClass.name).toMatch(/Error$/);
      expect(error.name).toBe(ErrorClass.name);
      expect(error.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    }
  });

  it('never carries a URL to redirect to: indirect errors are shown as a page', () => {
    for (const ErrorClass of errorClasses) {
      const error = new ErrorClass('x', 'y', 'z');
      expect(error).not.toHaveProperty('returnTo');
      expect(error).not.toHaveProperty('allowRedirect');
    }
    expect(openid).not.toHaveProperty('indirectErrorResponse');
    expect(openid).not.toHaveProperty('buildIndirectErrorResponse');
  });

  it('hides the text of internal encoding errors from users', () => {
    expect(new openid.KvFormEncodingError('value contains LF').expose).toBe(false);
    const response = openid.directErrorResponse(new openid.KvFormEncodingError('secret detail'));
    expect(response.body).not.toContain('secret detail');
  });

  it('carries the suggested pair on unsupported association types', () => {
    const error = new openid.UnsupportedAssociationTypeError('no', 'DH-SHA256', 'HMAC-SHA256');
    expect(error).toMatchObject({ code: 'UNSUPPORTED_ASSOCIATION_TYPE', suggestedSessionType: 'DH-SHA256', suggestedAssocType: 'HMAC-SHA256' });
  });
});
