import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

type Transform = [string, Record<string, unknown>];
interface Project {
  displayName: string;
  transform?: Record<string, Transform>;
}

/**
 * `npm test` prints no warnings (issue 20): ts-jest warns at every worker start when its own
 * `isolatedModules` option is used, which is deprecated for the compiler option of that name.
 */
describe('the Jest configuration', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.config.js is CommonJS
  const config = require(join(ROOT, 'jest.config.js')) as { projects: Project[] };
  const transforms = config.projects.flatMap((project) => Object.values(project.transform ?? {}));

  it('gives ts-jest no deprecated option', () => {
    expect(transforms.length).toBeGreaterThan(0);
    for (const [name, options] of transforms) {
      expect(name).toBe('ts-jest');
      expect(Object.keys(options)).not.toContain('isolatedModules');
      expect(Object.keys(options)).not.toContain('globals');
    }
  });

  it('transpiles each file on its own through the compiler option instead', () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions.isolatedModules).toBe(true);
    for (const [, options] of transforms) {
      if (typeof options.tsconfig === 'object') expect((options.tsconfig as Record<string, unknown>).isolatedModules).toBe(true);
    }
  });
});
