import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { FieldIssue } from '../engine/transaction.ts';

/** Errors are values with codes; this file alone maps them to HTTP. Messages say what to do. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields?: FieldIssue[], readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalid = (fields: FieldIssue[], message = 'The request is invalid: see fields.') => new ApiError(400, 'INVALID_REQUEST', message, fields);
export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string, details?: Record<string, unknown>) => new ApiError(409, 'CONFLICT', message, undefined, details);
/** A transaction id sent again with another payment (api/reused-ids.ts). */
export const reusedId = (message: string, fields: FieldIssue[]) => new ApiError(409, 'TRANSACTION_ID_REUSED', message, fields);
/** A ruleset document with faults, each at its JSON path: `problems: [{ path, reason }]`. */
export const rulesetInvalid = (message: string, problems: readonly { path: string; reason: string }[]) =>
  new ApiError(422, 'RULESET_INVALID', message, undefined, { problems });

export function sendError(res: Response, err: ApiError): void {
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...(err.details ?? {}) } });
}

/** The last middleware: body-parser failures become 400/413/415, ApiErrors their status, anything else 500 (logged, never leaked). */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) { next(err); return; }
    if (err instanceof ApiError) { sendError(res, err); return; }
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      const limit = (err as { limit?: number }).limit;
      sendError(res, new ApiError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than this route takes${limit ? ` (${megabytes(limit)})` : ''}.`));
      return;
    }
    if (type === 'entity.parse.failed') { sendError(res, new ApiError(400, 'MALFORMED_JSON', `The body is not valid JSON: ${(err as Error).message}`, [{ field: '(body)', reason: 'is not valid JSON' }])); return; }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') { sendError(res, new ApiError(415, 'UNSUPPORTED_ENCODING', (err as Error).message)); return; }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    sendError(res, new ApiError(500, 'INTERNAL', 'Something went wrong on our side; the error was logged.'));
  };
}

const megabytes = (bytes: number) => `${Number((bytes / 1_048_576).toFixed(1))} MB`;
