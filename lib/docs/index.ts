// User documentation generated from the catalog: the page of GOLD images (`goldsmith docs`).
export { goldImagesPage, firmwareOf, naturalCmp, shortNameOf, UnknownEnvironmentError } from './gold-images';
export type { Firmware, GoldImageEntry, GoldImagesPage, RetiredImageEntry } from './gold-images';
export { renderGoldImages, DOCS_FORMATS } from './render';
export type { DocsFormat } from './render';
export { markdownCode, markdownText, rstLiteral, rstText } from './escape';
