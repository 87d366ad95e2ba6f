import { ApiError } from '@gatehouse/gateway-core';
import { z } from 'zod';

/** The error bodies every authenticated route may answer with, for the OpenAPI document. */
export const AUTH_ERRORS = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 503: ApiError } as const;
export const SECURITY = [{ bearerAuth: [] }];
export const IdParam = z.object({ id: z.string().min(1).max(100) }).strict();
