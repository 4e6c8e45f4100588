import fs from 'node:fs';
import path from 'node:path';
import { generateSm2KeyPair, sm2PublicKeyFromPrivate, randomHex, sm3Hex } from './crypto/index.js';
import type { Config } from './config.js';

/** Key material of a node: the SM4 sealing key for secrets at rest and the SM2 tree-head signing key. */
export interface NodeKeys {
  nodeKey: Buffer;
  ledgerPrivateKey: string;
  ledgerPublicKey: string;
  /** Identifies the node key without revealing it, so replicas can prove they share it. */
  nodeKeyFingerprint: string;
}

const HEX_32 = /^[0-9a-f]{64}$/i;

/**
 * Keys come from configuration (replicas must share them) or from `<dataDir>/keys/`, created on
 * first start with owner-only permissions. Key values are never logged.
 */
export function loadOrCreateKeys(config: Pick<Config, 'dataDir' | 'nodeKeyHex' | 'ledgerKeyHex'>): NodeKeys {
  const dir = path.join(config.dataDir, 'keys');
  const nodeKeyHex = config.nodeKeyHex ?? readOrCreate(dir, 'node.key', () => randomHex(32));
  if (!HEX_32.test(nodeKeyHex)) throw new Error('TIANSHU_NODE_KEY (or keys/node.key) must be 64 hex characters');
  const ledgerPrivateKey = config.ledgerKeyHex ?? readOrCreate(dir, 'ledger-sm2.key', () => generateSm2KeyPair().privateKey);
  if (!HEX_32.test(ledgerPrivateKey)) {
    throw new Error('TIANSHU_LEDGER_KEY (or keys/ledger-sm2.key) must be an SM2 private key of 64 hex characters');
  }
  const nodeKey = Buffer.from(nodeKeyHex, 'hex');
  return {
    nodeKey,
    ledgerPrivateKey: ledgerPrivateKey.toLowerCase(),
    ledgerPublicKey: sm2PublicKeyFromPrivate(ledgerPrivateKey.toLowerCase()),
    nodeKeyFingerprint: sm3Hex(Buffer.concat([Buffer.from('tianshu/node-key-fingerprint/'), nodeKey])).slice(0, 32),
  };
}

function readOrCreate(dir: string, name: string, create: () => string): string {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = create();
  // 'wx' fails if another process created the file meanwhile; then use theirs.
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return value;
  } catch {
    return fs.readFileSync(file, 'utf8').trim();
  }
}
