/** An error as it crossed from another process: its class stayed there, these fields did not. */
export interface RemoteErrorFields {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause?: RemoteErrorFields | undefined;
}

/** The remote error as an Error again, with its name, message and stack (and its own cause, likewise), for a `cause`. */
export function toCauseError(remote: RemoteErrorFields): Error {
  const error = new Error(remote.message, remote.cause ? { cause: toCauseError(remote.cause) } : undefined);
  error.name = remote.name;
  error.stack = remote.stack ?? `${remote.name}: ${remote.message}`;
  return error;
}
