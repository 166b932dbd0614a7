export * from './canonical-json';
export * from './runner-config';
export * from './write-bundle';
