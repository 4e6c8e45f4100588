export type { BytesLike } from './bytes.js';
export { sm3, sm3Hex, hmacSm3, hmacSm3Hex, timingSafeEqualHex } from './sm3.js';
export { sealSecret, openSecret, sm4EcbEncryptBlock, sm4CtrXor } from './sm4.js';
export {
  SM2_DEFAULT_USER_ID,
  generateSm2KeyPair,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2Verify,
  sm2Za,
  type Sm2KeyPair,
} from './sm2.js';
export { randomToken, randomHex } from './random.js';
