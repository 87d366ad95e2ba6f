import type { SafeStorage } from 'electron';
import type { SecretCipher } from '@gatehouse/gateway-core';

/** Seals stored secrets with the OS keychain (Keychain, DPAPI, libsecret) through Electron. */
export function safeStorageCipher(safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>): SecretCipher | undefined {
  // Without a keychain (e.g. Linux with no secret service) the key-file cipher is the fallback.
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    kind: 'safe-storage',
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  };
}
