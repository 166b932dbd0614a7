// The one error `goldsmith diff` reports: a lower-case, one-line message without a stack trace.

/** Bad input to a review (no git repository, unknown base ref, invalid catalog …): one line. */
export class ReviewError extends Error {
  constructor(message: string) {
    super(message.replace(/\s+/g, ' ').trim());
    this.name = 'ReviewError';
  }
}
