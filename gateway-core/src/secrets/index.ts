import { join } from 'node:path';
import { EncryptedSecretStore } from './encrypted-secret-store.js';
import { KeyFileCipher, type SecretCipher } from './secret-cipher.js';

export { EncryptedSecretStore, LayeredSecretStore } from './encrypted-secret-store.js';
export { KeyFileCipher, type SecretCipher } from './secret-cipher.js';

/** The user's sealed secrets under the app-data folder; the key file cipher unless a host gives another. */
export function openSecretStore(dataDir: string, cipher?: SecretCipher): EncryptedSecretStore {
  return new EncryptedSecretStore(join(dataDir, 'secrets.json'), cipher ?? new KeyFileCipher(join(dataDir, 'secret.key')));
}
