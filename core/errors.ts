/**
 * One application error type. `code` is for machines (and crosses process
 * boundaries in job failures), `message` is for developers, `userMessage`
 * (optional) is safe to show to a resident or staff member.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly userMessage?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super('config_invalid', `Configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

export class IllegalTransitionError extends AppError {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly from: string,
    readonly action: string,
  ) {
    super('illegal_transition', `Action "${action}" is not allowed from state "${from}"`);
  }
}

export class NotAuthorizedError extends AppError {
  override readonly name = 'NotAuthorizedError';
  constructor(message: string, userMessage = '您不是该单位登记的工作人员，无法操作。/ You are not registered staff of this unit.') {
    super('not_authorized', message, userMessage);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string, userMessage?: string) {
    super('not_found', `${what} not found`, userMessage);
  }
}
