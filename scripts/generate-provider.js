#!/usr/bin/env node
// Generates the cdktf bindings for terraform-provider-openstack into .gen/providers/openstack
// from the committed schema snapshot (schema/openstack-3.4.0.schema.json).
// No prebuilt @cdktf/provider-openstack exists; the generator's package index needs jsii-pacmak,
// so the generator module is deep-imported.
'use strict';
const fs = require('fs');
const path = require('path');
const { CodeMaker } = require('codemaker');
const { ConstructsMakerProviderTarget, TerraformProviderConstraint, Language } = require('@cdktf/commons');
const { TerraformProviderGenerator } = require('@cdktf/provider-generator/lib/get/generator/provider-generator');

const root = path.resolve(__dirname, '..');
const schemaFile = path.join(root, 'schema', 'openstack-3.4.0.schema.json');
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? path.resolve(process.argv[outdirArg + 1]) : path.join(root, '.gen');
const fqpn = 'registry.terraform.io/terraform-provider-openstack/openstack';

async function main() {
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  schema.provider_versions = { [fqpn]: '3.4.0' };
  const constraint = new TerraformProviderConstraint({
    name: 'openstack',
    source: 'terraform-provider-openstack/openstack',
    version: '~> 3.4',
  });
  const code = new CodeMaker();
  code.indentation = 2;
  const generator = new TerraformProviderGenerator(code, schema);
  generator.generate(new ConstructsMakerProviderTarget(constraint, Language.TYPESCRIPT));
  fs.rmSync(path.join(outdir, 'providers'), { recursive: true, force: true });
  await generator.save(outdir);
  console.log(`generated openstack provider bindings in ${path.join(outdir, 'providers', 'openstack')}`);
}

main().catch((err) => {
  console.error(`generate-provider: ${err.message}`);
  process.exit(1);
});
