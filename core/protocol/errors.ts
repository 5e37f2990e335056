/**
 * ECS-shaped errors. `name` is the `__type` a client sees (and what the AWS SDKs expose as
 * `error.name`); `status` is the HTTP status. Throw these from anywhere in core/.
 */
export class EcsError extends Error {
  constructor(
    readonly name: string,
    message: string,
    readonly status = 400,
    /** Members the error shape has beyond `message` (e.g. ConflictException's resourceIds). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const clientError = (name: string) => (message: string) => new EcsError(name, message);

export const invalidParameter = clientError("InvalidParameterException");
export const clientException = clientError("ClientException");
export const serialization = clientError("SerializationException");
export const clusterNotFound = (message = "Cluster not found.") => new EcsError("ClusterNotFoundException", message);
export const unknownOperation = clientError("UnknownOperationException");
export const resourceNotFound = clientError("ResourceNotFoundException");
export const accessDenied = clientError("AccessDeniedException");
export const serverError = (message = "Service encountered an internal error.") =>
  new EcsError("ServerException", message, 500);

/** Anything that is not an EcsError becomes a ServerException; the caller logs the original. */
export const asEcsError = (error: unknown): EcsError => (error instanceof EcsError ? error : serverError());
