// goldsmith as a library: the catalog, the constructs, the environment stack and synthesis.
export * from './lib/catalog';
export * from './lib/constructs';
export { EnvironmentStack, type EnvironmentStackProps } from './stacks/environment-stack';
export { synthCatalog, type SynthOptions, type SynthResult } from './synth/synth';
export { checkConstructs } from './lib/constructs/construct-checks';
export { writeBundle, readManifest } from './synth/write-bundle';
export { renderBundle, type BuilderBundle } from './lib/constructs/builder-bundle';
export * from './lib/contract';
