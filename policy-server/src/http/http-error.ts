/**
 * The one error type the server's logic throws. Its `code` and `message` become the JSON body
 * `{code, message}` (ApiError); messages are written for the person reading them in the app and
 * never carry a token or a secret.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, code = 'invalid_input'): HttpError => new HttpError(400, code, message);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string, code = 'forbidden'): HttpError => new HttpError(403, code, message);
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
export const conflict = (message: string, code = 'conflict'): HttpError => new HttpError(409, code, message);
