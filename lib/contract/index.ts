// The contract between synth and the builder: every file that crosses (runner config, check
// config, Sensu check, bundle manifest, build report, last-success record) as a zod schema with
// its type, the shared name rules and the builder constants. JSON Schema exports: schema/bundle/
// (npm run gen:schemas).
export * from './build-period';
export * from './build-record';
export * from './builder';
export * from './check-config';
export * from './glance-names';
export * from './install-state';
export * from './manifest';
export * from './names';
export { BundleFileError, parseContract, parseContractJson, type DeepReadonly } from './parse';
export * from './report';
export * from './runner-config';
export * from './sensu-check';
export * from './site-env';
