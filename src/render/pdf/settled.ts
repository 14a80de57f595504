/** The promise's value or its error, never rejecting, so work started ahead cannot go unhandled. */
export function settled<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

/** The value, or the error thrown again. */
export function unwrap<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}
