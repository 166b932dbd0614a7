// What reading one of the runner's files gave: its parsed content, nothing (missing), or why not.
// The evaluation takes these, so it never touches the file system.

/** A file read through its schema. */
export type FileRead<T> =
  | { readonly status: 'ok'; readonly file: string; readonly value: T; readonly mtime: Date }
  | { readonly status: 'missing'; readonly file: string }
  | { readonly status: 'unreadable'; readonly file: string; readonly reason: string };
