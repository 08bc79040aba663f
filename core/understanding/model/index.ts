/** The shipped learned model (model.json, written by `npm run train`), compiled once on first use. */
import { existsSync, readFileSync } from 'node:fs';
import { compile, type Compiled, type LinearModel } from './linear.js';

export { predict, featuresOf, compile, train, type Compiled, type LinearModel } from './linear.js';

let shipped: Compiled | null | undefined;

export function shippedModel(): Compiled | null {
  if (shipped !== undefined) return shipped;
  const file = new URL('./model.json', import.meta.url);
  shipped = existsSync(file) ? compile(JSON.parse(readFileSync(file, 'utf8')) as LinearModel) : null;
  return shipped;
}
