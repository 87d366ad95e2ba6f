/** The subset of a pino logger the demo uses; any pino instance satisfies it. */
export interface DemoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
