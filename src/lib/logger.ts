/** The pino-compatible subset the gateway logs through: pino, a console wrapper or a test spy. */
export interface GatewayLogger {
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}
