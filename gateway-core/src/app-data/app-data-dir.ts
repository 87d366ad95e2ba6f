import { homedir } from 'node:os';
import { join } from 'node:path';

/** The per-user folder for Gatehouse's state, following each platform's convention. */
export function defaultAppDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GATEHOUSE_DATA_DIR) return env.GATEHOUSE_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Gatehouse');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Gatehouse');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'gatehouse');
}
