import { startDemoProcess } from './demo-process.js';

/** One demo for the whole e2e run; its URL reaches the tests through the environment. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const demo = await startDemoProcess();
  await demo.targetsReady();
  process.env.GATEHOUSE_E2E_URL = demo.url;
  process.env.GATEHOUSE_E2E_DATA_DIR = demo.dataDir;
  return async () => {
    await demo.stop();
  };
}
