import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cloudsYamlPaths, CloudsConfigError, loadCloud, secureYamlPaths } from '../../lib/openstack/clouds';

const PASSWORD = 'S3cr3t-pa55word-never-print';
const SECRET = 'app-cred-secret-never-print';

let root: string;
let cwd: string;
let home: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-clouds-'));
  cwd = path.join(root, 'cwd');
  home = path.join(root, 'home');
  fs.mkdirSync(cwd);
  fs.mkdirSync(path.join(home, '.config', 'openstack'), { recursive: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const PASSWORD_CLOUD = `clouds:
  bgo-imagebuilder:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: builder
      password: ${PASSWORD}
      project_name: imagebuilder
      user_domain_name: Default
      project_domain_name: Default
    region_name: bgo
    interface: public
    identity_api_version: 3
  osl-imagebuilder:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example:5000
      application_credential_id: 0123abcd
      application_credential_secret: ${SECRET}
    region_name: osl
`;

function expectNoSecret(fn: () => unknown): CloudsConfigError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CloudsConfigError);
  const msg = (err as Error).message;
  expect(msg).not.toContain(PASSWORD);
  expect(msg).not.toContain(SECRET);
  expect(msg).not.toContain('\n');
  return err as CloudsConfigError;
}

test('search order: OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack, /etc/openstack', () => {
  expect(cloudsYamlPaths({ env: { OS_CLIENT_CONFIG_FILE: 'x/c.yaml' }, cwd, home })).toEqual([
    path.join(cwd, 'x/c.yaml'),
    path.join(cwd, 'clouds.yaml'),
    path.join(home, '.config/openstack/clouds.yaml'),
    '/etc/openstack/clouds.yaml',
  ]);
  expect(cloudsYamlPaths({ env: {}, cwd, home })[0]).toBe(path.join(cwd, 'clouds.yaml'));
  expect(secureYamlPaths({ env: { OS_CLIENT_SECURE_FILE: '/s.yaml' }, cwd, home })).toEqual([
    '/s.yaml',
    path.join(cwd, 'secure.yaml'),
    path.join(home, '.config/openstack/secure.yaml'),
    '/etc/openstack/secure.yaml',
  ]);
});

test('password entry from ~/.config/openstack/clouds.yaml', () => {
  const file = write(path.join(home, '.config/openstack/clouds.yaml'), PASSWORD_CLOUD);
  const c = loadCloud('bgo-imagebuilder', { env: {}, cwd, home });
  expect(c).toEqual({
    name: 'bgo-imagebuilder',
    source: file,
    authType: 'password',
    auth: {
      auth_url: 'https://keystone.example:5000/v3',
      username: 'builder',
      password: PASSWORD,
      project_name: 'imagebuilder',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    regionName: 'bgo',
    regions: ['bgo'],
    interface: 'public',
    verify: true,
  });
});

test('application credential entry', () => {
  write(path.join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
  const c = loadCloud('osl-imagebuilder', { env: {}, cwd, home });
  expect(c.authType).toBe('v3applicationcredential');
  expect(c.auth.application_credential_id).toBe('0123abcd');
  expect(c.auth.application_credential_secret).toBe(SECRET);
  expect(c.regionName).toBe('osl');
});

test('the first file found wins: OS_CLIENT_CONFIG_FILE over ./clouds.yaml over home', () => {
  write(path.join(home, '.config/openstack/clouds.yaml'), 'clouds: {a: {auth: {auth_url: http://home, username: u, password: p, project_id: x}}}');
  write(path.join(cwd, 'clouds.yaml'), 'clouds: {a: {auth: {auth_url: http://cwd, username: u, password: p, project_id: x}}}');
  const envFile = write(path.join(root, 'env.yaml'), 'clouds: {a: {auth: {auth_url: http://env, username: u, password: p, project_id: x}}}');
  expect(loadCloud('a', { env: {}, cwd, home }).auth.auth_url).toBe('http://cwd');
  expect(loadCloud('a', { env: { OS_CLIENT_CONFIG_FILE: envFile }, cwd, home }).auth.auth_url).toBe('http://env');
  fs.rmSync(path.join(cwd, 'clouds.yaml'));
  expect(loadCloud('a', { env: {}, cwd, home }).auth.auth_url).toBe('http://home');
});

test('secure.yaml is merged over the entry', () => {
  write(
    path.join(cwd, 'clouds.yaml'),
    'clouds:\n  a:\n    auth: {auth_url: "http://k", username: u, project_id: p, user_domain_id: default}\n    region_name: r1\n',
  );
  const secure = write(path.join(cwd, 'secure.yaml'), `clouds:\n  a:\n    auth:\n      password: ${PASSWORD}\n`);
  const c = loadCloud('a', { env: {}, cwd, home });
  expect(c.auth).toEqual({ auth_url: 'http://k', username: 'u', project_id: 'p', user_domain_id: 'default', password: PASSWORD });
  expect(c.secureSource).toBe(secure);
  expect(c.regionName).toBe('r1');
});

test('missing entry: one line naming the entry and the file', () => {
  const file = write(path.join(cwd, 'clouds.yaml'), PASSWORD_CLOUD);
  const err = expectNoSecret(() => loadCloud('nope', { env: {}, cwd, home }));
  expect(err.message).toBe(`clouds.yaml entry "nope" not found in ${file}`);
});

test('no clouds.yaml anywhere: lists where it looked', () => {
  const paths = [path.join(root, 'a.yaml'), path.join(root, 'b.yaml')];
  const err = expectNoSecret(() => loadCloud('x', { paths }));
  expect(err.message).toBe(`no clouds.yaml found (looked in ${paths.join(', ')})`);
});

test('invalid YAML: line and column, never the source text', () => {
  const file = write(path.join(cwd, 'clouds.yaml'), `clouds:\n  a:\n    auth: [\n      password: ${PASSWORD}\n    x: }\n`);
  const err = expectNoSecret(() => loadCloud('a', { env: {}, cwd, home }));
  expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid YAML at line \\d+, column \\d+`));
});

test.each([
  ['no auth block', 'clouds: {a: {region_name: r}}', /clouds\.a\.auth is missing or not a mapping$/],
  ['no auth_url', `clouds: {a: {auth: {username: u, password: ${PASSWORD}}}}`, /clouds\.a\.auth\.auth_url is missing$/],
  ['no password', 'clouds: {a: {auth: {auth_url: http://k, username: u}}}', /clouds\.a\.auth\.password is missing$/],
  ['no user', `clouds: {a: {auth: {auth_url: http://k, password: ${PASSWORD}}}}`, /clouds\.a\.auth needs username or user_id$/],
  [
    'app cred without secret',
    'clouds: {a: {auth_type: v3applicationcredential, auth: {auth_url: http://k, application_credential_id: i}}}',
    /clouds\.a\.auth\.application_credential_secret is missing$/,
  ],
  [
    'unsupported auth type',
    `clouds: {a: {auth_type: v3oidcpassword, auth: {auth_url: http://k, password: ${PASSWORD}}}}`,
    /clouds\.a\.auth_type "v3oidcpassword" is not supported/,
  ],
  [
    'identity v2',
    `clouds: {a: {identity_api_version: 2, auth: {auth_url: http://k, username: u, password: ${PASSWORD}}}}`,
    /identity_api_version must be 3$/,
  ],
  ['not a clouds file', `password: ${PASSWORD}`, /: no "clouds:" mapping$/],
  ['auth value not a string', `clouds: {a: {auth: {auth_url: http://k, username: u, password: [${PASSWORD}]}}}`, /clouds\.a\.auth\.password must be a string$/],
])('%s: clear error without secrets', (_name, yaml, re) => {
  write(path.join(cwd, 'clouds.yaml'), yaml);
  const err = expectNoSecret(() => loadCloud('a', { env: {}, cwd, home }));
  expect(err.message).toMatch(re);
});

test('interface, regions, verify, cacert and image_endpoint_override are read', () => {
  write(
    path.join(cwd, 'clouds.yaml'),
    `clouds:
  a:
    auth: {auth_url: http://k, user_id: uid, password: p, project_id: pid}
    interface: internalURL
    regions: [r1, {name: r2}]
    verify: false
    cacert: /etc/ssl/ca.pem
    image_endpoint_override: http://glance:9292
`,
  );
  const c = loadCloud('a', { env: {}, cwd, home });
  expect(c).toMatchObject({
    interface: 'internal',
    regions: ['r1', 'r2'],
    verify: false,
    cacert: '/etc/ssl/ca.pem',
    imageEndpointOverride: 'http://glance:9292',
  });
  expect(c.regionName).toBeUndefined();
});
