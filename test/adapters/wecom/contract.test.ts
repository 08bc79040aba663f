/**
 * The channel contract (test/adapters/contract.ts) for 'wecom' and
 * 'wecom_kf', through the harnesses in ./harness.ts. WeCom has no group chat
 * that delivers members' messages or holds buttons (application group chats
 * are outbound-only; 微信客服 has no groups) and lays buttons out itself, so
 * those cases check the refusal or run in the private chat; 微信客服 cannot edit.
 */
import { runChannelContract } from '../contract.js';
import { makeWecomHarness, makeWecomKfHarness } from './harness.js';

const NO_GROUPS = { groupInbound: false, groupButtons: false, buttonRows: false } as const;

runChannelContract('wecom (application messages, local WeCom server)', async () => Object.assign(await makeWecomHarness(), { capabilities: { ...NO_GROUPS, edit: true } }));
runChannelContract('wecom_kf (微信客服, local WeCom server)', async () => Object.assign(await makeWecomKfHarness(), { capabilities: { ...NO_GROUPS, edit: false } }));
