// Reviewing a catalog change (`goldsmith diff`): both catalogs synthesized, compared per
// environment, told in an operator's words. Loads cdktf: require it only where a review runs.
export { reviewCatalogChange, type ReviewOptions } from './review';
export { compareSides, MANY_IMAGES, type ReviewSide, type ReviewSubject } from './compare';
export { renderReview, toDiffReport, REVIEW_FORMATS, type ReviewFormat } from './render';
export { ReviewError } from './errors';
export { diffReportJsonSchema } from './json-schema';
export * from './report-schema';
