// The runner config's `site_env`: the template's variable names and the builder's env file, never a
// value; absent for templates without variables; checked by the contract's schema.
import { sha256Hex } from '../../lib/common';
import { runnerConfigFor } from '../../lib/constructs/runner-config';
import { DEFAULT_SITE_ENV_DIR, parseRunnerConfig, siteEnvFile } from '../../lib/contract';
import { makeEnvironment, makeSharedImage } from '../fixtures/model';

const ENV = makeEnvironment();
const VGPU = makeSharedImage();
const TEMPLATE = {
  name: VGPU.template,
  file: `templates/${VGPU.template}.json`,
  sha256: sha256Hex('template'),
  variables: [
    { name: 'NVIDIA_GRID_DRIVER_URL', required: true, secret: true },
    { name: 'NVIDIA_GRID_DRIVER_SHA256', required: true, secret: false },
  ],
};

test('site_env names the variables and /etc/goldsmith/env/<template>.env', () => {
  const rc = runnerConfigFor(VGPU, ENV, TEMPLATE, {});
  expect(DEFAULT_SITE_ENV_DIR).toBe('/etc/goldsmith/env');
  expect(rc.site_env).toEqual({
    file: `/etc/goldsmith/env/${VGPU.template}.env`,
    variables: [
      { name: 'NVIDIA_GRID_DRIVER_URL', required: true, secret: true },
      { name: 'NVIDIA_GRID_DRIVER_SHA256', required: true, secret: false },
    ],
  });
  expect(runnerConfigFor(VGPU, ENV, TEMPLATE, {}, { siteEnvDir: '/srv/env/' }).site_env?.file).toBe(`/srv/env/${VGPU.template}.env`);
  expect(siteEnvFile('x', '/a/')).toBe('/a/x.env');
});

test('no variables, no site_env', () => {
  const rc = runnerConfigFor(VGPU, ENV, { ...TEMPLATE, variables: [] }, {});
  expect(rc).not.toHaveProperty('site_env');
  expect(runnerConfigFor(VGPU, ENV, { name: TEMPLATE.name, file: TEMPLATE.file, sha256: TEMPLATE.sha256 }, {})).not.toHaveProperty('site_env');
});

test('the schema has no place for a value and refuses bad declarations', () => {
  const rc = JSON.parse(JSON.stringify(runnerConfigFor(VGPU, ENV, TEMPLATE, {})));
  const bad = (siteEnv: unknown): string => {
    try {
      parseRunnerConfig({ ...rc, site_env: siteEnv }, 'images/x.json');
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  const v = { name: 'A', required: true, secret: true };
  expect(bad({ file: '/e/x.env', variables: [{ ...v, value: 's3cret' }] })).toBe('images/x.json: site_env.variables[0]: has unknown key value');
  expect(bad({ file: '/e/x.env', variables: [v], values: { A: 's3cret' } })).toBe('images/x.json: site_env: has unknown key values');
  expect(bad({ file: 'x.env', variables: [v] })).toBe('images/x.json: site_env.file: must be an absolute path, got "x.env"');
  expect(bad({ file: '/e/x.env', variables: [] })).toBe('images/x.json: site_env.variables: must not be empty');
  expect(bad({ file: '/e/x.env', variables: [v, v] })).toBe('images/x.json: site_env.variables[1].name: A is declared twice');
  expect(bad({ file: '/e/x.env', variables: [{ ...v, name: 'a' }] })).toBe('images/x.json: site_env.variables[0].name: "a" is not a site variable name ([A-Z][A-Z0-9_]*)');
  expect(bad({ file: '/e/x.env', variables: [{ ...v, name: 'PATH' }] })).toBe(
    'images/x.json: site_env.variables[0].name: "PATH" is reserved: PATH is read by the shell or by goldsmith itself',
  );
});
