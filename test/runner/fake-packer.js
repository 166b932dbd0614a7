#!/usr/bin/env node
// A stand-in for `packer` in test/runner/packer-baker.test.ts. The real packer would boot the source
// image in Nova, provision it over SSH and snapshot it into Glance; Nova (and a VM to SSH into) is
// a boundary these tests cannot run. This fake talks to the REAL test Glance instead, the way
// packer's openstack builder does at its edges: it checks the source image the baker uploaded
// exists (active, private, tagged), creates and uploads the "snapshot" image named by -var
// image_name, and writes packer's manifest (post-processor "manifest") to -var manifest_path.
//
//   fake-packer.js version
//   fake-packer.js build -color=false -var k=v ... <template>
//
// Environment:
//   FAKE_GLANCE_ENDPOINT, FAKE_GLANCE_HEADERS (JSON)  the test Glance and its trusted-auth headers
//   FAKE_PACKER_ARTIFACT   file whose bytes become the artifact image (disk_format raw)
//   FAKE_PACKER_RECORD     write { argv, cwd, env, site, tmpdir, key, source } here (JSON) before
//                          doing anything else: site = its GOLDSMITH_SITE_* variables, tmpdir = mode
//                          of TMPDIR, key = mode, first line and public key blob of the
//                          ssh_private_key_file (OpenSSH format) as packer would read it
//   FAKE_NOVA_ENDPOINT, FAKE_NOVA_HEADERS (JSON)  the test's fake Nova: the server is "launched"
//                          only when the keypair named by ssh_keypair_name exists there (as Nova)
//   FAKE_PACKER_ECHO_SITE  print the value of GOLDSMITH_SITE_<this> (a script that prints a secret)
//   FAKE_PACKER_MODE       ok (default) | fail (artifact made, then exit 1) | hang (until SIGINT,
//                          then "clean up" and exit 1) | hang-hard (ignores SIGINT) |
//                          no-artifact (manifest without artifact_id) | no-manifest | wrong-name
//                          (artifact image created under another name) | no-data (artifact image
//                          created but never uploaded: stays queued)
//   FAKE_PACKER_ID_PREFIX  prefix of artifact_id in the manifest (e.g. "bgo:")
//   FAKE_PACKER_PID_FILE   write the pid here (hang modes)
'use strict';
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
const say = (l) => process.stdout.write(`${l}\n`);
const warn = (l) => process.stderr.write(`${l}\n`);

function errored(msg) {
  warn(`Build 'openstack' errored: ${msg}`);
  say('');
  say("==> Some builds didn't complete successfully and had errors:");
  say(`--> openstack: ${msg}`);
  say('');
  say('==> Builds finished but no artifacts were created.');
  process.exit(1);
}

async function glance(method, p, { body, raw, expect = [200] } = {}) {
  const headers = { ...JSON.parse(process.env.FAKE_GLANCE_HEADERS || '{}'), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw !== undefined) headers['Content-Type'] = 'application/octet-stream';
  const res = await fetch(process.env.FAKE_GLANCE_ENDPOINT + p, {
    method,
    headers,
    body: body !== undefined ? JSON.stringify(body) : raw,
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`Glance ${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** The public key blob (base64) inside an unencrypted OpenSSH private key file. */
function openSshPublicBlob(text) {
  const lines = text.trim().split('\n');
  if (lines[0] !== '-----BEGIN OPENSSH PRIVATE KEY-----' || lines[lines.length - 1] !== '-----END OPENSSH PRIVATE KEY-----') return undefined;
  const buf = Buffer.from(lines.slice(1, -1).join(''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
  let at = magic.length;
  const str = () => {
    const n = buf.readUInt32BE(at);
    const v = buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return v;
  };
  if (str().toString() !== 'none' || str().toString() !== 'none') return undefined;
  str();
  if (buf.readUInt32BE(at) !== 1) return undefined;
  at += 4;
  return str().toString('base64');
}

function keyRecord(file) {
  if (!file) return undefined;
  const st = fs.statSync(file);
  const text = fs.readFileSync(file, 'utf8');
  return { mode: (st.mode & 0o777).toString(8), header: text.split('\n')[0], publicBlob: openSshPublicBlob(text) };
}

function parseBuildArgs(args) {
  if (args[0] !== 'build') throw new Error(`expected "build", got ${JSON.stringify(args[0])}`);
  const vars = {};
  let i = 1;
  let template;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '-color=false') continue;
    if (a === '-var') {
      const kv = args[++i];
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`bad -var ${JSON.stringify(kv)}`);
      const k = kv.slice(0, eq);
      if (k in vars) throw new Error(`variable ${k} given twice`);
      vars[k] = kv.slice(eq + 1);
      continue;
    }
    if (a.startsWith('-')) throw new Error(`unexpected flag ${a}`);
    if (template !== undefined) throw new Error(`two templates: ${template} ${a}`);
    template = a;
  }
  if (!template) throw new Error('no template');
  return { vars, template };
}

async function main() {
  if (argv[0] === 'version') {
    say('Packer v1.6.6-fake');
    return;
  }
  let parsed;
  try {
    parsed = parseBuildArgs(argv);
  } catch (e) {
    warn(`Error: ${e.message}`);
    process.exit(2);
  }
  const { vars, template } = parsed;
  const mode = process.env.FAKE_PACKER_MODE || 'ok';
  if (process.env.FAKE_PACKER_PID_FILE) fs.writeFileSync(process.env.FAKE_PACKER_PID_FILE, String(process.pid));

  let source;
  try {
    source = await glance('GET', `/v2/images/${encodeURIComponent(vars.source_image || '-')}`, { expect: [200, 404] });
  } catch (e) {
    errored(`cannot reach Glance: ${e.message}`);
  }
  if (process.env.FAKE_PACKER_RECORD) {
    const env = {};
    for (const k of ['OS_CLOUD', 'OS_REGION_NAME', 'PACKER_NO_COLOR', 'CHECKPOINT_DISABLE']) env[k] = process.env[k];
    const site = {};
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith('GOLDSMITH_SITE_')) site[k] = v;
    const tmpdir = process.env.TMPDIR ? { path: process.env.TMPDIR, mode: (fs.statSync(process.env.TMPDIR).mode & 0o777).toString(8) } : undefined;
    const keyInEnv = Object.values(process.env).some((v) => String(v).includes('PRIVATE KEY'));
    fs.writeFileSync(
      process.env.FAKE_PACKER_RECORD,
      JSON.stringify({ argv, cwd: process.cwd(), env, site, tmpdir, keyInEnv, key: keyRecord(vars.ssh_private_key_file), source }, null, 2),
    );
  }
  // The template must be readable JSON, as for packer.
  try {
    JSON.parse(fs.readFileSync(path.resolve(template), 'utf8'));
  } catch (e) {
    warn(`Error: Failed to parse template: ${e.message}`);
    process.exit(1);
  }
  say('openstack: output will be in this color.');
  say('');
  say(`==> openstack: Loading flavor: ${vars.flavor}`);
  if (!source || source.message || source.status !== 'active') errored(`Error resolving source image ${vars.source_image}: not found or not active`);
  if (source.visibility !== 'private' || !(source.tags || []).includes('goldsmith-temporary')) {
    errored(`source image ${source.id} is ${source.visibility} with tags ${JSON.stringify(source.tags)}`);
  }
  if (process.env.FAKE_NOVA_ENDPOINT) {
    const res = await fetch(`${process.env.FAKE_NOVA_ENDPOINT}/os-keypairs`, { headers: JSON.parse(process.env.FAKE_NOVA_HEADERS || '{}') });
    const names = ((await res.json()).keypairs || []).map((k) => k.keypair.name);
    if (!names.includes(vars.ssh_keypair_name)) errored(`Error launching source server: Invalid key_name provided. (${vars.ssh_keypair_name})`);
  }
  say(`==> openstack: Launching server...`);
  if (process.env.FAKE_PACKER_ECHO_SITE) say(`    openstack: the script says: ${process.env[`GOLDSMITH_SITE_${process.env.FAKE_PACKER_ECHO_SITE}`]}`);
  say(`    openstack: Server ID: 00000000-fake-server`);

  if (mode === 'hang' || mode === 'hang-hard') {
    say('==> openstack: Waiting for SSH to become available...');
    process.on('SIGINT', () => {
      if (mode === 'hang-hard') {
        say('==> openstack: (ignoring interrupt)');
        return;
      }
      say('==> openstack: Terminating the source server: 00000000-fake-server ...');
      setTimeout(() => {
        warn("Build 'openstack' errored: Build was cancelled.");
        process.exit(1);
      }, 50);
    });
    setInterval(() => undefined, 1000);
    return;
  }

  say('==> openstack: Creating the image: ' + vars.image_name);
  const name = mode === 'wrong-name' ? `someone-elses-${vars.image_name}` : vars.image_name;
  const img = await glance('POST', '/v2/images', {
    body: { name, disk_format: 'raw', container_format: 'bare', visibility: 'private', goldsmith_template: 'default' },
    expect: [201],
  });
  if (mode !== 'no-data') {
    await glance('PUT', `/v2/images/${img.id}/file`, { raw: fs.readFileSync(process.env.FAKE_PACKER_ARTIFACT), expect: [204] });
  }
  say(`    openstack: Image: ${img.id}`);
  say('==> openstack: Waiting for image to become ready...');
  if (mode === 'fail') errored('Error waiting for image: fake snapshot failure');

  const build = { name: 'openstack', builder_type: 'openstack', build_time: 1764064800, files: null, packer_run_uuid: 'fake-run' };
  if (mode !== 'no-artifact') build.artifact_id = `${process.env.FAKE_PACKER_ID_PREFIX || ''}${img.id}`;
  if (mode !== 'no-manifest') {
    // packer's manifest post-processor appends to an existing manifest
    let manifest = { builds: [], last_run_uuid: 'fake-run' };
    if (fs.existsSync(vars.manifest_path)) manifest = JSON.parse(fs.readFileSync(vars.manifest_path, 'utf8'));
    manifest.builds.push(build);
    fs.writeFileSync(vars.manifest_path, JSON.stringify(manifest, null, 2));
  }
  say(`Build 'openstack' finished.`);
  say('');
  say('==> Builds finished. The artifacts of successful builds are:');
  say(`--> openstack: An image was created: ${img.id}`);
}

main().catch((e) => {
  warn(`Error: ${e.message}`);
  process.exit(1);
});
