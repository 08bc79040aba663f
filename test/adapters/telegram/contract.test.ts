import { runChannelContract } from '../contract.js';
import { makeTelegramHarness } from './harness.js';

runChannelContract('telegram (telegram-test-api)', makeTelegramHarness);
